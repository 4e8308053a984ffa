"""Step 2 of extraction: every mention in a cleaned article, before any event is assembled.

Places (gazetteer names, resolved in the context of the whole text, each with its role in the
sentence), assets and units, actors, counts, dates and event trigger words. Rules live in
`data/`: `place_roles.csv` and `place_role_words.csv` (what the words before a place say about
it), `name_patterns.csv` (organisation and exercise names whose words are not places),
`event_triggers.csv` (words that say what kind of event a sentence reports).
"""

from __future__ import annotations

import csv
import functools
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from geo.budget import UNLIMITED, TimeBudget
from geo.extract.catalogue import (
    NAMED_SHIP_PREFIX,
    SHIP_CATEGORIES,
    ActorHit,
    AssetHit,
    AssetType,
    Catalogue,
    nationality_adjectives,
)
from geo.extract.dates import DateMention, PublicationDate, scan_dates
from geo.gazetteer import DATA_DIR, FoldedPattern, Place, WordStartMatcher, fold_article
from geo.geocode import OfflineGazetteer

__all__ = [
    "CountMention",
    "Mentions",
    "PlaceMention",
    "Sentence",
    "SpanIndex",
    "TriggerMention",
    "find_mentions",
    "split_sentences",
]

LOCATING_ROLES = ("location", "route")
# Below these scores a resolved name is more likely an English word or a namesake village.
SECOND_LEVEL_DIVISION = "second-level division"
MIN_SCORE = {"city": 0.95, "region": 0.9, "installation": 0.9, "country": 0.0, "sea": 0.0}

_ABBREVIATIONS = frozenset(
    "u.s u.k u.n e.g i.e gen lt col maj capt adm sgt cpl pvt mr mrs ms dr st no vs jan feb mar apr jun jul aug "
    "sep sept oct nov dec inc corp co ltd jr sr rep sen gov prof dept est approx fig".split()
)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int


@dataclass(slots=True)
class PlaceMention:
    start: int
    end: int
    text: str
    place: Place
    score: float
    role: str = "mention"  # location, route, origin, partner, venue, reference, context, name, dateline


@dataclass(frozen=True, slots=True)
class CountMention:
    start: int
    end: int
    text: str
    value: int


@dataclass(frozen=True, slots=True)
class TriggerMention:
    start: int
    end: int
    text: str
    kind: str
    priority: int
    status: str


@dataclass(slots=True)
class Mentions:
    text: str
    sentences: list[Sentence]
    places: list[PlaceMention]
    assets: list[AssetHit]
    actors: list[ActorHit]
    counts: list[CountMention]
    dates: list[DateMention]
    triggers: list[TriggerMention]
    masked: list[tuple[int, int]] = field(default_factory=list)
    exercise_names: list[TriggerMention] = field(default_factory=list)  # also among the triggers
    # id(list) -> (the list, its starts) for lists in text order: `within` bisects them.
    _starts: dict[int, tuple[list, list[int] | None]] = field(default_factory=dict, repr=False)

    def starting_in(self, items: list, start: int, end: int) -> list:
        """The items that start inside [start, end), in list order (bisected like `within`)."""
        starts = self._sorted_starts(items)
        if starts is None:
            return [m for m in items if start <= m.start < end]
        return items[bisect_left(starts, start): bisect_left(starts, end)]

    def _sorted_starts(self, items: list) -> list[int] | None:
        known = self._starts.get(id(items))
        if known is None or known[0] is not items or (known[1] is not None and len(known[1]) != len(items)):
            starts = [m.start for m in items]
            known = self._starts[id(items)] = (items, starts if starts == sorted(starts) else None)
        return known[1]

    def within(self, items: list, start: int, end: int) -> list:
        """The items lying inside [start, end], in list order.

        The extractor asks this per sentence and segment; lists in text order (all of a Mentions'
        lists are) are bisected instead of scanned. Lists must not change once asked about.
        """
        starts = self._sorted_starts(items)
        if starts is None:
            return [m for m in items if m.start >= start and m.end <= end]
        return [m for m in items[bisect_left(starts, start): bisect_right(starts, end)] if m.end <= end]


