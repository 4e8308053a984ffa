"""Extraction on the seeds and on hand-made sentences that exercise one rule each."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geo.errors import InputError
from geo.events import Event
from geo.extract.extractor import extract_file, extract_text
from tests.conftest import ROOT, SEEDS


def events_of(text: str, published: str = "2024-06-05") -> list[Event]:
    return extract_text(text, document="test.txt", published=published).events


def only(events: list[Event]) -> Event:
    assert len(events) == 1, [(e.kind, [p.name for p in e.places]) for e in events]
    return events[0]


def test_baltic_patrol_seed():
    result = extract_file(str(SEEDS / "000_bc515cc3e7e2ca53.txt"))
    patrol = only([e for e in result.events if e.kind == "patrol"])
    assert patrol.actors == ["US"]
    assert [(a.family, a.count) for a in patrol.assets][:1] == [("B-52", 2)]
    assert [p.id for p in patrol.places] == ["sea:baltic-sea"]
    assert patrol.partners == ["FI", "SE"]
    assert (patrol.start, patrol.time_precision) == ("2025-03-01", "month")
    assert patrol.geo_precision == 3
    assert patrol.source.sentence.startswith("Two American B-52 bombers")
    text = result.article.text
    assert text[patrol.source.start: patrol.source.end] == patrol.source.sentence
    # Nothing from the reader comments, and the command's name is not a place.
    assert all("North Korea" not in e.source.sentence for e in result.events)
    assert not any(p.text == "Europe" and "Air Forces" in e.source.sentence
                   for e in result.events for p in e.places)


def test_rota_destroyers_from_four_to_six():
    result = extract_file(str(SEEDS / "001_faa9ce2b65bbefc6.txt"))
    rota = only([e for e in result.events if any(p.id == "installation:naval-station-rota" for p in e.places)])
    assert rota.kind == "basing" and rota.actors == ["US"]
    assert [(a.family, a.count) for a in rota.assets] == [("destroyer", 6)]
    assert rota.status == "announced" and rota.geo_precision == 1
    places = {p.id for e in result.events for p in e.places}
    assert "city:3117735" not in places  # Madrid hosted the summit: a venue, not a deployment site
    assert "country:UA" not in places and "country:RU" not in places


def test_one_sentence_three_events():
    sentence = ("In addition, two additional F-35 fighter aircraft squadrons will be sent to the United Kingdom, "
                "a short-range air defence battery will be stationed in Italy, and 625 additional troops will "
                "oversee and conduct air defence artillery operations in Germany.")
    events = events_of("The US will strengthen its forces in Europe. " + sentence, "2022-06-29")
    by_country = {e.places[0].country: e for e in events}
    assert set(by_country) >= {"GB", "IT", "DE"}
    assert by_country["GB"].assets[0].family == "F-35" and by_country["GB"].assets[0].count == 2
    assert by_country["DE"].assets[0].count == 625
    # Each event keeps its own assets: the squadrons went to the UK only.
    assert [a.family for a in by_country["IT"].assets if a.family == "F-35"] == []
    assert [a.family for a in by_country["DE"].assets if a.family == "F-35"] == []


def test_capitals_as_governments_make_no_event():
    events = events_of("Beijing and Moscow have consistently defended their joint exercises. "
                       "Analysts said the flight was aimed at reassuring Tokyo.")
    assert events == []


def test_sino_russian_patrol_over_two_seas_is_one_event_per_sea():
    """The codebook: one activity over several named places is one event per place, each drawn on its
    own sea with the same actors, forces and day."""
    patrols = events_of(
        "Chinese H-6 bombers and Russian Tu-95MS strategic bombers flew together over the Sea of Japan "
        "and the East China Sea on Tuesday.", "2025-12-11")
    assert sorted(p.id for e in patrols for p in e.places) == ["sea:east-china-sea", "sea:sea-of-japan"]
    assert all(len(e.places) == 1 for e in patrols)
    for patrol in patrols:
        assert patrol.kind == "patrol" and sorted(patrol.actors) == ["CN", "RU"]
        assert {a.family for a in patrol.assets} == {"H-6", "Tu-95"}
        assert patrol.start == "2025-12-09" and patrol.status == "observed"
    assert len({e.id for e in patrols}) == 2


def test_places_of_one_site_named_two_ways_stay_one_event():
    """A town and the base beside it ("at Busan ... Busan naval base") are one place, not two events."""
    events = events_of("The aircraft carrier USS Carl Vinson arrived at Busan Naval Base in Busan on Tuesday.",
                       "2023-11-22")
    assert len(events) == 1, [[p.name for p in e.places] for e in events]


def test_a_wide_region_framing_a_sea_is_not_an_event_of_its_own():
    """One draft read over "the Red Sea", "the Suez Canal" and "the Middle East" (a headline and the
    sentences merged into it) becomes one event per place, but the wide region around the others
    only frames them."""
    from geo.extract.drafts import Draft
    from geo.extract.extractor import Extractor, per_place
    from geo.extract.mentions import find_mentions

    extractor = Extractor()
    text = "The ships sailed through the Suez Canal into the Red Sea, part of a build-up in the Middle East."
    mentions = find_mentions(text, extractor.geocoder, extractor.catalogue, None)
    places = list(mentions.places)
    assert {p.place.id for p in places} == {"region:suez-canal", "sea:red-sea", "region:middle-east"}, \
        [p.place.id for p in places]
    draft = Draft(mentions.sentences[0], "deployment", 2, places, [], ["US"], [], None, "observed", 2)
    parts = per_place(draft)
    assert sorted(p.places[0].place.id for p in parts) == ["region:suez-canal", "sea:red-sea"]
    assert all("region:middle-east" not in {q.place.id for q in p.places} for p in parts)


def test_a_capital_standing_for_its_government_is_no_place_of_the_event():
    events = events_of("A U.S. nuclear submarine docked near Tromso on Monday, to Moscow's annoyance.", "2021-05-11")
    assert "city:Moscow" not in {p.name for e in events for p in e.places}
    assert all(p.country == "NO" for e in events for p in e.places)


def test_origin_and_destination():
    event = only(events_of("Four B-1B bombers flew from Dyess Air Force Base, Texas, to Orland Main Air Station "
                           "in Norway on Monday.", "2021-02-23"))
    assert [p.id for p in event.places] == ["installation:orland-main-air-station"] or \
        event.places[0].country == "NO"
    assert event.kind == "deployment" or event.kind == "patrol"


def test_excluded_place_is_not_a_location():
    events = events_of("The U.S. brigade will deploy to Poland but will not deploy to Ukraine, officials said.")
    assert [p.country for e in events for p in e.places] == ["PL"]


def test_html_with_script_and_no_places():
    assert events_of("<html><body><script>document.write('Sea of Japan')</script>"
                     "<p>Officials discussed budgets on Monday.</p></body></html>") == []


def test_non_text_input_is_refused():
    with pytest.raises(InputError):
        extract_text(b"bytes")  # type: ignore[arg-type]


def test_same_article_gives_same_ids():
    first = extract_file(str(SEEDS / "002_7230f43d1c5252f7.txt")).events
    second = extract_file(str(SEEDS / "002_7230f43d1c5252f7.txt")).events
    assert [e.id for e in first] == [e.id for e in second]
    assert len({e.id for e in first}) == len(first)


def test_events_round_trip_through_geojson():
    for event in extract_file(str(SEEDS / "001_faa9ce2b65bbefc6.txt")).events:
        back = Event.from_feature(json.loads(event.to_json()))
        assert back.to_feature() == event.to_feature()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_extract_cli_prints_a_feature_collection():
    result = run_cli("extract", str(SEEDS / "002_7230f43d1c5252f7.txt"))
    assert result.returncode == 0, result.stderr
    collection = json.loads(result.stdout)
    assert collection["type"] == "FeatureCollection"
    kinds = sorted(f["properties"]["kind"] for f in collection["features"])
    assert kinds == ["exercise", "patrol", "patrol"]  # the joint patrol over two seas: one event per sea
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in collection["features"])


def test_extract_cli_bad_inputs_never_trace(tmp_path):
    cases = {
        "empty.txt": b"",
        "binary.bin": bytes(range(256)) * 10,
        "latin1.txt": "Deux Rafale ont atterri à Constanța, en Roumanie. Près de Ørland.".encode("latin-1",
                                                                                               "replace"),
        "script.html": b"<html><script>while(1){}</script><p>Nothing happened anywhere.</p></html>",
        "noplaces.txt": b"The committee met to discuss the budget and adjourned.",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = run_cli("extract", str(path))
        assert "Traceback" not in result.stderr, name
        assert result.returncode in (0, 2), (name, result.stderr)
        if result.returncode == 2:
            assert result.stderr.startswith("error: "), name
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    result = run_cli("extract", str(big))
    assert result.returncode == 2 and "MiB" in result.stderr and "Traceback" not in result.stderr


def test_unknown_place_names_are_reported():
    result = extract_text("Russia deployed Bastion missile systems on Matuaxyz island in the Kurils on Tuesday.",
                          published="2021-12-02")
    assert "Matuaxyz" in result.unresolved
    assert "Tuesday" not in " ".join(result.unresolved)


def test_ambiguous_service_takes_the_article_country():
    events = events_of("Indian Su-30MKI fighters have arrived at Hyakuri Air Base. "
                       "The IAF jets flew over the Sea of Japan on Monday.", "2023-01-17")
    assert events and all("IL" not in e.actors for e in events)


def test_return_home_and_alert_are_not_deployments():
    events = events_of("German frigates sailed through the Taiwan Strait on Friday. The ships are continuing "
                       "towards the Indian Ocean on their way home.", "2024-09-13")
    assert [p.id for e in events for p in e.places] == ["sea:taiwan-strait"]
    assert events_of("The US bombers returned home to Minot Air Force Base on Friday.", "2024-09-13") == []
    assert only(events_of("Two US B-52 bombers returned to RAF Fairford in Britain on Monday.")).kind == "deployment"
    assert events_of("About 8,500 US troops in the United States were placed on heightened alert to deploy "
                     "to Europe if NATO activates its response force.", "2022-01-24") == []


def test_speaker_is_not_carried_to_the_next_sentence():
    events = events_of("Two German warships sailed through the Taiwan Strait on Friday. China's Eastern "
                       "Theatre Command said it had tracked the vessels. The frigates took part in RIMPAC "
                       "off Hawaii in July.", "2024-09-13")
    assert all(e.actors == ["DE"] for e in events), [(e.actors, e.places[0].name) for e in events]


def test_date_after_a_place_dates_that_place():
    events = events_of("Japan's Joint Staff said Chinese and Russian warships sailed through the Tsugaru Strait "
                       "on 18 October and through the Osumi Strait on 22 October.", "2021-10-23")
    dates = {p.id: e.start for e in events for p in e.places}
    assert dates.get("sea:tsugaru-strait") == "2021-10-18"
    assert dates.get("sea:osumi-strait") == "2021-10-22"


def test_report_date_and_range_start():
    event = only(events_of("On 18 October the agency said about 1,500 North Korean troops had been sent to "
                           "Vladivostok between 8 and 13 October.", "2024-11-05"))
    assert event.start == "2024-10-08"


def test_site_before_the_forces_inside_the_wider_place():
    event = only(events_of("Flags were raised on Thursday at the Tapa army base as a British-led NATO "
                           "battlegroup formally deployed to Estonia.", "2017-04-20"))
    assert event.places[0].kind == "installation" and event.places[0].country == "EE"


def test_based_at_a_site_inside_the_place_just_named():
    event = only(events_of("The French battlegroup in Estonia, based at Tapa, is being reinforced with tanks.",
                           "2022-02-28"))
    assert event.places[0].kind == "installation" and event.places[0].country == "EE"


def test_sentence_ends_are_found_as_the_plain_spelling_of_the_pattern_finds_them():
    """`_SENTENCE_END` is spelt to open with one character class (the engine then skips ahead) and
    to read a run of punctuation once (possessively, from its first character); it must find exactly
    what its plain spelling finds, on real articles and random punctuation."""
    import random
    import re

    from geo.extract.mentions import _SENTENCE_END

    plain = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*[·•\-\*]\s)|\n")
    texts = [path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("tests/corpus*/*.txt"))
             + sorted(SEEDS.glob("*.txt"))]
    generator = random.Random(11)
    alphabet = list(".!?…\n \t\"”’')]“‘([·•-*Aa0é")
    texts += ["".join(generator.choice(alphabet) for _ in range(generator.randint(0, 60))) for _ in range(5000)]
    for text in texts:
        assert [(m.span(), m.group(0)) for m in _SENTENCE_END.finditer(text)] == \
            [(m.span(), m.group(0)) for m in plain.finditer(text)], repr(text)


@pytest.mark.parametrize("published", [None, "2025-03-05"])
@pytest.mark.parametrize("sentence", [
    "Two B-52 bombers patrolled the Baltic Sea on 4 March 2025 with Finnish fighters.",
    "Two B-52 bombers patrolled the Baltic Sea on March 4, 2025 with Finnish fighters.",
    "Two B-52 bombers patrolled the Baltic Sea on 4 March with Finnish fighters.",
    "Two B-52 bombers patrolled the Baltic Sea in 2025 with Finnish fighters.",
    "Two B-52 bombers patrolled the Baltic Sea in March 2025 with Finnish fighters.",
    # A year the date reader leaves alone, and the end of a range of days, are no counts either.
    "Two B-52 bombers patrolled the Baltic Sea, the first mission of 2025 with Finnish fighters.",
    "Two B-52 bombers patrolled the Baltic Sea between March 3-26 with Finnish fighters.",
])
def test_a_date_is_never_read_as_a_count(sentence, published):
    """ "on 4 March 2025 with Finnish fighters" gave 2,025 fighters (issue 13, item 14)."""
    result = extract_text(sentence, document="test.txt", published=published)
    assert {c.value for c in result.mentions.counts} == {2}
    counts = {a.family: a.count for e in result.events for a in e.assets}
    assert counts == {"B-52": 2, "fighter": None}


@pytest.mark.parametrize(("number", "count"), [
    ("9" * 400, None),  # int(float(...)) raised OverflowError and stopped the ingest run
    ("99999999999999999999", None),  # beyond 64 bits: the store refused it
    ("12,000,000", None),  # no force this large: above MAX_COUNT
    ("10,000,000", 10_000_000),
    ("1.5 million", 1_500_000),
    ("2.3 million", 2_300_000),  # exact: the float product was 2,299,999.9...
    ("1,500 thousand", 1_500_000),  # was 1,500: the multiplier was read only after plain digits
    ("0" * 30 + "35", 35),
])
def test_numbers_too_large_to_count_forces_are_no_count(number, count):
    from geo.extract.mentions import MAX_COUNT

    event = only(events_of(f"Russia sent {number} troops to Belarus on 3 March 2025.", "2025-03-05"))
    assert [(a.family, a.count) for a in event.assets] == [("troops", count)]
    assert MAX_COUNT < 2**63  # what a store's 64-bit integer column holds


def test_a_file_name_that_is_not_utf8_still_gets_event_ids():
    """os.fsdecode spells the bytes of a file name that is not UTF-8 as lone surrogates, which
    UTF-8 cannot encode: event_id raised UnicodeEncodeError."""
    sentence = "Two B-52 bombers patrolled the Baltic Sea on 4 March 2025."
    escaped = extract_text(sentence, document=b"caf\xe9.txt".decode("utf-8", "surrogateescape"), published="2025-03")
    plain = extract_text(sentence, document="café.txt", published="2025-03")
    assert len(escaped.events) == len(plain.events) == 1
    assert escaped.events[0].id.startswith("ev-") and escaped.events[0].id != plain.events[0].id


def test_ids_of_ordinary_document_names_do_not_change():
    from geo.events import event_id

    # The id this basis had before surrogates were allowed (plain UTF-8): stored events keep theirs.
    assert event_id("café.txt", "patrol", ["sea:baltic-sea"], ["B-52"], 0) == "ev-f860157be44df2ab"


@pytest.mark.parametrize("published", ["0001-01-01", "0001-01", "0001", "9999-12-31", "9999-12", "9999"])
def test_articles_published_at_the_calendar_limits_still_extract(published):
    """Relative dates near year 1 or 9999 raised OverflowError (issue 13, F5); so did a month
    dated December 9999 when two events were compared, and a plan "in February" read as the
    coming February of year 10000."""
    text = ("Last week two B-52 bombers patrolled the Baltic Sea. Next week four F-35 fighters will deploy to "
            "Poland. On Monday the ship sailed into the Black Sea. This month two B-1 bombers flew over the "
            "Barents Sea. Last month two Su-35 fighters flew over the Sea of Japan and next month six Typhoons "
            "will deploy to Romania. The army will send two HIMARS launchers to Estonia in February.")
    result = extract_text(text, document="test.txt", published=published)
    assert result.events
    assert all(e.start is None or "0001-01-01" <= e.start <= "9999-12-31" for e in result.events)


def test_a_sentence_longer_than_any_real_one_is_cut_at_white_space():
    """A page without full stops was one sentence, and reading a sentence compares its mentions
    with one another: a 1 MB line took minutes. It is cut into pieces of at most MAX_SENTENCE
    characters, each ending at white space; a word longer than that is cut through."""
    from itertools import pairwise

    from geo.extract.mentions import MAX_SENTENCE, split_sentences

    text = "  " + "troops deployed to Poland " * 400 + "\n\n" + "x" * 5_000 + " end"
    sentences = split_sentences(text)
    assert all(0 < s.end - s.start <= MAX_SENTENCE and text[s.start:s.end] == s.text for s in sentences)
    assert all(s.text == s.text.strip() for s in sentences)
    # Nothing lost: only white space lies between the pieces (none where a word was cut through).
    assert (sentences[0].start, sentences[-1].end) == (2, len(text))
    assert all(text[a.end:b.start].isspace() or a.end == b.start for a, b in pairwise(sentences))
    words = [s for s in sentences if s.paragraph == 0]
    assert all(text[s.end].isspace() for s in words) and len(words) == 6
    assert [s.end - s.start for s in sentences if s.paragraph == 1] == [MAX_SENTENCE, MAX_SENTENCE, 1_004]
    assert split_sentences("Short. Sentence.")[1].text == "Sentence."  # below the limit nothing changes


def test_an_event_is_merged_with_the_events_reported_last():
    """An event told again merges with the first telling. A long article is compared only with
    the MERGE_WINDOW events reported last (comparing with all of them made it quadratic): a digest
    that reports seventy moves and then the first again reports it twice."""
    from geo.extract.merging import MERGE_WINDOW
    from geo.gazetteer.load import load_gazetteer

    countries = sorted({p.name for p in load_gazetteer().places_of_kind("country") if " " not in p.name})
    sentences = [f"American B-52 bombers deployed to {name}." for name in countries[:MERGE_WINDOW + 6]]
    reported = {len(e.places) for e in events_of(" ".join(sentences), "2025-03-05")}
    assert reported == {1}
    once = len(events_of(" ".join(sentences[:10] + sentences[:1]), "2025-03-05"))
    assert once == len(events_of(" ".join(sentences[:10]), "2025-03-05"))  # told again: merged
    long = " ".join(sentences + sentences[:1])
    assert len(events_of(long, "2025-03-05")) == len(events_of(" ".join(sentences), "2025-03-05")) + 1


def test_a_time_budget_stops_a_long_extraction_early():
    """The app's Add-article request gives extraction a time budget: a 4 MB article (over 10 s
    to read in full) stops within about a second of a 1 s budget, with one clear line."""
    import time

    from geo.errors import ExtractionTimeout, ForcePostureError
    from geo.extract.article import read_article, read_article_bytes
    from geo.extract.extractor import default_extractor

    seed = read_article(SEEDS / "001_faa9ce2b65bbefc6.txt").text
    article = read_article_bytes("\n\n".join([seed] * 1_200).encode(), "digest.txt", published="2022-06-30")
    extractor = default_extractor()
    started = time.monotonic()
    with pytest.raises(ExtractionTimeout) as stopped:
        extractor.extract(article, time_budget=1.0)
    elapsed = time.monotonic() - started
    assert elapsed < 6.0  # a hang guard: the whole article takes over 10 s
    message = str(stopped.value)
    assert isinstance(stopped.value, ForcePostureError) and isinstance(stopped.value, TimeoutError)
    assert "\n" not in message and "'digest.txt'" in message and "at most 1 s" in message


def test_a_time_budget_that_suffices_changes_nothing():
    from geo.extract.article import read_article
    from geo.extract.extractor import default_extractor

    article = read_article(SEEDS / "001_faa9ce2b65bbefc6.txt")
    unbounded = default_extractor().extract(article).events
    bounded = default_extractor().extract(article, time_budget=600).events
    assert [e.properties() for e in bounded] == [e.properties() for e in unbounded] and bounded


@pytest.mark.parametrize("budget", [0, -1, float("nan"), float("inf"), "5", True])
def test_a_time_budget_must_be_a_positive_number_of_seconds(budget):
    with pytest.raises(InputError, match="time budget was"):
        extract_text("Two B-52 bombers patrolled the Baltic Sea.", time_budget=budget)


def test_text_with_half_a_character_is_refused_clearly():
    with pytest.raises(InputError, match="half of a UTF-16 pair"):
        extract_text("Two B-52 bombers patrolled the \ud800 Baltic Sea.")


@pytest.mark.parametrize(("sentence", "published", "asset", "count"), [
    ("Saber Strike 17, a month-long exercise including 11,000 U.S. and NATO military members from 20 "
     "countries, began in Latvia on 5 June 2017.", "2017-06-06", "personnel", 11000),
    ("The exercise brought 1,200 British and Polish troops to Estonia on 4 May 2022.", "2022-05-05", "troops", 1200),
])
def test_forces_of_two_named_countries_are_counted_together(sentence, published, asset, count):
    events = extract_text(sentence, published=published).events
    assert [(a.name, a.count) for e in events for a in e.assets] == [(asset, count)]


def test_a_count_does_not_jump_over_another_asset():
    """"Four B-52s and airmen": the four are bombers, the airmen are not counted."""
    events = extract_text("Four B-52s and airmen arrived at RAF Fairford on 3 March 2025.",
                          published="2025-03-05").events
    assert [(a.name, a.count) for e in events for a in e.assets] == [("B-52H", 4), ("airmen", None)]


def test_forces_that_arrive_for_an_exercise_give_an_arrival_and_the_exercise():
    """The real-news gold reads "two warships arrived in Zhanjiang to take part in joint exercises" as
    two events: the port call (a deployment) and the drill, whose participants include the host."""
    events = events_of("Two Russian warships arrived in Zhanjiang on 13 July to take part in joint naval "
                       "exercises.", published="2024-07-13")
    kinds = {e.kind: e for e in events}
    assert set(kinds) == {"deployment", "exercise"}, [(e.kind, e.actors) for e in events]
    assert kinds["deployment"].actors == ["RU"]
    assert kinds["exercise"].actors == ["RU", "CN"]
    assert all(e.places[0].name.startswith("Zhanjiang") and e.start == "2024-07-13" for e in events)
    # Arriving with no drill in view is one event, as before.
    assert only(events_of("Two Russian warships arrived in Zhanjiang on 13 July for a port call.",
                          published="2024-07-13")).kind == "deployment"


def test_a_planned_day_named_without_a_year_is_the_coming_one():
    """ "will begin ... on September 25" in an August article is next month, not last September; a
    "may" is no firm plan, so a day long past stays in the past."""
    planned = only(events_of("Indian and US troops will begin their joint exercise on September 25 at "
                             "Fort Greely in Alaska.", published="2023-08-02"))
    assert planned.start == "2023-09-25"
    past = only(events_of("US troops deployed to Alaska on April 22 may return.", published="2024-06-09"))
    assert past.start == "2024-04-22"


def test_a_base_named_after_its_service_is_a_place():
    """ "Andersen Air Force Base" once read as a service ("Andersen Air Force") and hid the base."""
    event = only(events_of("Four B-52 bombers arrived at Andersen Air Force Base, Guam, on 3 March 2025.",
                           published="2025-03-04"))
    assert event.places[0].name == "Andersen Air Force Base"


@pytest.mark.parametrize("sentence", [
    "Poland is ready to send four F-16s to fly over Syria.",
    "Germany denies it has sent 300 troops to Ukraine.",
    "Countries might soon send their troops to Ukraine, the French president said.",
    "Ten US Patriot batteries will be sent to Ukraine on 12 February in the new aid package.",
    "The fifteenth Russian plane with components of S-400 systems has arrived in Turkey.",
    "Two US F-15E jets struck militia facilities in eastern Syria.",
    "A US F-15 fighter crashed at Lakenheath on a training mission.",
])
def test_denied_imagined_transfers_and_strikes_are_no_posture_events(sentence):
    """The codebook's traps: arms handed over, strikes and crashes, denied or hypothetical moves put
    no forces anywhere, though the sentence uses a verb of movement."""
    assert events_of(sentence, published="2024-03-01") == []


def test_a_reported_move_beside_those_cues_stays():
    """The same forces and places reported as moved are events."""
    assert only(events_of("Poland sent four F-16s to Syria on 12 February.", published="2024-03-01")).kind
    troops = only(events_of("Germany sent 300 troops to Romania on 12 February.", published="2024-03-01"))
    assert troops.actors == ["DE"]


def test_a_prefixed_ship_name_is_a_warship_of_the_prefix_country():
    """ "HMS Trent", "INS Delhi": ships the catalogue does not list are warships of the country their
    prefix names, and the prefix says whose forces they are; a prefix that starts no ship's name
    ("ITS" in a shouted headline) is nobody's."""
    trent = only(events_of("HMS Trent arrived in Guyana on 3 March.", published="2024-03-04"))
    assert trent.actors == ["GB"]
    assert [(a.name, a.family, a.category) for a in trent.assets] == [("HMS Trent", "warship", "surface combatant")]
    vinson = only(events_of("The USS Aircraft Carrier Carl Vinson made a port call in Busan today.",
                            published="2024-03-04"))
    assert vinson.actors == ["US"]  # "USS" once read as the plural of "US" and was dropped
    delhi = only(events_of("INS Delhi arrived at the port of Colombo on Friday.", published="2023-09-01"))
    assert "INS Delhi" in [a.name for a in delhi.assets]
    result = extract_text("ITS WARSHIPS ARRIVED IN BUSAN ON 3 MARCH.\n\nThe visit lasted three days.",
                          published="2024-03-04")
    assert not [a for a in result.mentions.actors if a.text == "ITS"]


