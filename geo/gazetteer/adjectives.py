"""Adjectives and short forms that name a place: "Russian" Russia, "European" Europe, "EU" the union.

Two tables: the nationality adjectives of `data/actors.csv` (its "demonym" rows that name one
country, which the extractor also reads as actors) and `data/place_adjectives.csv` (the other
countries' nationality adjectives, regional adjectives, abbreviations and seats of power, each row
saying which in its `kind` column). The ranking offers these places for such a word; the
build keeps the words from becoming the names of divisions ("Somali", a region of Ethiopia).
"""

from __future__ import annotations

import csv
from pathlib import Path

from geo.gazetteer.load import DATA_DIR

__all__ = ["ACTORS_PATH", "ADJECTIVES_PATH", "adjective_forms", "nationality_forms"]

ACTORS_PATH = DATA_DIR / "actors.csv"
ADJECTIVES_PATH = DATA_DIR / "place_adjectives.csv"


def adjective_forms(actors_path: Path = ACTORS_PATH, adjectives_path: Path = ADJECTIVES_PATH) -> list[tuple[str, str]]:
    """(adjective as written, place id) pairs from both tables, in file order; absent files give none."""
    pairs: list[tuple[str, str]] = []
    if actors_path.exists():
        with actors_path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                countries = row["countries"].split()
                if row["kind"] == "demonym" and len(countries) == 1:
                    pairs.append((row["alias"], f"country:{countries[0]}"))
    if adjectives_path.exists():
        with adjectives_path.open(encoding="utf-8", newline="") as handle:
            pairs.extend((row["adjective"], row["place"]) for row in csv.DictReader(handle))
    return pairs


def nationality_forms(adjectives_path: Path = ADJECTIVES_PATH) -> list[tuple[str, str]]:
    """(adjective, ISO 3166-1 code) of `data/place_adjectives.csv`'s nationality rows: the countries
    `data/actors.csv` does not name, whose adjectives the extractor also reads as their forces."""
    if not adjectives_path.exists():
        return []
    with adjectives_path.open(encoding="utf-8", newline="") as handle:
        return [(row["adjective"], row["place"].split(":", 1)[1]) for row in csv.DictReader(handle)
                if row.get("kind") == "nationality" and row["place"].startswith("country:")]
