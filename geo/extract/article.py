"""Read an article (plain text or a scraped web page) and keep only its reporting text.

Reader comments, author biographies, photo credits, advertising slots, navigation and "latest
news" lists are dropped by the rules in `data/boilerplate.csv`, and every drop is reported, so a
user can see what was left out and why. Bad input (binary, empty, huge, undecodable) raises an
`InputError` whose message says what is wrong.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import html as html_lib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from geo.errors import InputError
from geo.gazetteer import DATA_DIR

__all__ = [
    "MAX_ARTICLE_BYTES",
    "Article",
    "DroppedBlock",
    "clean_text",
    "decode_article",
    "display_name",
    "html_to_text",
    "read_article",
    "read_article_bytes",
    "regular_file_size",
]

MAX_ARTICLE_BYTES = 10 * 1024 * 1024
BOILERPLATE_PATH = DATA_DIR / "boilerplate.csv"
METADATA_FILE = "articles.json"

_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or a Word/Excel file)",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
    b"SQLite format 3": "an SQLite database",
    b"\x7fELF": "a program (ELF binary)",
}


@dataclass(frozen=True, slots=True)
class DroppedBlock:
    """A piece of the page that is not reporting, and the rule that dropped it."""

    label: str  # comments, furniture, credit, bio, markup
    text: str


@dataclass(slots=True)
class Article:
    document: str  # its name in the store (event ids derive from it); see EventStore.resolve_document
    text: str  # the reporting text that extraction reads; source spans refer to it
    published: str | None = None
    outlet: str | None = None
    headline: str | None = None
    encoding: str = "utf-8"
    dropped: list[DroppedBlock] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Where it really comes from: its URL when known (articles.json, the page's canonical link),
    # else the file's absolute path; None for pasted text. Two files with the same name but other
    # origins are two articles; the same origin read again is the same article, updated.
    origin: str | None = None

    def dropped_summary(self) -> dict[str, int]:
        summary: dict[str, int] = {}
        for block in self.dropped:
            summary[block.label] = summary.get(block.label, 0) + 1
        return summary


@dataclass(frozen=True, slots=True)
class _Rule:
    label: str
    scope: str  # line, rest (this line and everything after), sentence (inside a paragraph)
    pattern: re.Pattern[str]


@functools.cache
def _rules(path: Path = BOILERPLATE_PATH) -> tuple[_Rule, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            _Rule(row["label"], row["scope"], re.compile(row["pattern"], re.IGNORECASE))
            for row in csv.DictReader(handle)
        )


# -- decoding -----------------------------------------------------------------------------------
def decode_article(data: bytes, name: str = "article") -> tuple[str, str]:
    """Bytes to text and the encoding used; InputError for binary, empty or huge input."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(
            f"{name} is {len(data) / 1_048_576:.1f} MiB; articles are at most "
            f"{MAX_ARTICLE_BYTES // 1_048_576} MiB (is it really one article?)"
        )
    if not data.strip():
        raise InputError(f"{name} is empty: there is no text to read")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name} looks like {what}, not an article: save it as text or HTML first")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    head = data[:65536]
    if b"\x00" in head:
        raise InputError(f"{name} contains NUL bytes: it looks like a binary file, not an article")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Not UTF-8: Windows-1252 is what such pages almost always are; Latin-1 never fails.
    try:
        text, encoding = data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > max(8, len(text[:65536]) // 100):
        raise InputError(f"{name} is mostly control characters: it looks like a binary file, not an article")
    return text, encoding


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:2048].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")):
        return True
    return len(re.findall(r"</?(?:p|div|span|a|br|script|article|body|head)\b", head)) >= 3


# -- HTML ---------------------------------------------------------------------------------------
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "canvas", "form", "nav", "footer",
              "aside", "button", "select", "input", "object", "embed", "figure", "figcaption", "header")
_DROP_CLASS = re.compile(
    r"comment|related|sidebar|newsletter|share|social|advert|promo|\bads?\b|author-bio|byline-bio|"
    r"subscribe|cookie|breadcrumb|menu|popup|caption|credit|tags|most-read|trending",
    re.IGNORECASE,
)
# Characters XML 1.0 cannot hold (all C0 controls but tab, line feed and carriage return; lone
# surrogates; U+FFFE and U+FFFF): lxml rejects them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Control characters are never reporting text: C0 but line feed and tab, DEL, and C1 (\x80-\x9f, left by
# text decoded with the wrong encoding, which also sends extraction down its slowest paths).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A tag or the start of a comment; [^<>] keeps a "<" that never closes from scanning the page again.
_TAG = re.compile(r"<!--|<(/?)([A-Za-z][\w:-]*)?[^<>]*>")
# Elements whose whole content is never reporting text, and the pattern of their end tag.
_RAW_TEXT_END = {name: re.compile(f"</{name}", re.IGNORECASE)
                 for name in ("script", "style", "title", "noscript", "template")}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "tr", "br", "table", "ul", "ol", "pre", "dd", "dt"}


