"""The place-name finder: spans of text that spell gazetteer names, and the ones that are not places."""

import pytest

from geo.gazetteer.placenames import _part_of_person_name


def _is_person(text: str, name: str) -> bool:
    start = text.index(name)
    return _part_of_person_name(text, start, start + len(name))


@pytest.mark.parametrize("text, name", [
    ("Defense Secretary Lloyd Austin said", "Austin"),   # a capitalised word right before, mid-sentence
    ("remarks by General Darwin on Monday", "Darwin"),   # a title
    ("Gen.Darwin", "Darwin"),                           # a short title, no space
    ("commander is Maj. Gen. Christopher Donahue, who", "Christopher"),  # a short title, then a space
    ("the destroyer USS Carney fired", "Carney"),      # a ship prefix
    ("the carrier USS Harry S. Truman sailed", "Truman"),
    ("(HMS Queen Elizabeth) left", "Elizabeth"),
    ("said Jean Paris Dupont,", "Paris"),               # capitalised words on both sides
])
def test_names_that_belong_to_people_or_ships(text, name):
    assert _is_person(text, name)


@pytest.mark.parametrize("text, name", [
    ("Bombers flew over Japan on Tuesday", "Japan"),
    ("The Baltic Sea exercise", "Baltic"),
    ("He said:\n  Norway will host", "Norway"),          # a sentence begins before the name
    ("In Poland, troops", "Poland"),
    ("troops arrived in Poland. Germany said", "Germany"),
    ("the XUSS Carney", "Carney"),                      # not a ship prefix: part of a longer word
])
def test_place_names_stay_places(text, name):
    assert not _is_person(text, name)