def test_presence_at_sea_is_a_patrol():
    """The codebook: transits, escorts and presence at sea are patrols ("conducted operations in the
    East China Sea"); forces at a base are deployed there."""
    at_sea = only(events_of("The British frigate HMS Richmond conducted operations in the East China Sea on "
                            "15 September.", published="2021-09-27"))
    assert at_sea.kind == "patrol"
    at_base = only(events_of("US MQ-9A Reaper drones arrived at Basa Air Base on 3 June and are operating "
                             "from there.", published="2024-06-09"))
    assert at_base.kind == "deployment"


def test_one_activity_over_listed_places_is_one_event_per_place():
    """The codebook: "one activity over several named places is one event per named place" (the
    extractor once drew one event over all of them, which matched one gold event of many)."""
    patrols = events_of("Two US B-52 bombers flew over the Baltic Sea and the Norwegian Sea on 3 March 2025.",
                        published="2025-03-04")
    assert sorted(p.name for e in patrols for p in e.places) == ["Baltic Sea", "Norwegian Sea"]
    assert all(len(e.places) == 1 and e.kind == "patrol" and e.assets[0].count == 2 for e in patrols)
    troops = events_of("The US deployed 300 troops to Estonia, Latvia and Lithuania on 3 March 2025.",
                       published="2025-03-04")
    assert sorted(e.places[0].country for e in troops) == ["EE", "LT", "LV"]
    # A place that only says where the previous one is stays part of its event.
    rota = only(events_of("Two more US destroyers will be based at Rota, Spain, from 2026.", published="2025-03-04"))
    assert [p.name for p in rota.places] == ["Naval Station Rota"]


