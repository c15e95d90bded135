"""Text: count lines or words, find lines containing a word, replace a word, summarize."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from altlas.do.accounted import file_words, not_understood, unaccounted, unread_qualifiers
from altlas.do.context import GroundContext
from altlas.do.operations import Operation
from altlas.do.words import (
    existing,
    file_by_description,
    file_by_words,
    folded,
    has_any,
    is_table,
    mentions,
    quoted,
    refers_back,
)

__all__ = ["ground_text", "lines_with_word"]

_LINE = r"(lines?|satir\w*)"
_STOP = {
    "the", "all", "any", "its", "of", "how", "many", "which", "what", "those", "these", "some",
    "every", "each", "find", "count", "show", "list", "get", "in", "from", "are", "is", "there",
    "number", "total", "kac", "tum", "butun", "hangi", "bu", "su", "o", "toplam", "de", "da",
    "file", "log", "dosya", "dosyasindaki", "dosyadaki", "icindeki", "icinde", "and", "with",
    "say", "bul", "a", "an", "have", "has", "had", "that", "them", "copy", "save", "varsa",
    "me", "you", "us", "it", "this", "my", "your", "our", "please", "bana", "benim",
}  # fmt: skip
_WORD_AFTER = re.compile(
    r"\b(?:mention(?:s|ing)?|contain(?:s|ing)?|with|matching|match|about|includ(?:e|es|ing)"
    r"|say(?:s|ing)?|having|has)\s+(?:the\s+(?:word|text|string)\s+|the\s+|a\s+|an\s+)?"
    r"([\w.:-]+)"
)
_WORD_BEFORE = re.compile(
    rf"([\w.:-]+)'?\w*\s+(?:(?:gecen|geciyor|iceren|yazan|olan|ifadesi\w*|kelimesi\w*)\s+)?{_LINE}\b"
)
_COUNT = (
    r"\btall(y|ies|ied|ying)\b",
    r"\bsay(ip|arak|iver\w*|imla\w*)\b",
    r"\bhow many\b",
    r"\bcount\b",
    r"\bnumber of\b",
    r"\b(line|word) count\b",
    r"\bkac\b",
    r"\bsay\b",
    r"\bsayisi\w*",
    r"\bsayin\b",
    r"\bsayar misin\b",
)
_GREP = (
    r"\b(find|show|list|get|extract|grep|pull|search|print|which|give me|copy|bul|goster|"
    r"listele|ara|cikar|getir|hangi)\w*",
)
_REPLACE = (
    r"\breplac\w*",
    r"\bchange\b",
    r"\bswap\b",
    r"\bdegistir\w*",
    r"\byerine\b",
    r"\b(kelime|ifade|sozcu)\w*\b.*\byap\w*",
)
_SEARCH_FOR = re.compile(r"\b(?:grep|search|look)\s+(?:through\s+|in\s+)?\S+\s+for\s+([\w.:-]+)")
_LEVELS = {
    "hata": "ERROR", "hatalar": "ERROR", "hatali": "ERROR", "error": "ERROR", "errors": "ERROR",
    "uyari": "WARN", "uyarilar": "WARN", "warning": "WARN", "warnings": "WARN",
    "bilgi": "INFO", "debug": "DEBUG", "hata ayiklama": "DEBUG",
}  # fmt: skip
_ADDS = (r"\bappend\w*", r"\badd\b", r"\bsonuna\b", r"\bekle\w*")
_SUMMARY = (r"\bsummar\w*", r"\bsum up\b", r"\bozet\w*", r"\bgist\b")


def _original(text: str, low: str, span: tuple[int, int]) -> str:
    """The words at ``span`` of the folded text, in their original spelling when possible."""
    return text[span[0] : span[1]] if len(text) == len(low) else low[span[0] : span[1]]


def level_word(word: str, source: str | None, ctx: GroundContext | None) -> str:
    """ "hata" / "warning" mean a log level when the file does not contain the word itself."""
    level = _LEVELS.get(folded(word))
    if level is None or source is None or ctx is None:
        return word
    try:
        with (ctx.workspace / source).open(encoding="utf-8", errors="replace") as fh:
            head = fh.read(1_000_000)
    except OSError:
        return word
    return word if re.search(rf"(?<!\w){re.escape(word)}", head, re.IGNORECASE) else level


def lines_with_word(text: str) -> str | None:
    """The word lines must contain: quoted, "mention X", "X lines", "X geçen satırları"."""
    found = quoted(text)
    if found:
        return found[0]
    low = folded(text)
    if not re.search(rf"\b{_LINE}\b", low):
        return None
    for pattern in (_WORD_BEFORE, _WORD_AFTER):
        for match in pattern.finditer(low):
            word = _original(text, low, match.span(1)).strip(".:'")
            if word and folded(word) not in _STOP and not _is_path(word):
                return word
    return None


def _is_path(word: str) -> bool:
    return bool(PurePosixPath(word).suffix) or "/" in word


def _source(text: str, ctx: GroundContext) -> str | None:
    for token in mentions(text, ctx):
        if existing(token, ctx):
            return token
    if any(not m.endswith("/") and not PurePosixPath(m).parent.name for m in mentions(text)):
        return None  # a file named at the top that is not there: not another one by its words
    return file_by_words(text, ctx) or file_by_description(text, ctx)


def _output(text: str, source: str | None, ctx: GroundContext) -> str | None:
    pairs = zip(mentions(text), mentions(text, ctx), strict=True)
    others = [raw for raw, res in pairs if res != source and not raw.endswith("/")]
    return others[-1] if others else None


def _count(text: str, source: str, ctx: GroundContext) -> Operation | None:
    low = folded(text)
    words = re.search(r"\b(words?|kelime\w*|sozcuk\w*)\b", low)
    lines = re.search(rf"\b{_LINE}\b", low)
    if words and not lines:
        return Operation(
            "text",
            {"operation": "count_words", "path": source},
            f"count words in {source}",
            "value",
        )
    if not lines:
        return None
    params = {"operation": "count_lines", "path": source}
    found = lines_with_word(text)
    word = level_word(found, source, ctx) if found else None
    if word:
        params["contains"] = word
    what = f"lines with '{word}'" if word else "lines"
    return Operation("text", params, f"count {what} in {source}", "value")


_TIMES = (
    r"\bhow many times\b",
    r"\bhow often\b",
    r"\bnumber of (times|occurrences)\b",
    r"\boccurrences?\b",
    r"\bkac (kez|kere|defa)\b",
    r"\bgecme sayisi\b",
)
_TIMES_WORD = re.compile(
    r"\b(?:does|is|do|are)\s+(?:the word\s+)?([\w'-]+)\s+"
    r"(?:appear|occur|show up|come up|mentioned|used)"
    r"|\boccurrences? of\s+(?:the word\s+)?([\w'-]+)"
    r"|([\w-]+)'?\w*\s+(?:kelimesi\w*\s+|sozcugu\w*\s+)?kac (?:kez|kere|defa)"
)
_ENDS = re.compile(r"\b(first|top|last|ilk|son)\s+(\d+)?\s*(?:lines?|satir\w*)")


def _occurrences(text: str, source: str) -> Operation | None:
    if not has_any(text, *_TIMES):
        return None
    found = quoted(text)
    word = found[0] if found else None
    if word is None:
        low = folded(text)
        match = _TIMES_WORD.search(low)
        if match is None:
            return None
        group = next(i for i in (1, 2, 3) if match.group(i))
        word = _original(text, low, match.span(group))
    params = {"operation": "count_matches", "path": source, "contains": word}
    return Operation("text", params, f"count '{word}' in {source}", "value")


def _ends_of(text: str, source: str, ctx: GroundContext) -> Operation | None:
    match = _ENDS.search(folded(text))
    if match is None:
        return None
    op = "head" if match.group(1) in ("first", "top", "ilk") else "tail"
    params: dict[str, object] = {"operation": op, "path": source}
    if match.group(2):
        params["lines"] = int(match.group(2))
    output = _output(text, source, ctx)
    if output:
        params["output"] = output
    found = Operation("text", params, f"the {match.group(1)} lines of {source}", "lines")
    unread = unread_qualifiers(text, [w for w in match.groups() if w])
    return not_understood(found, unread) if unread else found  # "without the last line"


def _replace(text: str, source: str, ctx: GroundContext) -> Operation | None:
    pair = quoted(text)
    if len(pair) < 2:
        low = folded(text)
        match = re.search(r"\breplac\w*\s+(?:every\s+|all\s+)?(\S+)\s+(?:with|by)\s+(\S+)", low)
        if match is None:
            return None
        pair = [_original(text, low, match.span(1)), _original(text, low, match.span(2))]
    old, new = pair[0], pair[1]
    output = _output(text, source, ctx)
    if output is None and not existing(source, ctx):
        output = source  # the file an earlier step of this command writes ("the copy")
    if output is None:
        path = PurePosixPath(source)
        in_place = has_any(text, r"\bin place\b", r"\boverwrite\b", r"\buzerine yaz")
        output = source if in_place else str(path.with_name(f"{path.stem}.edited{path.suffix}"))
    params = {"operation": "replace", "path": source, "old": old, "new": new, "output": output}
    found = Operation("text", params, f"replace '{old}' with '{new}' into {output}", "files")
    unread = unread_qualifiers(text)  # "only in the first line", "the first 3 times"
    return not_understood(found, unread) if unread else found


_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "bir": 1, "iki": 2, "uc": 3}
_SENTENCES = re.compile(r"\b(\d+|one|two|three|four|five|bir|iki|uc)\s+(?:sentences?|cumle\w*)")


_SUMMARY_WORDS = (
    r"summar\w*|sum|up|gist|short|shorter|brief|briefly|quick|quickly|sentences?|cumle\w*|"
    r"write|writes|save|saved|put|store|as|summary|file|text|document|contents?|notes?|"
    r"give|make|create|produce|one|ozet\w*|yaz\w*|kaydet\w*|cikar\w*|olarak|dosya\w*|"
    r"icerig\w*|metn\w*|kisa\w*|halinde|seklinde|sonra|then|and|ve|new|called|named|adli|"
    r"adinda|adiyla|call|name",
)


def _summarize(text: str, source: str, ctx: GroundContext) -> Operation:
    params: dict[str, object] = {"path": source}
    count = _SENTENCES.search(folded(text))
    if count is not None:
        word = count.group(1)
        params["sentences"] = int(word) if word.isdigit() else _NUMBERS[word]
    output = _output(text, source, ctx)
    if output:
        params["output"] = output
    found = Operation("summarize", params, f"summarize {source}", "text")
    named = [*file_words(source), *(file_words(output) if output else [])]
    if count is not None:
        named.append(count.group(1))
    unread = unaccounted(text, _SUMMARY_WORDS, named)
    return not_understood(found, unread) if unread else found  # "in French", "as bullets"


_NOT_CONTAINS = re.compile(
    r"\b(?:starts?|starting|begins?|beginning|ends?|ending) with\b|\bile (?:basla|bit)\w*|"
    r"\b(?:empty|blank|bos)\b"
)


_PUT = (r"\b(put|write|writes|save|saves|store|stores|record|yaz\w*|kaydet\w*|koy\w*)\b",)


def _with_destination(text: str, op: Operation, source: str, ctx: GroundContext) -> Operation:
    """A count whose words also name another file to put it in: the count operations
    answer a value and write nothing, so the destination is not done and must not pass."""
    if op.handler != "text" or op.produces != "value" or not has_any(text, *_PUT):
        return op
    destination = _output(text, source, ctx)
    if destination is None:
        return op
    return not_understood(op, [destination])


def _unread(text: str, op: Operation) -> list[str]:
    """Numbers and order words ("the last five", "after 10:00") the operation does not read,
    and ways of matching a line that are not "contains" ("start with", "boş satır")."""
    low = folded(text)
    for quote in quoted(low):
        low = low.replace(quote, " ")
    other = [m.group(0) for m in _NOT_CONTAINS.finditer(low)]
    return unread_qualifiers(text, [str(op.params.get("contains", ""))]) + other


def ground_text(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    """A text operation for ``text``, or None when it is not about lines and words of a file."""
    source = _source(text, ctx)
    inherited: str | None = None
    # "özetle", "count them", "kaç satır olduğunu söyle": about what came before
    implicit = not mentions(text) and (
        len(text.split()) <= 3
        or has_any(text, r"\b(how many|kac)\b(\s+\w+)?\s+(lines?|words?|satir\w*|kelime\w*)\b")
    )
    if source is None and ctx.previous is not None and (refers_back(text) or implicit):
        prev = ctx.previous.params
        candidate = prev.get("output") or prev.get("dest") or prev.get("path")
        source = candidate if isinstance(candidate, str) else None
        if ctx.previous.handler == "text" and prev.get("operation") == "grep":
            # "count them" after "find the lines with X": the lines found, not the whole file
            source, inherited = str(prev.get("path")), str(prev.get("contains"))
    if source is None:
        return None
    if inherited is not None and has_any(text, *_COUNT):
        grep_count = {"operation": "count_lines", "path": source, "contains": inherited}
        return Operation("text", grep_count, f"count the lines with '{inherited}'", "value")
    table = is_table(source)
    if has_any(text, *_ADDS):
        return None  # "add the line 'x' to …" writes a line; it does not look for one
    if has_any(text, *_SUMMARY) and not table:
        return _summarize(text, source, ctx)
    if has_any(text, *_REPLACE) and len(quoted(text)) >= 2:
        return _replace(text, source, ctx)
    special = _occurrences(text, source) or _ends_of(text, source, ctx)
    if special is not None:
        return _with_destination(text, special, source, ctx)
    if has_any(text, *_COUNT):
        counted = _count(text, source, ctx)
        unread = _unread(text, counted) if counted is not None else []
        if counted is not None and unread:
            # "how many ERROR lines after 10:00": a count of all of them would be wrong
            return not_understood(counted, unread)
        per_group = table and has_any(
            text, r"\b(by|per|each|every|grouped|gore|bazinda|basina|her)\b"
        )  # "count the rows by region": a table's groups, for the data family
        if (
            counted is not None
            and not per_group
            and (not table or "contains" not in counted.params)
        ):
            return _with_destination(text, counted, source, ctx)
    searched = _SEARCH_FOR.search(folded(text))
    if has_any(text, *_GREP) or re.search(rf"\b{_LINE}\b", folded(text)) or searched:
        word = lines_with_word(text)
        if word is None and searched is not None:
            word = _original(text, folded(text), searched.span(1))
        word = level_word(word, source, ctx) if word else None
        if word is None or (table and not quoted(text)):
            return None
        params: dict[str, object] = {"operation": "grep", "path": source, "contains": word}
        output = _output(text, source, ctx)
        if output:
            params["output"] = output
        found = Operation("text", params, f"find lines with '{word}' in {source}", "lines")
        unread = _unread(text, found)
        return not_understood(found, unread) if unread else found
    return None
