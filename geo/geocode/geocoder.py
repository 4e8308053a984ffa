"""Geocoding against the offline gazetteer, as a geopy geocoder, with context ranking.

`OfflineGazetteer` is a `geopy.geocoders.base.Geocoder`: `geocode(query, exactly_one=True)`
returns geopy `Location` objects whose `raw` carries the gazetteer record, its `Place` and its
shape, so geopy's `RateLimiter`, `geopandas.tools.geocode` and users' own code work unchanged.

Candidates are ranked by `geo.geocode.ranking.PlaceRanker`: by kind and importance, then by an optional
country bias and the other places and cue words of a context text.

Online geocoders are an opt-in fallback (`with_online_fallback`): Nominatim through geopy,
rate limited with geopy's `RateLimiter` and cached on disk. Nothing else ever needs the network.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderServiceError
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from geo.budget import UNLIMITED, TimeBudget
from geo.errors import InputError
from geo.gazetteer import Gazetteer, NameHit, Place, PlaceNameFinder, load_gazetteer, name_key
from geo.geocode.ranking import LOCAL_SCORE, Anchor, CueRule, PlaceContext, PlaceRanker, ResolvedName, load_cues
from geo.geocode.reading import read_proper_names

__all__ = [
    "CueRule",
    "OfflineGazetteer",
    "PlaceContext",
    "ResolvedName",
    "default_geocoder",
    "load_cues",
    "resolve_names",
    "validate_query",
    "with_online_fallback",
]

MAX_QUERY_LENGTH = 256


def validate_query(query: object) -> str:
    """The query as a clean string, or an InputError saying what is wrong with it."""
    if isinstance(query, bytes):
        raise InputError("the query is bytes, not text: decode it first")
    if not isinstance(query, str):
        raise InputError(f"the query should be a string, got {type(query).__name__}")
    if "\x00" in query or any(ord(c) < 32 and c not in "\t\n\r" for c in query):
        raise InputError("the query contains control characters: it looks like binary data, not a place name")
    text = " ".join(query.split())
    if not text:
        raise InputError("the query is empty: give a place name such as 'Sea of Japan'")
    if len(text) > MAX_QUERY_LENGTH:
        raise InputError(
            f"the query is {len(text)} characters long; place names are at most {MAX_QUERY_LENGTH}"
        )
    return text


class _NoNetworkAdapter(BaseSyncAdapter):
    """geopy insists on an HTTP adapter; the offline geocoder gets one that never connects."""

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        raise GeocoderServiceError(f"the offline gazetteer does not use the network (asked for {url})")

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        raise GeocoderServiceError(f"the offline gazetteer does not use the network (asked for {url})")


class OfflineGazetteer(Geocoder):
    """A geopy geocoder over the embedded gazetteer; it never makes a network request.

    >>> geocoder = OfflineGazetteer()
    >>> geocoder.geocode("Sea of Japan").raw["kind"]
    'sea'
    """

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        *,
        cues: Sequence[CueRule] | None = None,
        user_agent: str = "force-posture-map",
    ) -> None:
        super().__init__(user_agent=user_agent, adapter_factory=_NoNetworkAdapter)
        self.ranker = PlaceRanker(gazetteer if gazetteer is not None else load_gazetteer(),
                                  cues if cues is not None else load_cues())

    @property
    def gazetteer(self) -> Gazetteer:
        return self.ranker.gazetteer

    @property
    def cues(self) -> tuple[CueRule, ...]:
        return self.ranker.cues

    @property
    def finder(self) -> PlaceNameFinder:
        """The name finder over this gazetteer (built on first use: ~1 s)."""
        return self.ranker.finder

    # -- geopy interface --------------------------------------------------------------------
    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: object = DEFAULT_SENTINEL,
        country_bias: str | None = None,
        context: str | PlaceContext | None = None,
        kinds: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> Location | list[Location] | None:
        """Best match (or ranked matches) for a place name; None when nothing matches.

        `context` is the text the name was found in, or a prepared `PlaceContext`.
        `kinds` restricts the answer to some of country, sea, region, city, installation.
        """
        text = validate_query(query)
        if isinstance(context, str):
            context = PlaceContext.from_text(context, self.ranker, country_bias) if context.strip() else None
        ranked = self.rank(text, country_bias=country_bias, context=context, kinds=kinds)
        if not ranked:
            return None
        if exactly_one:
            return self._location(*ranked[0])
        return [self._location(score, place) for score, place in ranked[: limit or len(ranked)]]

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL) -> Any:
        raise NotImplementedError("reverse geocoding is not offered by the offline gazetteer")

    # -- ranking (geo.geocode.ranking) ------------------------------------------------------------------
    def rank(
        self,
        name: str,
        *,
        country_bias: str | None = None,
        context: PlaceContext | None = None,
        kinds: Iterable[str] | None = None,
        span: tuple[int, int] | None = None,
        as_phrase: bool = True,
    ) -> list[tuple[float, Place]]:
        """Candidates for `name`, best first, as (score, place) (`PlaceRanker.rank`, which says what
        `as_phrase` adds)."""
        return self.ranker.rank(name, country_bias=country_bias, context=context, kinds=kinds, span=span,
                                as_phrase=as_phrase)

    def anchors(self, hits: Sequence[NameHit]) -> list[Anchor]:
        """The hits whose best reading is clear on its own: they inform the ambiguous ones."""
        return self.ranker.anchors(hits)

    def resolve_hits(
        self,
        text: str,
        hits: Sequence[NameHit],
        country_bias: str | None = None,
        *,
        settled_at: Mapping[str, float] | None = None,
        budget: TimeBudget = UNLIMITED,
    ) -> list[ResolvedName]:
        """Each hit's best place in the context of all the others (`PlaceRanker.resolve_hits`)."""
        return self.ranker.resolve_hits(text, hits, country_bias, settled_at=settled_at, budget=budget)

    @staticmethod
    def _location(score: float, place: Place) -> Location:
        raw = place.to_record()
        raw["score"] = round(score, 4)
        # A name the gazetteer does not know, placed in the town its text names nearest it.
        raw["guessed"] = score <= LOCAL_SCORE
        raw["place"] = place
        raw["shape"] = place.geometry
        address = place.name if not place.country or place.kind == "country" else f"{place.name}, {place.country}"
        # geopy wants (lat, lon); the shape inside raw is shapely's (lon, lat).
        return Location(address, (place.lat, place.lon), raw)


