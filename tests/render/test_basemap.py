"""The offline basemap: built files small enough, borders shared, clipped per view, tiles opt-in."""

from __future__ import annotations

import folium
import pytest
import shapely

from geo.errors import InputError
from geo.render.basemap import (
    BASEMAP_FILES,
    _collection,
    _outlines,
    _padded,
    add_basemap,
    add_online_tiles,
    build_basemap,
    load_layer,
)


@pytest.fixture(scope="module")
def built(gazetteer):
    if not all(path.exists() for path in BASEMAP_FILES.values()):
        build_basemap(gazetteer)
    return BASEMAP_FILES


def test_files_are_a_few_megabytes(built):
    sizes = {name: path.stat().st_size for name, path in built.items()}
    assert sizes["countries_coarse"] < 2.5e6
    assert sizes["seas"] < 1.5e6
    assert sizes["countries_detail"] < 8e6  # only ever sent clipped to a regional view
    props, geoms = load_layer("countries_coarse")
    assert len(props) > 200 and not any(g.is_empty for g in geoms)  # rounding may leave tiny self-touches


def test_shared_borders_stay_identical(built):
    props, geoms = load_layer("countries_coarse")
    index = {p["iso"]: g for p, g in zip(props, geoms, strict=True)}
    # coverage simplification: neighbours touch along a line, no gap or overlap of any size
    for a, b in (("PL", "DE"), ("FR", "ES"), ("FI", "RU")):
        assert shapely.intersection(index[a], index[b]).area < 1e-6
        assert shapely.intersection(index[a], index[b]).length > 1.0


def test_regional_view_is_detailed_inside_and_the_world_around_it(built):
    box = (9.0, 53.0, 31.0, 66.5)
    baltic = folium.Map(tiles=None)
    add_basemap(baltic, box)
    html = baltic.get_root().render()
    assert "Gulf of Finland" in html and "Natural Earth" not in html  # credits come from build_map
    assert '"Canada"' in html and '"Australia"' in html  # the world's land beyond the theatre
    clip = _padded(box)
    detail = shapely.union_all([shapely.geometry.shape(f["geometry"])
                                for f in _collection("countries_detail", clip)["features"]])
    world = shapely.union_all([shapely.geometry.shape(f["geometry"])
                               for f in _collection("countries_world", clip, True)["features"]])
    inside = shapely.box(*clip)
    assert inside.buffer(1e-6).contains(detail) and world.intersection(inside).area < 1e-6  # they never overlap
    # outlines are lines that stop at the cut: none runs along the box's edge, a seam across the land
    for name, outside in (("countries_detail", False), ("countries_world", True), ("seas", False)):
        lines = shapely.geometry.shape(_outlines(name, clip, outside)["features"][0]["geometry"])
        assert lines.intersection(inside.boundary.buffer(1e-4)).length < 0.5, name


def test_online_tiles_are_named_choices():
    fmap = folium.Map(tiles=None)
    add_online_tiles(fmap, ["CartoDB Positron", "Esri World Imagery"])
    assert "basemaps.cartocdn.com" in fmap.get_root().render()
    with pytest.raises(InputError, match="OpenStreetMap"):
        add_online_tiles(fmap, ["Google"])
