"""Name normalisation shared by the gazetteer index, the geocoder and the mention finder.

One function decides when two spellings are "the same name", so that a query typed by a user,
a name in the gazetteer and a span of article text all meet on the same key.
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold_char", "fold_text", "name_key"]

# Letters that NFKD does not decompose into a base letter plus a mark.
_SPECIAL_LETTERS = {
    "ø": "o", "Ø": "O", "æ": "a", "Æ": "A", "œ": "o", "Œ": "O", "ß": "s", "ł": "l", "Ł": "L",
    "đ": "d", "Đ": "D", "ı": "i", "ð": "d", "Ð": "D", "þ": "t", "Þ": "T", "ħ": "h",
}
_PUNCTUATION = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
}


def fold_char(char: str) -> str:
    """Fold one character to one lower-case ASCII-ish character, keeping offsets stable."""
    if char in _PUNCTUATION:
        return _PUNCTUATION[char]
    if char in _SPECIAL_LETTERS:
        return _SPECIAL_LETTERS[char].lower()
    if char.isascii():
        return char.lower()
    base = unicodedata.normalize("NFKD", char)[0]
    lowered = base.lower()
    return lowered if len(lowered) == 1 else char


class _FoldTable(dict):
    """A `str.translate` table filled on demand: each character is folded once per process."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold_text(text: str) -> str:
    """Fold every character; the result has exactly the length of `text`, so spans carry over."""
    return text.translate(_FOLD_TABLE)


def name_key(name: str) -> str:
    """The lookup key of a place name: folded, dotless, single-spaced, without a leading "the".

    "U.K." -> "uk", "the Baltics" -> "baltics", "Ørland" -> "orland", "Sea  of Japan" -> "sea of japan".
    """
    folded = fold_text(name).replace(".", "").replace('"', "")
    folded = " ".join(folded.replace("-", " - ").split()).replace(" - ", "-")
    if folded.startswith("the "):
        folded = folded[4:]
    return folded.strip(" ,;:'")
