"""Turn an article into force-posture events: clean -> mentions -> events per sentence -> merge.

Within a sentence, each place used as a location opens a segment that reaches back to the
previous location: the assets, counts and trigger words in that segment belong to its event
("two F-35 squadrons will be sent to the United Kingdom, a SHORAD battery will be stationed in
Italy, and 625 troops ... in Germany" gives three events). A location joined to the previous one
by "and" with nothing of its own extends that event ("over the Sea of Japan and the East China
Sea"). Events that repeat across sentences of one article are merged.

This module holds the Extractor (sentences -> drafts -> events), its result and the entry points;
the words it decides by are in `clues`, the draft record and its confidence in `drafts`, the merge of
repeated events in `merging`, and the events' places and shapes in `geometry`.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from geo.budget import UNLIMITED, TimeBudget
from geo.errors import InputError
from geo.events import KIND_GROUPS, Asset, Event, EventPlace, EventSource, event_id, name_series
from geo.extract.article import Article, read_article, read_article_bytes
from geo.extract.catalogue import AssetHit, Catalogue, asset_of, load_catalogue
from geo.extract.clues import (
    ACTOR_FOLLOWERS,
    AIRSPACE,
    ARRIVING_AT,
    AT_PLACE,
    BACKGROUND_DATE,
    CAUSE_NOUNS,
    CIVILIAN,
    CONVEYANCE,
    FOR_EXERCISE,
    FORCES_OF,
    FROM_TO,
    FUTURE,
    GOING_HOME,
    HEADING_BACK,
    IN_RELATIVE_CLAUSE,
    JOINED,
    LEFT_BEHIND,
    LISTED_SUBJECT,
    MISSION_DONE,
    NON_STATE,
    OBSERVED,
    OTHER_MOMENT,
    PASSING_THROUGH,
    PATROLLING,
    PORT_ARRIVAL,
    QUOTE_MARKS,
    RELATIVE_CLAUSE,
    REPORTED_ON,
    REPORTING_DATE,
    RETURNING,
    SEA_AS_MODIFIER,
    SERVICE_CEREMONY,
    SINCE_BEFORE,
    WHERE_CLAUSE,
    WORDS_ONLY,
    acting,
    ahead_if_planned,
    based_inside,
    count_before,
    dominant_actors,
    in_section_label,
    is_generic,
    is_generic_type,
    is_partner_word,
    is_platform,
    locations_in,
    named_countries,
    named_countries_in,
    no_posture_event,
    observer,
    operators,
    plain_count,
    range_start,
    refers_back,
    trailing_date,
)
from geo.extract.dates import PublicationDate, parse_published
from geo.extract.decision import EventModel, candidate_features
from geo.extract.drafts import Draft, background, confidence
from geo.extract.geometry import contains, event_geometry, geo_precision, most_specific, unique_places
from geo.extract.mentions import (
    LOCATING_ROLES,
    Mentions,
    PlaceMention,
    Sentence,
    SpanIndex,
    TriggerMention,
    find_mentions,
)
from geo.extract.merging import (
    count_named_ships,
    count_told_elsewhere,
    merge,
    resolve_references,
    share_named_forces,
    specify_generic_assets,
)
from geo.gazetteer import FoldedPattern, fold_article, haversine_km
from geo.geocode import OfflineGazetteer, default_geocoder

# A sentence opening with its subject countries: "China and Russia ...", "The US, Japan and ...".
_SUBJECT_OPENING = re.compile(r"\s*(?:The\s+|the\s+)?")
_SUBJECT_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?")
_AIR_WORDS = re.compile(r"\b(?:aerial|air|airborne|bomber|bombers|aircraft|warplanes?)\b", re.IGNORECASE)
_SEA_WORDS = re.compile(r"\b(?:naval|maritime|navy|navies|warships?)\b", re.IGNORECASE)



def _after_dateline(mentions: Mentions, sentence: Sentence, at: int) -> bool:
    """ "PYONGYANG, July 24 (Xinhua) -- ... oversaw on Wednesday a firing contest": the date right after
    a dateline's city is the day of the report, not of the event."""
    return any(p.role == "dateline" and p.end <= at and not mentions.text[p.end:at].strip(" ,")
               for p in mentions.within(mentions.places, sentence.start, at))


def _names_a_drill(trigger: TriggerMention) -> bool:
    """A strong exercise word ("drills", "exercise", a named exercise), not "practised" or "training"."""
    return trigger.kind == "exercise" and trigger.priority >= 3


__all__ = ["ExtractionResult", "Extractor", "default_extractor", "extract_file", "extract_text"]
# Events below this are vague on every count (a continent, "aircraft", "is expected to"): not kept.
MIN_CONFIDENCE = 0.4
TRIGGER_REACH = 60.0  # characters over which a trigger word loses one point of priority


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


SAME_SITE_KM = 60.0  # two named places closer than this are one site (a town and the base beside it)


def per_place(draft: Draft) -> list[Draft]:
    """One event per named place: "stationed at air bases in Bodo, Rovaniemi and Lulea", "drills in
    Estonia, Latvia and Lithuania" are three events (the codebook), each drawn at its own place. A
    country or region around a named site is not a place of its own (most_specific)."""
    places = most_specific(unique_places(draft.places))
    if len(places) < 2:
        return [draft]
    # "arrive in the Red Sea" and "in the Middle East": a wide region around another place only frames it
    framing = [p for p in places if p.place.kind == "region" and p.place.subkind == "composite"
               and any(o is not p and contains(p, o) for o in places)]
    places = [p for p in places if p not in framing] or places
    # Places a few kilometres apart are one place named two ways ("Busan" and its naval base, the
    # air base "near Bucharest"): they stay one event.
    # "Greece/Mediterranean Sea", "Estonia/Baltic Sea": a country and its sea written as one area.
    text, offset = draft.sentence.text, draft.sentence.start
    groups: list[list[PlaceMention]] = []
    for place in places:
        group = next((g for g in groups if any(
            haversine_km(place.place.lat, place.place.lon, o.place.lat, o.place.lon) <= SAME_SITE_KM
            or text[o.end - offset: place.start - offset].strip() == "/" for o in g)), None)
        if group is None:
            groups.append([place])
        else:
            group.append(place)
    if len(groups) < 2:
        return [draft]
    parts = []
    for group in groups:
        part = copy.copy(draft)
        part.places = group + [p for p in draft.places if p not in places and p not in framing
                               and any(contains(p, g) for g in group)]
        part.assets = [copy.copy(a) for a in draft.assets]
        parts.append(part)
    return parts


