"""Reading and writing documents: bytes -> container -> syntax -> dialect -> validated model.

The public entry points are :func:`read` (any kind), :func:`load_plan`, :func:`load_result`,
:func:`load_atlas`, :func:`check` (diagnostics without raising), and from
:mod:`altlas.formats.writing` (re-exported here) :func:`to_bytes` and :func:`write` (atomic).
Every reading function takes ``limits`` (:class:`ReadLimits`; the defaults when omitted).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from altlas.errors import (
    DecodeError,
    Diagnostic,
    FormatError,
    ValidationError,
)
from altlas.formats import codec
from altlas.formats._gc import gc_paused
from altlas.formats.atlas import Atlas
from altlas.formats.dialects import Dialect, Kind, sniff
from altlas.formats.limits import (
    DEFAULT_LIMITS,
    JSON_DEPTH_CEILING,
    ReadLimits,
    clip,
    describe_bytes,
    readable,
    readable_path,
)
from altlas.formats.plan import Plan
from altlas.formats.result import Result
from altlas.formats.validation import (
    plan_rule_diagnostics,
    result_rule_diagnostics,
    validate_model,
)
from altlas.formats.writing import (
    SyntaxName,
    atomic_write_bytes,
    kind_of,
    options_for_path,
    to_bytes,
    to_data,
    write,
)
from altlas.formats.yaml_text import has_long_digit_run

__all__ = [
    "CheckReport",
    "Document",
    "Loaded",
    "ReadLimits",
    "SyntaxName",
    "atomic_write_bytes",
    "check",
    "check_bytes",
    "kind_of",
    "load_atlas",
    "load_plan",
    "load_result",
    "options_for_path",
    "read",
    "read_bytes",
    "to_bytes",
    "to_data",
    "write",
]

Document = Plan | Result | Atlas
D = TypeVar("D", Plan, Result, Atlas)
Source = str | os.PathLike[str] | bytes

MODELS: dict[str, type[BaseModel]] = {"alt": Plan, "last": Result, "atlas": Atlas}
_KIND_BY_SUFFIX = (
    (".alt", "alt"),
    (".alt.json", "alt"),
    (".alt.yaml", "alt"),
    (".alt.yml", "alt"),
    (".last", "last"),
    (".last.json", "last"),
    (".atlas", "atlas"),
)


@dataclass(slots=True)
class Loaded:
    """A validated document and how it was stored."""

    document: Any
    kind: Kind
    dialect: str
    container: str
    syntax: str
    source: str | None = None
    member: str | None = None
    warnings: list[Diagnostic] = field(default_factory=list)


@dataclass(slots=True)
class CheckReport:
    """What :func:`check` found in one file."""

    source: str | None
    loaded: Loaded | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.loaded is not None and not any(d.severity == "error" for d in self.diagnostics)


def _kind_hint(name: str | None) -> Kind | None:
    if not name:
        return None
    low = name.lower()
    for suffix in (".zst", ".gz"):
        low = low.removesuffix(suffix)
    base = low.rsplit("/", 1)[-1]
    if base.startswith("last_") and (base.endswith((".json", ".zip"))):
        return "last"
    if base.startswith("atlas_"):
        return "atlas"
    for suffix, kind in sorted(_KIND_BY_SUFFIX, key=lambda p: -len(p[0])):
        if base.endswith(suffix):
            return kind  # type: ignore[return-value]
    return None


def _too_large(limits: ReadLimits) -> str:
    size = describe_bytes(limits.max_decompressed_bytes)
    return f"file is larger than {size}; refusing (limit: [formats] max_decompressed_bytes)"


def _read_source(source: Source, limits: ReadLimits) -> tuple[bytes, str | None]:
    if isinstance(source, bytes):
        return source, None
    path = Path(source)
    try:
        with path.open("rb") as fh:
            # The limit holds for what is read, not only for what a container inflates to.
            raw = fh.read(limits.max_decompressed_bytes + 1)
        if len(raw) > limits.max_decompressed_bytes:
            raise FormatError(_too_large(limits), file=str(path))
        return raw, str(path)
    except FileNotFoundError:
        raise FormatError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise FormatError("is a directory, not a file", file=str(path)) from None
    except OSError as exc:
        raise FormatError(f"cannot read: {exc.strerror}", file=str(path)) from None


def _rule_diagnostics(kind: str, data: Any, tasks_key: str = "tasks") -> list[Diagnostic]:
    if kind == "alt":
        return plan_rule_diagnostics(data, tasks_key=tasks_key)
    if kind == "last":
        return result_rule_diagnostics(data)
    return []


def _task_count_error(count: int, limits: ReadLimits, tasks_key: str = "tasks") -> Diagnostic:
    return Diagnostic(
        f"plan has {count:,} tasks, more than {limits.max_tasks_per_plan:,} "
        "(limit: [formats] max_tasks_per_plan)",
        path=tasks_key,
        code="too_many_tasks",
    )


def _validate(
    dialect: Dialect,
    data: Mapping[str, Any],
    limits: ReadLimits,
) -> tuple[Any, list[Diagnostic]]:
    outcome = dialect.read(data)
    tasks = outcome.data.get("tasks")
    if dialect.kind == "alt" and isinstance(tasks, list) and len(tasks) > limits.max_tasks_per_plan:
        return None, [_task_count_error(len(tasks), limits, outcome.tasks_key)]
    model = MODELS[dialect.kind]
    doc, diags = validate_model(model, outcome.data, renames=outcome.renames)
    diags = outcome.diagnostics + diags
    return doc, diags + _rule_diagnostics(dialect.kind, outcome.data, outcome.tasks_key)


_CANONICAL_JSON = re.compile(rb'\A\s*\{\s*"format"\s*:\s*"altlas\.(alt|last|atlas)"')


def _fast_canonical(
    decoded_text: bytes,
    kind: Kind | None,
    limits: ReadLimits,
) -> tuple[Any, list[Diagnostic]] | None:
    """Canonical JSON straight into the model, skipping the intermediate dicts.

    Returns None when the fast path does not apply or the document is invalid, so the
    general path can produce complete diagnostics with paths. The fast parser refuses
    nesting past JSON_DEPTH_CEILING by itself but keeps integers of any size, so a text that
    may hold one past 64 bits (or a lower depth limit) takes the general path, which checks.
    """
    match = _CANONICAL_JSON.match(decoded_text[:200])
    if match is None or limits.max_json_depth < JSON_DEPTH_CEILING:
        return None
    if has_long_digit_run(decoded_text):
        return None
    doc_kind = match.group(1).decode()
    if kind is not None and kind != doc_kind:
        return None
    warnings: list[tuple[str, Any, str]] = []
    try:
        doc = MODELS[doc_kind].model_validate_json(decoded_text, context={"warnings": warnings})
    except PydanticValidationError:
        return None
    if warnings:
        return None
    if isinstance(doc, Plan) and len(doc.tasks) > limits.max_tasks_per_plan:
        return doc, [_task_count_error(len(doc.tasks), limits)]
    return doc, _rule_diagnostics(doc_kind, doc)


def check_bytes(
    raw: bytes,
    *,
    name: str | None = None,
    kind: Kind | None = None,
    limits: ReadLimits | None = None,
) -> CheckReport:
    """Every diagnostic for one document, errors and warnings, without raising."""
    with gc_paused(len(raw)):
        report = _check_bytes(raw, name, kind, limits or DEFAULT_LIMITS)
    if any(len(d.message) > 200 or len(d.path) > 160 for d in report.diagnostics):
        report.diagnostics = [
            dataclasses.replace(d, message=readable(d.message), path=readable_path(d.path))
            for d in report.diagnostics
        ]
    return report


def _decode_diagnostic(exc: DecodeError) -> Diagnostic:
    return Diagnostic(exc.message, path=exc.context.get("path", ""), code="decode")


def _unknown_dialect(data: Any, hint: str | None) -> Diagnostic:
    """What the document looked like, when no dialect recognised it."""
    what = {"alt": "plan (.alt)", "last": "result (.last)", "atlas": "atlas"}.get(
        hint or "",
        "altlas document",
    )
    shape = "a list" if isinstance(data, list) else "a mapping"
    keys = ""
    if isinstance(data, Mapping):
        listed = ", ".join(clip(k, 40) for k in sorted(map(str, data))[:8])
        keys = f" with keys {listed}" if data else " (empty)"
    return Diagnostic(f"not a known {what} dialect: {shape}{keys}", code="unknown_dialect")


def _check_bytes(
    raw: bytes,
    name: str | None,
    kind: Kind | None,
    limits: ReadLimits,
) -> CheckReport:
    if len(raw) > limits.max_decompressed_bytes:
        return CheckReport(name, None, [Diagnostic(_too_large(limits), code="decode")])
    try:
        body, container, member = codec.unwrap(raw, limits)
    except DecodeError as exc:
        return CheckReport(name, None, [_decode_diagnostic(exc)])
    fast = _fast_canonical(body, kind, limits)
    if fast is not None:
        doc, diags = fast
        if any(d.code == "too_many_tasks" for d in diags):
            return CheckReport(name, None, diags)  # the general path would only repeat the work
        if not any(d.severity == "error" for d in diags):
            loaded = Loaded(
                document=doc,
                kind=kind_of(doc),
                dialect=f"canonical-{kind_of(doc)}",
                container=container,
                syntax="json",
                source=name,
                member=member,
                warnings=diags,
            )
            return CheckReport(name, loaded, diags)
    try:
        decoded = codec.decode_unwrapped(body, container, member, limits)
    except DecodeError as exc:
        return CheckReport(name, None, [_decode_diagnostic(exc)])
    data = decoded.data
    want = kind
    dialect = sniff(data, want)
    if dialect is None:
        hint = want or _kind_hint(name) or _kind_hint(decoded.member)
        return CheckReport(name, None, [_unknown_dialect(data, hint)])
    doc, diags = _validate(dialect, data, limits)
    errors = [d for d in diags if d.severity == "error"]
    if doc is None or errors:
        return CheckReport(name, None, diags)
    loaded = Loaded(
        document=doc,
        kind=dialect.kind,
        dialect=dialect.name,
        container=decoded.container,
        syntax=decoded.syntax,
        source=name,
        member=decoded.member,
        warnings=[d for d in diags if d.severity != "error"],
    )
    return CheckReport(name, loaded, diags)


def check(
    source: Source,
    *,
    kind: Kind | None = None,
    limits: ReadLimits | None = None,
) -> CheckReport:
    """Like :func:`check_bytes`, reading ``source`` first (unreadable files become errors)."""
    limits = limits or DEFAULT_LIMITS
    try:
        raw, name = _read_source(source, limits)
    except FormatError as exc:
        name = exc.context.get("file")
        return CheckReport(name, None, [Diagnostic(exc.message, code="io")])
    return check_bytes(raw, name=name, kind=kind, limits=limits)


def read_bytes(
    raw: bytes,
    *,
    name: str | None = None,
    kind: Kind | None = None,
    limits: ReadLimits | None = None,
) -> Loaded:
    report = check_bytes(raw, name=name, kind=kind, limits=limits)
    if report.loaded is not None:
        return report.loaded
    errors = [d for d in report.diagnostics if d.severity == "error"]
    if len(errors) == 1 and errors[0].code in ("decode", "unknown_dialect", "io"):
        raise (DecodeError if errors[0].code == "decode" else FormatError)(
            errors[0].message,
            file=name,
            path=errors[0].path or None,
        )
    raise ValidationError(errors, file=name)


def read(source: Source, *, kind: Kind | None = None, limits: ReadLimits | None = None) -> Loaded:
    """Read any altlas document, in any dialect and container. Raises on any error."""
    raw, name = _read_source(source, limits or DEFAULT_LIMITS)
    return read_bytes(raw, name=name, kind=kind, limits=limits)


def _load_kind(source: Source, kind: Kind, model: type[D], limits: ReadLimits | None) -> D:
    loaded = read(source, kind=kind, limits=limits)
    if not isinstance(loaded.document, model):
        raise FormatError(f"expected a {kind} document, found {loaded.kind}", file=loaded.source)
    return loaded.document


def load_plan(source: Source, *, limits: ReadLimits | None = None) -> Plan:
    """A validated :class:`Plan` from a path or bytes, in any ``.alt`` dialect."""
    return _load_kind(source, "alt", Plan, limits)


def load_result(source: Source, *, limits: ReadLimits | None = None) -> Result:
    """A validated :class:`Result` from a path or bytes, in any ``.last`` dialect."""
    return _load_kind(source, "last", Result, limits)


def load_atlas(source: Source, *, limits: ReadLimits | None = None) -> Atlas:
    return _load_kind(source, "atlas", Atlas, limits)
