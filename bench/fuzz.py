"""The long fuzz run (issue 13): thousands of generated hostile inputs through every entry point
that takes untrusted input, counting crashes, hangs and the slowest inputs.

    make fuzz                                   # 10,000 inputs, seed 13
    .venv/bin/python bench/fuzz.py --inputs 2000 --seed 7 --findings /tmp/fuzz

Targets, each fed its own generated inputs:
- `text`: article text (seeds mutated: punctuation runs, huge numbers, dates near year 1 and 9999,
  template syntax, control characters, odd Unicode, repeated chunks) read and extracted;
- `html`: web pages built from the same text with hostile markup (deep nesting, unclosed tags,
  comments, control characters) read and extracted;
- `import`: GeoJSON, CSV and KML files made from real exported events and then mutated, imported
  into a fresh SQLite store; a failed import must leave the store exactly as it was;
- `render`: events with hostile text in every field drawn as a saved map page.

An input "crashes" when it raises anything but the project's own errors (`ForcePostureError`),
and "hangs" when it takes longer than --hang seconds (2 s, the issue's bar). Inputs run in a
worker process that is killed and replaced after --kill seconds, so a real hang cannot stop the
run. Every crash and hang is written to --findings (one file per input, with the error) for
reproduction. Exit code 1 when anything crashed or hung.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
TARGETS = ("text", "html", "import", "render")
SHARE = {"text": 0.45, "html": 0.2, "import": 0.25, "render": 0.1}

TEMPLATE = ["{{7*7}}", "{% for x in y %}", "{{ cycler.__init__.__globals__.os.getcwd() }}", "{#", "{%- raw %}"]
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</p>", "<!--", "-->", "<![CDATA[",
          "<div class='comments'>", "&amp;", "&#0;", "&#xD800;", "<p", ">"]
ODD = ["\x00", "\x0b", "\x1f", "\x7f", "\u200b", "\u202e", "\ufeff", "\ufffe", "İ", "ſ", "K", "ß", "ﬁ", "ʼ",
       "™", "⑴", "٣", "𝟗", "😀", "\u2028", "\r", "\t", "\\", "\"", "'"]
NUMBERS = ["9" * 400, "99999999999999999999", "1e308", "2025", "0001", "9999", "1,000,000,000,000", "-5",
           "3.5", "½", "٣٠٠٠", "10²⁰", "0x1F", "NaN", "inf"]
DATES = ["on 31 December 9999", "in 0001", "on 1 January 1", "last week", "next week", "on Monday",
         "on 29 February 2023", "in March", "since 1950", "from 1 May to 30 April", "2025-13-45", "yesterday"]
WORDS = ["troops", "bombers", "B-52H", "destroyers", "Baltic Sea", "Sea of Japan", "Rota", "deployed",
         "patrolled", "exercise", "NATO", "Russia", "China", "with", "from", "to", "and", "fighters"]


# -- inputs --------------------------------------------------------------------------------------
def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(SEEDS.glob("*.txt"))]


def mutate_text(rng: random.Random, base: str) -> str:
    """A seed article with a handful of hostile edits (or, sometimes, only hostile material)."""
    text = base if rng.random() < 0.9 else ""
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        position = rng.randint(0, len(text))
        if choice < 0.15:
            piece = rng.choice(".!?…-–—,;:") * rng.choice([10, 1000, 20_000, 100_000])
        elif choice < 0.3:
            piece = " ".join(rng.choice(NUMBERS + WORDS) for _ in range(rng.randint(1, 12)))
        elif choice < 0.4:
            piece = rng.choice(DATES) + " " + rng.choice(WORDS)
        elif choice < 0.5:
            piece = rng.choice(TEMPLATE)
        elif choice < 0.6:
            piece = "".join(rng.choice(ODD) for _ in range(rng.randint(1, 50)))
        elif choice < 0.7:
            piece = "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(rng.randint(1, 200)))
        elif choice < 0.8 and text:  # repeat a chunk: long ordinary text
            start = rng.randint(0, len(text) - 1)
            piece = text[start:start + rng.randint(10, 2000)] * rng.choice([2, 20, 200])
        elif choice < 0.9 and text:  # cut
            end = rng.randint(position, len(text))
            text = text[:position] + text[end:]
            continue
        else:
            piece = "\n" * rng.randint(1, 5) + " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        text = text[:position] + piece + text[position:]
    return text[:3_000_000]


def html_page(rng: random.Random, text: str) -> str:
    paragraphs = [p for p in text.split("\n") if p.strip()] or ["x"]
    depth = rng.choice([0, 0, 5, 300, 3000])
    parts = ["<!doctype html><html><head><title>", rng.choice(paragraphs)[:80], "</title>",
             "<script>var x = '<p>Sea of Japan</p>';</script></head><body>", "<div>" * depth]
    for paragraph in paragraphs:
        parts.append(rng.choice(["<p>", "<p class='comment'>", "<li>", "<div>", "<span>", ""]))
        parts.append(paragraph)
        if rng.random() < 0.3:
            parts.append(rng.choice(MARKUP + ODD))
    parts.append("</div>" * depth)
    if rng.random() < 0.9:
        parts.append("</body></html>")
    return "".join(parts)


def import_file_text(rng: random.Random, exported: dict[str, str]) -> tuple[str, str]:
    """(format, file text): an export of real events, mutated."""
    fmt = rng.choice(["geojson", "geojson", "csv", "kml"])
    text = exported[fmt]
    if fmt == "geojson" and rng.random() < 0.6:
        data = json.loads(text)
        for _ in range(rng.randint(1, 4)):
            feature = rng.choice(data["features"])
            target = feature.get("properties") if rng.random() < 0.8 else feature
            if not isinstance(target, dict) or not target:  # an earlier mutation replaced it
                continue
            key = rng.choice(sorted(target))
            target[key] = rng.choice([None, 5, -1, 2**63, 2**70, 1e308, float("nan"), "", "{{7*7}}", [5, None],
                                      {"type": "Circle"}, {"type": "Topology"}, "9999-12-31", "0001-01-01",
                                      "x" * 100_000, "\x1f", [[[[]]]], True, "=cmd|'/C calc'!A0"])
        text = json.dumps(data, allow_nan=True)
        if rng.random() < 0.05:
            text = "[" * 100_000 + "]" * 100_000
        return fmt, text
    for _ in range(rng.randint(1, 3)):
        position = rng.randint(0, len(text))
        piece = rng.choice(NUMBERS + TEMPLATE + MARKUP + ODD + ["CIRCULARSTRING(0 0,1 1,2 0)", "\n", ",", '"'])
        if rng.random() < 0.3:
            end = rng.randint(position, min(len(text), position + 200))
            text = text[:position] + piece + text[end:]
        else:
            text = text[:position] + piece + text[position:]
    return fmt, text


# -- the worker ----------------------------------------------------------------------------------
class Worker:
    """A child process that runs inputs one at a time; killed and replaced when one runs too long."""

    def __init__(self) -> None:
        self.conn: Connection | None = None
        self.process: Any = None

    def start(self) -> None:
        parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("fork").Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        self.conn = parent
        ready = self.conn.recv()  # the extractor and gazetteer are loaded before the clock starts
        assert ready == "ready", ready

    def run(self, target: str, payload: Any, kill_after: float) -> tuple[str, str, float]:
        if self.process is None or not self.process.is_alive():
            self.start()
        assert self.conn is not None
        started = time.perf_counter()
        self.conn.send((target, payload))
        if self.conn.poll(kill_after):
            status, detail = self.conn.recv()
            return status, detail, time.perf_counter() - started
        self.process.kill()
        self.process.join()
        self.process = None
        return "killed", f"no answer within {kill_after:.0f} s", time.perf_counter() - started

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()


def _serve(conn: Connection) -> None:
    import logging

    from geo.extract import default_extractor
    from geo.gazetteer import load_gazetteer

    logging.disable(logging.WARNING)  # the KML reader logs every bad coordinate list it refuses, whole

    extractor = default_extractor()
    gazetteer = load_gazetteer()
    workdir = Path(tempfile.mkdtemp(prefix="fpm-fuzz-"))
    conn.send("ready")
    while True:
        target, payload = conn.recv()
        try:
            run_one(target, payload, extractor, gazetteer, workdir)
            conn.send(("ok", ""))
        except Exception as err:
            from geo.errors import ForcePostureError

            if isinstance(err, ForcePostureError):
                conn.send(("refused", str(err)[:200]))
            else:
                conn.send(("crash", "".join(traceback.format_exception(err)[-6:])))


def run_one(target: str, payload: Any, extractor: Any, gazetteer: Any, workdir: Path) -> None:
    from geo.extract import read_article_bytes

    if target in ("text", "html"):
        data, published = payload
        article = read_article_bytes(data, f"fuzz.{'html' if target == 'html' else 'txt'}", published=published)
        result = extractor.extract(article)
        for event in result.events:  # what the store would refuse later must not come out of extraction
            for asset in event.assets:
                if asset.count is not None and not 0 <= asset.count < 2**63:
                    raise AssertionError(f"count {asset.count} out of range")
        return
    if target == "import":
        _import(payload, workdir)
        return
    _render(payload, gazetteer)


def _import(payload: tuple[str, str], workdir: Path) -> None:
    from geo.errors import ForcePostureError
    from geo.store import import_file, open_store

    fmt, text = payload
    path = workdir / f"input.{fmt}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    database = workdir / "store.sqlite"
    database.unlink(missing_ok=True)
    store = open_store(str(database))
    try:
        before = store.count(), store.history_size()
        try:
            import_file(store, path, editor="fuzz", fmt=fmt)
        except ForcePostureError:
            if (store.count(), store.history_size()) != before:
                raise AssertionError("a refused import changed the store") from None
            raise
        store.query()  # what went in must read back
    finally:
        store.close()


def _render(payload: list[str], gazetteer: Any) -> None:
    from shapely.geometry import Point

    from geo.events import Asset, Event, EventPlace, EventSource
    from geo.render import build_map

    texts = payload  # hostile text for every field of one event each
    fairford = gazetteer["installation:raf-fairford"]
    events = [Event(
        id=f"ev-fuzz-{n}", kind="deployment", actors=["US"],
        assets=[Asset(name=text, family=text, category="bomber", count=2, text=text)],
        places=[EventPlace(id=fairford.id, name=text, kind="installation")],
        geometry=Point(fairford.lon, fairford.lat), geo_precision=1, start="2025-03-03", end=None,
        time_precision="day", status="observed",
        source=EventSource(document=text, sentence=text, start=0, end=1, outlet=text, headline=text),
        notes=text) for n, text in enumerate(texts)]
    page = build_map(events, theatre="Europe", gazetteer=gazetteer, title=texts[0], basemap=False)
    html = page.get_root().render()
    if "fpm_fuzz_evaluated" in html:  # the marker expression generate() puts in, printed by Jinja
        raise AssertionError("a template in the text was evaluated")


# -- the run -------------------------------------------------------------------------------------
@dataclass
class Outcome:
    target: str
    status: str
    seconds: float
    size: int
    detail: str


def exported_samples() -> dict[str, str]:
    """The seed articles' events exported in each text format (what the import fuzzing mutates)."""
    from geo.extract import default_extractor, read_article
    from geo.store import export_events

    extractor = default_extractor()
    events = [e for p in sorted(SEEDS.glob("*.txt")) for e in extractor.extract(read_article(p)).events]
    # Coarse shapes: the file's structure is what is fuzzed, and full sea polygons make 5 MB files.
    events = [e.copy(geometry=e.geometry.simplify(0.5)) for e in events]
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("geojson", "csv", "kml"):
            path = export_events(events, Path(folder) / f"events.{fmt}", fmt)
            out[fmt] = path.read_text(encoding="utf-8")
    return out