def test_listed_regions_are_places_not_qualifiers():
    """ "across Queensland, Northern Territory, Western Australia": each region is a place of its own;
    a comma before a region qualifies the one before only when it holds it."""
    result = extract_text("Troops from Australia will deploy across Queensland, Northern Territory, Western "
                          "Australia and New South Wales.", published="2025-07-13")
    roles = {p.text: p.role for p in result.mentions.places}
    assert roles["Northern Territory"] == roles["Western Australia"] == roles["Queensland"] == "location"


def test_an_abbreviated_country_named_as_a_noun_is_a_place_and_still_an_actor():
    """The codebook lists "the US" as a toponym when it stands for the country ("Japan and the US
    agreed"), not when it qualifies a noun ("US troops", "U.S. Navy", "U.S.-led"); either way its
    forces are the actor they were."""
    def places(text: str) -> list[str]:
        return [p.text for p in extract_text(text, published="2025-03-04").mentions.places]

    assert places("Japan and the US agreed to station more troops in Okinawa.") == ["Japan", "US", "Okinawa"]
    assert places("Russia warned the U.K. on Monday.") == ["Russia", "U.K."]
    assert places("US troops and U.S. Navy ships joined the U.S.-led drill in Poland.") == ["Poland"]
    assert only(events_of("The U.S. has deployed two B-52 bombers to Guam.")).actors == ["US"]


