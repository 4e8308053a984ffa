"""Turn an article into force-posture events: clean -> mentions -> events per sentence -> merge.

Within a sentence, each place used as a location opens a segment that reaches back to the
previous location: the assets, counts and trigger words in that segment belong to its event
("two F-35 squadrons will be sent to the United Kingdom, a SHORAD battery will be stationed in
Italy, and 625 troops ... in Germany" gives three events). A location joined to the previous one
by "and" with nothing of its own extends that event ("over the Sea of Japan and the East China
Sea"). Events that repeat across sentences of one article are merged.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice

import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.budget import UNLIMITED, TimeBudget
from geo.errors import InputError
from geo.events import Asset, Event, EventPlace, EventSource, event_id
from geo.extract.article import Article, read_article, read_article_bytes
from geo.extract.catalogue import ActorHit, AssetHit, Catalogue, load_catalogue
from geo.extract.dates import PublicationDate, parse_published
from geo.extract.mentions import (
    LOCATING_ROLES,
    Mentions,
    PlaceMention,
    Sentence,
    SpanIndex,
    TriggerMention,
    find_mentions,
)
from geo.gazetteer import FoldedPattern, fold_article, fold_text, haversine_km
from geo.geocode import OfflineGazetteer, default_geocoder

__all__ = ["ExtractionResult", "Extractor", "default_extractor", "extract_file", "extract_text"]

_FUTURE = FoldedPattern(
    r"\b(?:will|would|shall|plans? to|planned|planning|intends? to|intention|to be (?:sent|deployed|stationed)|"
    r"is to|are to|set to|expected to|considering|proposed|could|may|might|announce[sd]? (?:that|plans))\b")
_OBSERVED = FoldedPattern(
    r"\b(?:arrived|landed|flew|conducted|completed|took part|participated|deployed|was deployed|were deployed|"
    r"patrolled|sailed|transited|entered|held|carried out|staged|touched down|operated)\b")
_ACTOR_FOLLOWERS = FoldedPattern(
    r"^(?:['’]s\s+(?!(?:full-scale\s+)?(?:invasion|aggression|war|attack|annexation|occupation|coast|waters|"
    r"airspace|border|territory|capital|president|leader|government|foreign|expansion|expansionism|assertiveness|"
    r"ambitions|behaviou?r|militari[sz]ation|claims?|control|air[\s-]defen[cs]e identification zone|"
    r"exclusive economic zone)\b)"
    # "Turkey on Monday sent ...": a day between the subject and its verb
    r"|\s*(?:(?:on|last|this|early|late)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|"
    r"month)\s*,?\s*)?"
    r"(?:will|would|has|have|had|is|are|was|were|intends|plans|plan|sent|sends|deployed|deploys|dispatched|"
    r"military|forces|troops|navy|air force|army|bombers|aircraft|jets|warships|ships|announced|said it|to send|"
    r"to deploy|also|and its|said|says|announced|confirmed)\b)")
# "Iran, Russia and China begin ...": countries listed before a verb all act.
_LISTED_SUBJECT = re.compile(r"^(?:,\s*[A-Z][\w-]+(?:\s[A-Z][\w-]+)?)*,?\s+and\s+[A-Z][\w-]+(?:\s[A-Z][\w-]+)?\s+"
                             r"(?:will\s+|have\s+|had\s+)?(?:begin|began|begun|start|started|hold|held|launch|"
                             r"launched|stage|staged|conduct|conducted|join|joined|sent|send|deploy|deployed)\b")
_CAUSE_NOUNS = FoldedPattern(
    r"^\s*(?:'s\s+|’s\s+)?(?:full-scale\s+)?(?:invasion|aggression|war|attack|attacks|threat|threats|annexation|"
    r"occupation|provocation|provocations|pressure|posturing|embassy|ambassador|president|leader|officials?|"
    r"coast|coastline|waters|airspace|border|borders|territory|side|capital|media|military activity|activity|"
    r"claims?|mainland|build-?up|troop build-?up|massing|port|ports|city|cities|town|island|islands|region|"
    r"province|peninsula|archipelago|base|bases|objections?|"
    r"protests?|concerns?|opposition|criticism|warnings?|expansion|assertiveness|ambitions|control|"
    r"militari[sz]ation|behaviou?r)\b")
# "since shortly before the Russian invasion in late February": the date of another event.
# ("since mid-April" alone is the start of this one.)
_BACKGROUND_DATE = FoldedPattern(r"\b(?:(?:before|after|until|prior to)\s+(?:\w+\s+){0,5}|since\s+(?:\w+\s+){2,6})$")
# "..., where MQ-9 drones have been operating since last year,": that date describes the place.
_IN_RELATIVE_CLAUSE = re.compile(r",\s*where\b[^,;]*$", re.IGNORECASE)
_RELATIVE_CLAUSE = re.compile(r"[^,;]{0,40},\s*(?:where|which|home to|hosting|whose)\b[^,;]*")
# "detached from the UK Carrier Strike Group", "hosted by the Army's 3rd Brigade": not the unit that moved.
_LEFT_BEHIND = FoldedPattern(r"\b(?:detached from|left|leaving|separated from|split from|hosted by)\s+(?:the\s+)?"
                             r"(?:[\w'’]+\s+){0,2}$")
_NON_STATE = FoldedPattern(r"\b(?:hamas|hezbollah|houthis?|militants?|rebels?|taliban|isis|islamic state|wagner|"
                           r"insurgents?|separatists?|militia|guerrillas?)\s+$")
# "seize merchant ships", "commercial vessels": ships that are not a navy's.
_CIVILIAN = FoldedPattern(r"\b(?:merchant|commercial|cargo|civilian|fishing|container|passenger|cruise)\s+$")
_PATROLLING = frozenset({"bomber", "fighter", "maritime patrol", "reconnaissance", "drone", "early warning",
                         "transport/tanker", "helicopter", "surface combatant", "carrier", "submarine", "amphibious",
                         "aircraft"})
# A patrol's ground is a sea or an area; a force that goes "to" or "into" a port or base arrives there.
_ARRIVING_AT = FoldedPattern(r"\b(?:to|into)\s+(?:the\s+)?$")
_CONVEYANCE = FoldedPattern(r"(?:aboard|on board|onboard|by|on|via|in)\s+(?:\w+\s+){0,2}$")
# "On 18 October the NIS said ... between 8 and 13 October": the day of the report, when the
# sentence dates the event itself too (read on the folded, lower-case text).
_REPORTED_ON = FoldedPattern(r"\s*,?\s*(?:[\w'’.-]+\s+){0,4}?(?:said|says|announced|reported|confirmed|told|stated|"
                             r"added|disclosed|revealed|claimed)\b")
# "China's Eastern Theatre Command said", "German Defence Minister Boris Pistorius told": a
# speaker, whose country need not be the one whose forces the next sentences are about.
_SPEAKER = FoldedPattern(r"(?:['’]s)?(?:\s+[\w.-]+){0,4}?\s+(?:said|says|told|claims?|claimed|warned|protested|"
                         r"condemned|accused|critici[sz]ed|denounced|urged|called)\b")
# "Japan's Joint Staff tracked the detachment", "the ministry recorded Chinese aircraft": who watched,
# not whose forces moved (unless forces of its own stand between: "Japanese destroyers shadowed").
_OBSERVER = FoldedPattern(r"(?:['’]s)?(?:\s+[\w.-]+){0,4}?\s+(?:tracked|monitored|spotted|detected|observed|recorded|"
                          r"shadowed|followed)\b")
_RETURNING = FoldedPattern(r"\b(?:return(?:s|ed|ing)?|came back|coming back|back home|home)\s+(?:\w+\s+){0,2}"
                           r"(?:to|in|at)\s+(?:the\s+)?$")
_OTHER_MOMENT = FoldedPattern(r"\b(?:before|after|until|since)\s+$")
_AT_PLACE = re.compile(r"\b(?:in|at|to|into|near|off|via)\s+$")
# "UK / SPAIN: Two additional F-35 squadrons ...": a live blog's or round-up's section label names
# the topic, not the forces.
_SECTION_LABEL = re.compile(r"[ \t]*[A-Z][A-Z .'’/&,-]{0,40}:")
# "continuing towards the Indian Ocean on their way home": a return, not a deployment there.
_GOING_HOME = FoldedPattern(r"\s*,?\s*(?:on (?:their|its|the|her) (?:way|journey|voyage) (?:home|back)|homeward|"
                            r"to return home)\b")
_REPORTING_DATE = FoldedPattern(r"\b(?:said|says|told|announced|confirmed|stated|reported|added)\s+(?:\w+\s+){0,2}$")
# "over the Sea of Japan and the East China Sea", "in northern Nordland and in Troms": one event's places.
_JOINED = re.compile(r"\s*(?:,\s*)?(?:and|or|as well as|,)\s+(?:(?:in|at|on|over|into|across|to)\s+)?(?:the\s+)?")
_QUOTE_MARKS = ('"', "“", "‘", "'")
_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
MERGE_KM = 100.0
SAME_EVENT_DAYS = 7  # sentences dated further apart report different events
# How many of the events already reported a sentence's event is compared with, to merge it into one:
# the most recently reported. Comparing with every event made a long article quadratic; an
# article reports a few events (at most 8 in every corpus), a live blog or digest thousands.
MERGE_WINDOW = 64
# Events below this are vague on every count (a continent, "aircraft", "is expected to"): not kept.
MIN_CONFIDENCE = 0.4
DRAW_TOLERANCE_DEGREES = 0.01
WIDE_REGION_DEGREES2 = 200.0  # a composite region larger than this (Europe, the Middle East) is vague
_WIDE = frozenset({"sea", "country"})
TRIGGER_REACH = 60.0  # characters over which a trigger word loses one point of priority
_FROM_TO = FoldedPattern(r"\bfrom\s+(\w+(?:,\d{3})?)\s+to\s+(\w+(?:,\d{3})?)\b")


@dataclass(slots=True)
class ExtractionResult:
    article: Article
    events: list[Event]
    mentions: Mentions
    _unresolved: list[str] | None = field(default=None, repr=False)

    @property
    def unresolved(self) -> list[str]:
        """Capitalised names where a place would stand that the gazetteer does not know (worked out
        when first asked: the app and the store ask, a batch extraction need not pay for it)."""
        if self._unresolved is None:
            self._unresolved = _unresolved(self.mentions)
        return self._unresolved

    def to_feature_collection(self) -> dict:
        """RFC 7946 FeatureCollection of the events; extraction notes ride along as foreign members."""
        return {
            "type": "FeatureCollection",
            "features": [e.to_feature() for e in self.events],
            "document": self.article.document,
            "published": self.article.published,
            "dropped": self.article.dropped_summary(),
            "notes": list(self.article.notes),
        }


@dataclass(slots=True)
class _Draft:
    sentence: Sentence
    kind: str
    trigger_priority: int
    places: list[PlaceMention]
    assets: list[Asset]
    actors: list[str]
    partners: list[str]
    date: tuple[dt.date, str] | None
    status: str
    signals: int
    borrowed_assets: bool = False
    ongoing: bool = False  # dated by "since ...": the start of a presence that continues
    area_only: bool = False  # an exercise's area with the forces of the sentences around it
    anaphoric: bool = False  # its assets only refer back: "the ship", "the ships"


_SINCE_BEFORE = FoldedPattern(r"\bsince\s+$")
_WORDS_ONLY = re.compile(r"[\s\w-]*")
_NAME_WORDS_ONLY = re.compile(r"[\s\w'’.-]*")
_LINKING_WORD = re.compile(r"\b(?:of|to|from|in|at|and)\b")
_CLAUSE_END = re.compile(r"[;.]")
_POSSESSIVE_END = re.compile(r"['’]s$")
# "with Japanese fighter jets", unless the clause goes on to its own verb ("with ... flew").
_JOINING_WORDS = ("with", "alongside", "and partners from", "joined by", "including")
_JOINING_BEFORE = re.compile(rf"\b(?:{'|'.join(_JOINING_WORDS)})\s+(?:[\w'’-]+,?\s+){{0,6}}$")
_JOINING_CLAUSE = re.compile(
    r"\b(?:with|alongside|including)\b.*\b(?:flew|deployed|sent|arrived|said|began|will|have|has)\b")


class Extractor:
    def __init__(
        self,
        geocoder: OfflineGazetteer | None = None,
        catalogue: Catalogue | None = None,
        *,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> None:
        self.geocoder = geocoder or default_geocoder()
        self.catalogue = catalogue or load_catalogue()
        self.min_confidence = min_confidence

    def extract(self, article: Article, *, time_budget: object = None) -> ExtractionResult:
        """The article's events. With `time_budget` (seconds), an extraction still running when it is
        spent stops with ExtractionTimeout (checked between stages, sentences and names: it overruns
        by the time of one of them at most).

        `time_budget` is typed `object` so that TimeBudget checks it: compiled, a `float` parameter
        would refuse a string with a TypeError and take True as 1.0, where plain Python says InputError.
        """
        budget = UNLIMITED if time_budget is None else TimeBudget(
            time_budget, f"extracting {article.document!r} ({len(article.text):,} characters)")
        published = parse_published(article.published)
        mentions = find_mentions(article.text, self.geocoder, self.catalogue, published, budget)
        # Actors are asked for per sentence and again per segment: each span is read once.
        named = _named_countries_in(mentions)
        actors_in: Callable[[int, int], list[str]] = functools.cache(
            lambda start, end: self._actors(mentions, start, end, named))
        drafts: list[_Draft] = []
        previous_actors: list[str] = []
        last_date: tuple[dt.date, str] | None = None
        paragraph = -1
        ongoing = False
        # The cue patterns read the folded text (lower case, accents off): no IGNORECASE to slow them.
        folded = fold_article(article.text)
        for number, sentence in enumerate(mentions.sentences):
            budget.check("reading events from sentences")
            ahead = mentions.sentences[number + 1: number + 3]
            lookahead = (ahead[0].start, ahead[-1].end) if ahead else (sentence.end, sentence.end)
            behind = mentions.sentences[max(0, number - 2)] if number else sentence
            if sentence.paragraph != paragraph:
                paragraph, last_date, ongoing = sentence.paragraph, None, False
            sentence_dates = [
                d for d in mentions.within(mentions.dates, sentence.start, sentence.end)
                if not _BACKGROUND_DATE.search(folded[max(sentence.start, d.start - 60): d.start])
                and not _REPORTING_DATE.search(folded[max(sentence.start, d.start - 25): d.start])
                and not _IN_RELATIVE_CLAUSE.search(article.text[sentence.start: d.start])
                and d.text[:5].lower() not in ("until", "till ")  # "stay in Poland until December": an end
            ]
            if len(sentence_dates) > 1 and _REPORTED_ON.match(folded, sentence_dates[0].end):
                sentence_dates = sentence_dates[1:]
            if sentence_dates:
                last_date = (_range_start(article.text, sentence_dates[0],
                                          _ahead_if_planned(sentence_dates[0], sentence, published)),
                             sentence_dates[0].precision)
                opening_date = sentence_dates[0].start
                ongoing = bool(_SINCE_BEFORE.search(folded[max(0, opening_date - 8): opening_date]))
            elif number + 1 < len(mentions.sentences) and last_date is None:
                # "The Army has deployed Typhon to Luzon. It was flown in on April 11 ...": the next
                # sentence often carries the day the lead leaves out.
                following = mentions.sentences[number + 1]
                later = [d for d in mentions.within(mentions.dates, following.start, following.end)
                         if d.precision == "day" and not _REPORTING_DATE.search(
                             folded[max(following.start, d.start - 25): d.start])]
                if later and not _locations_in(mentions, following):
                    last_date = (later[0].date, later[0].precision)
            dated = [(d.start, (_range_start(article.text, d, _ahead_if_planned(d, sentence, published)), d.precision))
                     for d in sentence_dates]
            found = self._sentence_events(mentions, sentence, previous_actors, last_date, lookahead, behind.start,
                                          actors_in, dated)
            for draft in found:
                draft.ongoing = ongoing and draft.date == last_date
                drafts.append(draft)
            if not found and drafts and drafts[-1].sentence.paragraph >= sentence.paragraph - 1:
                # "The U.S. bombers conducted a routine mission with Finland and Sweden.": partners
                # named in the next sentence join the event just reported.
                partners = [p.place.country for p in mentions.within(mentions.places, sentence.start, sentence.end)
                            if p.role == "partner" and p.place.country]
                partners += self._partner_actors(mentions, sentence)
                drafts[-1].partners = sorted(set(drafts[-1].partners) | {
                    c for c in partners if c not in drafts[-1].actors})
                if not _locations_in(mentions, sentence) and drafts[-1].sentence.start >= behind.start:
                    self._add_told_forces(mentions, sentence, drafts[-1], actors_in(sentence.start, sentence.end))
            sentence_actors = _acting(mentions, sentence, actors_in(sentence.start, sentence.end))
            if sentence_actors:
                previous_actors = sentence_actors
        _resolve_references(drafts)
        dominant: dict[int, list[str]] = {}  # how many -> the article's leading actors (read once)
        for draft in drafts:
            if not draft.actors:
                # The article's main actor ("the carrier heads for the Arabian Sea"); an exercise
                # without named participants takes the article's leading participants.
                how_many = 3 if draft.kind == "exercise" else 1
                if how_many not in dominant:
                    dominant[how_many] = _dominant_actors(mentions, how_many)
                draft.actors = list(dominant[how_many])
        # The area of an exercise, with its forces taken from around it, stands in only when the
        # article reports an exercise ("drills", a named one) and no sentence names forces of the
        # same participants or at the same place already.
        reported = any(t.kind == "exercise" and t.priority >= 3 for t in mentions.triggers)
        told = [d for d in drafts if d.kind == "exercise" and not d.area_only
                and _confidence(d, _most_specific(_unique_places(d.places))) >= self.min_confidence]
        drafts = [d for d in drafts if not d.area_only or (reported and d.kind == "exercise" and not any(
            set(d.actors) & set(t.actors) or {p.place.id for p in d.places} & {p.place.id for p in t.places}
            for t in told))]
        current = [d for d in drafts if d.actors and not _background(d, published)]
        events = []
        for draft in _merge(current, budget):
            budget.check("drawing events")
            events.append(self._finish(article, draft, published))
        events = [e for e in events if e.confidence >= self.min_confidence]
        return ExtractionResult(article, events, mentions)

    # -- one sentence ------------------------------------------------------------------------------
    def _sentence_events(
        self,
        mentions: Mentions,
        sentence: Sentence,
        previous_actors: list[str],
        date: tuple[dt.date, str] | None,
        lookahead: tuple[int, int],
        behind: int,
        actors_in: Callable[[int, int], list[str]],
        dated: Sequence[tuple[int, tuple[dt.date, str]]] = (),
    ) -> list[_Draft]:
        places = mentions.starting_in(mentions.places, sentence.start, sentence.end)
        locations = [p for p in places if p.role in LOCATING_ROLES
                     or (p.role == "origin" and _based_inside(mentions.text, p, places))]
        # "deployed to RAF Lakenheath ... for the F-35A's first training deployment to Europe": a wide
        # region around another location of the sentence only frames it.
        locations = [p for p in locations if not (p.place.kind == "region" and p.place.subkind == "composite"
                     and any(o is not p and o.place.kind != "region" and _contains(p, o) for o in locations))]
        folded = fold_article(mentions.text)
        locations = [p for p in locations if not _GOING_HOME.match(folded, p.end, sentence.end)]
        if not locations:
            return []
        sentence_triggers = mentions.within(mentions.triggers, sentence.start, sentence.end)
        if not sentence_triggers:
            # "Eisenhower carrier in Red Sea": a named ship or aircraft type at a place is presence.
            if not any(_is_platform(h) for h in mentions.within(mentions.assets, sentence.start, sentence.end)):
                return []
            sentence_triggers = [TriggerMention(locations[0].start, locations[0].start, "", "deployment", 0, "")]
        sentence_actors = actors_in(sentence.start, sentence.end)
        partners = sorted({p.place.country for p in places if p.role == "partner" and p.place.country}
                          | set(self._partner_actors(mentions, sentence)))
        drafts: list[_Draft] = []
        segment_start = sentence.start
        # A headline or lead that names no asset ("China stages drills around Taiwan") takes the
        # assets of the sentences right after it, when its own trigger word is strong.
        borrowed: list[Asset] = []
        area_only = False
        if not mentions.within(mentions.assets, sentence.start, sentence.end):
            if max(t.priority for t in sentence_triggers) >= 2 and len(locations) == 1:
                borrowed = self._assets(mentions, lookahead[0], lookahead[1], sentence)
            if not borrowed and any(t.kind == "exercise" for t in sentence_triggers) \
                    and not sentence.text.startswith(_QUOTE_MARKS):
                # "Land drills are planned in Mykolaiv ..., naval phases in the Black Sea": the area of
                # an exercise told apart from the forces listed around it (kept only as a fallback).
                borrowed = self._assets(mentions, behind, lookahead[1], sentence)
                area_only = bool(borrowed)
        # "at the Tapa army base as a NATO battlegroup ... was welcomed into Estonia": a site named
        # before the forces, inside the wider place the sentence then names, is where they are.
        site_first: PlaceMention | None = None
        claimed = sentence.start  # dates before this belong to places already read
        for index, location in enumerate(locations):
            last = index == len(locations) - 1
            segment_end = sentence.end if last else location.end
            if not last:
                # "at the Larissa air base in central Greece, where MQ-9 drones have been operating,":
                # a relative clause after a place describes that place.
                clause = _RELATIVE_CLAUSE.match(mentions.text, location.end, locations[index + 1].start)
                if clause:
                    segment_end = clause.end()
            assets = self._assets(mentions, segment_start, segment_end, sentence) or list(borrowed)
            triggers = mentions.within(mentions.triggers, segment_start, segment_end) or sentence_triggers
            gap = mentions.text[locations[index - 1].end: location.start] if index else ""
            joined = index > 0 and _JOINED.fullmatch(gap)
            taken = _trailing_date(mentions.text, location.end, sentence.end if last else locations[index + 1].start,
                                   dated)
            if taken is None and index > 0:
                # "In late August a Y-9 ... off Nagasaki, and last week the carrier Liaoning sailed ...
                # near Taiwan": a date between two places, not taken by the first, dates the second
                taken = next(((at, value) for at, value in dated if claimed <= at < location.start), None)
            claimed = max(claimed, location.end, taken[0] + 1 if taken else 0)
            own_date = taken[1] if taken else None
            here = own_date or date
            if drafts and (joined or not assets) and own_date and own_date != drafts[-1].date:
                # "through the Tsugaru Strait on 18 October and through the Osumi Strait on 22 October":
                # the same forces on another day, another leg
                assets = [copy.copy(a) for a in drafts[-1].assets]
            elif drafts and (joined or not assets):
                drafts[-1].places.append(location)
                if assets and assets != borrowed:  # borrowed ones are the draft's already
                    drafts[-1].assets.extend(assets)
                segment_start = segment_end
                continue
            if not assets:
                if not drafts and index == 0 and location.place.kind in ("installation", "city"):
                    site_first = location
                segment_start = segment_end
                continue
            # The verb that leads to the place ("sent to", "patrol over") outranks words after it.
            leading = [t for t in triggers if t.start < location.start] or triggers
            # "Before arriving, ... the ships had practised ... in the Atlantic": a verb in a clause of
            # another moment says what happened then, not here
            leading = [t for t in leading if not _OTHER_MOMENT.search(folded, max(0, t.start - 8), t.start)] \
                or leading
            trigger = max(leading, key=lambda t: t.priority - abs(location.start - t.end) / TRIGGER_REACH)
            kind = trigger.kind
            if kind == "deployment" and trigger.priority < 3 and any(a.category in _PATROLLING for a in assets) \
                    and _AIRSPACE.match(mentions.text, location.end):
                kind = "patrol"  # "crossed into Japan's airspace": an incursion, not a posting
            if kind == "patrol" and not any(a.category in _PATROLLING for a in assets):
                kind = "deployment"  # HIMARS "flown into Latvia" were carried, not patrolling
            if kind == "patrol" and location.place.kind in ("city", "installation") \
                    and _ARRIVING_AT.search(folded, max(segment_start, location.start - 12), location.start):
                kind = "deployment"  # "flew ... to Keflavik", "sailed ... into Havana harbour": an arrival
            # An exercise's area without its forces: the forces, and so the participants, are the
            # ones just listed before it.
            actors = actors_in(segment_start, segment_end) or sentence_actors
            if not actors and not area_only:
                # "The Shandong had sailed into the western Pacific": a platform only one country
                # operates says whose forces these are better than the actors of an earlier sentence;
                # so do the forces of a place this sentence has already reported
                actors = _operators(assets) or (list(drafts[-1].actors) if drafts else [])
            actors = actors or (actors_in(behind, sentence.start) if area_only else previous_actors)
            if not actors and not area_only:
                actors = _operators(assets) or partners or _named_countries(places)
            if location.place.country in actors \
                    and _RETURNING.search(folded, max(segment_start, location.start - 30), location.start):
                # "returning to Norfolk", "back home in Germany": a homecoming, not a deployment
                segment_start = segment_end
                continue
            segment = folded[segment_start:segment_end]
            status = "announced" if _FUTURE.search(segment) and not _OBSERVED.search(segment) else (
                trigger.status or ("announced" if _FUTURE.search(folded[sentence.start:sentence.end]) else "observed"))
            signals = sum([bool(actors_in(segment_start, segment_end)), trigger.priority >= 2,
                           here is not None])
            places_here = [location]
            if site_first is not None and location.place.kind in ("country", "region") \
                    and _contains(location, site_first):
                places_here.insert(0, site_first)
            site_first = None
            drafts.append(_Draft(sentence, kind, trigger.priority, places_here, assets, actors,
                                 [p for p in partners if p not in actors], here, status, signals,
                                 borrowed_assets=bool(borrowed) and assets == borrowed,
                                 area_only=area_only and assets == borrowed,
                                 anaphoric=_refers_back(mentions, segment_start, segment_end)))
            segment_start = segment_end
        return drafts

    def _add_told_forces(self, mentions: Mentions, sentence: Sentence, draft: _Draft, actors: list[str]) -> None:
        """ "The Indian detachment comprises four Su-30MKI fighters ...", "The three-day activity involved
        the frigate HMAS Toowoomba and a P-8A": a sentence right after an event that names no place lists
        that event's forces."""
        if actors and not set(actors) & set(draft.actors + draft.partners):
            return  # another country's forces
        known = {a.family.lower() for a in draft.assets}
        for asset in self._assets(mentions, sentence.start, sentence.end, sentence):
            if not _is_generic(asset) and asset.family.lower() not in known:
                draft.assets.append(asset)
                known.add(asset.family.lower())

    def _actors(self, mentions: Mentions, start: int, end: int, named: frozenset[str] = frozenset()) -> list[str]:
        """Countries whose forces act here: demonyms and services, and countries or capitals as subjects.
        `named`: the countries the article names otherwise, which settle an ambiguous abbreviation."""
        found: list[str] = []
        folded = fold_article(mentions.text)
        for hit in mentions.within(mentions.actors, start, end):
            if _CAUSE_NOUNS.match(folded[hit.end: hit.end + 30]):
                continue  # "the Russian invasion": the cause of the news, not a force that moved
            if _in_section_label(mentions.text, hit.start, hit.end) or _observer(mentions, hit.end):
                continue
            if hit.actor.kind == "government" and _AT_PLACE.search(mentions.text, max(0, hit.start - 7), hit.start):
                continue  # "after a stop in Manila": the city, not the government
            if hit.actor.kind == "government" or not _is_partner_word(mentions.text, hit):
                countries = hit.actor.countries
                if len(countries) > 1 and hit.actor.kind != "combined":
                    # "IAF" (India's or Israel's): the one the article otherwise names
                    countries = [c for c in countries if c in named] or countries
                found.extend(countries)
        for place in mentions.within(mentions.places, start, end):
            if place.role != "mention" or place.place.kind not in ("country", "city"):
                continue
            if place.place.kind == "city" and not place.place.capital:
                continue
            if place.place.country and (_ACTOR_FOLLOWERS.match(folded[place.end: place.end + 40])
                                        or _LISTED_SUBJECT.match(mentions.text[place.end: place.end + 60])) \
                    and not _observer(mentions, place.end):
                found.append(place.place.country)
        return list(dict.fromkeys(found))

    def _partner_actors(self, mentions: Mentions, sentence: Sentence) -> list[str]:
        return [c for hit in mentions.within(mentions.actors, sentence.start, sentence.end)
                if _is_partner_word(mentions.text, hit) for c in hit.actor.countries]

    def _assets(self, mentions: Mentions, start: int, end: int, sentence: Sentence) -> list[Asset]:
        hits = mentions.within(mentions.assets, start, end)
        assets: list[Asset] = []
        previous: AssetHit | None = None
        conveyance_end = -1
        folded = fold_article(mentions.text)
        for hit in hits:
            asset_type = hit.asset
            if asset_type.category == "transport/tanker" and (
                    _CONVEYANCE.search(folded[max(sentence.start, hit.start - 25): hit.start])
                    or 0 <= hit.start - conveyance_end <= 2):
                conveyance_end = hit.end
                continue  # "flown in aboard C-130 transport planes": the lift, not the deployment
            if _NON_STATE.search(folded[max(sentence.start, hit.start - 30): hit.start]):
                continue  # "Hamas fighters" are not fighter aircraft
            if _CIVILIAN.search(folded[max(sentence.start, hit.start - 15): hit.start]):
                continue
            if _LEFT_BEHIND.search(folded[max(sentence.start, hit.start - 30): hit.start]):
                continue  # "detached from the UK Carrier Strike Group": not the unit that moved
            count = _count_before(mentions, hit, sentence)
            generic = asset_type.family.lower() == asset_type.category or not asset_type.countries
            # "B-52 bombers": the generic word after a designator describes it, it is not a second asset.
            if previous is not None and generic and not _is_generic_type(previous.asset) \
                    and hit.start - previous.end <= 25 \
                    and _WORDS_ONLY.fullmatch(mentions.text[previous.end: hit.start]) \
                    and assets and assets[-1].category == asset_type.category:
                if count and not assets[-1].count:
                    assets[-1].count = count
                continue
            assets.append(Asset(
                name=asset_type.designator, family=asset_type.family, category=asset_type.category,
                count=count, catalogue_id=asset_type.id, nuclear=asset_type.nuclear, app6=asset_type.app6,
                text=hit.text,
            ))
            previous = hit
        segment = folded[start:end]
        ranged = _FROM_TO.search(segment) if "from" in segment else None  # the regex tries every position
        if ranged and assets:
            value = _plain_count(ranged.group(2))
            if value:
                assets[0].count = value
        return assets

    # -- finishing -------------------------------------------------------------------------------
    def _finish(self, article: Article, draft: _Draft, published: PublicationDate | None) -> Event:
        places = _most_specific(_unique_places(draft.places))
        shapes = [p.place.geometry for p in places]
        geometry = _event_geometry(draft.kind, places, shapes)
        precision = max(_geo_precision(p.place) for p in places)
        if draft.date is not None:
            start, time_precision = draft.date
        elif published is not None:
            start, time_precision = published.date, published.precision
        else:
            start, time_precision = None, "day"
        families = sorted({a.family for a in draft.assets})
        identifier = event_id(article.document, draft.kind, [p.place.id for p in places], families,
                              draft.sentence.start)
        confidence = _confidence(draft, places)
        return Event(
            id=identifier,
            kind=draft.kind,
            actors=draft.actors,
            partners=draft.partners,
            assets=draft.assets,
            places=[EventPlace(p.place.id, p.place.name, p.place.kind, p.role, p.text, p.place.country)
                    for p in places],
            geometry=geometry,
            geo_precision=precision,
            start=start.isoformat() if start else None,
            end=None,
            time_precision=time_precision,
            status=draft.status,
            source=EventSource(
                document=article.document, sentence=draft.sentence.text, start=draft.sentence.start,
                end=draft.sentence.end, outlet=article.outlet, headline=article.headline,
                published=article.published,
            ),
            confidence=confidence,
        )


