"""Find gazetteer names in running text (Aho-Corasick), with capitalisation rules and a stop list.

This is the gazetteer's side of mention finding: which spans of a text *could* be place names.
Deciding which of them are the places an event happened at is the extractor's job.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from geo.gazetteer.load import DATA_DIR, Gazetteer
from geo.gazetteer.names import WordStartDictionary, fold_article, fold_text, name_key

__all__ = ["NameHit", "PlaceNameFinder", "load_stop_names"]

STOP_NAMES_PATH = DATA_DIR / "placename_stoplist.csv"
# Lower-case words allowed inside a multi-word name ("Sea of Japan", "Gulf of Aden").
_LINKING_WORDS = frozenset(
    "of the and de del la le les el al da do dos das di du von van der den bin upon on sur am im y i".split()
)
MIN_CITY_KEY = 3
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


@dataclass(frozen=True, slots=True)
class NameHit:
    """A span of text that spells a gazetteer name; `key` looks up its candidates."""

    start: int
    end: int
    text: str
    key: str


def load_stop_names(path: Path = STOP_NAMES_PATH) -> frozenset[str]:
    """Name keys never taken as places on their own ("Air", "Base", "March", ...)."""
    if not path.exists():
        return frozenset()
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(name_key(row["name"]) for row in csv.DictReader(handle) if row.get("name"))


def _capitalised_like(span: str, lowered: frozenset[str] = frozenset()) -> bool:
    """Every word of the span that is not a linking word starts with a capital (or is a number),
    except words the curated spelling itself writes in lower case ("Baltic states")."""
    words = _WORD.findall(span)
    if not words:
        return False
    if not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in _LINKING_WORDS or w in lowered
               for w in words[1:])


class PlaceNameFinder:
    """Leftmost-longest matching of every gazetteer name and alias in a text."""

    def __init__(self, gazetteer: Gazetteer, stop_names: frozenset[str] | None = None,
                 min_length: int = 2) -> None:
        self.gazetteer = gazetteer
        self.stop_names = load_stop_names() if stop_names is None else stop_names
        # The first place spelt so keeps the spelling.
        spellings: dict[str, tuple[str, frozenset[str]]] = {}
        nothing_lowered: frozenset[str] = frozenset()
        for kind, name, aliases in gazetteer.names():
            # Two-letter town names ("On", "Ay") are words; countries keep "UK", "US".
            shortest = min_length if kind in ("country", "region", "sea") else MIN_CITY_KEY
            for surface in (name, *aliases):
                key = name_key(surface)
                if len(key) < shortest or key in self.stop_names:
                    continue
                folded = fold_text(surface).strip()
                # A title-cased name has no word written in lower case (and most names are).
                lowered = nothing_lowered if surface.istitle() else frozenset(
                    w for w in _WORD.findall(surface) if w[:1].islower())
                for pattern in (folded, folded.replace(".", ""), key):
                    if pattern and pattern not in spellings:
                        spellings[pattern] = (key, lowered)
        self._dictionary = WordStartDictionary(spellings)
        self._major_keys: dict[str, bool] = {}

    def _major(self, key: str) -> bool:
        """Names of countries and seas are never someone's surname."""
        major = self._major_keys.get(key)
        if major is None:
            major = any(p.kind in ("country", "sea") for p in self.gazetteer.candidates(key))
            self._major_keys[key] = major
        return major

    def find(self, text: str) -> list[NameHit]:
        """Non-overlapping hits, longest first where hits overlap, in text order."""
        folded = fold_article(text)
        size = len(folded)
        found: list[tuple[int, int, str]] = []
        spellings: dict[tuple[str, frozenset[str]], bool] = {}  # a name repeats within an article
        for start, end, (key, lowered) in self._dictionary.matches(folded):
            # A match that continues a word is not a name: a letter beside it, or a hyphen then a
            # letter ("Tu-95", "Russia-Ukraine").
            if start > 0:
                before = folded[start - 1]
                if before.isalnum() or (before == "-" and start > 1 and folded[start - 2].isalnum()):
                    continue
            if end < size:
                after = folded[end]
                if after.isalnum() or (after == "-" and end + 1 < size and folded[end + 1].isalnum()):
                    continue
            # "the" is dropped from keys, so "the Baltics" and "Baltics" meet; the article itself
            # is not part of the name's span.
            if folded.startswith("the ", start) and end - start > 4:
                start += 4
            span = text[start:end]
            capitalised = spellings.get((span, lowered))
            if capitalised is None:
                capitalised = spellings[(span, lowered)] = _capitalised_like(span, lowered)
            if not capitalised:
                continue
            if _part_of_person_name(text, start, end, self._major(key)):
                continue
            found.append((start, end, key))
        # Leftmost-longest: sort by start, then longest; drop anything overlapping a kept hit.
        found.sort(key=lambda hit: (hit[0], -(hit[1] - hit[0])))
        hits: list[NameHit] = []
        last_end = -1
        for start, end, key in found:
            if start < last_end:
                continue
            hits.append(NameHit(start, end, text[start:end], key))
            last_end = end
        return hits


