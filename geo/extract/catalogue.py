"""Curated catalogues the extractor matches in text: assets and units, and actors.

- `data/assets.csv`: designators, families, aliases, categories, operators, nuclear capability
  and an APP-6 description per asset or unit type;
- `data/actors.csv`: words that name a state's forces (demonyms, services, commands,
  combined forms such as "Sino-Russian") and government metonyms ("Kremlin").

Matching is Aho-Corasick over folded text, leftmost-longest, on word boundaries; short
all-capital aliases ("US", "PLA", "RAF") must match their case, so the pronoun "us" is not the
United States.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from geo.errors import DataBuildError
from geo.events import ASSET_CATEGORIES, Asset
from geo.gazetteer import DATA_DIR, WordStartDictionary, fold_text, nationality_forms

__all__ = [
    "ASSETS_PATH",
    "NAMED_SHIP_PREFIX",
    "SHIP_CATEGORIES",
    "ActorAlias",
    "ActorHit",
    "AssetHit",
    "AssetType",
    "Catalogue",
    "asset_of",
    "load_catalogue",
]

ASSETS_PATH = DATA_DIR / "assets.csv"
ACTORS_PATH = DATA_DIR / "actors.csv"
# The id of a ship the text names that the catalogue does not list ("ship:ins delhi").
NAMED_SHIP_PREFIX = "ship:"
# The asset categories that are ships (a named ship is of one of them).
SHIP_CATEGORIES = frozenset({"surface combatant", "carrier", "amphibious", "submarine"})
ACTOR_KINDS = ("demonym", "abbreviation", "combined", "service", "command", "government", "country")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AssetType:
    id: str
    designator: str
    family: str
    aliases: tuple[str, ...]
    category: str
    countries: tuple[str, ...]
    nuclear: bool
    app6: str
    source: str


@dataclass(frozen=True, slots=True)
class ActorAlias:
    alias: str
    countries: tuple[str, ...]
    kind: str
    source: str

    @property
    def ship_prefix(self) -> bool:
        """A ship prefix ("USS", "HMS", data/actors.csv): whose ship it is, only before a ship's name."""
        return self.source.startswith("ship prefix")


@dataclass(frozen=True, slots=True)
class AssetHit:
    start: int
    end: int
    text: str
    asset: AssetType


@dataclass(frozen=True, slots=True)
class ActorHit:
    start: int
    end: int
    text: str
    actor: ActorAlias


class _Matcher(Generic[T]):
    """Leftmost-longest whole-word matching of many surface forms, each mapped to a value."""

    def __init__(self, surfaces: list[tuple[str, T]]) -> None:
        # folded form -> (the case it needs, value); the first surface to claim a form keeps it, but a
        # surface as written outranks a form made from another ("USS" the ship prefix is not the
        # plural of "US")
        written: dict[str, tuple[str | None, T]] = {}
        made: dict[str, tuple[str | None, T]] = {}
        for surface, value in surfaces:
            exact = _needs_exact_case(surface)
            written.setdefault(fold_text(surface), (surface if exact else None, value))
            for form in _forms(surface):
                made.setdefault(fold_text(form), (form if exact else None, value))
        self._dictionary = WordStartDictionary({**made, **written})

    def find(self, text: str, folded: str | None = None) -> list[tuple[int, int, T]]:
        folded = folded if folded is not None else fold_text(text)
        found = []
        for start, end, (exact, value) in self._dictionary.matches(folded):
            if start > 0 and folded[start - 1].isalnum():
                continue
            if end < len(folded) and folded[end].isalnum():
                continue
            if exact is None or text[start:end] == exact:
                found.append((start, end, value))
        found.sort(key=lambda hit: (hit[0], -(hit[1] - hit[0])))
        kept: list[tuple[int, int, T]] = []
        last_end = -1
        for start, end, value in found:
            if start >= last_end:
                kept.append((start, end, value))
                last_end = end
        return kept


def _needs_exact_case(surface: str) -> bool:
    letters = [c for c in surface if c.isalpha()]
    return bool(letters) and len(letters) <= 5 and all(c.isupper() for c in letters)


def _forms(surface: str) -> list[str]:
    """The alias, its plural, and its hyphen/space variants ("F-35" also "F35", "F 35")."""
    forms = {surface}
    if "-" in surface:
        forms.add(surface.replace("-", ""))
        forms.add(surface.replace("-", " "))
    plurals = set()
    for form in forms:
        if form[-1:].isalpha() and not form.endswith("s") and not _needs_exact_case(form):
            plurals.add(form + "s")
        elif form[-1:].isdigit() or _needs_exact_case(form):
            plurals.add(form + "s")  # "B-52s", "F-35s", "MRAPs"
    return sorted(forms | plurals)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split("|") if p.strip())


