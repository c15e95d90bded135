"""Task parameters: what each type needs (query, title and format, subject, target, source and
target format, command, content, when) plus the quoted names, files, URLs and numbers."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from altlas.segment.segments import Segment
from altlas.segment.text import Token, fold, words
from altlas.segment.when import resolve_when

__all__ = ["extract_parameters"]

_FORMATS = {
    "pdf": "PDF",
    "doc": "DOC",
    "docx": "DOCX",
    "txt": "TXT",
    "csv": "CSV",
    "json": "JSON",
    "yaml": "YAML",
    "yml": "YAML",
    "xml": "XML",
    "html": "HTML",
    "markdown": "Markdown",
    "md": "Markdown",
    "xlsx": "XLSX",
    "xls": "XLS",
    "excel": "Excel",
    "word": "Word",
    "pptx": "PPTX",
    "ppt": "PPT",
    "powerpoint": "PowerPoint",
    "png": "PNG",
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "gif": "GIF",
    "svg": "SVG",
    "webp": "WebP",
    "mp3": "MP3",
    "mp4": "MP4",
    "wav": "WAV",
    "zip": "ZIP",
    "7z": "7z",
    "tar": "TAR",
    "gz": "GZ",
    "epub": "EPUB",
    "odt": "ODT",
    "rtf": "RTF",
    "sql": "SQL",
    "parquet": "Parquet",
    "ics": "ICS",
    "vcf": "VCF",
}
_LANGUAGES = {
    fold(w): w
    for w in words(
        """English Turkish German French Spanish Portuguese Italian Japanese Chinese Russian Arabic
Korean Dutch Greek Persian Hindi İngilizce Türkçe Almanca Fransızca İspanyolca
Portekizce İtalyanca Japonca Çince Rusça Arapça Korece Felemenkçe Yunanca Farsça""",
    )
}
_FILE = re.compile(r"^[\w\-./]*\w\.([A-Za-z][A-Za-z0-9]{0,4})$")
_NUMBER = re.compile(r"^#?(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?)(?:'\w*)?$")
_DIGITS_DOTS = re.compile(r"[\d.]+")
_GROUPED = {sep: re.compile(rf"\d{{1,3}}(?:\{sep}\d{{3}})+") for sep in ".,"}
_FORMAT_NOUNS_TR = ("bicim", "format", "tur", "uzanti")
_TIME_GLUE = frozenset(words("at on for in by until saat için"))
_EN_TARGET = frozenset(words("to into as in"))
_EN_DROP_LEAD = frozenset(["me", "us"])
_TR_DATIVE = re.compile(r"^(.*?)(?:'(?:y?[ae]|n[ae])|y[ae]|(?<=[ıiuü])n[ae]|(?<=c[ae])[ae])$")


def _language(word: str) -> str | None:
    """``Spanish`` -> Spanish; ``İngilizceye`` -> İngilizce (the dative ending dropped)."""
    f = fold(word.split("'")[0])
    for cut in (0, 1, 2):
        key = f[: len(f) - cut]
        if key in _LANGUAGES:
            return _LANGUAGES[key]
    return None


_FILE_EXTS = frozenset(
    words(
        """pdf doc docx txt csv json yaml yml xml html htm md xlsx xls pptx ppt png jpg jpeg gif