def html_to_text(html: str, dropped: list[DroppedBlock] | None = None) -> tuple[str, str | None, str | None]:
    """Visible reporting text of a web page (paragraphs on their own lines), its <title> and its
    canonical URL (`<link rel="canonical">` or `og:url`, http(s) only).

    Scripts, styles and page furniture never reach the text, so nothing in them can become an
    event or be shown on the map.
    """
    import lxml.html

    # lxml refuses, at parse time or later when an element is removed, text that XML cannot hold
    # (control characters such as the vertical tab that text pasted from Word carries); none of it
    # is reporting, so it goes before parsing.
    html = _NOT_XML.sub("", html)
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError) as err:
        raise InputError(f"the page could not be parsed as HTML: {err}") from err
    title_node = root.find(".//title")
    title = " ".join(title_node.text_content().split()) if title_node is not None else None
    canonical = _canonical_url(root)
    for element in list(root.iter(lxml.etree.Comment)):
        element.drop_tree()
    for element in list(root.iter(*_DROP_TAGS)):
        if dropped is not None and element.tag not in ("script", "style"):
            snippet = " ".join(element.text_content().split())[:120]
            if snippet:
                dropped.append(DroppedBlock("furniture", snippet))
        element.drop_tree()
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if marker.strip() and _DROP_CLASS.search(marker):
            if dropped is not None:
                label = "comments" if "comment" in marker.lower() else "furniture"
                snippet = " ".join(element.text_content().split())[:120]
                if snippet:
                    dropped.append(DroppedBlock(label, snippet))
            element.drop_tree()
    body = root.find(".//body")
    text = _paragraphs(_collect_text(body if body is not None else root))
    if not text.strip():
        # libxml2 stops descending past a few hundred nested elements and keeps nothing below: read
        # such a page by dropping its tags instead (scripts, styles and comments still go).
        text = _paragraphs(_strip_markup(html))
        if text and dropped is not None:
            dropped.append(DroppedBlock("markup", "the page nests too deeply for the HTML parser: read as text"))
    return text, title, canonical


def _canonical_url(root: object) -> str | None:
    """The address a page gives for itself; a page saved from the web keeps it."""
    for found in root.xpath('//link[@rel="canonical"]/@href | //meta[@property="og:url"]/@content'):  # type: ignore[attr-defined]
        url = str(found).strip()
        if re.match(r"https?://[^\s/]+", url) and len(url) <= 2000:
            return url
    return None


def _strip_markup(html: str) -> str:
    """The text of a page without a parser: comments, scripts, styles and the title dropped whole,
    a line break for each block tag, other tags dropped, entities decoded. One pass, linear."""
    pieces: list[str] = []
    position = 0
    for tag in _TAG.finditer(html):
        if tag.start() < position:  # inside a comment, script or style skipped below
            continue
        pieces.append(html[position:tag.start()])
        position = tag.end()
        if tag.group(0).startswith("<!--"):
            end = html.find("-->", tag.start() + 4)
            position = len(html) if end < 0 else end + 3
            continue
        name = (tag.group(2) or "").lower()
        if name in _RAW_TEXT_END and not tag.group(1):
            end = _RAW_TEXT_END[name].search(html, position)
            position = len(html) if end is None else end.start()
        elif name in _BLOCK_TAGS:
            pieces.append("\n")
    pieces.append(html[position:])
    return html_lib.unescape("".join(pieces))


