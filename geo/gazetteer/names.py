"""Name normalisation shared by the gazetteer index, the geocoder and the mention finder.

One function decides when two spellings are "the same name", so that a query typed by a user,
a name in the gazetteer and a span of article text all meet on the same key.
"""

from __future__ import annotations

import functools
import re
import re._constants as re_constants
import re._parser as re_parser
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any, Generic, NamedTuple, TypeVar

import ahocorasick

__all__ = [
    "FoldedArticle", "FoldedPattern", "WordIndex", "WordStartDictionary", "WordStartMatcher", "fold_article",
    "fold_article_checked", "fold_char", "fold_text", "mark_word_starts", "marked_word", "marked_words", "name_key",
    "word_index",
]

# Letters that NFKD does not decompose into a base letter plus a mark.
_SPECIAL_LETTERS = {
    "ø": "o", "Ø": "O", "æ": "a", "Æ": "A", "œ": "o", "Œ": "O", "ß": "s", "ł": "l", "Ł": "L",
    "đ": "d", "Đ": "D", "ı": "i", "ð": "d", "Ð": "D", "þ": "t", "Þ": "T", "ħ": "h",
}
_PUNCTUATION = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    # The ASCII separators that Unicode counts as white space and re.ASCII does not: folded text
    # has none, so a `FoldedPattern` means the same in either mode.
    "\x1c": " ", "\x1d": " ", "\x1e": " ", "\x1f": " ",
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
    """Fold every character; the result has exactly the length of `text`, so spans carry over.
    (For names and short windows: one table lookup a character beats `fold_article`'s split.)"""
    return text.translate(_FOLD_TABLE)


_Result = TypeVar("_Result")


def _kept_for_the_last_text(compute: Callable[[str], _Result]) -> Callable[[str], _Result]:
    """Keep the answer for the last text asked about (by identity): every finder of the extractor asks
    about the same article in turn. The text and its answer are swapped in as one pair, so a thread
    never reads one text's answer for another."""
    last: list[tuple[str | None, Any]] = [(None, None)]

    @functools.wraps(compute)
    def kept(text: str) -> _Result:
        known, answer = last[0]
        if known is text:
            return answer
        answer = compute(text)
        last[0] = (text, answer)
        return answer

    return kept


# What `str.lower` does not fold as the table does: every non-ASCII character, "`" (to "'") and the
# separators \x1c-\x1f (to " ").
_NEEDS_TABLE = re.compile(r"[^\x00-\x1b\x20-\x5f\x61-\x7f]+")
_WORD = re.compile(r"\w+")  # each match starts a word (as \b\w finds them, but half the tests per character)


class FoldedArticle(NamedTuple):
    """An article folded by `fold_text`, and whether folding kept every word character (\\w) a
    word character and every other character not one: then words start at the same places in both.
    ("’" and "™" are not word characters and fold to "'" and "t"; "ʼ" is one and folds to "'".)"""

    text: str
    same_words: bool


class _WordnessTable(dict):
    """Whether a character and its folding are both word characters or both not, by code point,
    filled on demand."""

    def __missing__(self, code: int) -> bool:
        char = chr(code)
        same = bool(_WORD.match(char)) == bool(_WORD.match(fold_char(char)))
        self[code] = same
        return same


_SAME_WORDNESS = _WordnessTable()


@_kept_for_the_last_text
def fold_article_checked(text: str) -> FoldedArticle:
    """`fold_text` for a whole article, which every finder folds. Articles are mostly ASCII, which
    `str.lower` folds at C speed (keeping word characters apart from the rest); only the other
    characters are looked up in the tables, a character at a time."""
    pieces = []
    done = 0
    same_words = True
    for match in _NEEDS_TABLE.finditer(text):
        start, end = match.span()
        pieces.append(text[done:start].lower())
        run = text[start:end]
        pieces.append(run.translate(_FOLD_TABLE))
        if same_words:
            same_words = all(_SAME_WORDNESS[ord(char)] for char in run)
        done = end
    pieces.append(text[done:].lower())
    return FoldedArticle("".join(pieces), same_words)


def fold_article(text: str) -> str:
    """`fold_text` of a whole article (see `fold_article_checked`)."""
    return fold_article_checked(text).text