_TITLES = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Adm|Sgt|Prof|Sen|Rep|Gov)\.?|\b(?:General|Admiral|Colonel|Major|"
    r"Captain|Commander|Lieutenant|Sergeant|President|Minister|Secretary|Senator|Governor|Ambassador|"
    r"Chancellor|Premier|King|Queen|Prince|Princess|Pope|Saint|St|Director|Chief|Spokesman|Spokeswoman|"
    r"spokesman|spokeswoman|Professor|Dr))\s*$"  # "Maj. Gen. Christopher Donahue": the space after "Gen." too
)
_LOWER_CASE_TITLES = frozenset({"spokesman", "spokeswoman"})  # the titles `_TITLES` spells in lower case
_NOT_GIVEN_NAMES = frozenset(
    "The In At To From Over On Near Off Into Across Around Northern Southern Eastern Western Central North South "
    "East West Upper Lower Greater Inner Outer New Old Port Fort Camp Cape Mount Lake Gulf Bay Sea Strait Island "
    "Islands Base Naval Air Station Joint Royal Military Army Navy Marine Coast Saint San Santa Los Las El".split()
)
_NEXT_NAME = re.compile(r"^ (?:[A-Z]\.\s)?[A-Z][a-z][\w'’-]*")


_SHIP_PREFIX = re.compile(r"\b(?:USS|USNS|HMS|HMAS|HMCS|HMNZS|RFA|INS|JS|ROKS|CNS|FS|HNLMS|ITS|TCG|RSS|BRP|KRI|"
                          r"HDMS|HNoMS|HSwMS|ORP|ESPS|NRP|SPS|RFS)\s+(?:[A-Z][\w.'’-]*\s+){0,3}$")
_GIVEN_NAME_BEFORE = re.compile(r"(?:^|[^\w.])([A-Z][a-z]+)\s+$")


_SENTENCE_START_WORD = re.compile(r"[.!?:;\n\"“]\s*[A-Z][a-z]+\s+$")
_CAPITALISED_BEFORE = re.compile(r"([A-Z][a-z]+)\s+$")


def _part_of_person_name(text: str, start: int, end: int, major: bool = False) -> bool:
    """ "Major General Joseph Campo", "Secretary Lloyd Austin", "USS Carney": a name, not a place."""
    before = text[max(0, start - 25): start]
    words = before.split()
    if before[-1:].isspace() and words and words[-1].isalpha() and words[-1].islower() \
            and words[-1] not in _LOWER_CASE_TITLES:
        # "in the Baltic", "to Poland": a lower-case word is no title, ship prefix or given name,
        # so none of the patterns below can match (they are slow to try: each ends in "$").
        return False
    if _TITLES.search(before) or _SHIP_PREFIX.search(before):
        return True
    given = None if major else _GIVEN_NAME_BEFORE.search(before)
    if given and given.group(1) not in _NOT_GIVEN_NAMES and not _SENTENCE_START_WORD.search(before) \
            and before[: given.start(1)].strip()[-1:] not in ("", ",", "(", "—", "-"):
        return True  # "... Defense Secretary Lloyd Austin": a capitalised word right before, mid-sentence
    follower = _NEXT_NAME.match(text[end: end + 30])
    if follower is None:
        return False
    preceding_word = _CAPITALISED_BEFORE.search(before)
    # A capitalised word on both sides, or a title before: a run of names, i.e. a person.
    return bool(preceding_word and preceding_word.group(1) not in ("The", "In", "At", "To", "From", "Over", "On"))


@functools.cache
def default_finder() -> PlaceNameFinder:
    from geo.gazetteer.load import load_gazetteer

    return PlaceNameFinder(load_gazetteer())