def _paragraphs(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n\n".join(line for line in lines if line)


def _collect_text(top: object) -> str:
    """The text under `top`, a line break around each block element (a loop, not recursion: pages
    can nest deeper than Python's recursion limit)."""
    pieces: list[str] = []
    stack: list[tuple[object, bool]] = [(top, False)]
    while stack:
        element, closing = stack.pop()
        if closing:  # after the element's children: its closing break and its tail
            if getattr(element, "tag", None) in _BLOCK_TAGS:
                pieces.append("\n")
            if element is not top and element.tail:  # type: ignore[attr-defined]
                pieces.append(element.tail)  # type: ignore[attr-defined]
            continue
        if not isinstance(getattr(element, "tag", None), str):  # comments, processing instructions
            if element is not top and getattr(element, "tail", None):
                pieces.append(element.tail)  # type: ignore[attr-defined]
            continue
        if element.tag in _BLOCK_TAGS:  # type: ignore[attr-defined]
            pieces.append("\n")
        if element.text:  # type: ignore[attr-defined]
            pieces.append(element.text)  # type: ignore[attr-defined]
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(list(element)))  # type: ignore[call-overload]
    return "".join(pieces)


# -- plain-text cleaning ------------------------------------------------------------------------
_NAME_LINE = re.compile(r"^\s*([A-Z][\w'’\-]+)(?:\s+[A-Z][\w'’\-.]+){1,3}\s*$")


def clean_text(text: str) -> tuple[str, list[DroppedBlock]]:
    """The reporting paragraphs of a scraped page, and what was dropped (with the rule's label)."""
    rules = _rules()
    dropped: list[DroppedBlock] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if not stripped:
            kept.append("")
            index += 1
            continue
        rest_rule = next((r for r in rules if r.scope == "rest" and r.pattern.search(line)), None)
        if rest_rule is not None and rest_rule.label == "furniture":
            # "Related", "Read more", "Trending" and the headlines under them; the story goes on
            # when a paragraph of prose follows (the box stood inside it or above it).
            resume = _headline_run(lines, index + 1, rules)
            if resume is not None:
                dropped.append(DroppedBlock(rest_rule.label, " / ".join(
                    s.strip() for s in lines[index:resume] if s.strip())[:300]))
                index = resume
                continue
        elif rest_rule is not None and not any(_is_prose(k) for k in kept):
            # A comments marker above the story (a share bar, "View Comments", a bulleted byline)
            # is one line of furniture: the readers' talk comes after the story, not before it.
            dropped.append(DroppedBlock(rest_rule.label, stripped[:300]))
            index += 1
            continue
        if rest_rule is not None:
            remainder = "\n".join(lines[index:]).strip()
            dropped.append(DroppedBlock(rest_rule.label, remainder[:300]))
            break
        line_rule = next((r for r in rules if r.scope == "line" and r.pattern.search(line)), None)
        if line_rule is not None:
            dropped.append(DroppedBlock(line_rule.label, stripped[:300]))
            index += 1
            continue
        bio = _author_bio(lines, index)
        if bio:
            dropped.append(DroppedBlock("bio", " ".join(lines[index: index + bio]).strip()[:300]))
            index += bio
            continue
        for rule in rules:
            if rule.scope == "sentence":
                for match in list(rule.pattern.finditer(line)):
                    dropped.append(DroppedBlock(rule.label, match.group(0).strip()[:300]))
                line = rule.pattern.sub("", line)
        kept.append(line.rstrip())
        index += 1
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return cleaned, dropped


_PROSE_END = re.compile(r"(?<!\.\.)[.!?][\"'”’)]?\s*$")


def _is_prose(line: str) -> bool:
    """A paragraph of reporting rather than a linked headline: a dozen words or more, ending a sentence
    (a headline cut short with "..." is not)."""
    text = line.strip()
    return len(text.split()) >= 12 and not text.endswith(("...", "…")) and bool(_PROSE_END.search(text))


def _headline_run(lines: list[str], start: int, rules: tuple[_Rule, ...], most: int = 6) -> int | None:
    """Where the story resumes after a "Read more"-style marker: the index of the first prose line
    after at most `most` short headline lines, or None when no prose follows (a list of other stories
    running to the end of the page, or into a comments section)."""
    seen = 0
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        if any(r.scope == "rest" and r.label != "furniture" and r.pattern.search(line) for r in rules):
            return None  # the comments start: no more story
        if _is_prose(line):
            return index
        seen += 1
        if seen > most:
            return None
    return None


def _author_bio(lines: list[str], index: int) -> int:
    """Lines a "George Allison" / "George has a degree..." biography spans (0 when not one)."""
    match = _NAME_LINE.match(lines[index])
    if not match or lines[index].rstrip().endswith((".", ":", "?", "!")):
        return 0
    first_name = match.group(1)
    following = index + 1
    while following < len(lines) and not lines[following].strip():
        following += 1
    if following < len(lines) and re.match(
        rf"\s*{re.escape(first_name)}\s+(?:is|has|was|writes|covers|joined|holds|worked|reports)\b", lines[following]
    ):
        return following - index + 1
    return 0