def generate(rng: random.Random, target: str, seeds: list[str], exported: dict[str, str]) -> Any:
    if target == "text":
        published = rng.choice([None, "2025-03-04", "0001-01-01", "9999-12-31", "2025", "9999-12"])
        return mutate_text(rng, rng.choice(seeds)).encode("utf-8", "surrogatepass"), published
    if target == "html":
        return html_page(rng, mutate_text(rng, rng.choice(seeds))).encode("utf-8", "surrogatepass"), "2025-03-04"
    if target == "import":
        return import_file_text(rng, exported)
    marker = "{{ dict(fpm_fuzz=1)|first ~ dict(_evaluated=1)|first }}"
    return [mutate_text(rng, rng.choice(TEMPLATE) + " " + marker)[:5000] for _ in range(rng.randint(1, 4))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--hang", type=float, default=2.0, help="seconds above which an input counts as a hang")
    parser.add_argument("--kill", type=float, default=30.0, help="seconds after which the worker is killed")
    parser.add_argument("--findings", default=str(ROOT / "build" / "fuzz"), help="folder for crashing inputs")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    seeds = seed_texts()
    exported = exported_samples()
    findings = Path(args.findings)
    findings.mkdir(parents=True, exist_ok=True)
    plan = [t for t in TARGETS for _ in range(round(args.inputs * SHARE[t]))]
    rng.shuffle(plan)
    worker = Worker()
    worker.start()
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    try:
        for n, target in enumerate(plan, 1):
            payload = generate(rng, target, seeds, exported)
            status, detail, seconds = worker.run(target, payload, args.kill)
            size = len(json.dumps(payload, default=repr)) if target in ("import", "render") else len(payload[0])
            outcome = Outcome(target, status, seconds, size, detail)
            outcomes.append(outcome)
            if status in ("crash", "killed") or seconds > args.hang:
                name = findings / f"{n:05d}-{target}-{status}.json"
                name.write_text(json.dumps({"target": target, "status": status, "seconds": round(seconds, 3),
                                            "detail": detail, "payload": payload}, default=lambda b: b.decode(
                                                "utf-8", "surrogatepass") if isinstance(b, bytes) else repr(b)),
                                encoding="utf-8", errors="surrogatepass")
            if n % 500 == 0:
                print(f"  {n:,} inputs, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        worker.stop()
    return report(outcomes, args.hang, time.perf_counter() - started, findings)


def report(outcomes: list[Outcome], hang: float, wall: float, findings: Path) -> int:
    crashes = [o for o in outcomes if o.status == "crash"]
    hangs = [o for o in outcomes if o.status == "killed" or o.seconds > hang]
    print(f"fuzz: {len(outcomes):,} inputs in {wall:.0f} s")
    print(f"{'target':8} {'inputs':>7} {'ok':>7} {'refused':>8} {'crashes':>8} {'hangs':>6} {'median ms':>10} "
          f"{'max s':>7}")
    for target in TARGETS:
        mine = [o for o in outcomes if o.target == target]
        if not mine:
            continue
        counts = Counter(o.status for o in mine)
        times = sorted(o.seconds for o in mine)
        print(f"{target:8} {len(mine):7,} {counts['ok']:7,} {counts['refused']:8,} {counts['crash']:8,} "
              f"{sum(1 for o in mine if o in hangs):6,} {times[len(times) // 2] * 1000:10.1f} {times[-1]:7.2f}")
    print(f"crashes: {len(crashes)}; hangs (> {hang:g} s): {len(hangs)}")
    distinct = Counter(o.detail.strip().splitlines()[-1][:160] for o in crashes)
    for line, count in distinct.most_common(10):
        print(f"  {count:5} × {line}")
    print("slowest inputs:")
    for o in sorted(outcomes, key=lambda o: -o.seconds)[:8]:
        print(f"  {o.seconds:6.2f} s  {o.target:6} {o.size:>9,} chars  {o.status}")
    if crashes or hangs:
        print(f"inputs that crashed or hung: {findings}")
    return 1 if crashes or hangs else 0


if __name__ == "__main__":
    sys.exit(main())
