"""Files: create with given content, append a line, copy, move or rename, list, back up."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from altlas.do.accounted import file_words, not_understood, unaccounted, unread_qualifiers
from altlas.do.context import GroundContext
from altlas.do.folders import (
    folder_named,
    join_folder,
    many,
)
from altlas.do.ground_list import list_files
from altlas.do.operations import Operation
from altlas.do.words import (
    existing,
    file_by_description,
    folded,
    has_any,
    mentions,
    quoted,
    quoted_spans,
    refers_back,
)

__all__ = ["ground_files"]

_BACKUP = (r"\bback ?(it |them |everything )?up\b", r"\bbackup\b", r"\byedek\w*")
_READ = (
    r"^\s*(please\s+)?(read|show|open|display|print|cat|view)\b",
    r"\b(show|give) me\b(?!.*\b(lines?|words?|files)\b)",
    r"\b(oku|goster|ac|icerigini)\w*\s*[.!?]*$",
)
_COPY = (
    r"\bcopy\b",
    r"\bduplicate\b",
    r"\bclone\b",
    r"\breplicate\b",
    r"\bkopyala\w*",
    r"\bkopyas\w*",
    r"\bcogalt\w*",
)
_MOVE = (r"\bmove\b", r"\btasi\w*")
_RENAME = (
    r"\brename\b",
    # "… and call it X": a name for what was just made
    r"^\s*(and\s+|then\s+)?(call|name)\s+(it|them|the (copy|file|new one))\b",
    r"\b(adini|ismini)\b.*\b(yap|olarak degistir|degistir)\w*",
    r"\byeniden adlandir\w*",
)
_APPEND = (
    r"\bappend\b",
    r"\b(at|to) the (end|bottom)\b",
    r"\badd\b.*\b(line|to)\b",
    r"\bsonuna\b",
    r"\bekle\w*",
)
_CREATE = (
    r"\b(create|make|new|write|save|store)\b",
    r"\bolustur\w*",
    r"\byarat\w*",
    r"\bac\b.*\bdosya",
    r"\byaz\b",
)
_CONTENT_MARK = re.compile(
    r"(?:that says|saying|which says|with the (?:text|content|line|words?)|containing the text"
    r"|with content|the text|the words|icine (?:sunu )?yaz(?:in)?|icerigi|icerik olarak|sunu yaz)"
    r"\s*:?\s*(.+)$",
    re.DOTALL,
)
_QUOTES = "'\"“‘`«"
_TRAILING_PLACE = re.compile(r"\s+(?:as|to|into|in|olarak)\s+\S+\s*$")


_READ_WORDS = (
    r"read|show|open|display|print|cat|view|whats|says|say|file|contents?|text|full|whole|"
    r"entire|oku\w*|goster\w*|ac|acar\w*|icerig\w*|dosya\w*|metn\w*|tamami\w*|neler|ne|yaziyor",
)


def _read(text: str, ctx: GroundContext) -> Operation | None:
    """ "read todo.txt", "show me notes.md", "todo.txt'yi göster": the file's text is the answer."""
    if not has_any(text, *_READ):
        return None
    named = existing_mentions(text, ctx)
    if len(named) != 1 or len(mentions(text)) != 1:
        return None
    rest = folded(text.replace(named[0], " ")).split()
    if len(rest) > 5:
        return None  # "read X, keep only …": more is asked than reading
    found = Operation("files", {"operation": "read", "path": named[0]}, f"read {named[0]}", "text")
    unread = unaccounted(text, _READ_WORDS, file_words(named[0]))
    return not_understood(found, unread) if unread else found  # "in uppercase", "paragraph"


def _content(text: str) -> str | None:
    """What a new file should say: after "that says", "içine yaz"…, else quoted, else after ":"."""
    low = folded(text)
    source = text if len(low) == len(text) else low
    match = _CONTENT_MARK.search(low)
    if match is not None:
        value = source[match.start(1) :].strip()
        inner = quoted(value)
        if inner and value[0] in _QUOTES:
            return inner[0]
        value = _TRAILING_PLACE.sub("", value) if mentions(value) else value
        return value or None
    found = quoted(text)
    if found:
        return found[0]
    colon = re.search(r":\s*(.+)$", text, re.DOTALL)
    if colon is not None and not mentions(colon.group(1)):
        return colon.group(1).strip() or None
    return None


def existing_mentions(text: str, ctx: GroundContext) -> list[str]:
    """Workspace files the words name, resolved ("Q3 budget draft.txt", "worker.log")."""
    return [m for m in mentions(text, ctx) if existing(m, ctx)]


def _other_mentions(text: str, ctx: GroundContext, source: str | None) -> list[str]:
    """Names as written, except the ones that mean ``source`` (a new name stays as said)."""
    return [
        raw for raw, res in zip(mentions(text), mentions(text, ctx), strict=True) if res != source
    ]