# -- entry points -------------------------------------------------------------------------------
def read_article_bytes(
    data: bytes,
    document: str,
    *,
    published: str | None = None,
    outlet: str | None = None,
    headline: str | None = None,
) -> Article:
    """Decode, strip markup and boilerplate; raises InputError when nothing readable remains."""
    text, encoding = decode_article(data, document)
    dropped: list[DroppedBlock] = []
    notes: list[str] = []
    if encoding not in ("utf-8",):
        notes.append(f"decoded as {encoding}")
    canonical = None
    if _looks_like_html(text):
        text, title, canonical = html_to_text(text, dropped)
        headline = headline or title
        notes.append("read as HTML")
    text = _CONTROLS.sub("", text)
    cleaned, more = clean_text(text)
    dropped.extend(more)
    if not cleaned.strip():
        raise InputError(f"{document} has no reporting text left after removing page furniture")
    return Article(document=document, text=cleaned, published=published, outlet=outlet,
                   headline=headline, encoding=encoding, dropped=dropped, notes=notes, origin=canonical)


def read_article(path: str | Path, *, published: str | None = None, root: str | Path | None = None) -> Article:
    """Read a file; metadata (url, outlet, headline, published) comes from `articles.json` beside it.

    The document is named by the file's path relative to `root` (the folder an ingest was given),
    else by its file name; its origin is its URL when known, else its absolute path.
    """
    target = Path(path)
    data = read_regular_file(target, MAX_ARTICLE_BYTES, what="articles")
    metadata = article_metadata(target)
    name = target.name
    if root is not None:
        with contextlib.suppress(ValueError):
            name = target.resolve().relative_to(Path(root).resolve()).as_posix()
    article = read_article_bytes(
        data,
        display_name(name),
        published=published or metadata.get("published"),
        outlet=metadata.get("outlet"),
        headline=metadata.get("headline"),
    )
    url = metadata.get("url", "").strip()
    article.origin = url or article.origin or display_name(str(target.resolve()))
    return article


def regular_file_size(path: Path) -> int:
    """The size of `path` if it is a regular file; InputError for anything else. A FIFO would block
    a reader forever and a device such as /dev/zero never ends, so only regular files are read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{display_name(str(path))} does not exist") from None
    except OSError as err:
        raise InputError(f"{display_name(str(path))} cannot be read: {err.strerror}") from err
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{display_name(str(path))} is a folder; give a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{display_name(str(path))} is not a regular file (a device, pipe or socket); "
                         "save its content to a file first")
    return info.st_size


def read_regular_file(path: Path, limit: int, *, what: str) -> bytes:
    """The bytes of a regular file (`regular_file_size`) of at most `limit` bytes, never reading
    more than that even if the file grows while it is read."""

    def too_big(size: int) -> InputError:
        return InputError(f"{display_name(path.name)} is {size / 1_048_576:.1f} MiB; {what} are at most "
                          f"{limit // 1_048_576} MiB (is it really one?)")

    size = regular_file_size(path)
    if size > limit:
        raise too_big(size)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as err:
        raise InputError(f"{display_name(str(path))} cannot be read: {err.strerror}") from err
    if len(data) > limit:
        raise too_big(len(data))
    return data


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by the OS as surrogate escapes, which no
    database or JSON writer accepts) are spelt as \\xNN, so distinct names stay distinct."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def article_metadata(path: Path) -> dict[str, str]:
    """This article's entry in `articles.json` (or a corpus `gold.json`'s `published`), if any.

    The sidecar maps file names to {"url", "outlet", "headline", "published"}; a sidecar that is
    not such a mapping is an InputError naming it (its articles would lose their dates otherwise).
    """
    for name in (METADATA_FILE, "gold.json"):
        sidecar = path.parent / name
        if not sidecar.is_file():
            continue
        try:
            data = json.loads(read_regular_file(sidecar, MAX_ARTICLE_BYTES, what="metadata files"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
            raise InputError(f"{sidecar} is not valid JSON: {err}") from err
        if not isinstance(data, dict):
            raise InputError(f"{sidecar} should be a JSON object mapping file names to their outlet, headline "
                             f"and published date; it is a {type(data).__name__}")
        entry = data.get(path.name)
        if isinstance(entry, dict):
            return {k: v for k, v in entry.items() if isinstance(v, str)}
    return {}