def test_a_possessor_before_an_institution_is_a_place():
    """ "Russia's Defense Ministry": the codebook lists possessives as toponyms; the institution's name
    pattern once swallowed the country with the ministry."""
    result = extract_text("Japan’s Defense Ministry said the ships sailed on Monday.", published="2025-03-04")
    assert [(p.text, p.place.country) for p in result.mentions.places] == [("Japan", "JP")]
    assert result.mentions.masked[0] == (len("Japan’s "), len("Japan’s Defense Ministry"))


def test_a_base_named_like_a_ship_is_a_place():
    """ "HMAS Stirling" is Australia's western fleet base, named as its ships are: the gazetteer knows it
    as an installation, so it is neither a ship's name hiding a place nor a warship."""
    event = only(events_of("The USS Minnesota arrived at HMAS Stirling in Western Australia on Monday.",
                           published="2025-03-04"))
    assert [p.name for p in event.places] == ["HMAS Stirling"]
    assert [a.name for a in event.assets] == ["USS Minnesota"] and event.actors == ["US"]


@pytest.mark.parametrize(("text", "name"), [
    # a listed name, and names read from how news writes them
    ("US and Thai marines opened Cobra Gold 2025 in Thailand on 25 February.", "Cobra Gold 2025"),
    ("Greek and French fighter jets flew in the Iniochos 23 exercise at Andravida Air Base on 3 April.",
     "Iniochos 23"),
    ("Indian and Chinese troops began the “Hand-in-Hand” army exercise in India on 17 November.", "Hand-in-Hand"),
    ("Russian and Serbian paratroopers held drills code-named Northern Forest in Serbia on 2 November.",
     "Northern Forest"),
    ("Egyptian and US troops began the Desert Knight joint exercise in Egypt on 31 August.", "Desert Knight"),
])
def test_an_exercise_carries_its_name(text, name):
    """A named drill's name is the event's label on the map (and the gold lists it among the assets)."""
    drill = only([e for e in events_of(text, published="2024-11-20") if e.kind == "exercise"])
    assert drill.name == name


def test_an_exercise_without_its_name_in_the_sentence_takes_the_article_s():
    """ "The drills ran for ten days ..." in a report on Talisman Sabre 2025 is Talisman Sabre 2025;
    a place, an owner or a kind of drill is no name."""
    events = events_of("Australian and US forces began Talisman Sabre 2025 on 13 July. The drills include "
                       "40 US F-35 fighters at RAAF Base Tindal.", published="2025-07-14")
    assert {e.name for e in events if e.kind == "exercise"} == {"Talisman Sabre 2025"}
    for text in ("Six Russian warships held the Black Sea exercise near Crimea on 3 May.",
                 "Iranian speedboats began the Guards’ naval drills in the Strait of Hormuz on 3 May.",
                 "Ten US F-16 fighters held the Joint Air exercise over Poland on 3 May."):
        assert all(e.name == "" for e in events_of(text)), text


def test_a_named_exercise_at_a_place_is_an_event_before_its_forces_are_told():
    """ "... opened Sea Breeze 2020 in the Black Sea": the named drill is reported at its place; an
    unnamed one with no forces is not enough."""
    drill = only(events_of("Ukraine and the United States opened Sea Breeze 2020 in the Black Sea on Monday.",
                           published="2020-07-20"))
    assert (drill.kind, drill.name, drill.places[0].name) == ("exercise", "Sea Breeze 2020", "Black Sea")
    assert events_of("Ukraine and the United States opened exercises in the Black Sea on Monday.",
                     published="2020-07-20") == []


def test_the_next_sentence_names_the_forces_even_when_it_names_the_host_too():
    """ "The ship, a Type 45 destroyer, was greeted ... by officers of the Philippine Navy": the
    country named after the force is the host, not its owner; one named before it says whose it is."""
    arrival = only(events_of("A Royal Navy ship arrived in Manila on 1 June. The ship, a Type 45 destroyer, was "
                             "greeted at the pier by officers of the Philippine Navy.", published="2024-06-02"))
    assert arrival.actors == ["GB"] and "Type 45 destroyer" in [a.name for a in arrival.assets]
    hosts = only(events_of("A Royal Navy ship arrived in Manila on 1 June. Philippine Navy officers greeted the "
                           "ship; a Philippine Jacinto-class patrol vessel escorted it.", published="2024-06-02"))
    assert [a.name for a in hosts.assets] == ["warship"]


@pytest.mark.parametrize(("text", "name", "family", "actors"), [
    ("The Indian Naval Ship (INS) 'Kolkata' arrived at the port of Colombo on 1 June.", "INS Kolkata", "warship",
     ["IN"]),
    ("Chinese Navy Hospital Ship Silk Road Arrives in Colombo", "Silk Road", "warship", ["CN"]),
    ("The Russian frigate Neustrashimy arrived in Havana on 1 June.", "Neustrashimy", "frigate", ["RU"]),
])
def test_a_ship_named_after_its_type_is_that_ship(text, name, family, actors):
    """ "Naval Ship (INS) 'Kolkata'", "the frigate Neustrashimy": the name after a ship's type is the
    ship (the gold names it so); a prefix in brackets says whose it is. A headline's verb after the
    name, or a day after the type, is no part of a name."""
    event = only(events_of(text, published="2024-06-02"))
    assert (event.assets[0].name, event.assets[0].family, event.actors) == (name, family, actors)
    assert only(events_of("A Chinese warship Monday sailed into the Black Sea.")).assets[0].name == "warship"