# -- helpers --------------------------------------------------------------------------------------
_BASED_AT = re.compile(r",\s*(?:based|stationed|garrisoned)\s+(?:at|in)\s+$")


def _based_inside(text: str, place: PlaceMention, places: list[PlaceMention]) -> bool:
    """ "the battlegroup in Estonia, based at Tapa,": where a unit sits inside the place just named is
    its site there (a unit "based at Fort Campbell" after no such place is at home)."""
    if not _BASED_AT.search(text, max(0, place.start - 25), place.start):
        return False
    before = [p for p in places if p.end <= place.start]
    return bool(before) and before[-1].role in LOCATING_ROLES and before[-1].place.kind in ("country", "region") \
        and _contains(before[-1], place)


def _trailing_date(text: str, start: int, end: int,
                   dated: Sequence[tuple[int, tuple[dt.date, str]]]) -> tuple[int, tuple[dt.date, str]] | None:
    """ "ordered them to the Middle East on July 20", "to Vladivostok between 8 and 13 October": a date
    right after a place, before the next one, dates that place (the sentence may date another)."""
    for at, value in dated:
        if start <= at < end and at - start <= 40 and not _CLAUSE_END.search(text[start:at]):
            return at, value
    return None


def _observer(mentions: Mentions, end: int) -> bool:
    watching = _OBSERVER.match(fold_article(mentions.text), end, end + 60)
    return watching is not None and not mentions.within(mentions.assets, end, watching.end())


