"""Extraction time against article length (issue 13: extraction linear in the article's length).

Three measures, each printed:
- growth: each seed article concatenated 1x, 2x, ... 64x (paragraphs repeated, as a long live blog
  or a pasted digest repeats its reporting); time per size, and the fitted growth exponent, the
  slope of log(time) against log(size) (1.0 is linear; target <= 1.2);
- a 1 MB article made the same way of the longest seed (target: under 10 s);
- a 4 MB article extracted with a time budget of 1 s: when it stops, and where;
- pathological inputs: runs of sentence punctuation, long lines without a full stop, long numbers,
  abbreviations; each should take about as long as ordinary text of its size.

Each input is extracted in a child process forked from a warmed-up parent (gazetteer loaded, name
finder built), so one that hangs is stopped at `--timeout` seconds and reported as such instead of
stopping the bench. Reading (decoding, cleaning) is timed apart from extraction proper.

    .venv/bin/python bench/bench_scaling.py [--seed seeds/001_faa9ce2b65bbefc6.txt] [--timeout 60]
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing
import time
from multiprocessing.connection import Connection
from pathlib import Path

from geo import native
from geo.extract import default_extractor, read_article_bytes

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = "2025-03-15"
SIZES = (1, 2, 4, 8, 16, 32, 64)
MEGABYTE = 1_000_000


def concatenated(seed: str, times: int) -> str:
    return "\n\n".join([seed] * times)


def pathological_inputs(seed: str) -> dict[str, str]:
    """Texts that once made the sentence splitter or the context ranking super-linear, and kin."""
    no_stops = " ".join(seed.replace(".", " ").replace("!", " ").replace("?", " ").split())
    sentence = "Two B-52 bombers patrolled the Baltic Sea with Finland and Sweden on 4 March 2025. "
    return {
        "50 KB of '.'": "." * 50_000,
        "1 MB of '.'": "." * MEGABYTE,
        "1 MB of '!!! '": "!!! " * (MEGABYTE // 4),
        "1 MB of '... word '": "... word " * (MEGABYTE // 9),
        "1 MB of '?'": "?" * MEGABYTE,
        "1 MB of '!?.…' (one run)": "!?.…" * (MEGABYTE // 4),
        "1 MB of '.\")' (closers)": ".\")" * (MEGABYTE // 3),
        "1 MB of 'U.S. '": "U.S. " * (MEGABYTE // 5),
        "1 MB of 'a. '": "a. " * (MEGABYTE // 3),
        "1 MB of digits": "9" * MEGABYTE,
        "1 MB of '12,345 troops '": "12,345 troops " * (MEGABYTE // 14),
        "1 MB of one sentence repeated": sentence * (MEGABYTE // len(sentence)),
        "1 MB line without full stops": (no_stops + " ") * (MEGABYTE // (len(no_stops) + 1)),
        "4 MB line without full stops": (no_stops + " ") * (4 * MEGABYTE // (len(no_stops) + 1)),
    }


WARM_UP = "Two B-52 bombers patrolled the Baltic Sea with Finland and Sweden on 4 March 2025."


def _extract_in_child(text: str, budget: float | None, connection: Connection) -> None:
    started = time.perf_counter()
    try:
        # A forked child first touches the parent's memory (copy on write): one short article
        # first, so that this cost is not counted in the first sizes.
        default_extractor().extract(read_article_bytes(WARM_UP.encode(), "warm-up.txt", published=PUBLISHED))
        started = time.perf_counter()
        article = read_article_bytes(text.encode("utf-8"), "bench-scaling.txt", published=PUBLISHED)
        read = time.perf_counter() - started
        started = time.perf_counter()
        result = default_extractor().extract(article, time_budget=budget)
        connection.send((read, time.perf_counter() - started, len(result.events), len(result.mentions.sentences)))
    except Exception as err:  # reported by the parent: a crash is a finding too
        connection.send(f"{type(err).__name__} after {time.perf_counter() - started:.2f} s: {err}")


def timed(text: str, timeout: float, budget: float | None = None) -> tuple[float, float, int, int] | str | None:
    """(read s, extract s, events, sentences) for `text`, the error it raised, or None when it took
    over `timeout` seconds."""
    context = multiprocessing.get_context("fork")  # the child inherits the warmed-up extractor
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_extract_in_child, args=(text, budget, sending))
    child.start()
    sending.close()
    answer = receiving.recv() if receiving.poll(timeout) else None
    child.kill()
    child.join()
    return answer


def growth_exponent(sizes: list[float], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) against log(size)."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in seconds]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) \
        / sum((x - mean_x) ** 2 for x in xs)


def growth(name: str, seed: str, timeout: float) -> None:
    """One seed's series: time per size and the fitted exponent."""
    sizes: list[float] = []
    seconds: list[float] = []
    print(f"growth: {name} ({len(seed):,} characters after cleaning)")
    for times in SIZES:
        text = concatenated(seed, times)
        answer = timed(text, timeout)
        if not isinstance(answer, tuple):
            print(f"  {times:>3}x {len(text):>10,} chars: {answer or f'over {timeout:.0f} s'} (series stopped)")
            break
        read, extract, events, sentences = answer
        sizes.append(len(text))
        seconds.append(extract)
        print(f"  {times:>3}x {len(text):>10,} chars: extract {extract:8.3f} s "
              f"({extract / len(text) * 1e6:6.2f} us/char), read {read:6.3f} s, "
              f"{sentences:,} sentences, {events} events")
    if len(sizes) >= 4:
        half = len(sizes) // 2
        print(f"  growth exponent {growth_exponent(sizes, seconds):.2f} over 1x..{round(sizes[-1] / sizes[0])}x "
              f"(log-log slope of extraction time; target <= 1.2), "
              f"{growth_exponent(sizes[half:], seconds[half:]):.2f} over "
              f"{round(sizes[half] / sizes[0])}x..{round(sizes[-1] / sizes[0])}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=Path, action="append",
                        help="an article to concatenate (repeatable; default: every seeds/*.txt)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before one input counts as a hang")
    options = parser.parse_args()
    paths = options.seed or sorted((ROOT / "seeds").glob("*.txt"))
    seeds = {path.name: read_article_bytes(path.read_bytes(), path.name, published=PUBLISHED).text for path in paths}
    for text in seeds.values():
        default_extractor().extract(read_article_bytes(text.encode(), "warm-up.txt", published=PUBLISHED))
    gc.freeze()  # the children share the warmed-up objects: the collector would copy them in each
    compiled = native.compiled_modules_loaded()
    print(f"scaling: {'compiled with mypyc' if compiled else 'plain Python'}; each input in a forked child, "
          f"hang limit {options.timeout:.0f} s")
    for name, seed in seeds.items():
        growth(name, seed, options.timeout)

    # The 1 MB article and the pathological inputs are made of the longest seed (the most places).
    name, seed = max(seeds.items(), key=lambda item: len(item[1]))
    times = -(-MEGABYTE // (len(seed) + 2))
    article = concatenated(seed, times)
    answer = timed(article, options.timeout)
    if not isinstance(answer, tuple):
        print(f"1 MB article ({times}x {name}): {answer or f'over {options.timeout:.0f} s'} (target < 10 s)")
    else:
        print(f"1 MB article ({times}x {name}, {len(article):,} chars): extract {answer[1]:.2f} s, "
              f"read {answer[0]:.2f} s (target < 10 s), {answer[2]} events")

    article = concatenated(seed, 4 * times)
    answer = timed(article, options.timeout, budget=1.0)
    print(f"time budget of 1 s on a 4 MB article ({len(article):,} chars): "
          f"{answer if isinstance(answer, str) else answer or f'over {options.timeout:.0f} s'}")

    print("pathological inputs:")
    for label, text in pathological_inputs(seed).items():
        answer = timed(text, options.timeout)
        if not isinstance(answer, tuple):
            print(f"  {label:<34} {answer or f'over {options.timeout:.0f} s'}")
        else:
            print(f"  {label:<34} extract {answer[1]:7.2f} s, read {answer[0]:6.2f} s, "
                  f"{answer[3]:,} sentences, {answer[2]} events")


if __name__ == "__main__":
    main()