def test_a_generic_word_stands_for_the_one_type_the_article_names_for_those_actors():
    """ "the Russian aircraft flew over the Barents Sea" after Tu-160s took off: the aircraft are the
    Tu-160s (beside the word as written); another country's type is not theirs."""
    patrol = only(events_of("Russian Tu-160 bombers took off from Engels on 3 March, the ministry said. Later "
                            "that day the Russian aircraft flew over the Barents Sea.", published="2025-03-04"))
    assert [a.name for a in patrol.assets] == ["aircraft", "Tu-160"] and patrol.places[0].name == "Barents Sea"
    other = only(events_of("US F-22 fighters took off from Elmendorf on 3 March. Later that day the Russian "
                           "aircraft flew over the Bering Sea.", published="2025-03-04"))
    assert [a.name for a in other.assets] == ["aircraft"]


def test_an_earlier_edition_s_date_does_not_date_this_one():
    """ "..., with the last one having taken place in 2010": the year is the previous edition's; the
    drill reported is dated by the article."""
    drill = only(events_of("Indian and US fighter jets began the Cope India exercise in India, with the last one "
                           "having taken place in 2010.", published="2025-08-06"))
    assert drill.start == "2025-08-06"


def test_a_plural_type_before_two_names_is_two_ships_and_a_unit_takes_its_members_count():
    """ "Naval Ships Rana and Kiltan": two named ships, so two warships; "350 members of the 9th ... battalion": the
    battalion's strength is the count (the codebook's one personnel figure)."""
    ships = only(events_of("Indian Naval Ships Rana and Kiltan arrived in Manila on Sunday.", published="2024-12-23"))
    assert [(a.name, a.count) for a in ships.assets] == [("Rana", None), ("Kiltan", None), ("warship", 2)]
    battalion = only(events_of("The second group of 350 members of the 9th Chinese peacekeeping infantry battalion "
                               "arrived in Juba on 21 December.", published="2024-12-23"))
    assert [(a.family, a.count) for a in battalion.assets] == [("battalion", 350)]


def test_a_named_exercise_told_without_forces_takes_those_told_at_its_other_places():
    """One named exercise's forces, told at one place, are also the forces of the place the article
    reports it at without them, uncounted there; another exercise's are not."""
    from geo.extract.merging import share_named_forces
    from tests.store_helpers import make_event

    told = make_event("told", kind="exercise", name="Cobra Gold 2025", family="F-16", count=30)
    bare = make_event("bare", kind="exercise", name="Cobra Gold", family="F-16").copy(assets=[])
    other = make_event("other", kind="exercise", name="Balikatan 25", family="F-16").copy(assets=[])
    share_named_forces([told, bare, other])
    assert [(a.family, a.count) for a in bare.assets] == [("F-16", None)]
    assert other.assets == [] and [(a.family, a.count) for a in told.assets] == [("F-16", 30)]


def test_the_drill_forces_arrive_for_keeps_its_own_later_date():
    """ "arrived in Belarus on 6 August to take part in the Zapad-2025 exercise scheduled for
    September": the arrival is in August, the drill in September."""
    events = events_of("Russian troops arrived in Belarus on 6 August to take part in the Zapad-2025 exercise "
                       "scheduled for September.", published="2025-08-06")
    assert sorted((e.kind, e.start, e.time_precision) for e in events) == [
        ("deployment", "2025-08-06", "day"), ("exercise", "2025-09-01", "month")]


@pytest.mark.parametrize("city", ["Karachi", "Mumbai", "Durban", "Odesa"])
def test_a_city_of_millions_is_a_place_alone_in_its_sentence(city):
    """ "Two Chinese frigates arrived in Karachi": a port of millions needs no country beside it (it
    scored under the city threshold without one, so the port call was lost)."""
    event = only(events_of(f"Two Chinese frigates arrived in {city} on 3 March.", published="2025-03-04"))
    assert event.places[0].name == city and event.places[0].kind == "city"


@pytest.mark.parametrize("forces", ["The air forces (Air Force) of Norway and Sweden",
                                    "The navies of Norway and Sweden"])
def test_countries_whose_forces_are_named_take_part(forces):
    text = (f"U.S. F-35 fighters landed at Rovaniemi air base on Monday for a week of training. {forces} "
            "also sent units.")
    event = only(events_of(text))
    assert (event.actors, event.partners) == (["US"], ["NO", "SE"])
    assert [p.name for p in event.places] == ["Rovaniemi Air Base"]


def test_the_mouth_of_a_sea_is_where_the_drill_is():
    event = only(events_of("Iran on February 22 opened naval drills with submarines at the mouth of the Persian "
                           "Gulf, state media reported.", "2019-02-23"))
    assert (event.kind, event.actors, [p.name for p in event.places]) == ("exercise", ["IR"], ["Persian Gulf"])


def test_a_place_that_only_describes_another_is_not_a_second_site():
    event = only(events_of("China, Iran and Russia began a joint naval drill with warships in the Gulf of Oman, a "
                           "crucial waterway near the mouth of the Persian Gulf.", "2024-03-12"))
    assert [p.name for p in event.places if p.role == "location"] == ["Gulf of Oman"]
    # a clause after the comma names a place of its own
    events = events_of("The US will strengthen its forces in Europe. Two F-35 squadrons will be sent to the United "
                       "Kingdom, a short-range air defence battery will be stationed in Italy.", "2022-06-29")
    assert {e.places[0].name for e in events} == {"United Kingdom", "Italy"}


def test_forces_only_watched_do_not_become_the_article_s_actor():
    """NATO planes "to monitor Russian aircraft": Russia is what they watch, so the arrival is not
    drawn as a Russian deployment (before, the most-named country stood in for NATO)."""
    events = events_of("Three NATO surveillance planes arrived at an air base near Bucharest on Tuesday. From there "
                       "they will fly missions to monitor Russian aircraft and to track Russian warships in the "
                       "Black Sea.", "2023-01-18")
    assert not any("RU" in e.actors for e in events), [(e.kind, e.actors) for e in events]


def test_a_list_of_oblasts_is_one_event_per_place():
    events = events_of("Russian and Chinese troops will hold drills in Astrakhan Oblast, Dagestan and Chelyabinsk "
                       "Oblast on Monday.", "2019-09-12")
    assert len(events) == 3, [[p.name for p in e.places] for e in events]
    assert all(e.kind == "exercise" and sorted(e.actors) == ["CN", "RU"] for e in events)


def test_an_interception_is_one_patrol_per_side():
    """The codebook counts each side of an interception as its own patrol: the bombers and the
    fighters sent up to meet them, each with its own countries and aircraft."""
    events = events_of("Russian and Chinese bombers flew near Alaska on Wednesday and were intercepted by US and "
                       "Canadian fighter jets.", "2024-07-25")
    sides = {tuple(sorted(e.actors)): {a.family for a in e.assets} for e in events}
    assert sides == {("CN", "RU"): {"bomber"}, ("CA", "US"): {"fighter"}}, sides
    assert all(e.kind == "patrol" for e in events)
    one_type = events_of("A US RC-135 reconnaissance aircraft was intercepted by a Russian Su-27 over the Baltic Sea "
                         "on Tuesday.", "2019-03-07")
    assert {tuple(e.actors): {a.family for a in e.assets} for e in one_type} == {("US",): {"RC-135"},
                                                                                ("RU",): {"Su-27"}}


def test_a_joint_patrol_stays_one_event_of_both_countries():
    patrol = only(events_of("Chinese and Russian bombers flew together over the Sea of Japan on Tuesday.",
                            "2024-05-08"))
    assert sorted(patrol.actors) == ["CN", "RU"]


def test_countries_that_start_a_new_clause_are_not_places_of_the_first():
    """ "to Poland, and the Netherlands and Germany are preparing ... to Slovakia": the two countries
    are the subject of a new clause, not more destinations of the first deployment."""
    events = events_of("The United States is to deploy Patriot batteries to Poland, and the Netherlands and Germany "
                       "are preparing the joint deployment of Patriot systems to Slovakia.", "2022-03-09")
    assert sorted(p.country for e in events for p in e.places) == ["PL", "SK"]


def test_forces_flying_back_leave_no_event_where_they_went():
    events = events_of("Two F-22 Raptors intercepted two Russian Tu-95 bombers off Alaska on Monday. The bombers "
                       "then flew back to eastern Russia.", "2017-04-19")
    assert "RU" not in {p.country for e in events for p in e.places}, [[p.name for p in e.places] for e in events]
    assert events, "the interception itself is still read"