# Between two dates of one list: "and", a comma or a semicolon, perhaps the next ship's name ("on Feb. 4
# and April 7; the USS Curtis Wilbur on Feb. 24"), never a range ("from 8 to 13 October").
_DATE_LIST_GAP = re.compile(r"(?=[^.]*(?:,|;|\band\b))(?![^.]*\b(?:to|until|till|through|thru|between)\b)"
                            r"[^.\-–—]{1,60}")


def per_date(draft: Draft, mentions: Mentions) -> list[Draft]:
    """One event per day of a list: "sailed through the Strait on Feb. 4 and April 7; the USS Curtis
    Wilbur on Feb. 24, May 18 and June 22" is five transits (the codebook dates an event by its start).
    Each day goes to the named ship written last before it, when the sentence names several."""
    if draft.date is None or draft.date[1] != "day":
        return [draft]
    sentence = draft.sentence
    days = [d for d in mentions.within(mentions.dates, sentence.start, sentence.end) if d.precision == "day"]
    first = next((n for n, d in enumerate(days) if d.date == draft.date[0]), None)
    if first is None:
        return [draft]
    listed = [days[first]]
    own = {id(p) for p in draft.places}
    for number, day in enumerate(days[first + 1:], first + 1):
        until = days[number + 1].start if number + 1 < len(days) else sentence.end
        if not _DATE_LIST_GAP.fullmatch(mentions.text, listed[-1].end, day.start) or any(
                p.role in LOCATING_ROLES and id(p) not in own
                for p in mentions.within(mentions.places, listed[-1].end, until)):
            break  # "on 18 October, and on 22 October through the Osumi Strait": another place's day
        if abs((day.date - listed[-1].date).days) > 1:  # "on Thursday and Friday": one transit
            listed.append(day)
    if len(listed) < 2:  # the days listed are distinct: adjacent ones were left out above
        return [draft]
    ships = [h for h in mentions.within(mentions.assets, sentence.start, sentence.end)
             if h.asset.id.startswith("ship:")]
    named = {a.catalogue_id: a for a in draft.assets if (a.catalogue_id or "").startswith("ship:")}
    parts = []
    for day in listed:
        part = copy.copy(draft)
        part.date = (day.date, "day")
        owner = ""  # the named ship written last before the day
        for hit in ships:
            if hit.end <= day.start:
                owner = hit.asset.id
        if len(named) >= 2 and owner in named:
            part.assets = [copy.copy(named[owner])]
        else:
            part.assets = [copy.copy(a) for a in draft.assets]
        part.places = list(draft.places)
        parts.append(part)
    return parts


# The article's drill told again by its common noun.
_THE_DRILL = FoldedPattern(r"\bthe (?:exercise|drills?|manoeuvres|maneuvers)\b(?! (?:of|by|in|at|on)\b)")


# "intercepted", "scrambled to intercept", "shadowed": one side's forces meet the other's.
INTERCEPTING = FoldedPattern(r"\b(?:intercept(?:ed|s|ing)?|scrambl(?:e|ed|es|ing)|shadow(?:ed|s|ing)?|"
                             r"tail(?:ed|ing)|escort(?:ed|ing)\s+(?:[\w-]+\s+){0,3}(?:away|out)|escorted\s+by)\b")


def per_side(draft: Draft, mentions: Mentions, catalogue: Catalogue) -> list[Draft]:
    """ "Russian Su-27 intercepted a US RC-135 over the Baltic": two patrols, one per side (the
    codebook), each with its own country and forces, not one joint patrol of both. The sides are the
    countries named before and after the intercepting verb; a force goes with the side that operates
    it, else with the side it is written on."""
    if draft.kind != "patrol" or len(draft.actors) < 2:
        return [draft]
    sentence = draft.sentence
    folded = fold_article(mentions.text)
    verb = INTERCEPTING.search(folded, sentence.start, sentence.end)
    if verb is None:
        return [draft]
    named_at: dict[str, int] = {}
    for hit in mentions.within(mentions.actors, sentence.start, sentence.end):
        for country in hit.actor.countries:
            named_at.setdefault(country, hit.start)
    for place in mentions.within(mentions.places, sentence.start, sentence.end):
        if place.place.kind == "country" and place.place.country \
                and (place.role == "mention" or FORCES_OF.match(folded, place.end)):
            named_at.setdefault(place.place.country, place.start)
    before = [c for c in draft.actors if c in named_at and named_at[c] < verb.start()]
    after = [c for c in draft.actors if c in named_at and named_at[c] > verb.start()]
    if not before or not after:
        return [draft]
    sides: tuple[list[Asset], list[Asset]] = ([], [])
    for asset in draft.assets:
        known = catalogue.by_id.get(asset.catalogue_id or "")
        operated = set(known.countries) if known is not None else set()
        if operated & set(before) and not operated & set(after):
            sides[0].append(asset)
        elif operated & set(after) and not operated & set(before):
            sides[1].append(asset)
        else:
            at = sentence.text.find(asset.text) if asset.text else -1
            if at < 0:
                sides[0].append(asset)
                sides[1].append(copy.copy(asset))
            else:
                sides[int(sentence.start + at > verb.start())].append(asset)
    parts = []
    for actors, assets in ((before, sides[0]), (after, sides[1])):
        part = copy.copy(draft)
        part.actors = actors
        part.partners = [p for p in draft.partners if p not in actors]
        part.assets = assets
        part.places = list(draft.places)
        parts.append(part)
    return parts


