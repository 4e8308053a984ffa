"""Every file a map loads is local: no CDN URL in the HTML, and every referenced file exists."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import folium
import pytest

from geo.errors import InputError
from geo.render.mapping import build_map
from geo.render.offline_assets import VENDOR_DIR, VENDOR_FILES, missing_assets, use_local_assets, write_streamlit_config
from tests.map_fixtures import sample_events

# src/href of <script>/<link>, and url(...) in CSS: where a browser would fetch from.
FETCHED = re.compile(r"<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*[\"']([^\"']+)[\"']", re.I)
ANY_URL = re.compile(r"https?://[^\s\"'<>)]+", re.I)
# Not fetched: XML namespaces milsymbol/Leaflet write into SVG, and the Leaflet link in the attribution.
NOT_FETCHED = ("http://www.w3.org/", "https://leafletjs.com")


@pytest.fixture(scope="module", autouse=True)
def _assets():
    if missing_assets():
        pytest.fail(f"vendored files missing {missing_assets()}: run `make assets`")
    yield
    use_local_assets("streamlit")


def test_vendor_files_present():
    for rel in VENDOR_FILES:
        assert (VENDOR_DIR / rel).stat().st_size > 0, rel


def test_folium_defaults_point_at_local_files():
    use_local_assets("streamlit")
    urls = [u for _, u in folium.Map.default_js + folium.Map.default_css]
    assert urls and all(u.startswith("/app/static/vendor/") for u in urls)
    assert all(u.startswith("/app/static/vendor/") for _, u in folium.plugins.MarkerCluster.default_js)


def test_bad_mode_names_choices():
    with pytest.raises(InputError, match="streamlit"):
        use_local_assets("cdn")  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["file", "relative"])
def test_rendered_map_fetches_nothing_external(gazetteer, artifacts: Path, mode: str):
    fmap = build_map(sample_events(gazetteer), theatre="Baltic", gazetteer=gazetteer, assets=mode,
                     assets_base=str(artifacts), cluster=True)
    out = artifacts / f"offline_{mode}.html"
    fmap.save(out)
    page = out.read_text(encoding="utf-8")
    fetched = FETCHED.findall(page)
    assert any("leaflet.js" in u for u in fetched) and any("milsymbol.js" in u for u in fetched)
    external = [u for u in fetched if u.startswith(("http:", "https:", "//"))]
    assert external == []
    stray = [u for u in ANY_URL.findall(page) if not u.startswith(NOT_FETCHED)]
    assert stray == [], stray
    for url in fetched:
        path = Path(unquote(urlparse(url).path)) if mode == "file" else (out.parent / url)
        assert path.resolve().exists(), url


def test_online_tiles_only_when_asked(gazetteer):
    plain = build_map([], gazetteer=gazetteer, assets="file").get_root().render()
    assert "openstreetmap" not in plain.lower() and "arcgisonline" not in plain.lower()
    tiles = build_map([], gazetteer=gazetteer, assets="file", online_tiles=["OpenStreetMap"]).get_root().render()
    assert "tile.openstreetmap.org" in tiles


def test_streamlit_config(tmp_path: Path):
    text = write_streamlit_config(tmp_path).read_text(encoding="utf-8")
    assert "enableStaticServing = true" in text and "gatherUsageStats = false" in text
    # Without a server address a headless Streamlit asks a web service for its external IP.
    assert 'serverAddress = "localhost"' in text