# A town's score (kind, size, context) from which `resolve_names` takes it: a city of about 700,000
# on its own, a town of a few thousand beside its state or a neighbour. Chosen on GeoWebNews, where
# it turns recognition F1 from 0.72 to 0.78 (0.7: 0.77, 0.9: 0.78).
MIN_TOWN_SCORE = 0.8


def resolve_names(text: str, geocoder: OfflineGazetteer | None = None) -> list[ResolvedName]:
    """Find and resolve every place named in `text`, as a general geoparser reads news: gazetteer
    names and the adjectives and short forms of places ("Russian officials", "EU ministers").

    The extractor does not use this: it finds names with `geocoder.finder` and reads adjectives
    as the forces of a country, not as places.
    """
    geocoder = geocoder or default_geocoder()
    ranker = geocoder.ranker
    # A word that is an adjective of a place is read as one: "English" is England, not English, Indiana.
    names = [h for h in geocoder.finder.find(text) if h.key not in ranker.adjectives]
    found = geocoder.resolve_hits(text, names)
    # A town must be well known or borne out by the text around it: most capitalised words that
    # spell a town of a few thousand are people ("David", "Nelson") or common words ("Police").
    found = [r for r in found if r.place.kind != "city" or r.score >= MIN_TOWN_SCORE]
    taken = [(r.hit.start, r.hit.end) for r in found]
    adjectives = [h for h in ranker.adjective_hits(text)
                  if not any(start < h.end and h.start < end for start, end in taken)]
    found += ranker.resolve_hits(text, adjectives, as_phrase=True)
    return read_proper_names(text, sorted(found, key=lambda r: r.hit.start))


@functools.cache
def default_geocoder() -> OfflineGazetteer:
    return OfflineGazetteer()




class _DiskCache:
    """A small JSON file of query -> answer, so an online geocoder is asked each name once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            self._data = {}

    def get(self, key: str) -> Any:
        return self._data.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".partial")
            partial.write_text(json.dumps(self._data, ensure_ascii=False), encoding="utf-8")
            partial.replace(self.path)


def default_cache_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "force-posture-map" / "online-geocoder.json"


class FallbackGeocoder:
    """The offline gazetteer first; an online geopy geocoder only for names it does not know."""

    def __init__(
        self,
        offline: OfflineGazetteer,
        online: Geocoder,
        *,
        cache_path: Path | None = None,
        min_delay_seconds: float = 1.0,
    ) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        self.offline = offline
        self.online = online
        self.cache = _DiskCache(cache_path or default_cache_path())
        # Nominatim's usage policy asks for at most one request a second.
        self._online_geocode = RateLimiter(online.geocode, min_delay_seconds=min_delay_seconds,
                                           max_retries=1, swallow_exceptions=True)

    def geocode(self, query: str, **kwargs: Any) -> Location | None:
        found = self.offline.geocode(query, **kwargs)
        if found is not None:
            return found
        key = name_key(validate_query(query))
        if key in self.cache:
            cached = self.cache.get(key)
            return None if cached is None else Location(cached["address"], (cached["lat"], cached["lon"]),
                                                        {**cached["raw"], "source": "online (cached)"})
        answer = self._online_geocode(query)
        if answer is None:
            self.cache.put(key, None)
            return None
        record = {"address": answer.address, "lat": answer.latitude, "lon": answer.longitude,
                  "raw": {"kind": "unknown", "source": f"online: {type(self.online).__name__}",
                          "provider": answer.raw if isinstance(answer.raw, dict) else {}}}
        self.cache.put(key, record)
        return Location(record["address"], (record["lat"], record["lon"]), record["raw"])


def with_online_fallback(
    offline: OfflineGazetteer | None = None,
    *,
    user_agent: str = "force-posture-map",
    domain: str = "nominatim.openstreetmap.org",
    scheme: str = "https",
    cache_path: Path | None = None,
    min_delay_seconds: float = 1.0,
) -> FallbackGeocoder:
    """Opt in to Nominatim for names the gazetteer lacks (the user's explicit choice)."""
    from geopy.geocoders import Nominatim

    online = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=10)
    return FallbackGeocoder(offline or default_geocoder(), online, cache_path=cache_path,
                            min_delay_seconds=min_delay_seconds)