class Extractor:
    def __init__(
        self,
        geocoder: OfflineGazetteer | None = None,
        catalogue: Catalogue | None = None,
        *,
        min_confidence: float = MIN_CONFIDENCE,
        model: EventModel | None = None,
    ) -> None:
        self.geocoder = geocoder or default_geocoder()
        self.catalogue = catalogue or load_catalogue()
        self.min_confidence = min_confidence
        # A trained decision over the rules' candidates (geo/extract/decision.py), given explicitly:
        # the rules decide by default until a model beats them across corpora (`evaluate --cross`).
        self.model = model

    def extract(self, article: Article, *, time_budget: object = None) -> ExtractionResult:
        """The article's events. With `time_budget` (seconds), an extraction still running when it is
        spent stops with ExtractionTimeout (checked between stages, sentences and names: it overruns
        by the time of one of them at most).

        `time_budget` is typed `object` so that TimeBudget checks it: compiled, a `float` parameter
        would refuse a string with a TypeError and take True as 1.0, where plain Python says InputError.
        """
        budget = UNLIMITED if time_budget is None else TimeBudget(
            time_budget, f"extracting {article.document!r} ({len(article.text):,} characters)")
        return self._read(article, budget, self.model)[0]

    def candidates(self, article: Article) -> tuple[ExtractionResult, list[tuple[Event, dict[str, float]]]]:
        """Every event the rules propose for the model to decide on, with its features, before any
        decision (what training reads; the result holds the same candidates as events)."""
        return self._read(article, UNLIMITED, None, propose=True)

    def _read(self, article: Article, budget: TimeBudget, model: EventModel | None, *,
              propose: bool = False) -> tuple[ExtractionResult, list[tuple[Event, dict[str, float]]]]:
        published = parse_published(article.published)
        mentions = find_mentions(article.text, self.geocoder, self.catalogue, published, budget)
        # Actors are asked for per sentence and again per segment: each span is read once.
        named = named_countries_in(mentions)
        actors_in: Callable[[int, int], list[str]] = functools.cache(
            lambda start, end: self._actors(mentions, start, end, named))
        drafts: list[Draft] = []
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
                if not BACKGROUND_DATE.search(folded[max(sentence.start, d.start - 60): d.start])
                and not REPORTING_DATE.search(folded[max(sentence.start, d.start - 25): d.start])
                and not IN_RELATIVE_CLAUSE.search(article.text[sentence.start: d.start])
                and d.text[:5].lower() not in ("until", "till ")  # "stay in Poland until December": an end
                and not _after_dateline(mentions, sentence, d.start)
            ]
            if len(sentence_dates) > 1 and REPORTED_ON.match(folded, sentence_dates[0].end):
                sentence_dates = sentence_dates[1:]
            if sentence_dates:
                last_date = (range_start(article.text, sentence_dates[0],
                                          ahead_if_planned(sentence_dates[0], sentence, published)),
                             sentence_dates[0].precision)
                opening_date = sentence_dates[0].start
                ongoing = bool(SINCE_BEFORE.search(folded[max(0, opening_date - 8): opening_date]))
            elif number + 1 < len(mentions.sentences) and last_date is None:
                # "The Army has deployed Typhon to Luzon. It was flown in on April 11 ...": the next
                # sentence often carries the day the lead leaves out.
                following = mentions.sentences[number + 1]
                later = [d for d in mentions.within(mentions.dates, following.start, following.end)
                         if d.precision == "day" and not REPORTING_DATE.search(
                             folded[max(following.start, d.start - 25): d.start])]
                if later and not locations_in(mentions, following):
                    last_date = (later[0].date, later[0].precision)
            dated = [(d.start, (range_start(article.text, d, ahead_if_planned(d, sentence, published)), d.precision))
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
                if not locations_in(mentions, sentence) and drafts[-1].sentence.start >= behind.start:
                    self._add_told_forces(mentions, sentence, drafts[-1])
            sentence_actors = acting(mentions, sentence, actors_in(sentence.start, sentence.end))
            if sentence_actors:
                previous_actors = sentence_actors
            elif found and operators(found[-1].assets):
                # "Six B-52s arrived at RAF Fairford. The bombers flew ...": the forces whose type
                # said whose they were are the ones "the bombers" go on with
                previous_actors = list(found[-1].actors)
        resolve_references(drafts)
        _name_exercises(mentions, drafts)
        dominant: dict[int, list[str]] = {}  # how many -> the article's leading actors (read once)
        from_article: set[int] = set()  # the drafts that took the article's leading actors
        for draft in drafts:
            if not draft.actors:
                from_article.add(id(draft))
                # The article's main actor ("the carrier heads for the Arabian Sea"); an exercise
                # without named participants takes the article's leading participants.
                how_many = 3 if draft.kind == "exercise" else 1
                if how_many not in dominant:
                    dominant[how_many] = dominant_actors(mentions, how_many)
                draft.actors = list(dominant[how_many])
                if not draft.actors and draft.kind == "exercise":
                    # "Exercise Pitch Black is taking to the skies over the Northern Territory", in
                    # an article that names no one's forces: the host takes part in what it hosts.
                    draft.actors = [p.place.country for p in draft.places if p.place.country][:1]
        # The area of an exercise, with its forces taken from around it, stands in only when the
        # article reports an exercise ("drills", a named one) and no sentence names forces of the
        # same participants or at the same place already.
        reported = any(_names_a_drill(t) for t in mentions.triggers)
        told = [d for d in drafts if d.kind == "exercise" and not d.area_only
                and confidence(d, most_specific(unique_places(d.places))) >= self.min_confidence]
        drafts = [d for d in drafts if not d.area_only or (reported and d.kind == "exercise" and not any(
            set(d.actors) & set(t.actors) or {p.place.id for p in d.places} & {p.place.id for p in t.places}
            for t in told))]
        deciding = propose or model is not None
        # With a model, background events are candidates too: it weighs how long before the article
        # an event was (the gold counts a dated one as an event).
        current = [d for d in drafts if d.actors and (deciding or not background(d, published))]
        numbers = {sentence.start: number for number, sentence in enumerate(mentions.sentences)} if deciding else {}
        events = []
        candidates: list[tuple[Event, dict[str, float]]] = []
        published_on = (published.date, published.precision) if published is not None else None
        merged = [dated for draft in merge(current, budget, published_on) for part in per_place(draft)
                  for side in per_side(part, mentions, self.catalogue) for dated in per_date(side, mentions)]
        if deciding:
            if 1 not in dominant:
                dominant[1] = dominant_actors(mentions, 1)
            generous = self._generous(mentions, merged, actors_in, dominant[1], published, from_article)
            _name_exercises(mentions, generous)
            merged += generous
        for draft in merged:
            budget.check("drawing events")
            event = self._finish(article, draft, published)
            if deciding:
                features = candidate_features(draft, event, numbers.get(draft.sentence.start, 0),
                                              len(mentions.sentences), published, id(draft) in from_article)
                candidates.append((event, features))
                if model is not None:
                    probability = model.probability(features)
                    if probability < model.threshold:
                        continue
                    event.confidence = round(probability, 2)
            events.append(event)
        if not deciding:
            events = [e for e in events if e.confidence >= self.min_confidence]
        specify_generic_assets(events, [hit.asset for hit in mentions.assets])
        share_named_forces(events)
        count_named_ships(events, self.catalogue.by_id["asset:warship"])
        if any(a.count is None for e in events for a in e.assets):
            # Each sentence's forces are read again only when some event has an uncounted asset.
            count_told_elsewhere(events, [a for sentence in mentions.sentences
                                          for a in self._assets(mentions, sentence.start, sentence.end, sentence)])
        return ExtractionResult(article, events, mentions), candidates

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
    ) -> list[Draft]:
        places = mentions.starting_in(mentions.places, sentence.start, sentence.end)
        locations = [p for p in places if p.role in LOCATING_ROLES
                     or (p.role == "origin" and based_inside(mentions.text, p, places))]
        # "deployed to RAF Lakenheath ... for the F-35A's first training deployment to Europe": a wide
        # region around another location of the sentence only frames it.
        locations = [p for p in locations if not (p.place.kind == "region" and p.place.subkind == "composite"
                     and any(o is not p and o.place.kind != "region" and contains(p, o) for o in locations))]
        folded = fold_article(mentions.text)
        if SERVICE_CEREMONY.search(folded, sentence.start, sentence.end):
            return []  # "USS John Basilone was commissioned during a ceremony in New York": no posting
        locations = [p for p in locations if not GOING_HOME.match(folded, p.end, sentence.end)]
        if not locations:
            locations = self._home_drill(mentions, sentence, actors_in)
        if not locations:
            return []
        sentence_triggers = mentions.within(mentions.triggers, sentence.start, sentence.end)
        if not sentence_triggers:
            # "Eisenhower carrier in Red Sea": a named ship or aircraft type at a place is presence.
            if not any(is_platform(h) for h in mentions.within(mentions.assets, sentence.start, sentence.end)):
                return []
            # At sea that presence is a patrol (the codebook: "presence at sea ... is patrol"); in port,
            # at a base or in a country it is a deployment.
            # "on disputed South China Sea island": a sea naming what is in it is no presence at sea.
            at_sea = locations[0].place.kind == "sea" and not SEA_AS_MODIFIER.match(mentions.text, locations[0].end)
            presence = "patrol" if at_sea else "deployment"
            sentence_triggers = [TriggerMention(locations[0].start, locations[0].start, "", presence, 0, "")]
        sentence_actors = actors_in(sentence.start, sentence.end)
        partners = sorted({p.place.country for p in places if p.role == "partner" and p.place.country}
                          | set(self._partner_actors(mentions, sentence)))
        drafts: list[Draft] = []
        segment_start = sentence.start
        # A headline or lead that names no asset ("China stages drills around Taiwan") takes the
        # assets of the sentences right after it, when its own trigger word is strong.
        borrowed: list[Asset] = []
        joint_actors: list[str] = []
        area_only = False
        if not mentions.within(mentions.assets, sentence.start, sentence.end):
            if max(t.priority for t in sentence_triggers) >= 2 and len(locations) == 1:
                borrowed = self._assets(mentions, lookahead[0], lookahead[1], sentence)
            if not borrowed and any(t.kind == "exercise" for t in sentence_triggers) \
                    and not sentence.text.startswith(QUOTE_MARKS):
                # "Land drills are planned in Mykolaiv ..., naval phases in the Black Sea": the area of
                # an exercise told apart from the forces listed around it (kept only as a fallback).
                borrowed = self._assets(mentions, behind, lookahead[1], sentence)
                area_only = bool(borrowed)
            if not borrowed and any(_names_a_drill(t) for t in sentence_triggers):
                borrowed = self._drill_forces(mentions, sentence)
            if not borrowed:
                # "China and Russia carried out a joint aerial strategic patrol over the Sea of Japan":
                # countries as the subject of a patrol or exercise are its forces, of the kind it names.
                joint = self._joint_subject(mentions, sentence, places, sentence_triggers)
                if joint is not None:
                    borrowed, joint_actors = joint
        # "at the Tapa army base as a NATO battlegroup ... was welcomed into Estonia": a site named
        # before the forces, inside the wider place the sentence then names, is where they are.
        site_first: PlaceMention | None = None

        def drilled_here(location: PlaceMention, segment_end: int) -> bool:
            """ "... Hungary and Morocco, where they took part in the African Lion exercise": what the
            forces did at the place is told in a clause right after it."""
            return any(_names_a_drill(t) and WHERE_CLAUSE.match(folded, location.end, t.start)
                       for t in mentions.within(mentions.triggers, location.end, segment_end))

        also: list[Draft] = []  # the drills that forces arrived for, read after the arrivals

        def arrived_for(arrival: Draft, location: PlaceMention) -> None:
            """The drill the forces of `arrival` came to `location` for, if the sentence names one."""
            if arrival.kind not in ("deployment", "basing"):
                return
            drill = self._drill_arrived_for(mentions, folded, location, sentence)
            if drill is None:
                return
            # The drill joins the forces that came with the host of the place they came to.
            host = [location.place.country] if location.place.country else []
            participants = list(dict.fromkeys([*arrival.actors, *host]))
            # "... to participate in the exercise scheduled for September": the drill's own date
            arrived = arrival.date
            when = next(((d.date, d.precision) for d in mentions.within(mentions.dates, drill.end, sentence.end)
                         if arrived and d.date > arrived[0]), arrived)
            if location.place.kind == "sea":
                # "Frigates are deployed in the Aegean Sea for the Blue Homeland exercise": no one is
                # posted to open water; being there for the drill is the drill
                arrival.kind, arrival.date = "exercise", when
                return
            also.append(Draft(sentence, "exercise", drill.priority, list(arrival.places),
                              [copy.copy(a) for a in arrival.assets], participants,
                              [p for p in arrival.partners if p not in participants], when, arrival.status,
                              arrival.signals))
        claimed = sentence.start  # dates before this belong to places already read
        for index, location in enumerate(locations):
            last = index == len(locations) - 1
            segment_end = sentence.end if last else location.end
            if not last:
                # "at the Larissa air base in central Greece, where MQ-9 drones have been operating,":
                # a relative clause after a place describes that place.
                clause = RELATIVE_CLAUSE.match(mentions.text, location.end, locations[index + 1].start)
                if clause:
                    segment_end = clause.end()
            assets = self._assets(mentions, segment_start, segment_end, sentence) or list(borrowed)
            triggers = mentions.within(mentions.triggers, segment_start, segment_end) or sentence_triggers
            gap = mentions.text[locations[index - 1].end: location.start] if index else ""
            joined = index > 0 and JOINED.fullmatch(gap)
            taken = trailing_date(mentions.text, location.end, sentence.end if last else locations[index + 1].start,
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
            elif drafts and not joined and not assets and any(
                    t.priority >= 3 and t.kind != drafts[-1].kind
                    for t in mentions.within(mentions.triggers, segment_start, location.start)):
                # "... arrived off Cuba on Wednesday, had conducted missile drills in the Atlantic": the
                # same forces doing another thing at the next place
                assets = [copy.copy(a) for a in drafts[-1].assets]
            elif drafts and joined and not assets:
                # "over the Sea of Japan and the East China Sea", "in Estonia, Latvia and Lithuania":
                # one activity over several named places is one event per place (the codebook)
                listed = copy.copy(drafts[-1])
                listed.places = [location]
                if drilled_here(location, segment_end):
                    listed.kind = "exercise"
                listed.assets = [copy.copy(a) for a in drafts[-1].assets]
                drafts.append(listed)
                # "arrived at RAAF Bases Darwin and Tindal for the exercise": the drill at each base
                arrived_for(listed, location)
                segment_start = segment_end
                continue
            elif drafts and (joined or not assets):
                drafts[-1].places.append(location)
                if assets and assets != borrowed:  # borrowed ones are the draft's already
                    drafts[-1].assets.extend(assets)
                segment_start = segment_end
                continue
            # "Sea Breeze 2020 exercises kick off in the Black Sea": a named drill at a place is an
            # event before its forces are told
            named_drill = not assets and (
                bool(mentions.within(mentions.exercise_names, sentence.start, sentence.end))
                # "the exercise will take place in the Northern Territory ... at RAAF Bases Darwin and
                # Tindal", after "Exercise Pitch Black": the named drill told again
                or (bool(_THE_DRILL.search(folded, sentence.start, sentence.end))
                    and bool(mentions.within(mentions.exercise_names, 0, sentence.start))))
            if not assets and not named_drill:
                if not drafts and index == 0 and location.place.kind in ("installation", "city"):
                    site_first = location
                segment_start = segment_end
                continue
            # The verb that leads to the place ("sent to", "patrol over") outranks words after it.
            leading = [t for t in triggers if t.start < location.start] or triggers
            # "Before arriving, ... the ships had practised ... in the Atlantic": a verb in a clause of
            # another moment says what happened then, not here
            leading = [t for t in leading if not OTHER_MOMENT.search(folded, max(0, t.start - 8), t.start)] \
                or leading
            trigger = max(leading, key=lambda t: t.priority - abs(location.start - t.end) / TRIGGER_REACH)
            kind = trigger.kind
            if named_drill and kind != "exercise":
                segment_start = segment_end
                continue
            if kind == "deployment" and trigger.priority < 3 and any(a.category in PATROLLING for a in assets) \
                    and AIRSPACE.match(mentions.text, location.end):
                kind = "patrol"  # "crossed into Japan's airspace": an incursion, not a posting
            if drilled_here(location, segment_end):
                kind = "exercise"
            if kind == "patrol" and not any(a.category in PATROLLING for a in assets):
                kind = "deployment"  # HIMARS "flown into Latvia" were carried, not patrolling
            if kind == "deployment" and location.place.kind == "sea" and any(a.category in PATROLLING for a in assets) \
                    and PASSING_THROUGH.search(folded, max(segment_start, location.start - 16), location.start):
                kind = "patrol"  # "sent ... bombers through the Miyako Strait": a transit, no posting
            if kind == "patrol" and location.place.kind in ("city", "installation") \
                    and ARRIVING_AT.search(folded, max(segment_start, location.start - 24), location.start):
                kind = "deployment"  # "flew ... to Keflavik", "sailed ... into Havana harbour": an arrival
            # An exercise's area without its forces: the forces, and so the participants, are the
            # ones just listed before it.
            actors = actors_in(segment_start, segment_end) or sentence_actors
            if joint_actors:
                actors = list(dict.fromkeys([*joint_actors, *actors]))
            if not actors and not area_only:
                # "The Shandong had sailed into the western Pacific": a platform only one country
                # operates says whose forces these are better than the actors of an earlier sentence;
                # so do the forces of a place this sentence has already reported
                actors = operators(assets) or (list(drafts[-1].actors) if drafts else [])
            actors = actors or (actors_in(behind, sentence.start) if area_only else previous_actors)
            if not actors and not area_only:
                actors = operators(assets) or partners or named_countries(places)
            if (location.place.country in actors
                    and (RETURNING.search(folded, max(segment_start, location.start - 30), location.start)
                         or MISSION_DONE.match(folded, location.end))) \
                    or HEADING_BACK.search(folded, max(segment_start, location.start - 40), location.start):
                # "returning to Norfolk", "back home in Germany": a homecoming, not a deployment; "the
                # bombers then flew back to eastern Russia": whoever flew back, they left
                segment_start = segment_end
                continue
            if no_posture_event(folded, segment_start, location.end, min(segment_end, next(
                    (p.start for p in places if p.start > location.start), sentence.end))):
                # "... will deploy to Poland but will not deploy to Ukraine": this place's words only
                segment_start = segment_end
                continue
            segment = folded[segment_start:segment_end]
            status = "announced" if FUTURE.search(segment) and not OBSERVED.search(segment) else (
                trigger.status or ("announced" if FUTURE.search(folded[sentence.start:sentence.end]) else "observed"))
            if kind == "deployment" and actors == [location.place.country] \
                    and location.place.kind != "country" and self._drill_just_told(mentions, sentence):
                # "35,000 personnel ... will deploy across Queensland, Northern Territory, ..." in an
                # article on Talisman Sabre: a host's forces moving inside their own country for a
                # drill the article reports are its sites, not a posting
                kind = "exercise"
            signals = sum([bool(actors_in(segment_start, segment_end)), trigger.priority >= 2,
                           here is not None])
            places_here = [location]
            if site_first is not None and location.place.kind in ("country", "region") \
                    and contains(location, site_first):
                places_here.insert(0, site_first)
            site_first = None
            drafts.append(Draft(sentence, kind, trigger.priority, places_here, assets, actors,
                                 [p for p in partners if p not in actors], here, status, signals,
                                 borrowed_assets=bool(borrowed) and assets == borrowed,
                                 area_only=area_only and assets == borrowed,
                                 anaphoric=refers_back(mentions, segment_start, segment_end)))
            if kind == "exercise" and location.place.kind in ("city", "installation") and assets \
                    and PORT_ARRIVAL.search(folded, sentence.start, sentence.end):
                visitors = [a for a in actors if a != location.place.country] or actors
                also.append(Draft(sentence, "deployment", trigger.priority, list(places_here),
                                  [copy.copy(a) for a in assets], visitors, [], here, status, signals))
            arrived_for(drafts[-1], location)
            segment_start = segment_end
        return drafts + also

    @staticmethod
    def _drill_just_told(mentions: Mentions, sentence: Sentence) -> bool:
        """Whether this sentence or the one before it speaks of an exercise."""
        before = mentions.starting_in(mentions.sentences, max(0, sentence.start - 600), sentence.start)
        start = before[-1].start if before else sentence.start
        return any(_names_a_drill(t) for t in mentions.within(mentions.triggers, start, sentence.end))

    def _home_drill(self, mentions: Mentions, sentence: Sentence,
                    actors_in: Callable[[int, int], list[str]]) -> list[PlaceMention]:
        """ "Kim Jong Un oversaw a firing contest of artillery sub-units of the Korean People's Army":
        a drill of one country's forces, in an article that places nothing anywhere, is held at home."""
        triggers = mentions.within(mentions.triggers, sentence.start, sentence.end)
        drill = next((t for t in triggers if _names_a_drill(t)), None)
        # Forces that went somewhere ("arrived for the exercise") went away from home; a weaker word of
        # basing does not outweigh the drill ("chairman of the State Affairs Commission ... guided a drill").
        if drill is None or any(t.kind in ("deployment", "patrol")
                                or (t.kind != "exercise" and t.priority >= drill.priority) for t in triggers) \
                or not mentions.within(mentions.assets, sentence.start, sentence.end):
            return []
        if any(p.role in LOCATING_ROLES for p in mentions.places):
            return []
        actors = actors_in(sentence.start, sentence.end)
        home = self.geocoder.gazetteer.get(f"country:{actors[0]}") if len(actors) == 1 else None
        if home is None:
            return []
        # The drill's own words stand for the place, placed just after them so that the drill is the
        # word that leads to it ("chairman of the ... Commission ... guided a drill" is a drill).
        return [PlaceMention(drill.end, drill.end, drill.text, home, 1.0, "location")]

    def _joint_subject(self, mentions: Mentions, sentence: Sentence, places: list[PlaceMention],
                       triggers: list[TriggerMention]) -> tuple[list[Asset], list[str]] | None:
        """The forces and actors of a sentence opening with countries that carry out a patrol or an
        exercise named with a word of its domain ("joint aerial patrol", "naval drills"), if it does."""
        strong = [t for t in triggers if t.priority >= 3 and t.kind in ("patrol", "exercise")]
        if not strong or not places or places[0].place.kind != "country":
            return None
        if not _SUBJECT_OPENING.fullmatch(mentions.text, sentence.start, places[0].start):
            return None
        if not places[0].place.country:
            return None
        countries = [places[0].place.country]
        for previous, place in pairwise(places):
            if place.place.kind != "country" or not place.place.country \
                    or not _SUBJECT_JOIN.fullmatch(mentions.text, previous.end, place.start):
                break
            countries.append(place.place.country)
        subject_end = places[len(countries) - 1].end
        trigger = next((t for t in strong if t.start > subject_end), None)
        if trigger is None or trigger.start - subject_end > 80:
            return None
        described = mentions.text[subject_end: trigger.end]
        domain = "asset:aircraft" if _AIR_WORDS.search(described) else \
            "asset:warship" if _SEA_WORDS.search(described) else None
        if domain is None:
            return None
        return [asset_of(self.catalogue.by_id[domain], None, mentions.text[trigger.start:trigger.end])], countries

    def _drill_forces(self, mentions: Mentions, sentence: Sentence) -> list[Asset]:
        """"Turkey and its allies are participating in the Anatolian Eagle air drills in Konya ... F-16 and
        F-4 fighter jets have been used in the drills.": the forces of an exercise reported without them,
        from the next sentences that speak of the drill and name no other place."""
        # the next five sentences, found by bisection (an index() per sentence would make a long
        # article quadratic)
        for following in mentions.starting_in(mentions.sentences, sentence.end, sentence.end + 3000)[:5]:
            if locations_in(mentions, following):
                break
            triggers = mentions.within(mentions.triggers, following.start, following.end)
            if not any(t.kind == "exercise" for t in triggers):
                continue
            assets = self._assets(mentions, following.start, following.end, following)
            if assets:
                return assets
        return []

    @staticmethod
    def _drill_arrived_for(mentions: Mentions, folded: str, location: PlaceMention,
                           sentence: Sentence) -> TriggerMention | None:
        """The exercise trigger that forces arriving at `location` came for ("... arrived in Zhanjiang to
        take part in joint naval exercises"), if the sentence goes on to name one."""
        purpose = FOR_EXERCISE.match(folded, location.end, sentence.end)
        if purpose is None:
            return None
        return next((t for t in mentions.within(mentions.triggers, purpose.end(), min(sentence.end, purpose.end() + 60))
                     if _names_a_drill(t)), None)

    def _generous(self, mentions: Mentions, proposed: list[Draft], actors_in: Callable[[int, int], list[str]],
                  leading: list[str], published: PublicationDate | None, from_article: set[int]) -> list[Draft]:
        """Candidates no rule read: every place of a sentence with a military cue (a trigger word or an
        asset), once per place and kind in the article (its first such sentence), for the model to
        judge. The rules' own readings come first and are not proposed again."""
        taken = {(p.place.id, KIND_GROUPS[d.kind]) for d in proposed for p in d.places}
        folded = fold_article(mentions.text)
        found: list[Draft] = []
        for sentence in mentions.sentences:
            triggers = sorted(mentions.within(mentions.triggers, sentence.start, sentence.end),
                              key=lambda t: -t.priority)
            assets = self._assets(mentions, sentence.start, sentence.end, sentence)
            if not triggers and not assets:
                continue
            kinds = list(dict.fromkeys(t.kind for t in triggers))[:2] or ["deployment"]
            places = [p for p in mentions.starting_in(mentions.places, sentence.start, sentence.end)
                      if p.role not in ("name", "partner")]
            if not places:
                continue
            actors = actors_in(sentence.start, sentence.end)
            dates = mentions.within(mentions.dates, sentence.start, sentence.end)
            date = (dates[0].date, dates[0].precision) if dates else None
            segment = folded[sentence.start:sentence.end]
            status = "announced" if FUTURE.search(segment) and not OBSERVED.search(segment) else "observed"
            priority = triggers[0].priority if triggers else 0
            signals = sum([bool(actors), priority >= 2, date is not None])
            for place in places:
                for kind in kinds:
                    key = (place.place.id, KIND_GROUPS[kind])
                    if key in taken:
                        continue
                    taken.add(key)
                    draft = Draft(sentence, kind, priority, [place], [copy.copy(a) for a in assets],
                                  list(actors or leading), [], date, status, signals, generous=True)
                    if not actors:
                        from_article.add(id(draft))
                    if draft.actors:
                        found.append(draft)
        return found

    def _add_told_forces(self, mentions: Mentions, sentence: Sentence, draft: Draft) -> None:
        """ "The Indian detachment comprises four Su-30MKI fighters ...", "The three-day activity involved
        the frigate HMAS Toowoomba and a P-8A": a sentence right after an event that names no place lists
        that event's forces."""
        ours = set(draft.actors + draft.partners)
        known = {a.family.lower() for a in draft.assets}
        hits = mentions.within(mentions.assets, sentence.start, sentence.end)
        for asset in self._assets(mentions, sentence.start, sentence.end, sentence):
            if is_generic(asset) or asset.family.lower() in known:
                continue
            # "Sahyadri, a Shivalik-class frigate, arrived ... and was welcomed by sailors from the
            # Philippine Navy": the countries named before a force say whose it is; one named after
            # it is the host
            at = next((h.end for h in hits if h.text == asset.text), sentence.end)
            before = {c for a in mentions.within(mentions.actors, sentence.start, at) for c in a.actor.countries}
            if before and not before & ours:
                continue
            draft.assets.append(asset)
            known.add(asset.family.lower())

    def _actors(self, mentions: Mentions, start: int, end: int, named: frozenset[str] = frozenset()) -> list[str]:
        """Countries whose forces act here: demonyms and services, and countries or capitals as subjects.
        `named`: the countries the article names otherwise, which settle an ambiguous abbreviation."""
        found: list[str] = []
        folded = fold_article(mentions.text)
        for hit in mentions.within(mentions.actors, start, end):
            if CAUSE_NOUNS.match(folded[hit.end: hit.end + 30]):
                continue  # "the Russian invasion": the cause of the news, not a force that moved
            if in_section_label(mentions.text, hit.start, hit.end) or observer(mentions, hit.end):
                continue
            if hit.actor.kind == "government" and AT_PLACE.search(mentions.text, max(0, hit.start - 7), hit.start):
                continue  # "after a stop in Manila": the city, not the government
            if hit.actor.kind == "government" or not is_partner_word(mentions.text, hit):
                countries = hit.actor.countries
                if len(countries) > 1 and hit.actor.kind != "combined":
                    # "IAF" (India's or Israel's): the one the article otherwise names
                    countries = [c for c in countries if c in named] or countries
                found.extend(countries)
        for place in mentions.within(mentions.places, start, end):
            if place.place.kind == "country" and place.place.country and FORCES_OF.match(folded, place.end):
                found.append(place.place.country)  # "F-15 fighters of Japan's Air Force": whose forces
                continue
            if place.role != "mention" or place.place.kind not in ("country", "city"):
                continue
            if place.place.kind == "city" and not place.place.capital:
                continue
            if place.place.country and (ACTOR_FOLLOWERS.match(folded[place.end: place.end + 40])
                                        or LISTED_SUBJECT.match(mentions.text[place.end: place.end + 60])) \
                    and not observer(mentions, place.end):
                found.append(place.place.country)
        return list(dict.fromkeys(found))

    def _partner_actors(self, mentions: Mentions, sentence: Sentence) -> list[str]:
        return [c for hit in mentions.within(mentions.actors, sentence.start, sentence.end)
                if is_partner_word(mentions.text, hit) for c in hit.actor.countries]

    def _assets(self, mentions: Mentions, start: int, end: int, sentence: Sentence) -> list[Asset]:
        hits = mentions.within(mentions.assets, start, end)
        assets: list[Asset] = []
        previous: AssetHit | None = None
        conveyance_end = -1
        folded = fold_article(mentions.text)
        for hit in hits:
            asset_type = hit.asset
            if asset_type.category == "transport/tanker" and (
                    CONVEYANCE.search(folded[max(sentence.start, hit.start - 25): hit.start])
                    or 0 <= hit.start - conveyance_end <= 2):
                conveyance_end = hit.end
                continue  # "flown in aboard C-130 transport planes": the lift, not the deployment
            if NON_STATE.search(folded[max(sentence.start, hit.start - 30): hit.start]):
                continue  # "Hamas fighters" are not fighter aircraft
            if CIVILIAN.search(folded[max(sentence.start, hit.start - 15): hit.start]):
                continue
            if LEFT_BEHIND.search(folded[max(sentence.start, hit.start - 30): hit.start]):
                continue  # "detached from the UK Carrier Strike Group": not the unit that moved
            count = count_before(mentions, hit, sentence)
            generic = asset_type.family.lower() == asset_type.category or not asset_type.countries
            # "B-52 bombers": the generic word after a designator describes it, it is not a second asset.
            if previous is not None and generic and not is_generic_type(previous.asset) \
                    and hit.start - previous.end <= 25 \
                    and WORDS_ONLY.fullmatch(mentions.text[previous.end: hit.start]) \
                    and assets and assets[-1].category == asset_type.category:
                if count and not assets[-1].count:
                    assets[-1].count = count
                continue
            assets.append(asset_of(asset_type, count, hit.text))
            previous = hit
        segment = folded[start:end]
        ranged = FROM_TO.search(segment) if "from" in segment else None  # the regex tries every position
        if ranged and assets:
            value = plain_count(ranged.group(2))
            if value:
                assets[0].count = value
        return assets

    # -- finishing -------------------------------------------------------------------------------
    def _finish(self, article: Article, draft: Draft, published: PublicationDate | None) -> Event:
        places = most_specific(unique_places(draft.places))
        shapes = [p.place.geometry for p in places]
        geometry = event_geometry(draft.kind, places, shapes)
        precision = max(geo_precision(p.place) for p in places)
        if draft.date is not None:
            start, time_precision = draft.date
        elif published is not None:
            start, time_precision = published.date, published.precision
        else:
            start, time_precision = None, "day"
        families = sorted({a.family for a in draft.assets})
        identifier = event_id(article.document, draft.kind, [p.place.id for p in places], families,
                              draft.sentence.start)
        score = confidence(draft, places)
        return Event(
            id=identifier,
            kind=draft.kind,
            actors=draft.actors,
            partners=draft.partners,
            name=draft.name,
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
            confidence=score,
        )


def _name_exercises(mentions: Mentions, drafts: list[Draft]) -> None:
    """Each exercise takes the name its sentence gives it ("U.S. and Philippine air forces launched
    ... Cope Thunder"), else the exercise the article names most: "The exercise includes three weeks
    of training ..." in a report on Balikatan 23 is Balikatan 23."""
    names = mentions.exercise_names
    if not names:
        return
    # the series named most often, the first of them on a tie: what the article is about
    counted = Counter(name_series(n.text) for n in names)
    top = max(counted.values())
    only = next(n.text for n in names if counted[name_series(n.text)] == top)
    for draft in drafts:
        if draft.kind != "exercise" or draft.name:
            continue
        here = mentions.within(names, draft.sentence.start, draft.sentence.end)
        if here:
            at = draft.places[0].start if draft.places else draft.sentence.start
            draft.name = min(here, key=lambda n: abs(n.start - at)).text
        else:
            draft.name = only


_POSSESSIVE_END = re.compile(r"['’]s$")
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
