"""The PowerPoint briefing, read back with python-pptx: slides, pictures, change lists, notes, record."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from PIL import Image

from geo.export.briefing import build_briefing, changes_between
from geo.export.view import View

from .test_snapshot import baltic_patrol, renderer, seed_events  # noqa: F401  (renderer is a fixture)

pytestmark = pytest.mark.browser


def test_changes_between_dates():
    events = list(seed_events())
    patrol = baltic_patrol()
    march = changes_between(events, dt.date(2025, 2, 1), dt.date(2025, 3, 1))
    assert patrol in march.started and not march.ended
    april = changes_between(events, dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    assert patrol in april.ended and patrol not in april.started
    assert changes_between(events, None, dt.date(2025, 3, 1)).started == []


def test_briefing_deck_reads_back(renderer, gazetteer, artifacts):  # noqa: F811
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    base = View.make(theatre="Baltic")
    days = ["2025-02-01", "2025-03-01", "2025-04-01"]
    path = artifacts / "briefing_baltic.pptx"
    record = build_briefing(list(seed_events()), [base.at(d) for d in days], path, gazetteer=gazetteer,
                            renderer=renderer)
    deck = Presentation(str(path))
    slides = list(deck.slides)
    assert len(slides) == 3
    texts = []
    for slide, day in zip(slides, days, strict=True):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        with Image.open(io.BytesIO(pictures[0].image.blob)) as image:
            assert image.size == (1740, 1260)
            assert json.loads(image.text["fpm:export"])["view"]["as_of"] == day
        texts.append("\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame))
    assert "As of 1 February 2025" in texts[0]
    assert "Since 1 Feb 2025" in texts[1] and "B-52H — Baltic Sea" in texts[1]
    assert "+ US (with FI, SE) patrol" in texts[1]
    assert "– US (with FI, SE) patrol" in texts[2]
    notes = slides[1].notes_slide.notes_text_frame.text
    assert "UK Defence Journal" in notes and baltic_patrol().source.sentence.strip() in notes
    assert "fpm:export" in notes and "asof=2025-03-01" in notes
    props = deck.core_properties
    assert props.category == "fpm-briefing" and "Baltic" in props.title
    assert json.loads(props.comments)["views"][1] == "theatre=Baltic&asof=2025-03-01"
    assert record["command"].startswith("python -m geo briefing --theatre Baltic")
    assert "--dates 2025-02-01,2025-03-01,2025-04-01" in record["command"]


def test_cli_briefing(tmp_path):
    from pptx import Presentation

    from geo.cli.program import main
    from geo.export.png import close_default_renderer
    from tests.conftest import SEEDS

    out = tmp_path / "brief.pptx"
    try:
        assert main(["briefing", "--theatre", "baltic", "--dates", "2025-02-01,2025-03-01", "--articles", str(SEEDS),
                     "-o", str(out)]) == 0
    finally:
        close_default_renderer()
    assert len(Presentation(str(out)).slides) == 2
    assert main(["briefing", "--theatre", "baltic", "--articles", str(SEEDS), "-o", str(out)]) == 2  # no dates