def test_two_seas_sharing_one_plural_head_are_two_places():
    patrols = events_of("Two Russian Tu-160 bombers flew over neutral waters in the Barents and Norwegian Seas on "
                        "Thursday.", "2023-11-17")
    assert sorted(p.id for e in patrols for p in e.places) == ["sea:barents-sea", "sea:norwegian-sea"]
    result = extract_text("Chinese warships have stepped up patrols in the East and South China Seas.",
                          document="t.txt", published="2024-05-10")
    assert {p.place.id: p.text for p in result.mentions.places} == {"sea:east-china-sea": "East",
                                                                     "sea:south-china-sea": "South China Seas"}


def test_every_countrys_nationality_adjective_names_its_forces():
    # "Nigerian" is not in data/actors.csv: it comes from data/place_adjectives.csv, which the
    # geocoder also reads ("Nigerian officials" as a place in a general reading).
    event = only(events_of("Nigerian troops deployed to Niamey, Niger, on 3 March 2025."))
    assert event.actors == ["NG"] and [p.name for p in event.places] == ["Niamey"]


def test_a_date_opening_the_next_clause_dates_that_clause():
    """ "..., and in March, ..." dates what follows it, not the place just before it."""
    result = extract_text("In May, B-52 bombers completed missions in Guam, and in March, two B-1 bombers "
                          "concluded missions in Europe.", document="test.txt", published="2021-07-15")
    assert [(e.places[0].name, e.start, e.time_precision) for e in result.events] == [
        ("Guam", "2021-05-01", "month"), ("Europe", "2021-03-01", "month")]


@pytest.mark.parametrize(("sentence", "kind", "place"), [
    # The codebook: presence at sea is a patrol, a ship in port or at a base is deployed there.
    ("Two Russian Tu-160 bombers conducted routine flights within international norms over neutral "
     "waters in the Barents Sea.", "patrol", "Barents Sea"),
    ("Carrier USS Eisenhower in the Red Sea.", "patrol", "Red Sea"),
    ("Carrier USS Eisenhower at Souda Bay.", "deployment", "Naval Support Activity Souda Bay"),
    # A sea naming what lies in it ("South China Sea island") is no presence at sea.
    ("China lands H-6K bombers on disputed South China Sea island for first time.", "deployment", "South China Sea"),
])
def test_a_platform_told_at_a_place_with_no_verb_is_there_as_the_place_says(sentence, kind, place):
    events = extract_text(sentence, document="test.txt", published="2023-11-18").events
    assert [(e.kind, e.places[0].name) for e in events] == [(kind, place)]


def test_places_listed_after_areas_are_where_the_forces_went():
    """ "flew missions over several areas ..., including Estonia/Baltic Sea, Poland and Morocco": each
    listed place (a slash pair one area) is one patrol, by the bombers the article named before (a generic word and a
    formation's name say no type of their own)."""
    result = extract_text(
        "Six B-52s of a Bomber Task Force arrived at RAF Fairford on 14 March. During their time here, "
        "Airmen from the 2nd Bomb Wing flew missions over several areas in the European theatre, including "
        "Estonia/Baltic Sea, Poland and Morocco.", document="test.txt", published="2019-04-01")
    patrols = [e for e in result.events if e.kind == "patrol"]
    # ("Estonia/Baltic Sea" is one area: one patrol over both.)
    assert [[p.name for p in e.places] for e in patrols] == [["Estonia", "Baltic Sea"], ["Poland"], ["Morocco"]]
    assert all(e.actors == ["US"] and "B-52" in {a.family for a in e.assets} for e in patrols)
    # Countries listed after a plural noun that is no area stay no places: "with 13 nations, including".
    text = "Six B-52s arrived at RAF Fairford. They trained with 13 nations, including Poland and Morocco."
    assert [e.places[0].name for e in extract_text(text, document="test.txt").events] == ["RAF Fairford"]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("China and Russia carried out a joint aerial strategic patrol over the Sea of Japan on Tuesday.",
     [("patrol", ["CN", "RU"], "aircraft", "Sea of Japan")]),
    ("Russia and China held joint naval drills in the East China Sea.",
     [("exercise", ["RU", "CN"], "warship", "East China Sea")]),
    # No word of the domain, or no patrol carried out: nothing to draw.
    ("China and Russia held joint drills in the East China Sea.", []),
    ("China and Russia discussed a patrol over the Sea of Japan.", []),
])
def test_countries_carrying_out_a_patrol_are_its_forces(sentence, expected):
    events = extract_text(sentence, document="test.txt", published="2023-06-06").events
    assert [(e.kind, e.actors, e.assets[0].name, e.places[0].name) for e in events] == expected


def test_an_undated_report_is_not_merged_with_an_older_dated_step():
    """The troops arriving now (undated: the article's date) are not the 1,000 of a decision dated
    two weeks before: that sentence neither dates nor counts them."""
    result = extract_text(
        "US troops began arriving in Deir ez-Zor province in a convoy from northern Iraq, officials said. "
        "Trump decided on October 13 to withdraw virtually all 1,000 troops from northern Syria, but later "
        "moved some back into Syria.", document="test.txt", published="2019-10-26")
    arrival = next(e for e in result.events if e.places[0].name == "Deir ez-Zor")
    assert arrival.start == "2019-10-26" and [(a.name, a.count) for a in arrival.assets] == [("troops", None)]


_SCRAMBLE = "RAF Typhoons were scrambled to intercept Russian aircraft over the North Sea on Monday. "
_SENDING = "Norway is sending troops to Latvia to reinforce the alliance's eastern flank. "


@pytest.mark.parametrize(("text", "counted", "count"), [
    (_SCRAMBLE + "Two RAF Typhoons shadowed them for an hour.", "Eurofighter Typhoon", 2),
    # Two numbers for the type: neither is the number of the scramble.
    (_SCRAMBLE + "Two RAF Typhoons took off first and four RAF Typhoons followed.", "Eurofighter Typhoon", None),
    # A head count told once is the uncounted troops' ...
    (_SENDING + "The battalion will number some 1,500 soldiers.", "troops", 1500),
    # ... but of two head counts the article does not say which is the deployment's.
    (_SENDING + "The battalion will number some 1,500 soldiers, and the Dutch send 300 troops.", "troops", None),
])
def test_an_uncounted_asset_takes_the_one_number_the_article_gives_its_type(text, counted, count):
    events = extract_text(text, document="test.txt", published="2024-01-15").events
    first = [e for e in events if e.source.sentence == text.split(". ")[0] + "."]
    assets = [a for e in first for a in e.assets if a.family == counted]
    assert assets and {a.count for a in assets} == {count}


@pytest.mark.parametrize(("text", "count"), [
    ("About 400 JGSDF members will be stationed at the new camp on Yonaguni Island.", 400),
    ("Nigeria will deploy 900 members of the armed forces to Gambia next month.", 900),
])
def test_members_of_a_named_force_are_its_head_count(text, count):
    event = only(events_of(text))
    assert [(a.category, a.count) for a in event.assets] == [("personnel", count)]


def test_members_alone_are_no_force():
    events = events_of("Finland and Sweden, the newest NATO members, sent 2,000 troops to Norway on Monday.")
    assert [(a.name, a.count) for e in events for a in e.assets] == [("troops", 2000)]


def test_a_ship_word_inside_a_compound_is_no_ship():
    event = only(events_of("Japan stationed land-to-ship missile units on Ishigaki Island in Okinawa "
                           "Prefecture in March."))
    assert [a.name for a in event.assets] == ["cruise missile"]
    # ... and the prefecture says where the island is: one event, on the island.
    assert [p.name for p in event.places] == ["Ishigaki"]


def test_a_date_recalled_with_back_in_does_not_date_the_event():
    text = ("The carrier USS Harry S. Truman sailed into the Norwegian Sea on Friday, the first time a US "
            "carrier has been there since USS America took part in an exercise back in September of 1991.")
    event = only(events_of(text, published="2018-10"))  # a month: "Friday" names no day
    assert event.places[0].name == "Norwegian Sea" and event.start.startswith("2018-10")


def test_ships_on_their_visit_to_a_port_are_there():
    events = events_of("Two American patrol ships held a bilateral exercise with the Pakistan Navy during "
                       "their visit to Karachi on Tuesday.")
    assert {p.name for e in events for p in e.places} == {"Karachi"}
    # A leader's visit is where talks were held, not where forces went.
    events = events_of("Two Australian warships sailed to the South China Sea, a month after the prime "
                       "minister's state visit to Manila.")
    assert "Manila" not in [p.name for e in events for p in e.places]


