"""The page's export menu, on a real seeded store: every file opens with an independent reader."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from geo.app.exports import EXPORT_KINDS, deck_dates, prepare_export
from geo.errors import InputError
from geo.export.view import View

from .test_app import seed_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from geo.store.factory import open_store

    path = seed_store(tmp_path_factory.mktemp("export-store") / "events.sqlite")
    opened = open_store(str(path))
    yield opened
    opened.close()


BALTIC = View(theatre="Baltic", as_of=dt.date(2025, 3, 10))


def label(what: str, option: str = "") -> str:
    return next(k for k, v in EXPORT_KINDS.items() if v == (what, option))


def test_geojson_of_the_current_filter(store, gazetteer):
    download = prepare_export(store, View(theatre="Baltic", as_of=dt.date(2025, 3, 10), kinds=("patrol",)),
                              label("data", "geojson"), gazetteer=gazetteer)
    assert download.file_name.endswith(".geojson") and download.mime == "application/geo+json"
    collection = json.loads(download.data)
    kinds = {f["properties"]["kind"] for f in collection["features"]}
    assert kinds == {"patrol"}
    assert collection["fpm_export"]["view"]["theatre"] == "Baltic"  # the view is recorded in the file


def test_kml_and_geopackage_read_back(store, gazetteer, tmp_path):
    import pyogrio
    from fastkml import kml

    kml_file = prepare_export(store, BALTIC, label("data", "kml"), gazetteer=gazetteer)
    document = kml.KML.from_string(kml_file.data)
    assert list(document.features)
    gpkg = prepare_export(store, BALTIC, label("data", "gpkg"), gazetteer=gazetteer)
    path = tmp_path / gpkg.file_name
    path.write_bytes(gpkg.data)
    assert len(pyogrio.read_dataframe(path)) >= 1


@pytest.mark.browser
def test_png_of_the_view(store, gazetteer):
    from PIL import Image

    download = prepare_export(store, BALTIC, label("png", "slide"), gazetteer=gazetteer)
    image = Image.open(io.BytesIO(download.data))
    assert image.size == (1920, 1080)
    assert "Baltic" in json.dumps(image.text)


@pytest.mark.browser
def test_briefing_deck_with_typed_dates(store, gazetteer):
    from pptx import Presentation

    download = prepare_export(store, BALTIC, label("pptx"), deck="2025-02-01, 2025-03-10", gazetteer=gazetteer)
    deck = Presentation(io.BytesIO(download.data))
    assert len(deck.slides) == 2


def test_deck_dates_are_checked():
    assert deck_dates("", dt.date(2025, 3, 1)) == [dt.date(2025, 3, 1)]
    assert deck_dates("2025-03-01,2025-01-01", dt.date(2025, 1, 1)) == [dt.date(2025, 1, 1), dt.date(2025, 3, 1)]
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        deck_dates("next Tuesday", dt.date(2025, 1, 1))
    with pytest.raises(InputError, match="real date"):
        deck_dates("2025-02-30", dt.date(2025, 1, 1))