class Catalogue:
    def __init__(self, assets: list[AssetType], actors: list[ActorAlias]) -> None:
        self.assets = assets
        self.actors = actors
        self.by_id = {a.id: a for a in assets}
        asset_surfaces: list[tuple[str, AssetType]] = []
        for asset in assets:
            for surface in (asset.designator, *asset.aliases):
                asset_surfaces.append((surface, asset))
        self._assets = _Matcher(asset_surfaces)
        self._actors = _Matcher([(a.alias, a) for a in actors])
        self._actor_by_key = {fold_text(a.alias): a for a in actors}

    def find_assets(self, text: str, folded: str | None = None) -> list[AssetHit]:
        return [AssetHit(s, e, text[s:e], a) for s, e, a in self._assets.find(text, folded)]

    def find_actors(self, text: str, folded: str | None = None) -> list[ActorHit]:
        return [ActorHit(s, e, text[s:e], a) for s, e, a in self._actors.find(text, folded)]

    def actor_alias(self, surface: str) -> ActorAlias | None:
        """The actor entry spelled exactly like `surface` (case-folded), if any."""
        return self._actor_by_key.get(fold_text(surface))

    def named_ship(self, name: str, countries: tuple[str, ...], kind: AssetType | None = None) -> AssetType:
        """A ship the catalogue does not list, known by its prefixed name ("INS Delhi", "HMS Trent") or
        by the name after its type ("the frigate Admiral Makarov"): a ship of that type (a warship when
        the text gives none) of the country its prefix names. Kept in `by_id` like a catalogue entry, so
        that what reads assets by entry (operators, evaluation, symbols) reads it too."""
        kind = kind or self.by_id.get("asset:warship")
        family = kind.family if kind else "warship"
        key = NAMED_SHIP_PREFIX + ("" if family == "warship" else fold_text(family) + ":") \
            + fold_text(" ".join(name.split()))
        known = self.by_id.get(key)
        if known is None:
            known = self.by_id.setdefault(key, AssetType(
                key, name, family, (), kind.category if kind else "surface combatant", countries, False,
                kind.app6 if kind else "", "a ship named in the text, not in the catalogue"))
        return known

    def families(self) -> set[str]:
        return {a.family.lower() for a in self.assets}


def asset_of(kind: AssetType, count: int | None, text: str) -> Asset:
    """The event's record of one asset of catalogue type `kind`, written as `text`."""
    return Asset(name=kind.designator, family=kind.family, category=kind.category, count=count,
                 catalogue_id=kind.id, nuclear=kind.nuclear, app6=kind.app6, text=text)


def load_assets(path: Path = ASSETS_PATH) -> list[AssetType]:
    assets = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            category = (row.get("category") or "").strip()
            if category not in ASSET_CATEGORIES:
                raise DataBuildError(f"{path.name} line {line} ({row.get('id')}): unknown category {category!r}")
            assets.append(
                AssetType(
                    id=row["id"].strip(),
                    designator=row["designator"].strip(),
                    family=(row.get("family") or row["designator"]).strip(),
                    aliases=_split(row.get("aliases")),
                    category=category,
                    countries=_split(row.get("countries")),
                    nuclear=(row.get("nuclear") or "").strip().lower() in ("yes", "true", "1"),
                    app6=(row.get("app6") or "").strip(),
                    source=(row.get("source") or "").strip(),
                )
            )
    return assets


def load_actors(path: Path = ACTORS_PATH) -> list[ActorAlias]:
    actors = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            countries = _split(row.get("countries"))
            if not countries:
                raise DataBuildError(f"{path.name} line {line} ({row.get('alias')}): no countries")
            actors.append(ActorAlias(row["alias"].strip(), countries, (row.get("kind") or "").strip(),
                                     (row.get("source") or "").strip()))
    return actors


def nationality_adjectives() -> list[ActorAlias]:
    """The other countries' nationality adjectives (`geo.gazetteer.nationality_forms`): "Nigerian
    troops" are Nigeria's forces as "Russian troops" are Russia's."""
    return [ActorAlias(form, (code,), "demonym", "nationality adjective (data/place_adjectives.csv)")
            for form, code in nationality_forms()]


@functools.cache
def load_catalogue() -> Catalogue:
    return Catalogue(load_assets(), load_actors() + nationality_adjectives())