def _in_section_label(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", max(0, start - 46), start) + 1
    if line_start == 0 and start > 45:
        return False  # no line break close before: not in a label (the search stays short)
    label = _SECTION_LABEL.match(text, line_start)
    return label is not None and end <= label.end()


def _named_countries_in(mentions: Mentions) -> frozenset[str]:
    """Countries an article names by a one-country demonym, service or country name."""
    named = {hit.actor.countries[0] for hit in mentions.actors if len(hit.actor.countries) == 1}
    named.update(p.place.country for p in mentions.places if p.place.kind == "country" and p.place.country)
    return frozenset(named)


def _acting(mentions: Mentions, sentence: Sentence, actors: list[str]) -> list[str]:
    """The sentence's actors without those only named as speakers ("China's Eastern Theatre Command
    said it had tracked the vessels"): what a later sentence without actors carries over."""
    if not actors:
        return actors
    folded = fold_article(mentions.text)
    acting: set[str] = set()
    for hit in mentions.within(mentions.actors, sentence.start, sentence.end):
        if not _SPEAKER.match(folded, hit.end, min(sentence.end, hit.end + 60)):
            acting.update(hit.actor.countries)
    for place in mentions.within(mentions.places, sentence.start, sentence.end):
        if place.place.country and not _SPEAKER.match(folded, place.end, min(sentence.end, place.end + 60)):
            acting.add(place.place.country)
    return [c for c in actors if c in acting]


def _is_partner_word(text: str, hit: ActorHit) -> bool:
    """ "with Japanese fighter jets", "with allied air forces, including British and Norwegian fighters"."""
    before = text[max(0, hit.start - 70): hit.start].lower()
    if not any(word in before for word in _JOINING_WORDS):
        return False  # the regex would try every position to find none
    return bool(_JOINING_BEFORE.search(before)) and not _JOINING_CLAUSE.search(before)


_PLACE_AFTER_PREPOSITION = re.compile(
    r"\b(?:in|at|on|to|over|near|off|into|from)\s+(?:the\s+)?((?:[A-Z][\w'’-]+)(?:\s+(?:of\s+)?[A-Z][\w'’-]+){0,3})")
_NOT_PLACES = frozenset(
    "January February March April May June July August September October November December Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday The This That These NATO EU UN Pentagon Kremlin White House "
    "Congress Parliament Army Navy Air Force Marines President Vice Prime Minister Secretary General Admiral "
    "Chancellor Defence Defense Foreign Western Eastern Northern Southern Allied Allies Chinese Russian American "
    "British French German Japanese Korean Indian Iranian".split()
)


def _unresolved(mentions: Mentions) -> list[str]:
    """Names that read like places ("at the Mulino training range", "on Matua") but that the
    gazetteer does not know: what an analyst may want to add by hand."""
    taken = SpanIndex([(p.start, p.end) for p in mentions.places] + [(a.start, a.end) for a in mentions.actors]
                      + [(a.start, a.end) for a in mentions.assets] + mentions.masked
                      + [(d.start, d.end) for d in mentions.dates])
    found: dict[str, None] = {}  # in the order first found
    for match in _PLACE_AFTER_PREPOSITION.finditer(mentions.text):
        start, end = match.span(1)
        first_word = _POSSESSIVE_END.sub("", match.group(1).split()[0])
        if first_word in _NOT_PLACES or taken.overlaps(start, end):
            continue
        found.setdefault(match.group(1), None)
    return list(found)


def _refers_back(mentions: Mentions, start: int, end: int) -> bool:
    """ "the ship", "the bombers": generic words with a definite article only point back to the
    forces already named, they do not bring new ones."""
    hits = mentions.within(mentions.assets, start, end)
    folded = fold_article(mentions.text)
    return bool(hits) and all(
        _is_generic_type(h.asset) and _DEFINITE.search(folded[max(0, h.start - 8): h.start]) for h in hits)


# "The five-day exercise", "The drills", "This year's exercise": an exercise already named.
_EXERCISE_ANAPHOR = re.compile(r"(?:The|This|That)\s+(?:[\w'’-]+\s+){0,3}(?:exercises?|drills?|manoeuvres|"
                               r"maneuvers|war\s?games)\b")
_AIRSPACE = re.compile(r"['’]s\s+(?:territorial\s+)?(?:airspace|waters)\b")
_DEFINITE = FoldedPattern(r"\b(?:the|these|those)\s+$")


def _is_platform(hit: AssetHit) -> bool:
    return hit.asset.category in _PATROLLING and bool(hit.asset.countries)


def _locations_in(mentions: Mentions, sentence: Sentence) -> bool:
    return any(p.role in LOCATING_ROLES for p in mentions.within(mentions.places, sentence.start, sentence.end))


def _dominant_actors(mentions: Mentions, how_many: int) -> list[str]:
    """The country whose forces the article names most often (demonyms, services, abbreviations)."""
    tally: dict[str, int] = {}
    for hit in mentions.actors:
        if hit.actor.kind != "government" and len(hit.actor.countries) == 1:
            code = hit.actor.countries[0]
            tally[code] = tally.get(code, 0) + 1
    if not tally:
        return []
    ranked = sorted(tally, key=lambda code: -tally[code])
    return ranked[:how_many]


def _is_generic_type(asset_type) -> bool:
    return asset_type.family.lower() == asset_type.category or not asset_type.countries


def _is_generic(asset: Asset) -> bool:
    known = load_catalogue().by_id.get(asset.catalogue_id or "")
    return known is None or not known.countries


def _named_countries(places: list[PlaceMention]) -> list[str]:
    """Last resort for "NATO's exercise ... with ships from 16 nations, including Finland and Sweden"."""
    return list(dict.fromkeys(p.place.country for p in places
                              if p.role == "mention" and p.place.kind == "country" and p.place.country))


def _operators(assets: list[Asset]) -> list[str]:
    catalogue = load_catalogue()
    for asset in assets:
        known = catalogue.by_id.get(asset.catalogue_id or "")
        if known is not None and len(known.countries) == 1:
            return list(known.countries)
    return []


def _plain_count(text: str) -> int | None:
    from geo.extract.mentions import _count_value

    return _count_value(text)


def _count_before(mentions: Mentions, hit: AssetHit, sentence: Sentence) -> int | None:
    """The number written just before an asset: "two additional F-35 fighter aircraft squadrons"."""
    # Within the hit's sentence; an asset borrowed from a sentence before this one brings its own number.
    window_start = max(sentence.start if hit.start >= sentence.start else 0, hit.start - 45)
    best = None
    for count in mentions.within(mentions.counts, window_start, hit.start):
        between = mentions.text[count.end: hit.start]
        if _NAME_WORDS_ONLY.fullmatch(between) and len(between.split()) <= 4 \
                and not _LINKING_WORD.search(between):
            best = count.value
    return best


def _unique_places(places: list[PlaceMention]) -> list[PlaceMention]:
    seen: dict[str, PlaceMention] = {}
    for place in places:
        seen.setdefault(place.place.id, place)
    return list(seen.values())


def _most_specific(places: list[PlaceMention]) -> list[PlaceMention]:
    """Drop a country or wide region when a place inside it is named too (Hmeimim, not all of Syria)."""
    kept = []
    for place in places:
        broad = place.place.kind in ("country", "region", "sea")
        inner = [o for o in places if (o is not place and o.place.kind in ("installation", "city"))
                 or (o is not place and o.place.kind == "region" and place.place.kind == "country")]
        if broad and any(_contains(place, o) for o in inner):
            continue
        kept.append(place)
    return kept or places


def _contains(outer: PlaceMention, inner: PlaceMention) -> bool:
    if outer.place.kind == "country" and inner.place.country == outer.place.country:
        return True
    # Remembered by the pair: a sentence or an event compares its places pairwise, and an article
    # that names the same places again and again would test the same shapes again and again.
    pair = (outer.place.id, inner.place.id)
    inside = _CONTAINED.get(pair)
    if inside is None:
        if outer.place.geometry.geom_type == "Point":  # a region known by its point and extent
            inside = bool(outer.place.covered.contains(shapely.Point(inner.place.lon, inner.place.lat)))
        else:
            shape = outer.place.geometry
            shapely.prepare(shape)  # cached shapes stay prepared: later tests are cheap
            inside = bool(shapely.dwithin(shape, shapely.Point(inner.place.lon, inner.place.lat), 0.05))
        if len(_CONTAINED) >= MAX_CACHED_PAIRS:
            del _CONTAINED[next(iter(_CONTAINED))]  # the oldest goes first
        _CONTAINED[pair] = inside
    return inside


# (outer place id, inner place id) -> whether the inner place lies in the outer one (gazetteer places
# never change); bounded like the unions below.
_CONTAINED: dict[tuple[str, str], bool] = {}
MAX_CACHED_PAIRS = 65_536


def _confidence(draft: _Draft, places: list[PlaceMention]) -> float:
    """How much the text pins the event down: named types, a named actor, a strong verb, a date and a
    precise place raise it; a continent, only generic assets and a plan lower it."""
    score = 0.5 + 0.1 * min(draft.signals, 4)
    if any(not _is_generic(a) for a in draft.assets):
        score += 0.1
    else:
        score -= 0.1
    if all(p.place.kind == "region" and p.place.subkind == "composite"
           and p.place.geometry.area > WIDE_REGION_DEGREES2 for p in places):
        score -= 0.15
    if draft.status == "announced":
        score -= 0.1
    if draft.borrowed_assets:
        score -= 0.05
    return round(max(0.05, min(0.95, score)), 2)


_YEAR = re.compile(r"\d{4}")


def _ahead_if_planned(mention, sentence: Sentence, published: PublicationDate | None) -> dt.date:
    """ "will send two F-35s to Bulgaria from April", in a January article: a month named without a
    year in a sentence about a plan is the coming one, not the one last year."""
    day = mention.date
    if published is None or mention.precision != "month" or _YEAR.search(mention.text) \
            or not 45 < (published.date - day).days <= 366 or not _FUTURE.search(fold_text(sentence.text)):
        return day
    if day.year == dt.MAXYEAR:
        return day  # the calendar has no coming year
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + dt.timedelta(days=365)


# "runs from 16 to 26 January", "between 8 and 13 October": the day a range starts, read before the
# date that closes it (on the folded text).
_RANGE_OPENING = FoldedPattern(r"\b(?:from|between)\s+(\d{1,2})(?:st|nd|rd|th)?\s+"
                               r"(?:to|and|until|till|through|-|–)\s*$")


def _range_start(text: str, mention, day: dt.date) -> dt.date:
    if mention.precision != "day" or not mention.text[:1].isdigit():
        return day
    opening = _RANGE_OPENING.search(fold_article(text), max(0, mention.start - 25), mention.start)
    if opening is None or not 0 < int(opening.group(1)) < day.day:
        return day
    return day.replace(day=int(opening.group(1)))


def _background(draft: _Draft, published: PublicationDate | None) -> bool:
    """An event dated over a year before the article is background ("last flew there in 2013")."""
    if draft.date is None or published is None or draft.ongoing:
        return False
    return (published.date - draft.date[0]).days > 366


def _geo_precision(place) -> int:
    if place.kind in ("installation", "city"):
        return 1
    if place.kind == "region" and place.subkind not in ("composite",):
        return 2
    return 3


def _event_geometry(kind: str, places: list[PlaceMention], shapes: list[BaseGeometry]) -> BaseGeometry:
    """The site's point, the sea's polygon; a patrol through several sites is a route."""
    if len(shapes) == 1:
        return shapes[0]
    if kind == "patrol" and all(s.geom_type == "Point" for s in shapes):
        return LineString([(s.x, s.y) for s in shapes])
    # The drawn shape: ~1 km of simplification is invisible on a theatre map and makes the union cheap.
    # Still, a country with two seas takes GEOS tens of milliseconds, and news names the same
    # theatre again and again: the union of the same places in the same order is made once.
    key = tuple(p.place.id for p in places)
    union = _UNIONS.get(key)
    if union is None:
        union = shapely.union_all([_drawn(p.place.id, shape) for p, shape in zip(places, shapes, strict=True)])
        if len(_UNIONS) >= MAX_CACHED_UNIONS:
            del _UNIONS[next(iter(_UNIONS))]  # the oldest goes first
        _UNIONS[key] = union
    return union


_DRAWN: dict[str, BaseGeometry] = {}
# Unions of drawn shapes by the places' ids in order (shapely geometries are immutable, so events
# can share one). Bounded: a few thousand theatres cover years of reporting.
_UNIONS: dict[tuple[str, ...], BaseGeometry] = {}
MAX_CACHED_UNIONS = 4096


def _drawn(place_id: str, shape: BaseGeometry) -> BaseGeometry:
    """A place's drawing shape, simplified once per process (gazetteer shapes never change)."""
    if shape.geom_type == "Point":
        return shape
    drawn = _DRAWN.get(place_id)
    if drawn is None:
        drawn = _DRAWN[place_id] = shapely.simplify(shape, DRAW_TOLERANCE_DEGREES, preserve_topology=True)
    return drawn


def _same_event(a: _Draft, b: _Draft) -> bool:
    group = {"deployment": "d", "basing": "d", "patrol": "p", "exercise": "e"}
    if a.actors and b.actors and not set(a.actors) & set(b.actors):
        return False
    # One article reporting the same actor's move to the same place twice is one event, also when
    # it names the place differently ("Ørland" in the headline, "Ørland Main Air Station" later).
    shared = bool({x.family.lower() for x in a.assets} & {x.family.lower() for x in b.assets}
                  or {x.category for x in a.assets} & {x.category for x in b.assets})
    common = {p.place.id for p in a.places} & {p.place.id for p in b.places}
    if b.anaphoric and group[a.kind] == group[b.kind] and common == {p.place.id for p in b.places}:
        # "The ships left Norfolk on July 10; ... ordered them to the Middle East on July 20": the
        # forces already reported there, at an earlier step of the same move
        return True
    if a.kind == b.kind == "exercise" and _EXERCISE_ANAPHOR.match(b.sentence.text) \
            and (common or _touching(a.places, b.places)):
        # "The five-day exercise ... will cover air defence drills in the Arabian Sea": the exercise
        # just reported off India's coast, told again with its forces and sea area
        return True
    if "exercise" not in (a.kind, b.kind) and _apart_in_time(a.date, b.date):
        # "last month USS Michigan also called at Busan": an earlier visit, not this one (an
        # exercise runs for weeks: its phases are told with dates of their own)
        return False
    if group[a.kind] != group[b.kind]:
        # "sailors and Marines arrive in Red Sea" and "warships ... entered the Red Sea": one move,
        # told once with an arrival verb and once with a transit verb.
        # (A patrol over sites inside a country the forces were sent to is another event: the
        # sites are not where they went.)
        return {group[a.kind], group[b.kind]} == {"d", "p"} and shared \
            and (bool(common) or any(_near(x, y, False) for x in a.places for y in b.places))
    if any(not place_id.startswith(("country:", "sea:")) for place_id in common):
        return True
    if common and (shared or not a.assets or not b.assets or a.anaphoric or b.anaphoric):
        return True  # the same country or sea: one event when the assets agree ("the ship" agrees)
    if a.kind in ("exercise", "patrol") and shared and _touching(a.places, b.places):
        return True  # "drills around Taiwan" and "in the Taiwan Strait": one exercise area
    return any(_near(x, y, shared) for x in a.places for y in b.places)


def _resolve_references(drafts: list[_Draft]) -> None:
    """ "the ships had practised ... in the Atlantic": "the ships" are the forces last named by type
    (the frigate Admiral Gorshkov and the submarine Kazan), of the same actors."""
    named: _Draft | None = None
    for draft in drafts:
        if draft.anaphoric and named is not None and (not draft.actors or set(draft.actors) & set(named.actors)):
            if {a.category for a in draft.assets} & {a.category for a in named.assets}:
                draft.assets = [copy.copy(a) for a in named.assets]
        elif any(not _is_generic(a) for a in draft.assets):
            named = draft


def _apart_in_time(first: tuple[dt.date, str] | None, second: tuple[dt.date, str] | None) -> bool:
    """Dates whose periods (a day, a week, a month) lie more than a week apart; a year is too vague."""
    if first is None or second is None or "year" in (first[1], second[1]):
        return False
    (a_start, a_end), (b_start, b_end) = _period(*first), _period(*second)
    return (b_start - a_end).days > SAME_EVENT_DAYS or (a_start - b_end).days > SAME_EVENT_DAYS


def _period(day: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a dated period (the calendar's last day at most: 31 December 9999)."""
    if precision == "week":
        return day, day + dt.timedelta(days=min(6, (dt.date.max - day).days))
    if precision == "month":
        if day.month == 12:
            return day, day.replace(day=31)
        return day, day.replace(month=day.month + 1, day=1) - dt.timedelta(days=1)
    return day, day


def _touching(first: list[PlaceMention], second: list[PlaceMention]) -> bool:
    """Two areas that meet (Taiwan and the Taiwan Strait), or an area and a site on its edge (the
    Bay of Bengal and Chennai): distance under ~0.5 degree."""
    areas = ("country", "sea", "region")
    for x in first:
        for y in second:
            if (x.place.kind not in areas and y.place.kind not in areas) or not _boxes_near(x, y, 0.5):
                continue
            # Remembered by the pair (as `_contains`): two countries' shapes take GEOS milliseconds.
            pair = (x.place.id, y.place.id)
            near = _TOUCHING.get(pair)
            if near is None:
                near = bool(_area_shape(x).distance(_area_shape(y)) < 0.5)
                if len(_TOUCHING) >= MAX_CACHED_PAIRS:
                    del _TOUCHING[next(iter(_TOUCHING))]
                _TOUCHING[pair] = near
            if near:
                return True
    return False


_TOUCHING: dict[tuple[str, str], bool] = {}  # (place id, place id) -> their areas meet


def _area_shape(mention: PlaceMention) -> BaseGeometry:
    """A place's drawn shape; a region known by a point and an extent covers its extent."""
    if mention.place.kind == "region" and mention.place.geometry.geom_type == "Point":
        return mention.place.covered
    return _drawn(mention.place.id, mention.place.geometry)


def _boxes_near(a: PlaceMention, b: PlaceMention, margin: float) -> bool:
    aw, as_, ae, an = a.place.covered.bounds
    bw, bs, be, bn = b.place.covered.bounds
    return not (aw - margin > be or bw - margin > ae or as_ - margin > bn or bs - margin > an)


def _near(a: PlaceMention, b: PlaceMention, shared_assets: bool) -> bool:
    """Close enough to be one event: the same spot, or a site and the island, state or country it
    lies in (a country only when the assets agree). Seas, continents and wide regions never absorb."""
    if a.place.kind not in _WIDE and b.place.kind not in _WIDE \
            and haversine_km(a.place.lat, a.place.lon, b.place.lat, b.place.lon) <= MERGE_KM:
        return True
    for inner, outer in ((a, b), (b, a)):
        if inner.place.kind not in ("installation", "city") or outer.place.kind in ("installation", "city"):
            continue
        if outer.place.kind == "country":
            return shared_assets and _contains(outer, inner)
        if outer.place.kind == "region" and outer.place.subkind != "composite":
            return _contains(outer, inner)
    return False


def _merge(drafts: list[_Draft], budget: TimeBudget = UNLIMITED) -> list[_Draft]:
    merged: list[_Draft] = []
    # Indexes of `merged`, the event reported least recently first: a draft is compared with the
    # MERGE_WINDOW events reported last, in the order they were first reported.
    recent: dict[int, None] = {}
    for draft in drafts:
        budget.check("merging events told more than once")
        window = sorted(islice(reversed(recent), MERGE_WINDOW))
        found = next((index for index in window if _same_event(merged[index], draft)), None)
        if found is None:
            recent[len(merged)] = None
            merged.append(draft)
            continue
        del recent[found]
        recent[found] = None
        target = merged[found]
        known = {(a.family, a.name) for a in target.assets}
        for asset in draft.assets:
            match = next((a for a in target.assets if a.family == asset.family), None)
            if match is not None and asset.count and not match.count:
                match.count = asset.count
            elif (asset.family, asset.name) not in known:
                target.assets.append(asset)
        target.actors = list(dict.fromkeys(target.actors + draft.actors))
        target.partners = [p for p in dict.fromkeys(target.partners + draft.partners) if p not in target.actors]
        arrival = next((k for k in (target.kind, draft.kind) if k in ("deployment", "basing")), None)
        if draft.trigger_priority > target.trigger_priority:
            target.kind, target.trigger_priority = draft.kind, draft.trigger_priority
        if draft.date is not None and _PRECISION_RANK[draft.date[1]] < _PRECISION_RANK[
                target.date[1] if target.date else "month"]:
            target.date = draft.date  # a later sentence gives the day the headline left out
        target.places.extend(p for p in draft.places if p.place.id not in {q.place.id for q in target.places})
        if arrival and target.kind == "patrol" and all(
                p.place.kind in ("installation", "city") for p in _most_specific(_unique_places(target.places))):
            # "sending six jets to Keflavik" and "the air policing mission": at a base the patrol
            # is what the forces do once they have arrived; the event is the deployment
            target.kind = arrival
        target.signals = max(target.signals, draft.signals) + 1
    return merged


# -- entry points -------------------------------------------------------------------------------------
@functools.cache
def default_extractor() -> Extractor:
    return Extractor()


def extract_text(text: object, *, document: str = "text", published: str | None = None,
                 time_budget: object = None) -> ExtractionResult:
    if not isinstance(text, str):
        raise InputError(f"expected text, got {type(text).__name__}")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as err:  # a lone surrogate: half of a character, from text decoded wrongly
        raise InputError(f"the text has {text[err.start]!r} at character {err.start}, half of a UTF-16 pair "
                         "and no character; decode the text as what it is") from err
    article = read_article_bytes(data, document, published=published)
    return default_extractor().extract(article, time_budget=time_budget)


def extract_file(path: str, *, published: str | None = None, time_budget: object = None) -> ExtractionResult:
    return default_extractor().extract(read_article(path, published=published), time_budget=time_budget)