_INTO = re.compile(r"\b(?:into|to|inside|under)\s+(?:the\s+)?([\w][\w-]*)(?![\w./-])")


_IN = re.compile(r"\bin\s+(?:the\s+)?([\w][\w-]*)\s*[.!]?$")


def _into_folder(text: str, ctx: GroundContext) -> str | None:
    """ "into exports", "to the archive", last "… in out": an existing folder named bare."""
    low = folded(text)
    for match in [*_INTO.finditer(low), *_IN.finditer(low)]:
        if match.group(1) not in ("it", "them", "this", "that") and (
            (ctx.workspace / match.group(1)).is_dir()
        ):
            return match.group(1)
    return None


def _new_path(text: str, ctx: GroundContext, source: str | None) -> str | None:
    """Where a copy or move goes: a named path, or a folder plus "as NAME"."""
    others = _other_mentions(text, ctx, source)
    folder = folder_named(text, ctx, may_be_new=True) or _into_folder(text, ctx)
    if others:
        target = others[-1]
        if target.endswith("/"):
            return target
        if folder and "/" not in target and not (ctx.workspace / target).is_dir():
            return join_folder(folder, target)
        if (ctx.workspace / target).is_dir():
            return target.rstrip("/") + "/"
        return target
    if folder:
        return folder + "/"
    return None


def _copy_or_move(text: str, ctx: GroundContext, op: str) -> Operation | None:
    sources = existing_mentions(text, ctx)
    source = sources[0] if sources else None
    if source is None and ctx.previous is not None and refers_back(text):
        source = _previous_path(ctx.previous)
    if source is None:
        return None
    dest = _new_path(text, ctx, source)
    if dest is None:
        return None
    if dest.endswith("/"):
        dest = dest + PurePosixPath(source).name
    parent = str(PurePosixPath(source).parent)
    if op == "rename" and "/" not in dest and parent != ".":
        dest = f"{parent}/{dest}"  # a new name, in the same folder
    return Operation(
        "files",
        {"operation": "copy" if op == "copy" else "move", "source": source, "dest": dest},
        f"{op} {source}",
        "files",
    )


def _previous_path(previous: Operation) -> str | None:
    params = previous.params
    pattern = params.get("pattern")
    if params.get("operation") == "list" and isinstance(pattern, str) and "*" not in pattern:
        folder = str(params.get("path") or ".")
        return pattern if folder in (".", "") else f"{folder}/{pattern}"
    for key in ("dest", "output", "path", "written"):
        value = params.get(key)
        if isinstance(value, str) and value and not value.endswith("/"):
            return value
    return None


def _rename_previous(text: str, ctx: GroundContext) -> Operation | None:
    """ "adını X yap" / "rename it to X": a new name for what the previous step wrote."""
    previous = ctx.previous
    found = mentions(text)
    if previous is None or not found or existing_mentions(text, ctx):
        return None
    old = _previous_path(previous)
    if old is None:
        return None
    parent = str(PurePosixPath(old).parent)
    new = found[-1]
    dest = new if "/" in new else join_folder(None if parent == "." else parent, new)
    return Operation("files", {"operation": "move", "source": old, "dest": dest}, "rename it")


def _append(text: str, ctx: GroundContext) -> Operation | None:
    lines = quoted(text)
    line = lines[0] if lines else None
    if line is None:
        match = re.search(r":\s*(.+)$", text)
        line = match.group(1).strip() if match else None
    if not line:
        return None
    targets = [m for m in mentions(text.replace(line, " "), ctx)]
    target = targets[-1] if targets else None
    if target is None:
        target = file_by_description(text.replace(line, " "), ctx)  # "the Q3 budget draft"
    if target is None and ctx.previous is not None and refers_back(text):
        target = _previous_path(ctx.previous)
    if target is None:
        return None
    return Operation(
        "files", {"operation": "append", "path": target, "line": line}, f"append a line to {target}"
    )


def _create(text: str, ctx: GroundContext) -> Operation | None:
    content = _content(text)
    found = [m for m in mentions(text) if content is None or m not in content]
    if len(found) > 1 or (found and existing(found[0], ctx) and content is None):
        return None  # another file is named: a table or a copy, not a new file
    target = found[0] if found else None
    folder = folder_named(text, ctx, may_be_new=True)
    if target is not None and folder and "/" not in target:
        target = join_folder(folder, target)  # "out klasöründe rapor.txt adında bir dosya"
    if target is None and ctx.previous is not None and refers_back(text) and content:
        target = _previous_path(ctx.previous)
    if target is None or target.endswith("/"):
        return None
    if content is None and not has_any(text, r"\b(file|empty)\b", r"\bdosya", r"\bbos\b"):
        return None
    rest = text.replace(content, " ") if content else text
    style = re.findall(
        r"\b(uppercase|lowercase|capital\w*|bold|italic|twice|buyuk harf\w*)", folded(rest)
    )
    body = "" if content is None else content + "\n"
    if style:  # "in capital letters": the text would be written as given, not as asked
        plain = Operation("files", {"operation": "write", "path": target}, f"create {target}")
        return not_understood(plain, style)
    return Operation(
        "files",
        {"operation": "write", "path": target, "content": body},
        f"create {target}" + (" with the given text" if content else " (empty)"),
        "files",
    )