def test_a_feature_named_in_full_is_then_called_by_its_head_word():
    events = events_of("The USS Dewey transited the Taiwan Strait on Thursday. On Sept. 17, the USS Barry "
                       "sailed through the Strait.", published="2021-10-16")
    assert [(e.places[0].name, e.start) for e in events] == [("Taiwan Strait", "2021-10-14"),
                                                             ("Taiwan Strait", "2021-09-17")]
    # "The Gulf" after the Gulf of Aden is not the Gulf of Aden.
    text = "Iranian warships patrolled the Gulf of Aden on Monday. Two more frigates sailed into the Gulf."
    assert all(p.name != "Gulf of Aden" for p in extract_text(text, document="t.txt").mentions.places[1:])


def test_a_drill_held_on_a_port_call_is_also_the_port_call():
    events = events_of("Two American patrol ships held a bilateral exercise with the Pakistan Navy during "
                       "their visit to Karachi on Tuesday.")
    assert sorted((e.kind, tuple(e.actors), e.places[0].name) for e in events) == [
        ("deployment", ("US",), "Karachi"), ("exercise", ("US",), "Karachi")]


def test_a_named_drill_of_no_named_forces_is_its_hosts():
    event = only(events_of("Exercise Pitch Black, with 140 aircraft, began over the Northern Territory on July 12.",
                           published="2024-07-14"))
    assert (event.kind, event.actors, event.places[0].name) == ("exercise", ["AU"], "Northern Territory")


def test_a_naval_facility_expanded_is_a_basing():
    event = only(events_of("The Duma ratified an agreement to expand the Russian navy's naval facility in the "
                           "Syrian port of Tartus on Tuesday."))
    assert (event.kind, event.actors, [a.name for a in event.assets]) == ("basing", ["RU"], ["military base"])


def test_the_same_forces_doing_another_thing_at_the_next_place_are_another_event():
    text = ("The frigate and tanker, part of a group of three Chinese vessels that arrived off Djibouti on "
            "Monday, had conducted live-fire drills in the Arabian Sea on the way.")
    events = events_of(text)
    assert sorted((e.kind, e.places[0].name) for e in events) == [("deployment", "Djibouti"),
                                                                  ("exercise", "Arabian Sea")]
    # "A group of three vessels": three warships.
    assert all(("warship", 3) in [(a.name, a.count) for a in e.assets] for e in events)


def test_a_deployment_told_as_ended_and_then_as_begun_and_named_again_is_one_event():
    text = ("Bomber Task Force deployment concludes at Morón Air Base\n\n"
            "Four B-1B bombers arrived at Morón Air Base on 3 March with 200 airmen. "
            "The deployment of strategic bombers to Morón Air Base helps train the base's crews.")
    event = only(extract_text(text, document="t.txt", published="2025-04-20").events)
    assert event.start == "2025-03-03" and ("B-1B", 4) in [(a.name, a.count) for a in event.assets]


def test_a_country_and_its_sea_written_with_a_slash_are_one_area():
    events = events_of("Two B-52H bombers flew missions over Greece/Mediterranean Sea and Poland on Monday.")
    assert sorted(tuple(p.name for p in e.places) for e in events) == [("Greece", "Mediterranean Sea"), ("Poland",)]


def test_a_drill_told_in_a_where_clause_after_a_place_is_what_was_done_there():
    events = events_of("Four B-1B bombers flew missions over Poland, Hungary and Morocco, where they took part "
                       "in the annual Flintlock exercise, on Monday.")
    assert sorted((e.places[0].name, e.kind) for e in events) == [
        ("Hungary", "patrol"), ("Morocco", "exercise"), ("Poland", "patrol")]


@pytest.mark.parametrize(("text", "kind"), [
    ("German frigate enters South China Sea on first Indo-Pacific deployment in two decades", "patrol"),
    ("Upon entering the port of Vladivostok, the Chinese ships greeted the Russian Navy on Monday.", "deployment"),
])
def test_entering_a_sea_is_presence_and_entering_a_port_an_arrival(text, kind):
    assert only(events_of(text)).kind == kind


def test_entering_an_agreement_is_no_move():
    assert events_of("Japan entered into an agreement with Australia on Monday.") == []


def test_bombers_escorted_by_another_countrys_fighters_are_two_patrols():
    events = events_of("Over the Sea of Japan, the Russian strategic bombers were escorted by F-15 fighters of "
                       "Japan's Air Force on Thursday.")
    assert sorted((tuple(e.actors), tuple(a.name for a in e.assets)) for e in events) == [
        (("JP",), ("F-15",)), (("RU",), ("bomber",))]


@pytest.mark.parametrize("text", [
    "The ASDF's fighters have previously been sent to the United States and Australia.",
    "US bombers have routinely flown over the Baltic Sea.",
])
def test_a_move_told_as_habit_or_undated_past_is_no_event(text):
    assert events_of(text) == []


def test_an_old_name_is_no_old_move():
    event = only(events_of("Nordic Response, previously called Cold Response, began in Finland on Sunday with "
                           "20,000 troops."))
    assert event.kind == "exercise" and event.places[0].name == "Finland"


@pytest.mark.parametrize(("text", "seat"), [
    ("A Chinese research ship docked at a Sri Lankan port Beijing leases from the government on Tuesday.",
     "Beijing"),
    ("The Netherlands and Germany will send Patriot batteries to Slovakia. The Dutch cabinet in The Hague "
     "agreed on Monday to deploy the Patriots.", "The Hague"),
])
def test_a_capital_standing_for_its_government_is_no_events_place(text, seat):
    assert seat not in [p.name for e in events_of(text) for p in e.places]


def test_forces_arriving_in_a_capital_are_there():
    assert only(events_of("Russian troops arrived in Minsk on Monday.")).places[0].name == "Minsk"


def test_a_country_named_before_its_military_is_whose_forces_not_where():
    events = events_of("A second US aircraft carrier has arrived in the Middle East, the United States military "
                       "said on Friday.")
    assert [p.name for e in events for p in e.places] == ["Middle East"]


def test_forces_arriving_at_two_bases_for_a_drill_drill_at_both_with_every_listed_partner():
    events = events_of("Up to 2500 personnel and 115 aircraft have arrived at RAAF Bases Darwin and Tindal for "
                       "the exercise with participating nations including Canada, France (New Caledonia), Germany "
                       "and the US.")
    drills = {e.places[0].name: set(e.actors) for e in events if e.kind == "exercise"}
    assert drills == {"RAAF Base Darwin": {"AU", "CA", "FR", "DE", "US"},
                      "RAAF Base Tindal": {"AU", "CA", "FR", "DE", "US"}}
    assert sorted(e.places[0].name for e in events if e.kind == "deployment") == [
        "RAAF Base Darwin", "RAAF Base Tindal"]


@pytest.mark.parametrize(("text", "place"), [
    ("U.S. ground troops arrived in Saudi Arabia on Tuesday to take part in the exercise.", "Saudi Arabia"),
    ("US combat troops arrived in Saudi Arabia on Tuesday.", "Saudi Arabia"),
    ("Two US strategic bombers flew over the Baltic Sea on Tuesday.", "Baltic Sea"),
    ("On Thursday the U.S. attack submarine USS Helena arrived at the U.S. naval base at Guantánamo Bay, on "
     "the island's eastern tip.", "Naval Station Guantanamo Bay"),
])
def test_an_abbreviation_before_an_adjective_of_forces_is_whose_forces(text, place):
    assert {p.name for e in events_of(text) for p in e.places} == {place}


def test_a_list_of_days_is_one_event_per_day_each_with_the_ship_named_before_it():
    events = events_of("The USS John S. McCain sailed through the Taiwan Strait on Feb. 4 and April 7; the USS "
                       "Curtis Wilbur on Feb. 24, May 18 and June 22.")
    assert sorted((e.start, [a.name for a in e.assets]) for e in events) == [
        ("2024-02-04", ["USS John S. McCain"]), ("2024-02-24", ["USS Curtis Wilbur"]),
        ("2024-04-07", ["USS John S. McCain"]), ("2024-05-18", ["USS Curtis Wilbur"]),
        ("2024-06-22", ["USS Curtis Wilbur"])]


@pytest.mark.parametrize(("text", "days"), [
    # the second day is the next strait's, two days running one transit, a range one drill
    ("Russian warships sailed through the Tsugaru Strait on 18 October, and on 22 October through the Osumi "
     "Strait.", [("2023-10-18", "Tsugaru Strait"), ("2023-10-22", "Osumi Strait")]),
    ("A US Navy destroyer transited the Taiwan Strait on Thursday and Friday.", [("2024-05-30", "Taiwan Strait")]),
    ("Chinese bombers flew over the Sea of Japan between 8 and 13 October.", [("2023-10-08", "Sea of Japan")]),
])
def test_days_that_are_no_list_of_events_stay_one_event(text, days):
    assert sorted((e.start, e.places[0].name) for e in events_of(text)) == days


