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
    "file_by_description",
    "file_by_words",
    "first_existing",
    "folded",
    "has_any",
    "is_table",
    "mentions",
    "number_in_words",
    "quoted",
    "quoted_spans",
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
    return [text[start + 1 : end - 1] for start, end in quoted_spans(text)]


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Where each quoted string is, its quote marks included, in order."""
    found: list[tuple[int, int]] = []
    pos = 0
    while (match := _QUOTE.search(text, pos)) is not None:
        start = match.start()
        if text[start] in "'’" and start > 0 and text[start - 1].isalnum():
            pos = start + 1  # "todo.txt'ye 'x'": that ' is a Turkish suffix mark, not a quote
            continue
        found.append(match.span())
        pos = match.end()
    return found


def mentions(text: str, ctx: GroundContext | None = None) -> list[str]:
    """Path-like tokens in order ("sales.csv", "out/x.csv", "out/"), without e-mail addresses
    or URLs, and without a Turkish case ending after an apostrophe.

    With ``ctx``, a token that names a workspace file loosely becomes that file's path: a
    name with spaces read whole ("Q3 budget draft.txt", not "draft.txt"), a name without
    its folder, case or accents ("musteriler.csv" → "müşteriler.csv"); others stay as written.
    """
    found = _mentions(text)
    if ctx is None:
        return [token for token, _ in found]
    return [_resolved(text, token, start, ctx) for token, start in found]


def _resolved(text: str, token: str, start: int, ctx: GroundContext) -> str:
    if token in ctx.files() or token.endswith("/"):
        return token
    before = text[:start]
    for n in range(_MAX_NAME_WORDS, 0, -1):
        lead = re.search(rf"((?:[\w-]+ ){{{n}}})$", before)
        if lead is not None:
            spaced = ctx.resolve(lead.group(1) + token)
            if spaced is not None and folded(spaced).endswith(folded(lead.group(1) + token)):
                return spaced
    return ctx.resolve(token) or token


def _mentions(text: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
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
            out.append((token, match.start(1)))
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
    return file_by_description(text, ctx)


_MAX_NAME_WORDS = 4


def _stem_words(path: str) -> list[str]:
    return [w for w in re.split(r"[\W_]+", folded(PurePosixPath(path).stem)) if w]


def _said_as(said: list[str], name: list[str]) -> bool:
    """``said`` are the words of ``name``; the last may carry a Turkish ending ("notunu")."""
    if len(said) != len(name) or said[:-1] != name[:-1]:
        return False
    last, word = said[-1], name[-1]
    return last == word or (last.startswith(word) and 0 < len(last) - len(word) <= 5)


def file_by_description(text: str, ctx: GroundContext) -> str | None:
    """ "the Q3 budget draft", "depo notunu": the one workspace file whose name's words (two
    or more) are said in a row, folder and suffix left out; None when none or several fit."""
    words = re.findall(r"[\w]+", folded(without_paths(text)))
    found: set[str] = set()
    for path in ctx.files():
        name = _stem_words(path)
        if not 2 <= len(name) <= _MAX_NAME_WORDS:
            continue
        for i in range(len(words) - len(name) + 1):
            if _said_as(words[i : i + len(name)], name):
                found.add(path)
    return found.pop() if len(found) == 1 else None


def first_existing(text: str, ctx: GroundContext) -> str | None:
    """The first mentioned file that exists in the workspace."""
    for token in mentions(text, ctx):
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


_EN_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen")
_EN_NUMBERS = {
    **{w: n for n, w in enumerate(_EN_UNITS)},
    **{w: n for n, w in enumerate(_EN_TEENS, start=10)},
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "dozen": 12,
    "none": 0,
}
_TR_NUMBERS = {
    "sifir": 0,
    "bir": 1,
    "iki": 2,
    "uc": 3,
    "dort": 4,
    "dord": 4,  # "dördü", "dördünü"
    "bes": 5,
    "alti": 6,
    "yedi": 7,
    "sekiz": 8,
    "dokuz": 9,
    "on": 10,
    "yirmi": 20,
    "otuz": 30,
    "kirk": 40,
    "elli": 50,
    "yuz": 100,
}
# Turkish case and possessive endings a number word takes ("ilk üçü", "beşini", "ikisinden")
_TR_ENDINGS = frozenset(
    (
        *("i", "u", "yi", "yu", "si", "su", "ni", "nu", "ini", "unu", "sini", "sunu"),
        *("e", "a", "ye", "ya", "de", "da", "te", "ta", "den", "dan", "ten", "tan"),
        *("in", "un", "nin", "nun", "sinin", "sunun", "inden", "undan", "sinden", "sundan"),
    )
)

# Turkish number words whose declined forms are other words (onu = it, biri = someone,
# yüzde = percent): only their bare form is a number
_TR_BARE_ONLY = ("on", "bir", "yuz")


def number_in_words(word: str, lang: str | None = None) -> tuple[int, str] | None:
    """A number written as one folded word: (value, Turkish ending after it), or None.

    "five" → (5, ""), "twenty-five" → (25, ""), "dozen" → (12, ""), "beşini" → (5, "ini"),
    "üçü" → (3, "u"). With ``lang`` given only that language's words count ("on" is ten in
    Turkish only); "one"/"bir" count too, callers decide when a lone "one" is a number.
    """
    low = folded(word)
    if lang in (None, "en"):
        parts = low.split("-")
        if all(part in _EN_NUMBERS for part in parts) and len(parts) <= 2:
            values = [_EN_NUMBERS[part] for part in parts]
            if len(values) == 1 or (values[0] in (20, 30, 40, 50) and 0 < values[1] < 10):
                return sum(values), ""
    if lang in (None, "tr"):
        for stem in sorted(_TR_NUMBERS, key=len, reverse=True):
            if not low.startswith(stem):
                continue
            ending = low[len(stem) :]
            if stem in _TR_BARE_ONLY and (ending or (stem == "on" and lang is None)):
                continue  # "onu", "biri", "yüzde" are other words; "on" is English too
            if ending == "" or ending in _TR_ENDINGS:
                return _TR_NUMBERS[stem], ending
    return None