def _backup(text: str, ctx: GroundContext) -> Operation | None:
    if not has_any(text, *_BACKUP):
        return None
    named = existing_mentions(text, ctx)
    if named:
        source = named[0]
        dest = _new_path(text, ctx, source) or f"{source}.bak"
        return Operation(
            "files", {"operation": "copy", "source": source, "dest": dest}, "back up a file"
        )
    return Operation("files", {"operation": "backup"}, "back up the workspace", "files")


def _rename(text: str, ctx: GroundContext) -> Operation | None:
    if not has_any(text, *_RENAME):
        return None
    return _copy_or_move(text, ctx, "rename") or _rename_previous(text, ctx)


def _checked(text: str, found: Operation | None) -> Operation | None:
    """A copy or move that would drop a number or an order word ("the 2 newest", "older
    than a week") is refused with those words instead."""
    if found is None:
        return None
    unread = unread_qualifiers(text)
    return not_understood(found, unread) if unread else found


def _move(text: str, ctx: GroundContext) -> Operation | None:
    if not has_any(text, *_MOVE):
        return None
    return _checked(text, _copy_or_move(text, ctx, "move") or many(text, ctx, "move"))


def _copy(text: str, ctx: GroundContext) -> Operation | None:
    if not has_any(text, *_COPY) or has_any(text, r"\b(replac\w*|degistir\w*)\b"):
        return None
    return _checked(text, _copy_or_move(text, ctx, "copy") or many(text, ctx, "copy"))


_AT_THE_TOP = (r"\b(top|beginning|start|front|first line)\b", r"\b(basina|en basa|ustune)\b")


def _append_if(text: str, ctx: GroundContext) -> Operation | None:
    found = _append(text, ctx) if has_any(text, *_APPEND) else None
    if found is None:
        return None
    words = quoted(text)
    rest = text
    for word in words:
        rest = rest.replace(word, " ")
    at_top = [m.group(0) for p in _AT_THE_TOP for m in re.finditer(p, folded(rest))]
    unread = unread_qualifiers(text) + at_top
    return not_understood(found, unread) if unread else found  # "twice", "at the top"


def _create_if(text: str, ctx: GroundContext) -> Operation | None:
    return _create(text, ctx) if has_any(text, *_CREATE) else None


_CONTENT_ONLY = re.compile(
    r"^\s*(?:and\s+|ve\s+)?(?:its |the )?(?:content|contents|text|body|icerigi|icerik|metni|"
    r"icine(?: sunu)? yaz\w*|sunu yaz\w*)\s*:\s*(?P<body>.+)$",
    re.DOTALL,
)

# 'içine "…" yazar mısın': the quoted text, whole, then the verb that writes it
_QUOTED_INTO = re.compile(
    r"^\s*(?:ve\s+)?icine\s+(?P<body>([\"'`«“‘]).*\S)\s+(?:yaz|kaydet|ekle)\w*"
    r"(?:\s+m[iu]s[iu]n\w*)?\s*[?.!]*\s*$",
    re.DOTALL,
)


def _content_for_previous(text: str, ctx: GroundContext) -> Operation | None:
    """ "…adında bir dosya oluştur" | "içeriği: …": the text of the file just created."""
    previous = ctx.previous
    if previous is None or previous.handler != "files":
        return None
    if previous.params.get("operation") != "write" or previous.params.get("content"):
        return None
    low = folded(text)
    match = _CONTENT_ONLY.match(low) or _QUOTED_INTO.match(low)
    if match is None or len(low) != len(text):
        return None
    body = text[match.start("body") : match.end("body")].strip()
    if match.re is _QUOTED_INTO and quoted_spans(body) != [(0, len(body))]:
        return None  # 'içine "a" ve "b" yaz': not one quoted text
    inner = quoted(body)
    content = inner[0] if inner and len(inner[0]) >= len(body) - 2 else body
    path = previous.params["path"]
    params = {"operation": "write", "path": path, "content": content + "\n"}
    return Operation("files", params, f"the text of {path}", "files")


_KINDS = (
    _content_for_previous,
    _backup,
    _rename,
    _move,
    _copy,
    _append_if,
    list_files,
    _create_if,
    _read,
)


def ground_files(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    """A files operation for ``text``, or None when it is not about files as such."""
    for kind in _KINDS:
        found = kind(text, ctx)
        if found is not None:
            return found
    return None
