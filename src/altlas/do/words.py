"""Reading a segment's words: folded text, quoted strings, the files it names, references.

Everything here matches on :func:`folded` text (lowercase, Turkish letters without their
diacritics), so "dosyasını" and "dosyasini" read the same.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from altlas.do.context import TABLE_SUFFIXES, GroundContext
from altlas.segment.text import fold

__all__ = [
    "TABLE_SUFFIXES",
    "TEXT_SUFFIXES",
    "file_by_words",
    "first_existing",
    "folded",
    "has_any",
    "is_table",
    "mentions",
    "quoted",
    "refers_back",
    "without_paths",
]

TEXT_SUFFIXES = (".txt", ".md", ".log", ".rst", ".text", ".markdown")

_QUOTE = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"|“([^”\n]+)”|‘([^’\n]+)’|`([^`\n]+)`|«([^»\n]+)»")
# a path-like token: letters, digits and ._-/ with a dot-suffix or a slash; Turkish case endings
# after an apostrophe ("sales.csv'den") are not part of it
_PATH = re.compile(
    r"(?<![\w@/.-])((?:[\w.-]+/)*[\w-][\w.-]*\.[A-Za-z][A-Za-z0-9]{0,7}|(?:[\w.-]+/)+)"
)


def folded(text: str) -> str:
    """Lowercase without diacritics and with straight quotes, for matching words."""
    return fold(text).replace("’", "'").replace("‘", "'")


def has_any(text: str, *patterns: str) -> bool:
    """Whether any regex pattern matches the folded ``text`` (patterns are written folded)."""
    low = folded(text)
    return any(re.search(p, low) for p in patterns)


def without_paths(text: str) -> str:
    """``text`` with file names blanked, so "hatirlatma.txt" does not read as "remind"."""
    for token in mentions(text):
        text = text.replace(token, " ")
    return text


def quoted(text: str) -> list[str]:
    """Quoted or backticked strings, in order. An apostrophe inside a word is not a quote."""
    found: list[str] = []
    pos = 0
    while (match := _QUOTE.search(text, pos)) is not None:
        start = match.start()
        if text[start] in "'’" and start > 0 and text[start - 1].isalnum():
            pos = start + 1  # "todo.txt'ye 'x'": that ' is a Turkish suffix mark, not a quote
            continue
        found.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
    return found


def mentions(text: str) -> list[str]:
    """Path-like tokens in order ("sales.csv", "out/x.csv", "out/"), without e-mail addresses
    or URLs, and without a Turkish case ending after an apostrophe."""
    out: list[str] = []
    for match in _PATH.finditer(text):
        token = match.group(1).rstrip(".")
        end = match.end(1)
        if end < len(text) and text[end] == "@":
            continue
        if "://" in text[max(0, match.start(1) - 3) : match.start(1) + 3]:
            continue
        suffix = PurePosixPath(token).suffix.lower()
        if token.endswith("/") or suffix:
            if re.fullmatch(r"\d+(\.\d+)+", token):
                continue  # a version or a number, not a file
            out.append(token)
    return out


def is_table(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in TABLE_SUFFIXES


def existing(path: str, ctx: GroundContext) -> bool:
    """Whether ``path`` is a file in the workspace (as written, or as a bare name anywhere)."""
    return path in ctx.files()


_KIND_NOUNS = {
    "log": (".log",),
    "logs": (".log",),
    "table": TABLE_SUFFIXES,
    "spreadsheet": (".csv", ".tsv", ".parquet"),
    "csv": (".csv",),
    "json": (".json", ".ndjson", ".jsonl"),
    "markdown": (".md", ".markdown"),
    "notes": (".md", ".txt"),
    "kayit": (".log",),
    "gunluk": (".log",),
}
_NAMED = re.compile(
    r"\b(?:the|my|our|bu|su)\s+(?:(\w+)\s+)?(file|log|logs|table|spreadsheet|list|notes|"
    r"document|dosya\w*|tablo\w*|liste\w*)\b"
)


def file_by_words(text: str, ctx: GroundContext) -> str | None:
    """ "the sales file", "the log", "satış dosyası": the one workspace file they can mean."""
    low = folded(text)
    files = ctx.files()
    for match in _NAMED.finditer(low):
        word, noun = match.group(1), match.group(2)
        candidates: list[str] = []
        if word and word not in ("the", "a", "an", "this", "that"):
            stem = word[:4] if len(word) > 4 else word  # "satis" finds "satislar.csv"
            candidates = [f for f in files if PurePosixPath(f).stem.lower().startswith(stem)]
        elif noun in _KIND_NOUNS:
            suffixes = _KIND_NOUNS[noun]
            candidates = [f for f in files if PurePosixPath(f).suffix.lower() in suffixes]
        if len(candidates) == 1:
            return candidates[0]
    return None


def first_existing(text: str, ctx: GroundContext) -> str | None:
    """The first mentioned file that exists in the workspace."""
    for token in mentions(text):
        if existing(token, ctx):
            return token
    return None


_REFERENCE = (
    r"\b(it|them|this|that|those|these|the result|the results|the output|the copy|the list|"
    r"the count|the number|the total|the table|the summary|the lines|the rows|the file)\b",
    r"\b(bunu|bunlari|onu|onlari|sonucu|sonuclari|ciktiyi|kopyay?a|kopyada|kopyanin|kopyasin"
    r"|listeyi|tabloyu|ozeti|sayiyi|adini|ismini|icine|icerigini|satirlari)\b",
)


def refers_back(text: str) -> bool:
    """Whether the segment points at an earlier result ("it", "them", "bunu", "sonucu"...)."""
    return has_any(text, *_REFERENCE)