class FoldedPattern:
    """A regex for folded text (`fold_text`, `fold_article`), which is nearly always ASCII and never
    holds the separators that only Unicode counts as white space: there the pattern compiled with
    re.ASCII means exactly the same, and the engine skips the Unicode look-ups that \\b, \\w and \\s
    cost. Other text gets the pattern as written."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.unicode = re.compile(pattern, flags)
        self.ascii = re.compile(pattern, flags | re.ASCII)
        self.pattern = pattern

    def _for(self, text: str) -> re.Pattern[str]:
        return self.ascii if text.isascii() else self.unicode

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._for(text).search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._for(text).match(text, pos, endpos)

    def split(self, text: str) -> list[str | Any]:
        return self._for(text).split(text)

    def sub(self, replacement: str, text: str) -> str:
        return self._for(text).sub(replacement, text)


def name_key(name: str) -> str:
    """The lookup key of a place name: folded, dotless, single-spaced, without a leading "the".

    "U.K." -> "uk", "the Baltics" -> "baltics", "Ørland" -> "orland", "Sea  of Japan" -> "sea of japan".
    """
    folded = fold_text(name).replace(".", "").replace('"', "")
    folded = " ".join(folded.replace("-", " - ").split()).replace(" - ", "-")
    if folded.startswith("the "):
        folded = folded[4:]
    return folded.strip(" ,;:'")


_BEFORE_WORD = FoldedPattern(r"\W(?=\w)")  # marks folded articles and folded dictionary forms


@_kept_for_the_last_text
def mark_word_starts(text: str) -> str:
    """" " + text` with each character that comes right before a word replaced by \\x01 (the
    leading space stands for the start of the text, so offsets in the result are one more).

    A dictionary automaton fed words marked the same way (`marked_word`) only matches where a
    word starts; the place finder and the catalogues share the marked article."""
    return _BEFORE_WORD.sub("\x01", " " + text)


def marked_words(forms: list[str]) -> list[str]:
    """`marked_word` of each form, in one pass of the regex over all of them (dictionaries have
    hundreds of thousands)."""
    if any("\n" in form or form[:1] == "_" for form in forms):
        return [marked_word(form) for form in forms]
    # A line break only becomes a mark before a word character: every line that starts with one
    # gets its leading space first, as `marked_word` gives it.
    joined = "\n".join(" " + form if form[:1].isalnum() else form for form in forms)
    return _BEFORE_WORD.sub("\x01", joined).split("\n")


def marked_word(form: str) -> str:
    """A dictionary entry as `mark_word_starts` spells it in a text that has a space before it."""
    return _BEFORE_WORD.sub("\x01", " " + form if form[:1].isalnum() else form)


Value = TypeVar("Value")


class WordStartDictionary(Generic[Value]):
    """Many folded forms, each with a value, found in a folded text where a word starts.

    The forms go into an Aho-Corasick automaton spelt as `mark_word_starts` spells the text, so a
    match can only begin at a word. Forms that differ only in the characters between words
    ("guinea-bissau", "guinea bissau") mark the same: they share an entry, and a match yields the
    one the text spells. Where a match ends is left to the caller (a word may go on: "Japanese").
    """

    def __init__(self, forms: Mapping[str, Value]) -> None:
        """`forms`: folded form -> value (a form added once; the caller decides which value wins)."""
        automaton = ahocorasick.Automaton()
        shared: dict[str, list[tuple[str, Value]]] = {}
        spelt = list(forms)
        for form, marked in zip(spelt, marked_words(spelt), strict=True):
            same = shared.get(marked)
            if same is None:  # the automaton keeps this list: later forms join it
                same = shared[marked] = []
                automaton.add_word(marked, (len(form), same))
            same.append((form, forms[form]))
        self._empty = not shared
        if shared:
            automaton.make_automaton()
        self._automaton = automaton

    def matches(self, folded: str) -> list[tuple[int, int, Value]]:
        """(start, end, value) of every form spelt in `folded` from the start of a word."""
        found: list[tuple[int, int, Value]] = []
        if self._empty:
            return found
        # Typed, so that compiled code unpacks it as a tuple (the automaton's items are untyped).
        match: tuple[int, tuple[int, list[tuple[str, Value]]]]
        for match in self._automaton.iter(mark_word_starts(folded)):
            end = match[0]  # offsets in the marked text are one more: its last character's index is our end
            length, same = match[1]
            start = end - length
            spelt = folded[start:end]
            for form, value in same:
                if form == spelt:
                    found.append((start, end, value))
                    break  # else "b/52": the marks between words stand for other characters
        return found


# -- scanning for patterns that start a word ---------------------------------------------------------
PREFIX = 3  # words are indexed by their first three characters


class WordIndex(NamedTuple):
    """Where the words of a text start: by their first PREFIX characters folded ("dri" for "Drills",
    "a d" for "a dozen", "ore" for "Örebro"); the keys by each shorter start of theirs ("d", "dr");
    and, apart, the starts whose first characters are not all ASCII once folded ("北京")."""

    by_prefix: dict[str, list[int]]
    keys_by_start: dict[str, list[str]]
    other: list[int]


@_kept_for_the_last_text
def word_index(text: str) -> WordIndex:
    """The `WordIndex` of `text`: one pass serves every matcher that scans the same text.

    Where folding kept word characters apart from the rest (nearly always), the words are read off
    the folded article as the dictionaries have already marked it, and keyed by their folded start.
    That only adds words to try ("Émile" under "emi"): a character that a pattern's ASCII letter
    matches, with IGNORECASE or not, folds to that letter in lower case ("ſ" to "s", "K" to "k")."""
    folded = fold_article_checked(text)
    on_folded = folded.same_words and "\x01" not in folded.text
    if on_folded:
        marked = mark_word_starts(folded.text)
        starts: list[int] = []
        at = marked.find("\x01")  # a mark at i stands before the word at i of the text (see there)
        while at >= 0:
            starts.append(at)
            at = marked.find("\x01", at + 1)
        keys_from = folded.text
    else:
        starts = [match.start() for match in _WORD.finditer(text)]
        # Lower-cased once: only "İ" lower-cases to two characters, only the Kelvin sign "K" to an
        # ASCII letter; without them a key of `lowered` is ASCII exactly when the text's characters are.
        keys_from = text.lower()
        if len(keys_from) != len(text) or "\u212a" in text:
            keys_from = "".join(c if c.isascii() else "\x80" for c in text).lower()  # "\x80": any non-ASCII
    all_ascii = keys_from.isascii()
    index: dict[str, list[int]] = {}
    other: list[int] = []
    for position in starts:
        key = keys_from[position: position + PREFIX]
        if not (all_ascii or key.isascii()):
            if not (on_folded and key[0].isascii()):
                other.append(position)
                continue
            # A short word and what follows it ("a¦", "5…"): in folded text no character outside ASCII
            # matches a listed (ASCII) prefix character, so those stand as "\x7f", which no prefix
            # holds, and the word is tried by the alternatives its ASCII start can begin (a page of
            # a million such words gave each its full pattern: seconds).
            key = "".join(c if c.isascii() else "\x7f" for c in key)
        positions = index.get(key)
        if positions is None:
            index[key] = [position]
        else:
            positions.append(position)
    keys_by_start: dict[str, list[str]] = {}
    for key in index:
        for size in range(1, len(key)):
            keys_by_start.setdefault(key[:size], []).append(key)
    return WordIndex(index, keys_by_start, other)


class WordStartMatcher:
    """`re.compile(rf"\\b(?:{'|'.join(alternatives)}){suffix}", flags).finditer(text)`, faster.

    Python's regex engine tries every alternative at every word start: it cannot skip ahead to a
    likely first letter when the pattern opens with \\b, nor skip an alternative on its first letter
    under IGNORECASE. When each alternative's first characters can be listed, a match can only start
    at a word that begins with one of them, and there only those alternatives (in their original
    order) can match: trying just them finds exactly the same matches. Words are picked from the
    text's `word_index` by their first PREFIX characters ("dri" for "drills?"; a shorter start such
    as "5" for "\\d+" takes any word that begins so); words whose folded start is not ASCII get the
    full pattern, as does the whole text when some alternative's first characters cannot be listed.

    `anchor` is a regex (best a plain alternation of words that do not overlap one another) that
    every match contains, starting at most `reach` characters after the match's start ("Command"
    in "U.S. Indo-Pacific Command"): then the pattern is only searched for from `reach` characters
    before each anchor. Patterns that open with any capitalised words but need a rare word later
    are tried a few times per text instead of at most words. A match whose anchor lies farther
    than `reach` from its start is not found.
    """

    def __init__(self, alternatives: Sequence[str], flags: int = 0, *, suffix: str = "",
                 anchor: str | None = None, reach: int = 0) -> None:
        self.pattern = re.compile(rf"\b(?:{'|'.join(alternatives)}){suffix}", flags)
        # A plain alternation: the engine skips ahead to its first letters (a look-ahead that would
        # also find overlapping anchors is tried at every character, five times slower).
        self._anchor = re.compile(anchor, flags) if anchor else None
        self._reach = reach
        # Set when every alternative's first characters can be listed (see `_first_chars_listed`).
        self._starts: list[tuple[str, frozenset[str]]] | None = None
        if self.pattern.flags & (re.ASCII | re.LOCALE):
            return  # word starts are found with Unicode \b
        starts: list[tuple[str, frozenset[str]]] = []
        for alternative in alternatives:
            if re.search(r"\\\d|\(\?P=|\(\?\(", alternative):
                return  # a back-reference or conditional would change meaning once alternatives are split
            try:
                prefixes = _first_chars_listed(list(re_parser.parse(alternative, flags)))
            except re.error:
                return
            # Words are indexed by ASCII starts ("ſ" and "K" fold onto ASCII letters under IGNORECASE,
            # so a pattern that names such letters itself is left to the full regex).
            # Words are keyed by their folded start, in which "`" has become "'".
            if prefixes is None or not all(p.isascii() and p[0].isalnum() and "`" not in p for p in prefixes):
                return
            starts.append((alternative, frozenset(p.lower() for p in prefixes)))
        self._starts = starts
        self._suffix = suffix
        self._prefixes = frozenset(p for _a, prefixes in starts for p in prefixes)
        self._key_patterns: dict[str, re.Pattern[str] | None] = {}

    @classmethod
    def of_pattern(cls, pattern: str, flags: int = 0, *, anchor: str | None = None,
                   reach: int = 0) -> WordStartMatcher:
        """A matcher for a whole pattern; it only speeds up patterns that open with \b."""
        parsed = list(re_parser.parse(pattern, flags))
        if pattern.startswith(r"\b") and parsed and parsed[0] == (re_constants.AT, re_constants.AT_BOUNDARY):
            # The \b is the first item of the top level, so there is no top-level "|": "\bX" is "\b(?:X)".
            return cls([pattern[2:]], flags, anchor=anchor, reach=reach)
        matcher = cls([], flags)
        matcher.pattern = re.compile(pattern, flags)
        matcher._starts = None
        return matcher

    def finditer(self, text: str) -> Iterable[re.Match[str]]:
        """The matches of `self.pattern.finditer(text)`, in order."""
        if self._anchor is not None:
            return self._anchored_matches(text)
        if self._starts is not None:
            return self._prefixed_matches(text)
        return self.pattern.finditer(text)

    def _prefixed_matches(self, text: str) -> list[re.Match[str]]:
        index = word_index(text)
        keys: set[str] = set()
        for prefix in self._prefixes:
            if len(prefix) == PREFIX:
                if prefix in index.by_prefix:
                    keys.add(prefix)
            else:  # a shorter prefix: the match may end there, any characters may follow
                keys.update(index.keys_by_start.get(prefix, ()))
                if prefix in index.by_prefix:
                    keys.add(prefix)  # a word that short at the very end of the text
        tried = [(p, pattern) for key in keys if (pattern := self._pattern_for(key)) is not None
                 for p in index.by_prefix[key]]
        tried.extend((p, self.pattern) for p in index.other)  # "Ø", "ſ": the full pattern decides
        return _matches_in_order(text, tried)

    def _pattern_for(self, key: str) -> re.Pattern[str] | None:
        """The alternatives that can start with `key` (a word's first characters, lower-cased), in
        their order."""
        try:
            return self._key_patterns[key]
        except KeyError:
            pass
        assert self._starts is not None
        found = [alternative for alternative, prefixes in self._starts
                 if any(key[:len(p)] == p for p in prefixes)]
        pattern = re.compile(rf"\b(?:{'|'.join(found)}){self._suffix}", self.pattern.flags) if found else None
        if len(self._key_patterns) < 10_000:
            self._key_patterns[key] = pattern
        return pattern

    def _anchored_matches(self, text: str) -> list[re.Match[str]]:
        """`finditer`'s matches, searched for only from `reach` characters before each anchor."""
        assert self._anchor is not None
        found: list[re.Match[str]] = []
        end = 0  # matches do not overlap: the next starts at or after the last one's end
        ahead: re.Match[str] | None = None  # the first match at or after some earlier window's start
        for anchor in self._anchor.finditer(text):
            at = anchor.start()
            if at < end:
                continue  # inside the last match: no later match can contain it
            window = max(end, at - self._reach)
            if ahead is None or ahead.start() < window:
                ahead = self.pattern.search(text, window)
                if ahead is None:
                    break
            # No match starts between the window and `ahead`; one starting after `at` cannot hold this anchor.
            if ahead.start() <= at:
                found.append(ahead)
                end = max(ahead.end(), ahead.start() + 1)
                ahead = None
        return found


