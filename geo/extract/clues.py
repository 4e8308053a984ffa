"""The words the extractor decides by: the patterns it looks for around a mention (a plan, an
observed move, a speaker, a conveyance, a homecoming, ...) and the small readings of the text and
mentions built on them (which countries act in a span, which date dates a place, how many of an
asset, whether an asset is generic or only refers back).

Patterns marked `FoldedPattern` read the folded text (lower case, accents off; geo.gazetteer.names).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from geo.events import Asset
from geo.extract.catalogue import ActorHit, AssetHit, load_catalogue
from geo.extract.dates import PublicationDate
from geo.extract.geometry import contains
from geo.extract.mentions import ADMIN_WORD, LOCATING_ROLES, Mentions, PlaceMention, Sentence
from geo.gazetteer import FoldedPattern, fold_article, fold_text

# "may" the verb, not the month ("in May", "May 3", "early May 2024"): the text is folded to lower case
_MODAL_MAY = (r"(?<!\bin )(?<!\bof )(?<!since )(?<!\bby )(?<!until )(?<!early )(?<!\blate )(?<!mid-)(?<!\bmid )"
              r"(?<!last )(?<!next )(?<!this )(?<!\d )may(?!\s*\d)(?!,)")
FUTURE = FoldedPattern(
    r"\b(?:will|would|shall|plans? to|planned|planning|intends? to|intention|to be (?:sent|deployed|stationed)|"
    r"is to|are to|set to|expected to|considering|proposed|could|" + _MODAL_MAY + r"|might|"
    r"announce[sd]? (?:that|plans))\b")
SCHEDULED = FoldedPattern(r"\b(?:will|shall|is to|are to|set to|scheduled|due to)\b")
OBSERVED = FoldedPattern(
    r"\b(?:arrived|landed|flew|conducted|completed|took part|participated|deployed|was deployed|were deployed|"
    r"patrolled|sailed|transited|entered|held|carried out|staged|touched down|operated)\b")
ACTOR_FOLLOWERS = FoldedPattern(
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
LISTED_SUBJECT = re.compile(r"^(?:,\s*[A-Z][\w-]+(?:\s[A-Z][\w-]+)?)*,?\s+and\s+[A-Z][\w-]+(?:\s[A-Z][\w-]+)?\s+"
                             r"(?:will\s+|have\s+|had\s+)?(?:begin|began|begun|start|started|hold|held|launch|"
                             r"launched|stage|staged|conduct|conducted|join|joined|sent|send|deploy|deployed)\b")
CAUSE_NOUNS = FoldedPattern(
    r"^\s*(?:'s\s+|’s\s+)?(?:full-scale\s+)?(?:invasion|aggression|war|attack|attacks|threat|threats|annexation|"
    r"occupation|provocation|provocations|pressure|posturing|embassy|ambassador|president|leader|officials?|"
    r"coast|coastline|waters|airspace|border|borders|territory|side|capital|media|military activity|activity|"
    r"claims?|mainland|build-?up|troop build-?up|massing|port|ports|city|cities|town|island|islands|region|"
    r"province|peninsula|archipelago|base|bases|objections?|"
    r"protests?|concerns?|opposition|criticism|warnings?|expansion|assertiveness|ambitions|control|"
    r"militari[sz]ation|behaviou?r)\b")
# "since shortly before the Russian invasion in late February": the date of another event.
# ("since mid-April" alone is the start of this one.)
BACKGROUND_DATE = FoldedPattern(r"\b(?:(?:before|after|until|prior to)\s+(?:\w+\s+){0,5}|since\s+(?:\w+\s+){2,6}"
                                # "with the last one having taken place in 2010": an earlier edition's date
                                r"|(?:last|previous|prior|first)\s+(?:one|time|edition|iteration)\s+(?:\w+\s+){0,4}"
                                # "... dubbed North Star back in September of 1991": a memory, told as one
                                r"|\bback\s+(?:(?:in|on)\s+)?)$")
# "..., where MQ-9 drones have been operating since last year,": that date describes the place.
IN_RELATIVE_CLAUSE = re.compile(r",\s*where\b[^,;]*$", re.IGNORECASE)
RELATIVE_CLAUSE = re.compile(r"[^,;]{0,40},\s*(?:where|which|home to|hosting|whose)\b[^,;]*")
# "detached from the UK Carrier Strike Group", "hosted by the Army's 3rd Brigade": not the unit that moved.
LEFT_BEHIND = FoldedPattern(r"\b(?:detached from|left|leaving|separated from|split from|hosted by)\s+(?:the\s+)?"
                             r"(?:[\w'’]+\s+){0,2}$")
NON_STATE = FoldedPattern(r"\b(?:hamas|hezbollah|houthis?|militants?|rebels?|taliban|isis|islamic state|wagner|"
                           r"insurgents?|separatists?|militia|guerrillas?)\s+$")
# "seize merchant ships", "commercial vessels": ships that are not a navy's.
CIVILIAN = FoldedPattern(r"\b(?:merchant|commercial|cargo|civilian|fishing|container|passenger|cruise)\s+$")
SEA_AS_MODIFIER = re.compile(r"\s+(?:islands?|islets?|reefs?|shoals?|outposts?|features?|bases?|ports?|coast|"
                             r"coastline|littoral|states?|nations?|countries|claimants?|disputes?)\b")
PATROLLING = frozenset({"bomber", "fighter", "maritime patrol", "reconnaissance", "drone", "early warning",
                         "transport/tanker", "helicopter", "surface combatant", "carrier", "submarine", "amphibious",
                         "aircraft"})
# A patrol's ground is a sea or an area; a force that goes "to" or "into" a port or base arrives there.
ARRIVING_AT = FoldedPattern(r"\b(?:to|into|enter(?:s|ed|ing)?)\s+(?:the\s+)?(?:port\s+of\s+|harbou?r\s+of\s+)?$")
# "sent ... fighter jets and bombers through the Miyako Strait": forces sent across water pass through
PASSING_THROUGH = FoldedPattern(r"\b(?:through|across|past)\s+(?:the\s+)?$")
CONVEYANCE = FoldedPattern(r"(?:aboard|on board|onboard|by|on|via|in)\s+(?:\w+\s+){0,2}$")
# "On 18 October the NIS said ... between 8 and 13 October": the day of the report, when the
# sentence dates the event itself too (read on the folded, lower-case text).
REPORTED_ON = FoldedPattern(r"\s*,?\s*(?:[\w'’.-]+\s+){0,4}?(?:said|says|announced|reported|confirmed|told|stated|"
                             r"added|disclosed|revealed|claimed)\b")
# "China's Eastern Theatre Command said", "German Defence Minister Boris Pistorius told": a
# speaker, whose country need not be the one whose forces the next sentences are about.
_SPEAKER = FoldedPattern(r"(?:['’]s)?(?:\s+[\w.-]+){0,4}?\s+(?:said|says|told|claims?|claimed|warned|protested|"
                         r"condemned|accused|critici[sz]ed|denounced|urged|called)\b")
# "Japan's Joint Staff tracked the detachment", "the ministry recorded Chinese aircraft": who watched,
# not whose forces moved (unless forces of its own stand between: "Japanese destroyers shadowed").
_OBSERVER = FoldedPattern(r"(?:['’]s)?(?:\s+[\w.-]+){0,4}?\s+(?:tracked|monitored|spotted|detected|observed|recorded|"
                          r"shadowed|followed)\b")
RETURNING = FoldedPattern(r"\b(?:return(?:s|ed|ing)?|came back|coming back|back home|home)\s+(?:\w+\s+){0,2}"
                           r"(?:to|in|at)\s+(?:the\s+)?$")
HEADING_BACK = FoldedPattern(r"\b(?:flew|flown|flying|sailed|sailing|headed|heading|went|turned|returned)\s+back\s+"
                             r"(?:\w+\s+)?(?:to|towards?|into)\s+(?:the\s+)?(?:\w+ern\s+)?$")
# "docked at Bandar Abbas Port after successfully accomplishing its 150-day mission": back at home
# from a mission (read after a place of the forces' own country).
MISSION_DONE = FoldedPattern(r"\s*(?:port\s+|naval\s+base\s+|base\s+)?(?:,\s*)?(?:on\s+\w+\s+)?after\s+"
                             r"(?:successfully\s+)?(?:completing|accomplishing|concluding|finishing|ending|"
                             r"wrapping\s+up)\b")
# "The ASDF's fighters have previously been sent to the United States", "usually operates in the
# Mediterranean": a move told as habit or as an undated past, which the codebook keeps out (optional
# at most); a dated background event names its date instead. ("The drill, previously called Cold
# Response": an old name, not an old move.)
UNDATED_PAST = FoldedPattern(r"\b(?:previously(?!\s+(?:called|named|known|dubbed))|in the past|on previous occasions|"
                             r"in previous years|usually|routinely|typically|habitually)\b")
OTHER_MOMENT = FoldedPattern(r"\b(?:before|after|until|since)\s+$")
# What the codebook says is no posture event, read in the words that report one: arms handed over
# ("will also be sent to Ukraine" in an aid package, S-400 "deliveries"), strikes, and moves that are
# denied or only imagined ("ready to send", "no ground troops ... sent there").
ARMS_TRANSFER = FoldedPattern(r"\b(?:deliver(?:y|ies|ed)|donat(?:e|ed|es|ing|ion)|aid package|military aid|"
                              r"security assistance|arms (?:sale|deal|transfer)s?|sold|sale of|purchas(?:e|ed|es)|"
                              r"procure(?:d|ment)?|shipments? of|cargo|components of|handed over|hand over)\b")
# Forces shown, christened or built somewhere are not posted there: "to reveal the J-35A at the Zhuhai
# air show", "to be constructed at Mumbai".
SHOWCASE = FoldedPattern(r"\b(?:air ?shows?|defen[cs]e (?:shows?|expos?|exhibitions?|fairs?)|"
                         r"arms (?:fairs?|shows?|expos?|exhibitions?)|trade shows?|"
                         r"christening|keel[- ]laying|(?:built|constructed) (?:at|in))\b")
# "USS John Basilone was commissioned during a ceremony in New York", "In a separate ceremony in
# Boston, ... the Navy commissioned ...": a ship entering service, the sentence's news wherever told
SERVICE_CEREMONY = FoldedPattern(r"\b(?:commission\w*|christen\w*)\b[^;]{0,60}\bceremon(?:y|ies)\b|"
                                 r"\bceremon(?:y|ies)\b[^;]{0,60}\b(?:commission\w*|christen\w*)\b")
STRIKE = FoldedPattern(r"\b(?:struck|airstrikes?|air strikes?|air raids?|bombed|bombing|shelled|crash(?:ed|es)?)\b")
NOT_HAPPENING = FoldedPattern(r"\b(?:den(?:y|ies|ied)|ready to|rule[sd]? out|ruling out|no plans?|never|would not|"
                              r"will not|won't|not (?:be )?(?:sent|deployed|send|deploy)|there will be no|"
                              r"no (?:\w+ ){0,2}(?:troops|soldiers|forces) (?:will|would)|might|could|"
                              r"would be (?:necessary|needed|possible)|considering|options? (?:to|of|for))\b")
# "arrived in Zhanjiang to take part in joint naval exercises", "forces have arrived in the Philippines
# for the annual Balikatan exercises": the arrival is one event, the drill it is for another.
FOR_EXERCISE = FoldedPattern(r"[^.;]{0,40}?\b(?:to (?:take part|participate|join|attend|conduct|hold|carry out)|for|"
                             r"ahead of|in preparation for)\b")
# "... held a bilateral exercise during their visit to Karachi", "arrived in Colombo and conducted a
# PASSEX": the codebook makes the port call an event (a deployment) beside the drill held there.
PORT_ARRIVAL = FoldedPattern(r"\b(?:arriv(?:e|es|ed|ing|al)|dock(?:s|ed|ing)|moor(?:s|ed)|berth(?:s|ed)|called at|"
                             r"port (?:call|visit)|(?:their|its|her|goodwill|good-will) visit)\b")
# ", where they took part in the annual": a clause after a place that says what was done there.
WHERE_CLAUSE = FoldedPattern(r",\s*where\s+[^,;.]{0,60}$")
# "Japan's Air Force", "Russia's Northern Fleet": a country's possessive before its armed service.
FORCES_OF = FoldedPattern(r"['’]s\s+(?:[\w-]+\s+)?(?:air\s+force|navy|army|fleet|armed\s+forces|military|"
                          r"coast\s+guard|self-defen[cs]e\s+forces?|marines?)\b")
AT_PLACE = re.compile(r"\b(?:in|at|to|into|near|off|via)\s+$")
# "UK / SPAIN: Two additional F-35 squadrons ...": a live blog's or round-up's section label names
# the topic, not the forces.
_SECTION_LABEL = re.compile(r"[ \t]*[A-Z][A-Z .'’/&,-]{0,40}:")
# "continuing towards the Indian Ocean on their way home": a return, not a deployment there.
GOING_HOME = FoldedPattern(r"\s*,?\s*(?:on (?:their|its|the|her) (?:way|journey|voyage) (?:home|back)|homeward|"
                            r"to return home)\b")
REPORTING_DATE = FoldedPattern(r"\b(?:said|says|told|announced|confirmed|stated|reported|added)\s+(?:\w+\s+){0,2}$")
# "over the Sea of Japan and the East China Sea", "in northern Nordland and in Troms": one event's places.
JOINED = re.compile(ADMIN_WORD
                    + r"\s*(?:,\s*)?(?:and|or|as well as|,)\s+(?:(?:in|at|on|over|into|across|to)\s+)?(?:the\s+)?")
QUOTE_MARKS = ('"', "“", "‘", "'")
FROM_TO = FoldedPattern(r"\bfrom\s+(\w+(?:,\d{3})?)\s+to\s+(\w+(?:,\d{3})?)\b")

SINCE_BEFORE = FoldedPattern(r"\bsince\s+$")
WORDS_ONLY = re.compile(r"[\s\w-]*")
_NAME_WORDS_ONLY = re.compile(r"[\s\w'’.-]*")
_LINKING_WORD = re.compile(r"\b(?:of|to|from|in|at|and)\b")
# A date after ", and in March," opens the next clause: it dates what that clause says, not the place
# before it ("missions in Guam in May, and in March two bombers ... in Europe").
_CLAUSE_END = re.compile(r"[;.]|,\s*(?:and|but|while|whereas)\b")
# "with Japanese fighter jets", unless the clause goes on to its own verb ("with ... flew").
_JOINING_WORDS = ("with", "alongside", "and partners from", "joined by", "including")
_JOINING_BEFORE = re.compile(rf"\b(?:{'|'.join(_JOINING_WORDS)})\s+(?:[\w'’-]+,?\s+){{0,6}}$")
_JOINING_CLAUSE = re.compile(
    r"\b(?:with|alongside|including)\b.*\b(?:flew|deployed|sent|arrived|said|began|will|have|has)\b")


_BASED_AT = re.compile(r",\s*(?:based|stationed|garrisoned)\s+(?:at|in)\s+$")


def based_inside(text: str, place: PlaceMention, places: list[PlaceMention]) -> bool:
    """ "the battlegroup in Estonia, based at Tapa,": where a unit sits inside the place just named is
    its site there (a unit "based at Fort Campbell" after no such place is at home)."""
    if not _BASED_AT.search(text, max(0, place.start - 25), place.start):
        return False
    before = [p for p in places if p.end <= place.start]
    return bool(before) and before[-1].role in LOCATING_ROLES and before[-1].place.kind in ("country", "region") \
        and contains(before[-1], place)


def trailing_date(text: str, start: int, end: int,
                   dated: Sequence[tuple[int, tuple[dt.date, str]]]) -> tuple[int, tuple[dt.date, str]] | None:
    """ "ordered them to the Middle East on July 20", "to Vladivostok between 8 and 13 October": a date
    right after a place, before the next one, dates that place (the sentence may date another)."""
    for at, value in dated:
        if start <= at < end and at - start <= 40 and not _CLAUSE_END.search(text[start:at]):
            return at, value
    return None


def observer(mentions: Mentions, end: int) -> bool:
    watching = _OBSERVER.match(fold_article(mentions.text), end, end + 60)
    return watching is not None and not mentions.within(mentions.assets, end, watching.end())


def in_section_label(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", max(0, start - 46), start) + 1
    if line_start == 0 and start > 45:
        return False  # no line break close before: not in a label (the search stays short)
    label = _SECTION_LABEL.match(text, line_start)
    return label is not None and end <= label.end()


def named_countries_in(mentions: Mentions) -> frozenset[str]:
    """Countries an article names by a one-country demonym, service or country name."""
    named = {hit.actor.countries[0] for hit in mentions.actors if len(hit.actor.countries) == 1}
    named.update(p.place.country for p in mentions.places if p.place.kind == "country" and p.place.country)
    return frozenset(named)


def acting(mentions: Mentions, sentence: Sentence, actors: list[str]) -> list[str]:
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


def is_partner_word(text: str, hit: ActorHit) -> bool:
    """ "with Japanese fighter jets", "with allied air forces, including British and Norwegian fighters"."""
    before = text[max(0, hit.start - 70): hit.start].lower()
    if not any(word in before for word in _JOINING_WORDS):
        return False  # the regex would try every position to find none
    return bool(_JOINING_BEFORE.search(before)) and not _JOINING_CLAUSE.search(before)


def refers_back(mentions: Mentions, start: int, end: int) -> bool:
    """ "the ship", "the bombers": generic words with a definite article only point back to the
    forces already named, they do not bring new ones."""
    hits = mentions.within(mentions.assets, start, end)
    folded = fold_article(mentions.text)
    return bool(hits) and all(
        is_generic_type(h.asset) and _DEFINITE.search(folded[max(0, h.start - 8): h.start]) for h in hits)


AIRSPACE = re.compile(r"['’]s\s+(?:territorial\s+)?(?:airspace|waters)\b")
_DEFINITE = FoldedPattern(r"\b(?:the|these|those)\s+$")


def is_platform(hit: AssetHit) -> bool:
    return hit.asset.category in PATROLLING and bool(hit.asset.countries)


def locations_in(mentions: Mentions, sentence: Sentence) -> bool:
    return any(p.role in LOCATING_ROLES for p in mentions.within(mentions.places, sentence.start, sentence.end))


# "to monitor Russian military activity", "amid North Korean missile tests", "in response to Chinese
# pressure": the forces watched or answered are the news's target, not who moved.
TARGETED = FoldedPattern(r"\b(?:monitor|monitors|monitoring|track|tracks|tracking|watch|watching|counter|countering|"
                         r"deter|deters|deterring|against|amid|amidst|threat from|threats from|response to|"
                         r"responding to|wary of|concerns? over)\s+(?:[\w-]+\s+){0,4}$")


def targeted(mentions: Mentions, hit: ActorHit) -> bool:
    folded = fold_article(mentions.text)
    return bool(CAUSE_NOUNS.match(folded[hit.end: hit.end + 30])
                or TARGETED.search(folded, max(0, hit.start - 50), hit.start))


def dominant_actors(mentions: Mentions, how_many: int) -> list[str]:
    """The country whose forces the article names most often (demonyms, services, abbreviations),
    leaving out forces named only as what others watch or answer."""
    tally: dict[str, int] = {}
    for hit in mentions.actors:
        if hit.actor.kind != "government" and len(hit.actor.countries) == 1 and not targeted(mentions, hit):
            code = hit.actor.countries[0]
            tally[code] = tally.get(code, 0) + 1
    if not tally:
        return []
    ranked = sorted(tally, key=lambda code: -tally[code])
    return ranked[:how_many]


def is_generic_type(asset_type) -> bool:
    return asset_type.family.lower() == asset_type.category or not asset_type.countries


def is_generic(asset: Asset) -> bool:
    known = load_catalogue().by_id.get(asset.catalogue_id or "")
    return known is None or not known.countries


def named_countries(places: list[PlaceMention]) -> list[str]:
    """Last resort for "NATO's exercise ... with ships from 16 nations, including Finland and Sweden"."""
    return list(dict.fromkeys(p.place.country for p in places
                              if p.role == "mention" and p.place.kind == "country" and p.place.country))


def operators(assets: list[Asset]) -> list[str]:
    catalogue = load_catalogue()
    for asset in assets:
        known = catalogue.by_id.get(asset.catalogue_id or "")
        if known is not None and len(known.countries) == 1:
            return list(known.countries)
    return []


def plain_count(text: str) -> int | None:
    from geo.extract.mentions import _count_value

    return _count_value(text)


def count_before(mentions: Mentions, hit: AssetHit, sentence: Sentence) -> int | None:
    """The number written just before an asset: "two additional F-35 fighter aircraft squadrons"."""
    # Within the hit's sentence; an asset borrowed from a sentence before this one brings its own number.
    window_start = max(sentence.start if hit.start >= sentence.start else 0, hit.start - 90)
    best = None
    for count in mentions.within(mentions.counts, window_start, hit.start):
        between = mentions.text[count.end: hit.start]
        if mentions.within(mentions.assets, count.end, hit.start):
            continue
        if (_NAME_WORDS_ONLY.fullmatch(between) and len(between.split()) <= 4 and hit.start - count.end <= 45
                and (not _LINKING_WORD.search(between) or _JOINED_NAMES.fullmatch(between))) \
                or _MEMBERS_OF.fullmatch(between):
            best = count.value
    return best


# "350 members of the 9th Chinese peacekeeping infantry battalion": the unit's strength.
_MEMBERS_OF = re.compile(r"\s+(?:members|personnel|servicemen|service\s+members)\s+(?:of|from)\s+(?:the\s+)?"
                         r"(?:[\w'’-]+\s+){0,5}")


# "11,000 U.S. and NATO military members", "1,200 British and Polish troops": the forces of two named
# countries or alliances counted together.
_JOINED_NAMES = re.compile(r"\s+(?:[A-Z][\w.'’-]*\s+)+and\s+(?:[A-Z][\w.'’-]*\s+)+(?:[a-z][\w-]*\s+)?")


_YEAR = re.compile(r"\d{4}")


_PLACE_CLAUSE_END = FoldedPattern(r"[,;:]|\s(?:but|while|whereas|and)\s")


def no_posture_event(folded: str, start: int, place_end: int, end: int) -> bool:
    """Whether one place's words in a sentence (from `start`, the place ending at `place_end`, up to
    `end` or the end of the place's clause) report arms handed over, a strike or crash, a move
    denied or only imagined, one told as habit or an undated past, or forces on show, christened or
    being built: none of them puts forces somewhere now (the codebook's traps), whatever verb of
    movement they also use. ("... will deploy to Poland but will not deploy to Ukraine": the denial
    is Ukraine's.)"""
    clause_end = _PLACE_CLAUSE_END.search(folded, place_end, end)
    end = clause_end.start() if clause_end else end
    return any(cue.search(folded, start, end) for cue in (ARMS_TRANSFER, STRIKE, NOT_HAPPENING, UNDATED_PAST,
                                                          SHOWCASE))


def ahead_if_planned(mention, sentence: Sentence, published: PublicationDate | None) -> dt.date:
    """ "will send two F-35s to Bulgaria from April", in a January article, "will begin their joint
    exercise on September 25", in an August one: a month or day named without a year in a sentence
    about a plan is the coming one, not the one last year."""
    day = mention.date
    if published is None or mention.precision not in ("month", "day") or _YEAR.search(mention.text) \
            or not 45 < (published.date - day).days <= 366:
        return day
    # a named day needs a firm plan ("will begin on September 25"), not a "may" or "could"
    if not (SCHEDULED if mention.precision == "day" else FUTURE).search(fold_text(sentence.text)):
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


def range_start(text: str, mention, day: dt.date) -> dt.date:
    if mention.precision != "day" or not mention.text[:1].isdigit():
        return day
    opening = _RANGE_OPENING.search(fold_article(text), max(0, mention.start - 25), mention.start)
    if opening is None or not 0 < int(opening.group(1)) < day.day:
        return day
    return day.replace(day=int(opening.group(1)))