# -- sentences ------------------------------------------------------------------------------------
# `[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*[·•\-\*]\s)|\n`, spelt to open with one
# character class: the engine then skips ahead to those characters instead of trying every position.
# A run of sentence punctuation is only read from its first character, and possessively: tried from
# every character of the run, with the engine backtracking over the rest each time, 50 KB of "."
# took 50 s. The matches are the same, since a try from inside a run ends where the run's first
# try ends (after the whole run, or not at all: a shorter run is followed by more punctuation, which
# is neither a closing mark nor white space).
_SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=[.!?…])(?<![.!?…]{2})[.!?…]*+[\"”’')\]]*+(?=\s++[\"“‘'(\[]?[A-Z0-9])"
                           r"|(?<=\n)\s*\n|(?<=\n)(?=\s*[·•\-\*]\s)|(?<=\n))")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their spans; abbreviations ("U.S.", "Gen.") do not end one."""
    sentences: list[Sentence] = []
    start = 0
    paragraph = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        ending = match.group(0)
        if ending[0] == ".":  # a run of punctuation: no line break in it
            word = _last_word(text, start, match.start())
            if word and (word.lower() in _ABBREVIATIONS or len(word) == 1):
                continue
        _add_sentence(sentences, text, start, end, paragraph)
        if "\n" in ending:
            paragraph += 1
        start = end
    _add_sentence(sentences, text, start, len(text), paragraph)
    return sentences


def _last_word(text: str, start: int, stop: int) -> str | None:
    """The word before the full stop at `stop` ("U.S" in "... the U.S."), not reaching back before
    `start`: the run of word characters and dots before it, read backwards (a regex anchored at the
    end tries every start; slicing the sentence so far at every abbreviation is quadratic)."""
    begin = stop
    while begin > start and (text[begin - 1].isalnum() or text[begin - 1] in "._"):
        begin -= 1
    return text[begin:stop] or None


# Characters: a "sentence" longer than this (a page without full stops, a list run together) is cut
# at the last white space before it. Reading a sentence compares its mentions with one another, so
# one sentence of a megabyte took minutes; the longest sentence of every corpus is under 1,000.
MAX_SENTENCE = 2_000


def _add_sentence(sentences: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    chunk = text[start:end]
    left = len(chunk) - len(chunk.lstrip())
    right = len(chunk.rstrip())
    begin, finish = start + left, start + right
    while finish - begin > MAX_SENTENCE:
        cut = begin + MAX_SENTENCE
        while cut > begin + 1 and not text[cut - 1].isspace():
            cut -= 1
        if cut == begin + 1:  # no white space to cut at: cut through the word
            cut = begin + MAX_SENTENCE
        piece_end = cut
        while text[piece_end - 1].isspace():
            piece_end -= 1
        sentences.append(Sentence(begin, piece_end, text[begin:piece_end], paragraph))
        begin = cut
        while text[begin].isspace():
            begin += 1
    if finish > begin:
        sentences.append(Sentence(begin, finish, text[begin:finish], paragraph))


# -- rule tables ------------------------------------------------------------------------------------
def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def _role_tables() -> tuple[dict[str, str], dict[str, str]]:
    prepositions = {row["word"]: row["role"] for row in _read("place_roles.csv")}
    # "the Polish city of Rzeszów", "the southern Sri Lankan port of Hambantota": a people's
    # adjective before a place word is skipped like "southern" is.
    demonyms = [row["alias"] for row in _read("actors.csv") if row["kind"] == "demonym"]
    demonyms += [actor.alias for actor in nationality_adjectives()]
    words = {token: "skip" for alias in demonyms for token in _TOKEN.findall(alias.lower())}
    words.update({row["word"]: row["use"] for row in _read("place_role_words.csv")})
    return prepositions, words


@functools.cache
def _name_patterns() -> tuple[tuple[WordStartMatcher, str], ...]:
    # `anchor`: a word every match contains, at most `reach` characters after its start (a fast scan).
    return tuple((WordStartMatcher.of_pattern(row["pattern"], anchor=row.get("anchor") or None,
                                              reach=int(row.get("reach") or 0)), row.get("kind") or "name")
                 for row in _read("name_patterns.csv"))


@functools.cache
def _trigger_patterns() -> tuple[WordStartMatcher, tuple[tuple[str, int, str], ...]]:
    """All trigger rows as one alternation (one pass over the text); group i is row i."""
    rows = _read("event_triggers.csv")
    matcher = WordStartMatcher([f"(?P<t{i}>{row['pattern']})" for i, row in enumerate(rows)], re.IGNORECASE,
                               suffix=r"\b")
    meaning = tuple((row["kind"], int(row["priority"]), row["status"]) for row in rows)
    return matcher, meaning


# -- counts ----------------------------------------------------------------------------------------
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "pair": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "dozen": 12, "couple": 2,
}
_COUNT = WordStartMatcher([
    r"(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(?:million|thousand))?|(?:a\s\s*)?(?:couple|pair|dozen)"
    r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?(?:\s+(?:hundred|thousand))?)"], re.IGNORECASE,
    suffix=r"\b")
_NOT_A_COUNT_AFTER = re.compile(
    r"\s*(?:%|percent|per cent|km|kilomet|miles|nautical|years?|days?|hours?|minutes?|"
    r"weeks?|months?|metres|meters|feet|tons?|tonnes|kg|-year|th\b|st\b|nd\b|rd\b)")
_IN_DESIGNATOR = re.compile(r"[A-Za-z]-$|[A-Z]$")  # "F-35", "Tu-95"
# "the first regional deployment of 2025", "since 2014": a year the date reader did not take.
_YEAR = re.compile(r"(?:19|20)\d\d")
_BEFORE_A_YEAR = re.compile(r"\b(?:of|in|since|by|until|till|from|for|during|through|to|and|or|early|late|mid|"
                            r"spring|summer|autumn|fall|winter)[\s-]+$", re.IGNORECASE)
_RANGE_START = re.compile(r"\d\s*[-–]\s*$")  # "June 22-26": the end of a range of days


# A number above this is no force's size ("99999999999999999999 troops", a 400-digit number): not a
# count. The largest forces reported are a few hundred thousand; a store keeps counts in 64 bits.
MAX_COUNT = 10_000_000
_MULTIPLIERS = {"million": 1_000_000, "thousand": 1_000}


def _count_value(text: str) -> int | None:
    """The count a number spells ("5,000", "1.5 million", "twenty-one"), or None above MAX_COUNT."""
    words = text.lower().replace("-", " ").replace(",", "").split()
    if not words:
        return None
    if words[0] == "a":
        words = words[1:]
    if _DECIMAL.fullmatch(words[0]):
        return _decimal_count(words[0], words[1:])
    total = 0
    for word in words:
        if word in ("hundred", "thousand"):
            total = max(total, 1) * (100 if word == "hundred" else 1000)
        elif word in _NUMBER_WORDS:
            total += _NUMBER_WORDS[word]
        else:
            return None
    return total or None


def _decimal_count(number: str, multipliers: list[str]) -> int | None:
    """ "1.5" with ["million"]: 1,500,000. In integers, so that a 400-digit number is refused rather
    than overflowing a float, and "2.3 million" is 2,300,000 (the float product is 2,299,999.99...)."""
    whole, _point, fraction = number.partition(".")
    whole = whole.lstrip("0")
    if len(whole) > len(str(MAX_COUNT)):
        return None
    scale = 1
    for word in multipliers:
        scale *= _MULTIPLIERS.get(word, 1)
    fraction = fraction[:len(str(scale))]  # digits below one unit of the product are cut, as int() cuts
    value = int(whole or "0") * scale + (int(fraction) * scale // 10 ** len(fraction) if fraction else 0)
    return value if value <= MAX_COUNT else None


def _find_counts(text: str, dates_written: list[tuple[int, int]]) -> list[CountMention]:
    """Numbers that may count forces; none inside a date ("4 March 2025", "in 2025", "March 4")."""
    in_dates = SpanIndex(dates_written)
    counts = []
    for match in _COUNT.finditer(text):
        start, end = match.span()
        if in_dates.overlaps(start, end):
            continue
        value = _count_value(text[start:end])
        if value is None:
            continue
        if _NOT_A_COUNT_AFTER.match(text[end: end + 12].lower()):
            continue
        if _IN_DESIGNATOR.search(text[max(0, start - 6): start]):
            continue
        if _YEAR.fullmatch(text[start:end]) and _BEFORE_A_YEAR.search(text[max(0, start - 12): start]):
            continue
        before = text[max(0, start - 4): start]
        if _RANGE_START.search(before) and in_dates.overlaps(max(0, start - 4), start):
            continue
        counts.append(CountMention(start, end, text[start:end], value))
    return counts


# -- the whole step ------------------------------------------------------------------------------------
def find_mentions(
    text: str,
    geocoder: OfflineGazetteer,
    catalogue: Catalogue,
    published: PublicationDate | None,
    budget: TimeBudget = UNLIMITED,
) -> Mentions:
    """Every mention in `text`; `budget` is checked between the stages, sentences and names."""
    folded = fold_article(text)
    budget.check("reading the text")
    sentences = split_sentences(text)
    budget.check("splitting sentences")
    actors = catalogue.find_actors(text, folded)
    budget.check("finding actors")
    # "land-to-ship missile units", "ship-to-shore connectors": a ship word inside a hyphenated
    # compound describes something else.
    assets = [a for a in catalogue.find_assets(text, folded)
              if not (_is_generic_ship(a.asset) and "-" in (text[a.start - 1: a.start], text[a.end: a.end + 1]))]
    budget.check("finding assets")
    # "HMAS Stirling", "INS Kadamba": a base named like a ship is a place
    names = [(kind, match) for kind, match in _names(text) if kind != "ship" or not any(
        place.kind == "installation" for place in geocoder.gazetteer.candidates(match.group(0)))]
    budget.check("finding names")
    masked = _name_spans(text, names, actors)
    in_names = SpanIndex(masked)
    ship_spans = _ship_names(names)
    in_ships = SpanIndex(ship_spans)
    ship_starts = {start for start, _end in ship_spans}
    # "USS John Finn" is no Finn, but its prefix says whose ship it is; a prefix that starts no ship's
    # name ("its", "JS" alone) says nothing.
    actors = [a for a in actors if (a.start in ship_starts if a.actor.ship_prefix
                                    else not in_ships.covers(a.start, a.end))]
    assets = _with_named_ships(names, assets, actors, catalogue)
    assets = _with_typed_names(text, assets, actors, catalogue)
    assets = _with_counted_members(text, assets, actors, catalogue)
    assets = _with_grouped_vessels(text, assets, catalogue)
    hits = [h for h in geocoder.finder.find(text) if not in_names.covers(h.start, h.end)]
    # A designator or unit name is never a place ("Tu" in "Tu-95", "Paris" in "Paris-class").
    in_assets = SpanIndex([(a.start, a.end) for a in assets])
    hits = [h for h in hits if not in_assets.covers(h.start, h.end)]
    budget.check("finding place names")
    resolved = geocoder.resolve_hits(text, hits, settled_at=MIN_SCORE, budget=budget)
    # A county or district (the gazetteer's second-level divisions) is below the grain of force
    # posture reporting: the same word is far more often a town, a unit or a person ("Beiarn").
    places = [
        PlaceMention(r.hit.start, r.hit.end, r.hit.text, r.place, r.score)
        for r in resolved
        if r.score >= MIN_SCORE.get(r.place.kind, 0.0) and r.place.subkind != SECOND_LEVEL_DIVISION
        and not _named_otherwise(text, r.hit.start, r.hit.end, r.place)
    ]
    places = _with_shared_heads(text, places, geocoder)
    places = _with_short_names(text, places)
    # Actors never overlap a kept place ("RAF" in "RAF Fairford" is the base's name), except
    # services and commands, whose place words were masked above.
    at_places = SpanIndex([(p.start, p.end) for p in places])
    actors = [a for a in actors if not at_places.overlaps(a.start, a.end)
              or (a.actor.kind in ("service", "command") and not at_places.covers(a.start, a.end))]
    datelines = SpanIndex(_datelines(text))
    place_starts = [p.start for p in places]
    ordered = place_starts == sorted(place_starts)
    for sentence in sentences:
        budget.check("reading the roles of places")
        if ordered:  # places are in text order: the sentence's are one slice
            in_sentence = places[bisect_left(place_starts, sentence.start): bisect_left(place_starts, sentence.end)]
        else:
            in_sentence = [p for p in places if sentence.start <= p.start < sentence.end]
        _assign_roles(text, sentence, [p for p in in_sentence if not datelines.covers(p.start, p.end)])
        for place in in_sentence:
            if datelines.covers(place.start, place.end):
                # A base in the dateline ("KADENA AIR BASE, Japan -") is where the story happens;
                # a capital there is only where it was filed.
                spelled_as_base = place.place.kind == "installation" and _BASE_WORDS.search(place.text)
                place.role = "location" if spelled_as_base else "dateline"
    forces_named: set[int] = set()
    for place in places:
        alias = catalogue.actor_alias(place.text)
        if alias is not None and _names_forces_not_place(text, place, alias.kind):
            actors.append(ActorHit(place.start, place.end, place.text, alias))
            if not (alias.kind == "abbreviation" and _used_as_noun(text, place)):
                forces_named.add(id(place))
            # else "Japan and the US agreed": the country, named as a noun, is a place too
    if forces_named:  # by identity: `list.remove` would compare places field by field
        places = [p for p in places if id(p) not in forces_named]
    actors.sort(key=lambda a: a.start)
    budget.check("reading the roles of places")
    dates = scan_dates(text, published)
    budget.check("finding dates")
    matcher, meaning = _trigger_patterns()
    triggers = []
    for match in matcher.finditer(text):
        if in_names.covers(match.start(), match.end()):
            continue
        if in_assets.covers(match.start(), match.end()):
            continue  # "patrol boat", "Rotational Force": a word of a force's name says nothing of what it did
        group = match.lastgroup
        assert group is not None  # every alternative of the trigger pattern is a named group
        kind, priority, status = meaning[int(group[1:])]
        triggers.append(TriggerMention(match.start(), match.end(), match.group(0), kind, priority, status))
    exercise_names = _exercise_names(names)
    exercise_names += _drill_names(text, SpanIndex(
        masked + [(p.start, p.end) for p in places] + [(a.start, a.end) for a in actors]
        + [(a.start, a.end) for a in assets]))
    exercise_names.sort(key=lambda t: t.start)
    triggers.extend(exercise_names)
    triggers.sort(key=lambda t: t.start)
    budget.check("finding trigger words")
    counts = _find_counts(text, dates.written)
    budget.check("finding counts")
    return Mentions(
        text=text,
        sentences=sentences,
        places=places,
        assets=assets,
        actors=actors,
        counts=counts,
        dates=dates.mentions,
        triggers=triggers,
        masked=masked,
        exercise_names=exercise_names,
    )


# "... transited the Taiwan Strait. On Sept. 17, the USS Barry sailed through the Strait": a feature
# named in full once is then called by its head word alone.
_SHORT_NAME = re.compile(r"\bthe\s+(Strait|Gulf|Channel|Sea|Peninsula|Straits)\b(?!\s+of\b)")


def _calls_by(words: list[str], head: str) -> bool:
    """Whether a name is called by its head: "the Strait" after "Taiwan Strait" or "Strait of Hormuz";
    but "the Gulf" after "Gulf of Aden" is, by habit, the Persian Gulf."""
    return words[-1] == head or (head.startswith("Strait") and words[0] == head)


# A word of a drill, as a drill's name ends (also read by the names of drills below).
_DRILL_WORD = r"(?:exercises?|drills?|war[ -]?games?|manoeuvres|maneuvers)\b"
# "the Northern Forest exercise": a town's name closing a capitalised name of a drill is part of it
_CLOSES_A_DRILL_NAME = re.compile(r"\s+" + _DRILL_WORD)
_CAPITALISED_BEFORE = re.compile(r"\b[A-Z][a-z]+\s+$")


def _named_otherwise(text: str, start: int, end: int, place: Place) -> bool:
    """Whether a name the gazetteer knows stands for something else here: a capitalised acronym that is
    no spelling of the place ("on LAC", the Line of Actual Control, is not Chad's Lac region), or a
    town's name at the end of a drill's name ("the Northern Forest exercise")."""
    written = text[start:end]
    if written.isupper() and len(written) <= 3 and written != place.name and written not in place.aliases:
        return True
    return place.kind == "city" and bool(_CLOSES_A_DRILL_NAME.match(text, end)) \
        and bool(_CAPITALISED_BEFORE.search(text, max(0, start - 20), start))


def _with_short_names(text: str, places: list[PlaceMention]) -> list[PlaceMention]:
    if not places:
        return places
    taken = SpanIndex([(p.start, p.end) for p in places])
    starts = [p.start for p in places]
    found = []
    for match in _SHORT_NAME.finditer(text):
        if taken.overlaps(match.start(1), match.end(1)):
            continue
        head = match.group(1)
        earlier = places[:bisect_left(starts, match.start())]
        named = next((p for p in reversed(earlier) if p.place.kind in ("sea", "region")
                      and p.text != head and _calls_by(p.text.split(), head)), None)
        if named is not None:
            found.append(PlaceMention(match.start(1), match.end(1), head, named.place, named.score))
    return sorted(places + found, key=lambda p: p.start) if found else places


# "the Barents and Norwegian Seas", "the East and South China Seas": two names sharing one plural head.
_SHARED_HEAD = re.compile(r"\b((?:[A-Z][\w-]+\s+)?[A-Z][\w-]+)\s+and\s+(?:the\s+)?((?:[A-Z][\w-]+\s+){0,2}?[A-Z][\w-]+)"
                          r"\s+([Ss]eas|[Oo]ceans)\b")


# "RAAF Bases Darwin and Tindal", "Air Stations Iwakuni and Futenma": a plural head before two names.
_SHARED_BASE_HEAD = re.compile(r"\b((?:[A-Z][\w-]+\s+){0,3}?)([Bb]ases|Stations)\s+([A-Z][\w-]+)"
                               r"(?:,\s+([A-Z][\w-]+))?,?\s+and\s+([A-Z][\w-]+)\b")


def _with_shared_heads(text: str, places: list[PlaceMention], geocoder: OfflineGazetteer) -> list[PlaceMention]:
    """Each name of a shared plural head is a sea of its own: "Barents" is the Barents Sea and "East"
    before "South China Seas" the East China Sea (the gazetteer holds each full name); each name after
    "RAAF Bases" is a base of its own, when the gazetteer knows "RAAF Base <name>"."""
    added: list[PlaceMention] = []
    for match in _SHARED_BASE_HEAD.finditer(text):
        head = f"{match.group(1)}{match.group(2)[:-1].capitalize()}"  # "RAAF Bases" -> "RAAF Base"
        for group in (3, 4, 5):
            if match.group(group) is None:
                continue
            place = next((p for p in geocoder.gazetteer.candidates(f"{head} {match.group(group)}")
                          if p.kind == "installation"), None)
            if place is not None:
                start = match.start(1) if group == 3 else match.start(group)
                added.append(PlaceMention(start, match.end(group), text[start: match.end(group)], place, 1.0))
    for match in _SHARED_HEAD.finditer(text):
        head = match.group(3)[:-1].capitalize()  # "Seas" -> "Sea"
        second = match.group(2)
        first_names = [f"{match.group(1)} {' '.join(second.split()[1:])} {head}".replace("  ", " "),
                       f"{match.group(1)} {head}"]
        for start, end, names in ((match.start(1), match.end(1), first_names),
                                  (match.start(2), match.end(3), [f"{second} {head}"])):
            place = next((p for name in names for p in geocoder.gazetteer.candidates(name) if p.kind == "sea"), None)
            if place is not None:
                added.append(PlaceMention(start, end, text[start:end], place, 1.0))
    if not added:
        return places
    taken = SpanIndex([(p.start, p.end) for p in added])
    return sorted([p for p in places if not taken.overlaps(p.start, p.end)] + added, key=lambda p: p.start)


_FUNCTION_WORDS = frozenset(
    "and or for on in at to from with by as is are was were has have had will would said says but of the "
    "that which who while since after before".split()
)


# Nouns an abbreviation qualifies as an adjective ("US troops", "U.K. officials"); a capitalised word
# after it ("U.S. Navy", "US President") does the same.
_QUALIFIED_NOUNS = frozenset(
    "military troops forces force officials official soldiers personnel service servicemembers sailors airmen "
    "marines warships warship ships ship navy army air defense defence government administration president "
    "embassy envoy ambassador side allies ally carrier destroyer destroyers bombers bomber jets jet fighters "
    "aircraft planes drones sanctions intelligence commander commanders diplomats lawmakers senator base bases "
    "presence strategy policy department secretary media nuclear missile missiles special command "
    "counterparts counterpart partners deployment deployments "
    # adjectives that open a noun phrase of forces: "US naval forces", "U.S. ground troops"
    "naval ground armed combat fighter stealth strategic long-range guided-missile attack amphibious "
    "reconnaissance surveillance spy warplanes aircraft-carrier".split()
)


def _used_as_noun(text: str, place: PlaceMention) -> bool:
    """ "Japan and the US agreed", "with the U.K. on Monday": an abbreviation standing for its country,
    not an adjective before a noun ("US troops", "U.S. Navy", "U.S.-led")."""
    if text[place.end: place.end + 1] in ("-", "–", "/"):
        return False
    following = _NEXT_WORD.match(text[place.end: place.end + 30])
    if following is None:
        return True
    word = following.group(1)
    return word[:1].islower() and word.lower() not in _QUALIFIED_NOUNS


def _names_forces_not_place(text: str, place: PlaceMention, kind: str) -> bool:
    """ "U.S. bombers", "US President": an abbreviation used as an adjective names forces, not a place;
    "the White House said": a government seat that shares its name with a town is the government.
    """
    if kind == "government":
        return not (place.place.kind == "country" or place.place.capital)
    if kind not in ("abbreviation", "demonym", "combined"):
        return False
    following = _NEXT_WORD.match(text[place.end: place.end + 30])
    adjective = bool(following and following.group(1).lower() not in _FUNCTION_WORDS)
    return place.role in ("mention", "context") or adjective


_DATELINE = re.compile(
    r"^[ \t]*(?P<line>[A-ZÀ-Þ][A-ZÀ-Þ .'’-]{2,40}(?:,\s*(?:[A-Z]|\d{1,2}\s+[A-Z])[^—–\n(]{0,40}?)?"
    r"(?:\s*\([^)\n]{1,60}\))?)\s*[—–-]{1,2}\s",
    re.MULTILINE,
)
_BASE_WORDS = re.compile(r"\b(?:BASE|AIR STATION|NAVAL STATION|CAMP|FORT|AIRBASE|AFB|RAF)\b")


def _datelines(text: str) -> list[tuple[int, int]]:
    """ "ØRLAND, Norway —", "TOKYO (Reuters) -": where the story was filed, not where it happened."""
    return [(m.start("line"), m.end("line")) for m in _DATELINE.finditer(text)]


class SpanIndex:
    """Spans (organisation names, assets, places, datelines) asked about once per hit, place or
    trigger: sorted once, with the farthest end reached so far, each question is one bisection."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _e in ordered]
        self._reach: list[int] = []
        farthest = -1
        for _s, e in ordered:
            farthest = max(farthest, e)
            self._reach.append(farthest)

    def covers(self, start: int, end: int) -> bool:
        """Some span holds [start, end]."""
        index = bisect_right(self._starts, start)  # the spans starting at or before `start`
        return index > 0 and self._reach[index - 1] >= end

    def overlaps(self, start: int, end: int) -> bool:
        """Some span shares a character with [start, end)."""
        index = bisect_left(self._starts, end)  # the spans starting before `end`
        return index > 0 and self._reach[index - 1] > start


def _names(text: str) -> list[tuple[str, re.Match[str]]]:
    """(kind, match) of every organisation, command, exercise, outlet and ship name, each pattern
    scanned once: places inside names are not places, ship names hide actors, exercise names are
    triggers."""
    return [(kind, match) for pattern, kind in _name_patterns() for match in pattern.finditer(text)]


# "Russia's Defense Ministry": the possessor before an institution's name is a place (the codebook
# lists possessives as toponyms), not part of the name.
_LEADING_POSSESSIVE = re.compile(r"[A-Z][\w.-]*['’]s\s+")


def _name_spans(text: str, names: list[tuple[str, re.Match[str]]], actors: list[ActorHit]) -> list[tuple[int, int]]:
    """Spans of organisation, command, exercise and outlet names: places inside them are not places."""
    spans = [(a.start, a.end) for a in actors if a.actor.kind in ("service", "command")]
    for _kind, match in names:
        start, end = match.span()
        possessive = _LEADING_POSSESSIVE.match(text, start, end)
        spans.append((possessive.end() if possessive else start, end))
    return spans


def _exercise_names(names: list[tuple[str, re.Match[str]]]) -> list[TriggerMention]:
    """A named exercise ("Talisman Sabre 2025", "Joint Sword-2024A") says what kind of event it is."""
    return [TriggerMention(m.start(), m.end(), m.group(0), "exercise", 3, "")
            for kind, m in names if kind == "exercise"]


# The names of drills the name patterns do not list, read from how news writes them. A name is one
# to four capitalised words (or all capitals), never a place, actor or asset the other steps found.
_NAME_WORD = r"[A-Z][\w'’]*(?:-[A-Za-z][\w'’]*)*"
_ITERATED = rf"(?:{_NAME_WORD}[^\S\n]+|{_NAME_WORD}-){{0,3}}{_NAME_WORD}[^\S\n-]*-?(?:20\d\d|\d{{2}})[A-Z]?\b"
_QUOTED = r"[“\"](?P<quoted>[A-Z][^”\"\n]{1,40}?)[”\"]"
_DRILL_NAME_PATTERNS = tuple(re.compile(p) for p in (
    # “Hand-in-Hand” army exercise; exercise “Lightning”; drills dubbed “Joint Sea”
    rf"{_QUOTED}(?=[^\S\n]+(?:[\w-]+[^\S\n]+){{0,3}}{_DRILL_WORD})",
    rf"\b{_DRILL_WORD}[^.;:\n]{{0,30}}?(?:called|dubbed|named|code-?named|known as)?[^\S\n]*,?[^\S\n]*{_QUOTED}",
    # "Aman 2017 exercise", "Slavic Brotherhood 2016 joint drills", "exercise Tsentr-2019"
    rf"(?P<iterated>{_ITERATED})(?=[^\S\n]+(?:[\w-]+[^\S\n]+){{0,3}}{_DRILL_WORD})",
    rf"\b{_DRILL_WORD}[^\S\n]*,?[^\S\n]*(?:(?:called|dubbed|named|code-?named|known as)[^\S\n]+)?"
    rf"(?P<after>{_ITERATED})",
    # "drills code-named Northern Forest"
    rf"\b{_DRILL_WORD}[^.;:\n]{{0,30}}?\b(?:called|dubbed|named|code-?named|known as)[^\S\n]+"
    rf"(?P<called>(?:{_NAME_WORD}[^\S\n]+){{0,3}}{_NAME_WORD})",
    # "the Tarang Shakti exercise", "the Bersama Lima drills"
    rf"\bthe[^\S\n]+(?P<plain>(?:{_NAME_WORD}[^\S\n]+){{0,2}}{_NAME_WORD})[^\S\n]+"
    rf"(?:(?:joint|military|naval|air|army|bilateral|trilateral|multinational|annual|combined|"
    rf"international|maritime|field|training|combat)[^\S\n]+){{0,3}}{_DRILL_WORD}",
))
# Words no name read beside a drill or a ship's type is made of: function words, months and days.
_NOT_NAME_WORDS = frozenset(
    "a an the in at on of for to from by with and or as since until after before during this that these those "
    "its their his her our off near into was were is are has have had will would first second third last next "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split())
# ... nor does a drill's name start with a word that says only whose or what kind of drill it is ("the
# Joint Naval exercise", "the Navy's exercise").
_NOT_DRILL_NAMES = _NOT_NAME_WORDS | frozenset(
    "latest new annual joint combined military naval navy army air force forces marine marines allied bilateral "
    "trilateral multinational international large-scale major nato un eu pla us uk exercise exercises drill drills "
    "live-fire field command staff training".split())


def _drill_names(text: str, taken: SpanIndex) -> list[TriggerMention]:
    """Named drills the name patterns do not list: "the Tarang Shakti exercise", "Aman 2017",
    exercise “Lightning” (a named drill is a trigger, and the event's name)."""
    found: dict[int, TriggerMention] = {}
    for pattern in _DRILL_NAME_PATTERNS:
        group = next(g for g in ("quoted", "iterated", "after", "called", "plain") if g in pattern.groupindex)
        for match in pattern.finditer(text):
            start, end = match.span(group)
            while end > start and text[end - 1] in ",;:.":  # “Cooperation 3,”
                end -= 1
            name = text[start:end]
            words = [w.lower() for w in re.split(r"[\s-]+", name) if w and not w[0].isdigit()]
            if not words or words[0] in _NOT_DRILL_NAMES or start in found or taken.overlaps(start, end):
                continue
            if name.endswith(("'", "’", "'s", "’s")):
                continue  # "the Guards’ naval drills": whose drills, not their name
            found[start] = TriggerMention(start, end, name, "exercise", 3, "")
    return sorted(found.values(), key=lambda t: t.start)


def _ship_names(names: list[tuple[str, re.Match[str]]]) -> list[tuple[int, int]]:
    return [m.span() for kind, m in names if kind == "ship"]


def _with_named_ships(names: list[tuple[str, re.Match[str]]], assets: list[AssetHit], actors: list[ActorHit],
                      catalogue: Catalogue) -> list[AssetHit]:
    """The assets plus every prefixed ship name the catalogue does not know ("INS Delhi arrived in
    Colombo"): a warship of the prefix's country. A type word already stands for "the frigate
    Hessen", and a ship the catalogue lists ("USS Nimitz") is found as itself."""
    prefixes = {a.start: a.actor.countries for a in actors if a.actor.ship_prefix}
    if not prefixes:
        return assets
    taken = SpanIndex([(a.start, a.end) for a in assets])
    named = [AssetHit(m.start(), m.end(), m.group(0), catalogue.named_ship(m.group(0), prefixes[m.start()]))
             for kind, m in names
             if kind == "ship" and m.start() in prefixes and not taken.overlaps(m.start(), m.end())]
    return _with_added(assets, named)


# "570 GSDF members", "1,000 members of the armed forces": a head count of a named force or of a
# country's military. "Members" alone is no force ("NATO members", "50 press members").
_COUNTED_MEMBERS = re.compile(
    r"\b\d[\d,]*\s+(?:(?P<who>[A-Z][\w.-]*(?:\s[A-Z][\w.-]*){0,2})\s+)?(?P<members>members)\b"
    r"(?P<of>\s+of\s+(?:the\s+|its\s+|their\s+)?(?:[A-Z][\w'’.-]*\s+){0,3}"
    r"(?:[Aa]rmed\s+[Ff]orces|[Mm]ilitary|[Aa]rmy|[Nn]avy|[Aa]ir\s+[Ff]orce|[Dd]efen[cs]e\s+[Ff]orces?|[Mm]arines)\b)?")


def _with_counted_members(text: str, assets: list[AssetHit], actors: list[ActorHit],
                          catalogue: Catalogue) -> list[AssetHit]:
    if "members" not in text:
        return assets
    actor_spans = {(a.start, a.end) for a in actors}
    taken = SpanIndex([(a.start, a.end) for a in assets])
    personnel = catalogue.by_id["asset:personnel"]
    counted = []
    for match in _COUNTED_MEMBERS.finditer(text):
        named_force = match.group("who") is not None and match.span("who") in actor_spans
        if not (named_force or match.group("of")) or taken.overlaps(match.start("members"), match.end()):
            continue
        counted.append(AssetHit(match.start("members"), match.end(), text[match.start("members"): match.end()],
                                personnel))
    return _with_added(assets, counted)


# "part of the group of four Russian vessels", "a flotilla of three vessels": vessels in a naval group
# are warships ("vessels" alone may be merchant ships, so it is no alias of theirs).
_GROUPED_VESSELS = re.compile(
    r"\b(?:group|flotilla|squadron|detachment|formation|task\s+group|task\s+force)\s+of\s+"
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:[A-Z][\w-]*\s+)?(?P<vessels>vessels)\b")


def _with_grouped_vessels(text: str, assets: list[AssetHit], catalogue: Catalogue) -> list[AssetHit]:
    if "vessels" not in text:
        return assets
    warship = catalogue.by_id["asset:warship"]
    grouped = [AssetHit(m.start("vessels"), m.end("vessels"), m.group("vessels"), warship)
               for m in _GROUPED_VESSELS.finditer(text)]
    return _with_added(assets, grouped)


def _with_added(assets: list[AssetHit], added: list[AssetHit]) -> list[AssetHit]:
    """The assets and some found by another reading, in text order."""
    return sorted(assets + added, key=lambda hit: hit.start) if added else assets


# A ship's name right after its type: "the frigate Admiral Makarov", "Naval Ship (INS) 'Delhi'",
# "Naval Ships Whirlwind (PC-11) and Squall (PC-7)", "Hospital Ship Peace Ark".
_SHIP_NAME_WORD = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?|[A-Z]{3,}"
_TYPED_NAME = re.compile(
    r"[^\S\n]*(?:\((?P<prefix>[A-Z]{2,5})\)[^\S\n]*)?['‘\"“]?"
    rf"(?P<name>(?:{_SHIP_NAME_WORD})(?:[^\S\n](?:{_SHIP_NAME_WORD})){{0,2}})['’\"”]?"
    r"(?:[^\S\n]*\((?P<hull>[A-Z]{1,4}[- ]?\d{1,4})\))?")
_NEXT_TYPED_NAME = re.compile(r"[^\S\n]*(?:,|and)[^\S\n]+" + _TYPED_NAME.pattern.removeprefix(r"[^\S\n]*"))
# ... nor a ship's name a headline's verb or a type word.
_NOT_SHIP_NAMES = _NOT_NAME_WORDS | frozenset(
    "arrives arrive arrived arriving sails sail sailed docks docked visits visited leaves left enters entered joins "
    "joined returns returned departs departed transits transited makes holds conducts deployed deploys begins began "
    "heads headed navy naval ship ships vessel vessels class type two three four five six seven eight nine ten".split())


def _with_typed_names(text: str, assets: list[AssetHit], actors: list[ActorHit],
                      catalogue: Catalogue) -> list[AssetHit]:
    """The assets with a ship's type followed by its name read as that named ship ("the frigate
    Admiral Makarov" is the frigate Admiral Makarov; a prefix in brackets says whose it is)."""
    taken = SpanIndex([(a.start, a.end) for a in assets] + [(a.start, a.end) for a in actors])
    named: list[AssetHit] = []
    replaced: set[int] = set()
    for hit in assets:
        if hit.asset.category not in SHIP_CATEGORIES or hit.asset.id.startswith(NAMED_SHIP_PREFIX):
            continue  # a prefixed name ("INS Delhi") is a named ship already
        found: list[tuple[re.Match[str], int]] = []  # each name and where it ends
        match = _TYPED_NAME.match(text, hit.end)
        while match is not None:
            end = _ship_name_end(text, match)
            if end is None or taken.overlaps(match.start("name"), end):
                break
            found.append((match, end))
            # "Whirlwind (PC-11) and Squall (PC-7)", "Naval Ships Kolkata and Shakti": a list of names
            # goes by hull numbers, or follows a plural type
            listing = bool(match.group("hull")) or hit.text.endswith("s")
            if not listing or end < match.end("name"):
                break
            match = _NEXT_TYPED_NAME.match(text, match.end())
            if match is not None and not (match.group("hull") or hit.text.endswith("s")):
                break
        for match, end in found:
            prefix = match.group("prefix")
            alias = catalogue.actor_alias(prefix) if prefix else None
            if alias is not None and not alias.ship_prefix:
                alias = None
            own = text[match.start("name"): end]
            name = f"{prefix} {own}" if alias else own
            kind = None if _is_generic_ship(hit.asset) else hit.asset
            start = hit.start if match is found[0][0] else match.start("name")  # the type word with the first
            named.append(AssetHit(start, end, text[start:end],
                                  catalogue.named_ship(name, alias.countries if alias else (), kind)))
        if found:
            replaced.add(id(hit))
    if not named:
        return assets
    return sorted([a for a in assets if id(a) not in replaced] + named, key=lambda hit: hit.start)


def _ship_name_end(text: str, match: re.Match[str]) -> int | None:
    """Where the name read after a ship's type ends: before the first word no name has ("Peace Ark
    Arrives in Ecuador", a headline's verb); None when it starts with one ("warship Monday")."""
    end = match.start("name")
    for word in re.finditer(r"\S+", match.group("name")):
        if any(part.lower() in _NOT_SHIP_NAMES for part in word.group(0).split("-")):
            break
        end = match.start("name") + word.end()
    return end if end > match.start("name") else None


def _is_generic_ship(asset: AssetType) -> bool:
    return asset.family in ("warship", "vessel") or asset.family.lower() == asset.category


_TOKEN = re.compile(r"[\w'’-]+|[,;:()\"“”]")


# What lies between two places of a sentence.
# "in Astrakhan Oblast, Dagestan and ...": an administrative word after a place name stays in the list.
ADMIN_WORD = r"(?:\s+(?:[Oo]blast|[Pp]rovince|[Rr]egion|[Kk]rai|[Dd]istrict|[Gg]overnorate|[Pp]refecture|[Cc]ounty))?"
_LIST_GAP = re.compile(ADMIN_WORD + r"\s*(?:(?:,\s*)?(?:and|or|as well as|,)\s+(?:the\s+)?|/\s*(?:the\s+)?)")
_TO_GAP = re.compile(r"\s+to\s+(?:the\s+)?")
_BRACKET_GAP = re.compile(r"\s*\(\s*")
_COMMA_GAP = re.compile(r"\s*,\s*")
_IN_GAP = re.compile(r"\s+in\s+(?:the\s+)?")  # "Ishigaki Island in Okinawa Prefecture"
# An appositive noun phrase that describes the place before it by another: ", a crucial waterway near
# the mouth of the" (a clause, ", a battery will be stationed in", names a place of its own).
_DESCRIBED = re.compile(
    r",\s+an?\s+(?:[\w-]+\s+){0,3}(?:waterway|route|port|city|town|island|strait|sea|gulf|bay|region|province|"
    r"base|country|channel|passage|chokepoint|area|territory|exclave|enclave|archipelago|peninsula|lane|corridor)"
    r"\s+(?:near|off|at|in|on|by|of|to|between)\s+(?:the\s+)?(?:(?:mouth|entrance|coast|edge|tip)\s+of\s+(?:the\s+)?)?")
_LOCATOR_GAP = re.compile(r"[\s\w'’-]*\b(?:in|on|at|near|of)\s+(?:the\s+)?(?:\w+\s+)?")
_NEXT_WORD = re.compile(r"\s+([A-Za-z][\w'-]*)")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")


def _assign_roles(text: str, sentence: Sentence, places: list[PlaceMention]) -> None:
    """What each place is in its sentence, from the words just before it.

    "over the Baltic Sea" -> location; "from RAF Fairford" -> origin; "with Finland" -> partner;
    "leaders met in Madrid" -> venue; "invasion of Ukraine" -> context; "Rota, Spain" -> the
    second is a qualifier of the first; "Finland and Sweden" -> Sweden takes Finland's role.
    """
    if not places:
        return
    prepositions, words = _role_tables()
    previous: PlaceMention | None = None
    bracketed_after: PlaceMention | None = None  # "France" while "(New Caledonia)" qualifies it
    # The sentence's tokens up to its last place, read once; each place takes the last few before it.
    token_spans = [m.span() for m in _TOKEN.finditer(text, sentence.start, places[-1].start)]
    token_starts = [start for start, _end in token_spans]
    for place in places:
        tokens = _tokens_before(text, token_spans, bisect_left(token_starts, place.start), place.start)
        role = _role_from_tokens(tokens, prepositions, words)
        gap = text[previous.end: place.start] if previous else ""
        outer, bracketed_after = bracketed_after, None
        if outer is not None and gap[:1] == ")" and _LIST_GAP.fullmatch(gap[1:]):
            role = outer.role  # "Canada, France (New Caledonia), Germany": the list goes on past the brackets
        elif previous is not None and _qualifies(previous, place, gap):
            role = "qualifier"  # "Rota, Spain", "Fort Stewart, Georgia", "Hmeimim air base in Syria"
        elif previous is not None and _LIST_GAP.fullmatch(gap):
            # "... Marines to Poland, and the United States has ordered ...": a new subject, not a place
            role = "mention" if "," in gap and _SUBJECT_VERB.match(text, place.end) else previous.role
        elif previous is not None and _TO_GAP.fullmatch(gap) \
                and _SPAN_FROM.search(text, max(sentence.start, previous.start - 30), previous.start):
            role = previous.role = "context"  # "would stretch from the Baltic to the Black Sea": an extent
        elif previous is not None and _BRACKET_GAP.fullmatch(gap):
            role, bracketed_after = "qualifier", previous
        elif previous is not None and _DESCRIBED.fullmatch(gap):
            role = "qualifier"  # "the Gulf of Oman, a crucial waterway near the mouth of the Persian Gulf"
        elif previous is not None and previous.place.kind in ("installation", "city") and _NEAR.fullmatch(gap):
            role = "qualifier"  # "Severomorsk near Murmansk": the town only says where the base is
        elif previous is not None and _CONTAINER_OF.fullmatch(gap):
            role, previous.role = previous.role, "qualifier"  # "the Baltic Sea island of Gotland"
        if role == "mention" and place.place.kind in ("sea", "region", "country") \
                and _EVENT_NOUN.match(text[place.end: place.end + 40]):
            role = "location"  # "NATO's annual Baltic Sea naval exercise"
        if role in LOCATING_ROLES and place.place.kind == "country" and _POSSESSOR.match(text, place.end):
            role = "mention"  # "submarines in Russia's fleet": whose forces, not where they are
        if role in LOCATING_ROLES and place.place.capital and _GOVERNMENT_POSSESSIVE.match(text, place.end):
            role = "mention"  # "to Moscow's annoyance", "Beijing's claims": the government, not the city
        if role in LOCATING_ROLES and (
                (place.place.capital and _GOVERNMENT_ACTS.match(text, place.end)
                 and not _JUST_AFTER_PREPOSITION.search(text, max(sentence.start, place.start - 12), place.start))
                or (place.place.kind == "city"
                    and _GOVERNMENT_IN.search(text, max(sentence.start, place.start - 40), place.start))):
            role = "mention"  # "a port Beijing leases", "the cabinet in The Hague agreed": the government
        if role in LOCATING_ROLES and place.place.kind == "country" and _COUNTRY_AS_MODIFIER.match(text, place.end) \
                and not _JUST_AFTER_PREPOSITION.search(text, max(sentence.start, place.start - 12), place.start):
            role = "mention"  # "the United States military said": whose forces or government, not a place
        if role in LOCATING_ROLES and _APPOSITIVE_HOME.search(text, max(sentence.start, place.start - 120),
                                                              place.start):
            role = "origin"  # "The 101st, based at Fort Campbell, ...": where a unit lives, not where it went
        if role in LOCATING_ROLES and _FOR_MEETING.match(text, place.end):
            role = "venue"  # "flew to Tokyo for a summit with Prime Minister Fumio Kishida"
        if role in LOCATING_ROLES and _negated(text, sentence, place):
            role = "excluded"
        place.role = role
        previous = place


_ROLE_TOKENS = 24  # the role reading looks at most this many tokens back from a place


def _tokens_before(text: str, spans: list[tuple[int, int]], count: int, end: int) -> list[str]:
    """The last _ROLE_TOKENS of the first `count` token spans, lower-cased, cut at `end` (a token
    running into the place's name ends where the name begins)."""
    tokens = [text[start:stop].lower() for start, stop in spans[max(0, count - _ROLE_TOKENS): count]]
    if tokens and spans[count - 1][1] > end:
        tokens[-1] = text[spans[count - 1][0]: end].lower()
    return tokens


_APPOSITIVE_HOME = re.compile(r",\s*(?:(?:normally\s+|usually\s+|permanently\s+)?(?:based|headquartered|garrisoned|"
                              r"stationed|home-?ported)|whose\s+(?:headquarters|home\s+base|home\s+port|base|garrison)"
                              r"\s+(?:is|are|was|lies))\s+(?:at|in|on|near)\s+(?:the\s+)?$", re.IGNORECASE)
# "in Russia's fleet", "Japan's navy": a country owning forces; the sentence says whose they are.
_POSSESSOR = re.compile(r"['’]s\s+(?:own\s+|\w+\s+)?(?:fleet|navy|army|air force|armed forces|military|forces|"
                        r"arsenal|inventory)\b", re.IGNORECASE)
# A capital's possessive names its government, unless what follows is ground or sea ("Tokyo's port").
_GOVERNMENT_POSSESSIVE = re.compile(r"['’]s\s+(?!(?:\w+\s+)?(?:port|harbou?r|airport|outskirts|suburbs?|"
                                    r"streets?|centre|center|districts?|waters|airspace|coast|skies|bay)\b)")
# A capital as the subject of a verb, or a city where a government sits, stands for the government
# (the codebook: such a capital is a toponym but no event's place).
_GOVERNMENT_ACTS = re.compile(r"\s+(?:has|have|had|is|was|says|said|leases|leased|wants|wanted|denies|denied|"
                              r"claims|claimed|insists|insisted|warns|warned|accuses|accused|fears|feared|sees|saw|"
                              r"views|viewed|considers|regards|agreed|agrees|approved|rejected|protested|"
                              r"condemned|responded|hopes|believes|announced)\b")
_JUST_AFTER_PREPOSITION = re.compile(r"\b(?:in|at|to|into|from|near|over|off|on|towards?|across|around|outside|"
                                     r"inside|via)\s+(?:the\s+)?$", re.IGNORECASE)
_GOVERNMENT_IN = re.compile(r"\b(?:government|cabinet|parliament|ministry|leadership|policymakers|regime|"
                            r"embass(?:y|ies))\s+(?:in|at)\s+(?:the\s+)?$", re.IGNORECASE)
_COUNTRY_AS_MODIFIER = re.compile(r"\s+(?:military|armed\s+forces|forces|navy|army|air\s+force|government|"
                                  r"officials|administration|president|embassy|defen[cs]e\s+(?:ministry|department|"
                                  r"officials|secretary|minister))\b", re.IGNORECASE)
_FOR_MEETING = re.compile(r"\s+for\s+(?:a\s+|an\s+|the\s+)?(?:[\w-]+\s+)?(?:summit|talks|meeting|meetings|"
                          r"conference|ceremony|signing)\b")
_SPAN_FROM = re.compile(r"\b(?:stretch|stretches|stretching|extend|extends|extending|span|spans|spanning|"
                        r"ranging|reach|reaching)\s+(?:all\s+the\s+way\s+)?from\s+(?:the\s+)?$")
# "..., and the Netherlands and Germany are preparing": the subject of a new clause (one or two names).
_SUBJECT_VERB = re.compile(r"(?:\s+and\s+(?:the\s+)?[A-Z][\w-]+(?:\s[A-Z][\w-]+)?)?"
                           r"\s+(?:(?:has|have|had)\s+\w+ed|said|says|sent|ordered|deployed|"
                           r"will\s+(?:also\s+)?(?:send|deploy|dispatch|contribute|provide|join|host)|"
                           r"(?:is|are|was|were)\s+(?:also\s+|now\s+)?\w+ing|"
                           r"plans?|intends?|agreed|announced|decided|offered|pledged|promised)\b")
_NEAR = re.compile(r"\s+(?:near|outside|close to|just outside)\s+(?:the\s+)?(?:city\s+of\s+)?")
_CONTAINER_OF = re.compile(r"\s+(?:island|islands|region|province|city|port|town|oblast|state|coast|archipelago)"
                           r"\s+of\s+(?:the\s+)?")
_EVENT_NOUN = re.compile(
    r"^(?:['’]s)?\s+(?:(?:biggest|largest|annual|first|latest|new)\s+)?"
    r"(?:(?:naval|air|joint|military|annual|large-scale|major|combined)\s+){0,3}"
    r"(?:exercises?|drills?|patrols?|wargames?|manoeuvres|maneuvers|deployments?|missions?|sorties?|flights?|"
    r"operations?)\b"
)


def _qualifies(previous: PlaceMention, place: PlaceMention, gap: str) -> bool:
    """The place only says where the previous, more specific one is."""
    if place.place.kind not in ("country", "region") or previous.place.kind not in ("installation", "city", "region"):
        return False
    if previous.place.kind == "region" and place.place.kind == "region":
        # "Crimea, Ukraine"-like only when the second holds the first: "Queensland, Northern Territory,
        # Western Australia" is a list
        west, south, east, north = place.place.covered.bounds
        inside = west <= previous.place.lon <= east and south <= previous.place.lat <= north
        return inside and bool(_COMMA_GAP.fullmatch(gap) or _IN_GAP.fullmatch(gap))
    if _COMMA_GAP.fullmatch(gap):
        return True
    same_country = (bool(place.place.country) and place.place.country == previous.place.country) \
        or (place.place.kind == "country" and place.place.id == f"country:{previous.place.country}")
    return same_country and len(gap) <= 40 and bool(_LOCATOR_GAP.fullmatch(gap))


# "flew missions over several areas in the European theatre, including Estonia, ...": the places of
# a list after a plural area noun are where that preposition put the areas.
_LISTING = frozenset({"including", "notably", "especially", "among"})
_AREA_NOUNS = frozenset({"areas", "regions", "locations", "sites", "places", "waters", "theatre", "theater",
                         "theatres", "bases", "ports", "seas", "countries", "nations", "parts", "destinations"})


def _listed_in_area(tokens: list[str], prepositions: dict[str, str]) -> str | None:
    """The locating (or partner) role of "<preposition> ... <areas>, including" ending `tokens`, if
    they end so."""
    index = len(tokens) - 1
    if index < 1 or tokens[index] not in _LISTING:
        return None
    index -= 1
    if tokens[index] == ",":
        index -= 1
    if index < 1 or tokens[index] not in _AREA_NOUNS:
        return None
    for token in reversed(tokens[max(0, index - 6): index]):
        if token in prepositions:
            role = prepositions[token]
            # "with participating nations including Canada, France, ...": the partners that take part
            return role if role in LOCATING_ROLES or role == "partner" else None
        if token in (",", ";", ":", "(", ")"):
            return None
    return None


def _role_from_tokens(tokens: list[str], prepositions: dict[str, str], words: dict[str, str]) -> str:
    listed = _listed_in_area(tokens, prepositions)
    if listed is not None:
        return listed
    index = len(tokens) - 1
    skipped = 0
    while index >= 0 and skipped <= 6:
        token = tokens[index]
        if token in prepositions and not (token == "of" and index > 0 and words.get(tokens[index - 1]) == "skip"):
            role = prepositions[token]
            previous = tokens[index - 1] if index > 0 else ""
            if token == "of" and words.get(_before_aside(tokens, index)) == "forces":
                return "partner"  # "the air forces of Finland, Norway and Sweden": whose forces take part
            if role == "context":
                return "context"
            if role in LOCATING_ROLES and words.get(f"{previous} {token}") == "location":
                return role  # "called at Busan" is a port call, though "called on Washington" is not
            if role in LOCATING_ROLES and token in _STATIC_PREPOSITIONS and _from_earlier(tokens[:index]):
                return "origin"  # "flew in from the 7th Bomb Wing at Dyess"
            if role in LOCATING_ROLES and any(words.get(t) == "origin" for t in tokens[max(0, index - 6): index]):
                return "origin"  # "normally based at Whiteman"
            if role in LOCATING_ROLES and previous in ("visit", "visits") and index > 1 \
                    and tokens[index - 2] in _PORT_CALL:
                return role  # "during their visit to Karachi", "a port visit to Manila": a port call
            if role in LOCATING_ROLES and words.get(previous) == "venue":
                return "venue"
            if token in _STATIC_PREPOSITIONS and words.get(previous) == "ranking":
                return "context"  # "Turkey's first in the Middle East": a comparison, not a site
            if role in LOCATING_ROLES and words.get(previous) == "context":
                return "context"
            return role
        if words.get(token) == "skip" or token == "of":
            index -= 1
            skipped += 1
            continue
        if words.get(token) == "context":
            return "context"
        return "mention"
    return "mention"


_STATIC_PREPOSITIONS = frozenset({"at", "in", "on", "near"})
# Whose visit it is: the ships' own ("their visit"), or a kind of visit only ships make.
_PORT_CALL = frozenset({"port", "goodwill", "their", "its", "her", "friendly", "logistics", "replenishment"})


def _before_aside(tokens: list[str], index: int) -> str:
    """The token before tokens[index], past a bracketed aside: "the air forces (Air Force) of"."""
    index -= 1
    if index >= 0 and tokens[index] == ")":
        while index >= 0 and tokens[index] != "(":
            index -= 1
        index -= 1
    return tokens[index] if index >= 0 else ""


def _from_earlier(tokens: list[str]) -> bool:
    """A "from" a few words back, with no verb-like break between: the phrase is still an origin."""
    recent = tokens[-7:]
    for index in range(len(recent) - 1, -1, -1):
        token = recent[index]
        if token == "," and index + 1 < len(recent) and _ORDINAL.fullmatch(recent[index + 1]):
            continue  # "from the 3rd Battalion, 12th Marines on Okinawa": one unit's name
        if token in (",", ";", "and", "to", "into", "over", "then"):
            return False
        if token == "from":
            return True
    return False


_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")
# Both read the folded (lower-case) text: without IGNORECASE the engine skips ahead to first letters.
_NEGATION = FoldedPattern(r"\b(?:not|never|no|none|n't|won't|rule[sd]? out|ruling out|refus\w+|without)\b")
# "Correction: an earlier post said the units would go to Poland": what a correction takes back.
_HYPOTHETICAL = FoldedPattern(r"\b(?:suggested|proposal|proposed|instead|rather than|hypothetical|"
                              r"an earlier (?:version|post|report|story|update|article))\b")
# "troops in the United States had been placed on heightened alert to deploy to Europe if NATO
# activates its response force": readiness or a condition, not a move (said anywhere in the clause).
_CONDITIONAL = FoldedPattern(r"\b(?:if|unless|on (?:heightened |high |short )?(?:alert|standby|notice))\b")


_CLAUSE_BREAK = FoldedPattern(r"[,;]")


def _negated(text: str, sentence: Sentence, place: PlaceMention) -> bool:
    """ "will not enter Ukraine", "no plans to send troops to Taiwan", "had suggested ... be placed in
    Ukraine instead": the place is out of scope."""
    # Only the place's own clause: in "..., which carries cruise missiles rather than ballistic
    # missiles, also called at Busan" the "rather than" is about the missiles.
    folded = fold_article(text)
    before = _CLAUSE_BREAK.split(folded[max(sentence.start, place.start - 60): place.start])[-1]
    after = folded[place.end: min(sentence.end, place.end + 25)]
    clause_after = _CLAUSE_BREAK.split(folded[place.end: min(sentence.end, place.end + 45)])[0]
    return bool(_NEGATION.search(before) or _HYPOTHETICAL.search(before + " " + after)
                or _CONDITIONAL.search(before + " " + clause_after))