def test_the_named_drill_told_again_by_its_common_noun_is_held_at_the_places_then_named():
    events = events_of("16 nations will take part in Exercise Pitch Black with Australia from today until 8 "
                       "September. The commander said it was a great opportunity to fortify alliances. He welcomed "
                       "the new partners warmly. The exercise will take place in the Northern Territory with the "
                       "majority of the forces located at RAAF Bases Darwin and Tindal.")
    assert sorted((e.kind, e.places[0].name) for e in events) == [
        ("exercise", "RAAF Base Darwin"), ("exercise", "RAAF Base Tindal")]


def test_ships_named_one_by_one_are_counted():
    text = "The Indian Navy ships INS Delhi and INS Satpura arrived in Manila on Sunday for a port call."
    event = only(events_of(text))
    assert [(a.name, a.count) for a in event.assets if a.count] == [("warship", 2)]
    # Without a generic word the count goes on a warship of its own, never on one of the named ships.
    named = only(events_of("The American Naval Ships Whirlwind (PC-11) and Squall (PC-7) arrived in Karachi "
                           "on Sunday for a port call."))
    assert [(a.name, a.count) for a in named.assets] == [("Whirlwind", None), ("Squall", None), ("warship", 2)]
    # One named ship is no number to add.
    alone = only(events_of("The Indian Navy ship INS Delhi arrived in Manila on Sunday for a port call."))
    assert all(a.count is None for a in alone.assets)


@pytest.mark.parametrize(("text", "places"), [
    # A drill of one country's forces, in a text that places nothing anywhere, is held at home ...
    ("Kim Jong Un guided a firepower strike drill of long-range artillery sub-units of the Korean People's "
     "Army on March 9.", ["Dem. Rep. Korea"]),
    # ... but not where the text names the place, nor for forces that arrived somewhere unnamed.
    ("Kim Jong Un guided a firepower strike drill of long-range artillery sub-units of the Korean People's "
     "Army on March 9. The drill took place near Wonsan.", ["Wonsan Kalma Air Base"]),
    ("Up to 2500 US personnel and 115 aircraft have arrived for the exercise.", []),
])
def test_a_drill_placed_nowhere_is_held_at_home(text, places):
    events = extract_text(text, document="test.txt", published="2020-03-10").events
    assert [p.name for e in events for p in e.places] == places


@pytest.mark.parametrize(("text", "places"), [
    # A capitalised acronym that is no spelling of a place is something else (the Line of Actual Control) ...
    ("India has deployed more troops on the LAC in Ladakh.", ["Ladakh"]),
    # ... while acronyms that are a country's spelling stay places.
    ("US troops deployed to the UK and the UAE.", ["United Kingdom", "United Arab Emirates"]),
    # A town's name closing a drill's name is part of the name.
    ("Some 1,000 US soldiers joined 6,500 Finnish troops for the Northern Forest exercise.", []),
])
def test_names_that_stand_for_something_else_are_no_places(text, places):
    events = events_of(text)
    assert [p.name for e in events for p in e.places] == places


@pytest.mark.parametrize(("text", "expected"), [
    # Aircraft or ships sent through a strait pass through it: a transit ...
    ("China's air force sent a large fleet of fighter jets and bombers through the Miyako Strait on Sunday.",
     "patrol"),
    # ... while ships sent to a sea, or troops sent anywhere, are a deployment.
    ("China sent three destroyers to the South China Sea on Sunday.", "deployment"),
    ("Russia sent troops across the Kerch Strait on Sunday.", "deployment"),
])
def test_forces_sent_through_a_strait_transit_it(text, expected):
    assert only(events_of(text)).kind == expected


@pytest.mark.parametrize("text", [
    # Forces on show, entering service or being built are not posted where that happens.
    "China will unveil its J-35A stealth fighter at the Zhuhai air show next week.",
    "The destroyer USS John Basilone was commissioned during a ceremony in New York on Saturday.",
    "The other four Indian frigates are scheduled to be constructed at Mumbai's Mazagon Docks.",
])
def test_forces_on_show_christened_or_built_are_not_posted(text):
    assert events_of(text) == []


def test_a_base_commissioned_is_still_basing():
    # Without a ceremony, commissioning a site is still a basing.
    event = only(events_of("Japan commissioned a new radar station on Yonaguni island on Monday."))
    assert event.kind == "basing"


def test_forces_at_sea_for_a_drill_are_the_drill():
    # At sea, being there for the drill is the drill: no one is posted to open water ...
    event = only(events_of("Turkish frigates are deployed in the Aegean Sea for the Blue Homeland 2019 exercise."))
    assert (event.kind, event.places[0].name) == ("exercise", "Aegean Sea")
    # ... while forces arriving in a port for a drill are both visitors there and in the drill.
    port = events_of("Russian warships arrived in Zhanjiang on Monday to take part in joint naval exercises.")
    assert sorted(e.kind for e in port) == ["deployment", "exercise"]


@pytest.mark.parametrize(("text", "expected"), [
    # A gulf named after a country or a state is the water, not the land it is named after ...
    ("Two Russian frigates patrolled the Gulf of Guinea on Monday.", ("patrol", "Gulf of Guinea")),
    # ... and forces running training operations there are exercising.
    ("The aircraft carrier USS Theodore Roosevelt ran training operations in the Gulf of Alaska on Monday.",
     ("exercise", "Gulf of Alaska")),
    ("Two B-52 bombers flew over the Beaufort Sea on Monday.", ("patrol", "Beaufort Sea")),
])
def test_seas_named_after_land_are_water(text, expected):
    event = only(events_of(text))
    assert (event.kind, event.places[0].name) == expected


@pytest.mark.parametrize(("text", "published", "expected"), [
    # A firing contest of one country's forces is a drill at home; the date right after a dateline's
    # city is the report's day, so "on Wednesday" dates the contest.
    ("PYONGYANG, July 24 (Xinhua) -- Kim Jong Un oversaw on Wednesday a firing contest involving artillery "
     "sub-units of the Korean People's Army.", "2025-07-24", ("exercise", "Dem. Rep. Korea", "2025-07-23")),
    # A leader's title naming a commission (a word of basing) does not outweigh the drill he guided.
    ("Kim Jong Un, chairman of the State Affairs Commission of the DPRK, guided a firepower strike drill of "
     "long-range artillery sub-units of the Korean People's Army on March 9.", "2020-03-10",
     ("exercise", "Dem. Rep. Korea", "2020-03-09")),
])
def test_a_contest_of_home_forces_is_a_drill_on_its_own_day(text, published, expected):
    event = only(extract_text(text, document="test.txt", published=published).events)
    assert (event.kind, event.places[0].name, event.start) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # A host's forces moving inside their own country for the drill just told are at its sites ...
    ("Australia's largest military exercise, Exercise Talisman Sabre 2025, began on Sunday. Over the next three "
     "weeks, more than 35,000 Australian military personnel will deploy across Queensland and the Northern "
     "Territory.", [("exercise", "Queensland"), ("exercise", "Northern Territory")]),
    # ... but troops sent inside their country with no drill told are a deployment.
    ("Sweden's government said on Wednesday it would send 150 Swedish troops to Gotland with immediate effect.",
     [("deployment", "Gotland")]),
])
def test_a_hosts_forces_moving_at_home_for_a_drill_are_at_its_sites(text, expected):
    events = extract_text(text, document="test.txt", published="2025-07-13").events
    assert [(e.kind, e.places[0].name) for e in events] == expected


def test_forces_docking_at_home_after_a_mission_are_no_deployment():
    text = ("The Iranian Navy flotilla docked at Bandar Abbas Port after successfully accomplishing its 150-day "
            "mission to safeguard shipping routes in the Gulf of Aden.")
    assert [e.places[0].name for e in extract_text(text, document="test.txt").events
            if e.kind in ("deployment", "basing")] == []
    # The same words at a foreign port are a port call.
    text = "The Iranian Navy flotilla docked at Durban on Friday after a week at sea."
    assert [(e.kind, e.places[0].name) for e in extract_text(text, document="test.txt").events] == [
        ("deployment", "Durban")]


@pytest.mark.parametrize(("text", "kinds"), [
    ("Russian Su-30 aircraft practised striking enemy ships off Crimea.", ["exercise"]),
    # "standard practice" is a habit, not a drill.
    ("Cuba said the visit was standard practice by naval vessels from countries friendly to Havana.", []),
])
def test_practice_as_a_noun_of_habit_is_no_drill(text, kinds):
    assert [e.kind for e in extract_text(text, document="test.txt", published="2024-06-12").events] == kinds


def test_where_a_document_was_signed_is_no_event_place():
    text = ("Russian warships will use the naval facility at Tartus. The agreement was signed in Syria in January "
            "and was sent last week for ratification.")
    result = extract_text(text, document="test.txt", published="2017-12-21")
    assert [p.role for p in result.mentions.places if p.text == "Syria"] == ["venue"]
    assert "Syria" not in [p.name for e in result.events for p in e.places]