svg webp mp3 mp4 wav mov avi zip 7z tar gz tgz py sh exe msi dmg vcf ics log conf cfg
ini toml sql epub odt ods rtf parquet ipynb js ts css java go rs rb php c h cpp key pem""",
    ),
)


def _is_file(name: str) -> bool:
    m = _FILE.match(name)
    if m is None or _DIGITS_DOTS.fullmatch(name):
        return False
    ext = m.group(1)
    stem = name[: -len(ext) - 1]
    # "Node.js" is a product, "app.js" a file
    return ext.lower() in _FILE_EXTS and not (ext == "js" and stem[:1].isupper())


def _number(text: str, lang: str) -> int | float | None:
    m = _NUMBER.match(text)
    if m is None:
        return None
    raw = m.group(1)
    thousands, decimal = (".", ",") if lang == "tr" else (",", ".")
    if _GROUPED[thousands].fullmatch(raw):
        return int(raw.replace(thousands, ""))
    raw = raw.replace(decimal, ".")
    if "," in raw or raw.count(".") > 1:
        return None
    return float(raw) if "." in raw else int(raw)


def _span_text(command: str, tokens: list[Token], a: int, b: int) -> str:
    if a > b:
        return ""
    return command[tokens[a].start : tokens[b].end].strip(" ,;:")


def _format_of(tokens: list[Token]) -> str | None:
    for tok in tokens:
        base = tok.low.split("'")[0].strip('"“”')
        if base in _FORMATS and tok.kind == "word":
            # "word" and "md" are formats only when they are written as names (Word, MD)
            if base in ("word", "md") and not tok.upper:
                continue
            return _FORMATS[base]
    return None


def _object_range(seg: Segment, lang: str) -> tuple[int, int]:
    if seg.verb is None:
        return seg.first, seg.last
    if lang == "en":
        return seg.verb + 1, seg.last
    first = seg.verb_first if seg.verb_first is not None else seg.verb
    return seg.first, first - 1


def extract_parameters(
    command: str,
    tokens: list[Token],
    seg: Segment,
    lang: str,
    now: datetime,
) -> dict[str, Any]:
    """Parameters of one segment, by task type, plus names, files, URLs and numbers."""
    a, b = _object_range(seg, lang)
    if lang == "tr" and seg.type == "schedule" and seg.verb is not None:
        b = seg.verb - 1  # "randevu al", "rezervasyon yap": the compound's noun is the event
    if lang == "en":
        while a <= b and tokens[a].low in _EN_DROP_LEAD:
            a += 1
        if a <= b and tokens[a].low == "to" and seg.verb_key == "remind":
            a += 1
    obj_tokens = tokens[a : b + 1]
    rest = _span_text(command, tokens, a, b)
    params: dict[str, Any] = {}
    kind = seg.type
    if kind == "search":
        params["query"] = rest or _span_text(command, tokens, seg.first, seg.last)
    elif kind == "create":
        params["title"] = rest
        fmt = _format_of(obj_tokens)
        if fmt:
            params["format"] = fmt
    elif kind == "analyze":
        params["subject"] = rest
    elif kind == "open":
        params["target"] = rest
    elif kind == "transform":
        params.update(_transform(command, tokens, a, b, lang))
    elif kind == "execute":
        params["command"] = _execute_command(command, tokens, a, b, lang, rest)
    elif kind == "summarize":
        params["content"] = rest
    elif kind == "schedule":
        params["event"] = rest
        when = resolve_when(command[tokens[seg.first].start : tokens[seg.last].end], lang, now)
        if when is not None:
            params["when"] = when.iso()
            params["when_text"] = when.text
            if when.recurrence:
                params["recurrence"] = when.recurrence
            # the event is what happens, the time is in "when"
            event = rest
            for part in when.text.split(" "):
                event = event.replace(part, " ", 1) if part else event
            event = " ".join(w for w in event.split() if w.lower() not in _TIME_GLUE).strip(" ,")
            params["event"] = event or rest
    # an elided object ("PDF'e dönüştür") leaves no source: say nothing rather than ""
    params = {k: v for k, v in params.items() if v != ""}
    params.update(_extras(tokens, seg, lang))
    return params


def _transform(
    command: str,
    tokens: list[Token],
    a: int,
    b: int,
    lang: str,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if lang == "en":
        cut = None
        for k in range(b, a - 1, -1):
            if tokens[k].low in _EN_TARGET:
                cut = k
                break
        if cut is None:
            out["source"] = _span_text(command, tokens, a, b)
            return out
        out["source"] = _span_text(command, tokens, a, cut - 1)
        target_tokens = tokens[cut + 1 : b + 1]
        target = _span_text(command, tokens, cut + 1, b)
    else:
        cut = None
        first = 0
        for k in range(b, a - 1, -1):
            tok = tokens[k]
            if tok.kind != "word" or not _TR_DATIVE.match(tok.text):
                continue
            if tok.fold.startswith(_FORMAT_NOUNS_TR) and k > a:
                # "json biçimine", "PDF formatına": the name before "format" is the target
                cut, first = k, k - 1
                break
            if "'" in tok.text or _language(tok.text) is not None:
                cut = first = k
                break
        if cut is None:
            out["source"] = _span_text(command, tokens, a, b)
            return out
        out["source"] = _span_text(command, tokens, a, first - 1)
        m = _TR_DATIVE.match(tokens[first].text)
        target = m.group(1) if m and first == cut else tokens[first].text
        target_tokens = tokens[first : cut + 1]
    fmt = _format_of(target_tokens)
    languages = [lang for lang in (_language(t.text) for t in target_tokens) if lang]
    if fmt:
        out["target_format"] = fmt
    elif languages:
        out["target_format"] = languages[0]
        out["target_languages"] = languages
    elif target:
        out["target"] = target
    return out


def _execute_command(
    command: str,
    tokens: list[Token],
    a: int,
    b: int,
    lang: str,
    rest: str,
) -> str:
    for tok in tokens[a : b + 1]:
        if tok.kind == "quote" and tok.text.startswith("`"):
            return tok.text.strip("`")
    if lang == "tr":
        for k in range(a, b + 1):
            if tokens[k].fold.startswith("komut") and k > a:
                return _span_text(command, tokens, a, k - 1)
    return rest


def _extras(tokens: list[Token], seg: Segment, lang: str) -> dict[str, Any]:
    quoted: list[str] = []
    files: list[str] = []
    urls: list[str] = []
    emails: list[str] = []
    numbers: list[int | float] = []
    for tok in tokens[seg.first : seg.last + 1]:
        if tok.kind == "quote":
            inner = tok.text[1:-1]
            quoted.append(inner)
            if _is_file(inner):
                files.append(inner)
        elif tok.kind == "url":
            (emails if "@" in tok.text and "://" not in tok.text else urls).append(tok.text)
        elif tok.kind == "word":
            text = tok.text
            if "." in text:
                base = text.split("'")[0].split("’")[0]
                if _is_file(base):
                    files.append(base)
                    continue
            if text[0].isdigit() or text[0] == "#":
                value = _number(text, lang)
                if value is not None:
                    numbers.append(value)
    out: dict[str, Any] = {}
    if quoted:
        out["quoted"] = quoted
    if files:
        out["files"] = files
    if urls:
        out["urls"] = urls
    if emails:
        out["emails"] = emails
    if numbers:
        out["numbers"] = numbers
    return out