def _matches_in_order(text: str, tried: list[tuple[int, re.Pattern[str]]]) -> list[re.Match[str]]:
    """What `finditer` finds, given every start a match can have and the pattern to try there."""
    tried.sort(key=itemgetter(0))
    found = []
    end = 0
    for start, pattern in tried:
        if start < end:
            continue  # inside the previous match: finditer resumes after it
        match = pattern.match(text, start)
        if match is not None:
            found.append(match)
            end = match.end()
    return found


_MAX_PREFIXES = 400
_WIDE_CLASS = 8  # a class of more characters than this (digits, letters) ends a listed prefix


class _Unlisted(Exception):
    """The first two characters of a pattern cannot be listed."""


def _first_chars_listed(items: list) -> set[str] | None:
    """The strings of PREFIX characters a match of the parsed regex can start with, or shorter ones
    where a match can end sooner or what follows is too varied to list (any characters may follow
    those); None when not even the first character can be listed (a class like \\w, a look-around)."""
    found: set[str] = set()

    def walk(sequence: list, index: int, prefix: str, rest: tuple[tuple[list, int], ...]) -> None:
        if len(prefix) == PREFIX:
            found.add(prefix)
            if len(found) > _MAX_PREFIXES:
                raise _Unlisted
            return
        if index == len(sequence):
            if rest:
                walk(rest[-1][0], rest[-1][1], prefix, rest[:-1])
            elif prefix:
                found.add(prefix)  # a short match ("5"): any characters may follow
            else:
                raise _Unlisted  # an empty match
            return
        op, value = sequence[index]
        try:
            if op is re_constants.LITERAL:
                walk(sequence, index + 1, prefix + chr(value), rest)
            elif op is re_constants.IN:
                chars = _class_chars(value)
                if prefix and len(chars) > _WIDE_CLASS:
                    found.add(prefix)  # "20" then any digit: the first characters say enough
                    return
                for char in chars:
                    walk(sequence, index + 1, prefix + char, rest)
            elif op is re_constants.SUBPATTERN and not value[1] and not value[2]:
                walk(list(value[3]), 0, prefix, (*rest, (sequence, index + 1)))
            elif op is re_constants.BRANCH:
                for alternative in value[1]:
                    walk(list(alternative), 0, prefix, (*rest, (sequence, index + 1)))
            elif op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT):
                least, most, repeated = value[0], min(value[1], PREFIX), list(value[2])
                if prefix and most > 1 and len(repeated) == 1 and repeated[0][0] is re_constants.IN:
                    # "5" then \s*: listing every run of spaces would multiply the list by itself
                    if least == 0:
                        walk(sequence, index + 1, prefix, rest)
                    found.add(prefix)
                    return
                for times in range(least, max(least, most) + 1):  # PREFIX repetitions reach PREFIX characters
                    if times == 0:
                        walk(sequence, index + 1, prefix, rest)
                    else:
                        walk(repeated, 0, prefix, (*rest, (sequence, index + 1), *[(repeated, 0)] * (times - 1)))
            else:
                raise _Unlisted
        except _Unlisted:
            if not prefix or len(found) > _MAX_PREFIXES:
                raise
            found.add(prefix)  # what follows cannot be listed: these first characters must do

    try:
        walk(items, 0, "", ())
    except _Unlisted:
        return None
    return found


def _class_chars(items: list) -> list[str]:
    chars: list[str] = []
    for kind, item in items:
        if kind is re_constants.LITERAL:
            chars.append(chr(item))
        elif kind is re_constants.RANGE and item[1] - item[0] < 64:
            chars.extend(chr(c) for c in range(item[0], item[1] + 1))
        elif kind is re_constants.CATEGORY and item is re_constants.CATEGORY_DIGIT:
            chars.extend("0123456789")  # other scripts' digits are not ASCII: the full pattern tries those
        elif kind is re_constants.CATEGORY and item is re_constants.CATEGORY_SPACE:
            chars.extend(" \t\n\r\f\v")  # and other spaces are not ASCII either
        else:
            raise _Unlisted
    return chars
