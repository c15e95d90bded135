"""Segments to a runnable plan: ground each one, bind references, fuse chains, add conditions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

from altlas.do.accounted import unaccounted
from altlas.do.context import GroundContext
from altlas.do.ground_condition import Probe, ground_condition, split_condition
from altlas.do.grounding import ground_segment
from altlas.do.names import names_of
from altlas.do.operations import Operation
from altlas.do.words import existing, folded, has_any, is_table, mentions
from altlas.formats.plan import Plan

__all__ = ["Step", "build_plan", "ground_steps"]

_WRITES_OUTPUT = ("data", "text", "summarize", "llm")
_FIND = (r"\b(find|search|look for|look up|locate|which|who|bul\w*|ara\b|arat\w*|hangi\w*)",)
_OVERWRITE = (r"\boverwrit\w*", r"\breplace (it|the file|the existing)\b", r"\buzerine yaz\w*")


@dataclass(slots=True)
class Step:
    """One task to be: its operation, the words it came from, and what it waits on."""

    op: Operation
    text: str
    condition: dict[str, Any] | None = None
    condition_text: str | None = None
    depends_on_condition: int | None = None
    must_find: bool = False
    role: str | None = None
    notes: list[str] = field(default_factory=list)


def _with(op: Operation, **params: Any) -> Operation:
    return replace(op, params={**op.params, **params})


def _path_of(op: Operation) -> str | None:
    for key in ("dest", "output", "path"):
        value = op.params.get(key)
        if isinstance(value, str):
            return value
    return None


def _save(last: Step | None, op: Operation, text: str) -> Step | Operation:
    """A ``save`` placeholder: into the last step (fused) or a new step that writes its text."""
    target = str(op.params["output"])
    if last is None:
        return Operation(
            "refuse",
            {"reason": f"nothing earlier in the command to save as {target}", "kind": "unknown"},
            "a save with nothing to save",
        )
    prev = last.op
    if prev.handler in _WRITES_OUTPUT:
        current = prev.params.get("output")
        # an output the words did not name (a conversion's default file name) gives way
        if current is None or str(current) not in last.text:
            last.op = replace(_with(prev, output=target), why=f"{prev.why}, saved as {target}")
            return last
        clone = {k: v for k, v in prev.params.items() if k != "allow_empty"}
        return replace(prev, params={**clone, "output": target}, why=f"save as {target}")
    if prev.handler == "files" and prev.params.get("operation") in ("copy", "move"):
        return Operation(
            "files",
            {"operation": "copy", "source": prev.params["dest"], "dest": target},
            f"save a copy as {target}",
        )
    return Operation(
        "files", {"operation": "write", "path": target}, f"write the result to {target}"
    )


def _fuse(last: Step | None, op: Operation) -> bool:
    """Fold ``op`` into ``last`` when it only refines it; True when it was folded."""
    if last is None:
        return False
    prev = last.op
    p_op, n_op = prev.params.get("operation"), op.params.get("operation")
    both = (prev.handler, op.handler)
    if prev.handler == "files" and p_op == "read":
        reads = {op.params.get(k) for k in ("path", "source")}
        if prev.params.get("path") in reads:
            last.op = op  # "read X and summarize it": the summary reads X itself
            return True
    if both == ("data", "data") and p_op == n_op == "query":
        # a later query that reads the earlier one's rows refines it, until a save ends it
        # an output the words did not name (a conversion's default file) is no save yet
        named_output = str(prev.params.get("output")) in last.text
        if "source" not in op.params and ("output" not in prev.params or not named_output):
            steps = [*prev.params.get("steps", []), *op.params.get("steps", [])]
            merged = {**prev.params, **{k: v for k, v in op.params.items() if k != "steps"}}
            last.op = replace(prev, params={**merged, "steps": steps}, why=f"{prev.why}; {op.why}")
            return True
        return False
    if both == ("files", "files"):
        renames_it = n_op == "move" and op.params.get("source") == prev.params.get("dest")
        if p_op in ("copy", "move") and renames_it:
            last.op = _with(prev, dest=op.params["dest"])
            return True
        same_path = prev.params.get("path") == op.params.get("path")
        if p_op == "write" and n_op == "write" and same_path and not prev.params.get("content"):
            last.op = _with(prev, content=op.params.get("content", ""))
            return True
        return False
    edits_copy = (
        both == ("files", "text")
        and p_op == "copy"
        and n_op == "replace"
        and op.params.get("path") == prev.params.get("dest") == op.params.get("output")
    )
    if edits_copy:
        last.op = _with(op, path=prev.params["source"], output=prev.params["dest"])
        return True
    return False


def _after_probe(probe: Operation, action: Operation) -> Operation:
    """The action of a condition, bound to what the probe looked at ("copy them to …")."""
    whole_table = (
        probe.handler == "data"
        and not probe.params.get("steps")
        and action.handler == "save"
        and PurePosixPath(str(probe.params.get("source"))).suffix
        == PurePosixPath(str(action.params["output"])).suffix
    )
    if whole_table:
        # "if sales.csv has more than 100 rows, copy it to …": the file itself, byte for byte
        params = {
            "operation": "copy",
            "source": probe.params["source"],
            "dest": action.params["output"],
        }
        return Operation("files", params, f"copy {probe.params['source']}")
    counted_file = (probe.handler == "text" and probe.params.get("operation") == "count_words") or (
        probe.handler == "files" and probe.params.get("operation") == "list"
    )
    if action.handler == "save" and counted_file:
        # "if todo.txt is not empty, copy it to …": "it" is the file, not the count
        path = probe.params.get("path")
        if probe.handler == "files":
            folder, name = str(probe.params.get("path") or "."), str(probe.params["pattern"])
            path = name if folder in (".", "") else f"{folder}/{name}"
        params = {"operation": "copy", "source": path, "dest": action.params["output"]}
        return Operation("files", params, f"copy {path} to {action.params['output']}")
    if action.handler == "save":
        if probe.handler in _WRITES_OUTPUT:
            # the probe only counted: the action keeps what it found, in full
            params = {k: v for k, v in probe.params.items() if k not in ("allow_empty", "answer")}
            why = f"what the check finds, saved as {action.params['output']}"
            return replace(probe, params={**params, **action.params}, why=why)
        return Operation(
            "files", {"operation": "write", "path": action.params["output"]}, action.why
        )
    if action.handler == probe.handler == "data" and "source" not in action.params:
        steps = [*probe.params.get("steps", []), *action.params.get("steps", [])]
        return replace(action, params={**probe.params, **action.params, "steps": steps})
    return action


_ELSE = re.compile(
    r"[;,.]?\s*\b(?:otherwise|or else|else|if not|aksi halde|aksi takdirde|degilse|yoksa)\b[,:]?\s*"
)


def split_else(text: str) -> tuple[str, str | None]:
    """ "split it by month; otherwise just summarize it" -> the then part and the else part."""
    low = folded(text)
    match = _ELSE.search(low)
    if match is None or len(low) != len(text):
        return text, None
    return text[: match.start()].strip(" ,;"), text[match.end() :].strip(" ,;.") or None


def _conditional(text: str, cond: str, act: str, lang: str, ctx: GroundContext) -> list[Step]:
    probe: Probe | None = ground_condition(cond, lang, ctx)
    if probe is None:
        reason = f"altlas cannot check the condition '{cond}' (docs/do.md lists what it can check)"
        return [Step(Operation("refuse", {"reason": reason, "kind": "condition"}, "if"), text)]
    then_text, else_text = split_else(act)
    action = names_of(then_text, probe.operation, ctx) or ground_segment(
        then_text, lang, ctx.with_previous(probe.operation)
    )
    steps = [
        Step(probe.operation, cond, role="probe"),
        Step(
            _after_probe(probe.operation, action),
            then_text,
            condition=probe.condition("{probe}"),
            condition_text=f"the condition '{cond}' did not hold",
        ),
    ]
    if else_text:
        steps.append(_else_step(else_text, steps[1], lang, ctx.with_previous(probe.operation)))
    return steps


def _else_step(text: str, then: Step, lang: str, ctx: GroundContext) -> Step:
    action = ground_segment(text, lang, ctx)
    assert then.condition is not None
    return Step(
        action,
        text,
        condition={"operator": "not", "left": then.condition},
        condition_text=f"the condition held, so '{text}' was not needed",
        role="else",
    )


_BARE_IF = re.compile(r"^\s*(?:and\s+|ve\s+)?(?:if|when|whenever|in case|only if|eger)\b")
_TR_IF_END = re.compile(r"\b\w*(?:varsa|yoksa|ise|iyorsa|uyorsa|mevcutsa)\s*[,.]?\s*$")


def _join_bare_conditions(segments: list[str]) -> list[str]:
    """A condition cut off from its action ("if X has Y" | "save them to Z") is put back."""
    out: list[str] = []
    i = 0
    while i < len(segments):
        text = segments[i]
        low = folded(text)
        bare = bool(_BARE_IF.match(low) or _TR_IF_END.search(low))
        if bare and split_condition(text) is None and i + 1 < len(segments):
            out.append(f"{text.rstrip(' ,')}, {segments[i + 1]}")
            i += 2
            continue
        out.append(text)
        i += 1
    return out


_CONTEXT_WORDS = (
    r"use|using|used|look|looking|check|see|refer|take|taken|based|file|files|data|table|"
    r"column|columns|field|fields|numbers|figures|values?|sheet|spreadsheet|comes?|found|"
    r"bak\w*|kullan\w*|dosya\w*|sutun\w*|kolon\w*|alan\w*|veri\w*|tablo\w*|uzerinden|"
    r"goz at|gore|esas al\w*|al\w*|kaynak\w*|rakam\w*|degerler\w*|icindeki\w*|icinde\w*",
)


def _context_only(text: str, ctx: GroundContext) -> bool:
    """ "Use the amount column of sales.csv." / "(orders.json)" / "sales.csv'ye bak": a
    sentence that only says where to look, so it belongs to the task beside it."""
    named = mentions(text)
    if not named or not all(existing(m, ctx) for m in named if not m.endswith("/")):
        return False
    columns = [c for m in named if is_table(m) for c in ctx.columns(m)]
    return not unaccounted(text, _CONTEXT_WORDS, [*columns, *named])


_NAME_IT = re.compile(
    r"^\s*(?:and\s+|then\s+)?(?:call|name)\s+(?:it|them|the (?:copy|file|new one|result))\s+"
    r"(?:as\s+)?\S+\s*[.!]?$"
)
# "…, out/x.json olsun" (let it be X): the name of what the segment before makes
_LET_IT_BE = re.compile(r"^\s*(?:ve\s+)?(?:(?:adi|ismi)\s+)?\S+\s+olsun\s*[.!]?$")


def _join_naming(segments: list[str]) -> list[str]:
    """ "Duplicate X" | "call it Y": the name belongs to the task that makes the file."""
    out: list[str] = []
    for text in segments:
        if out and _NAME_IT.match(folded(text)) and mentions(text):
            out[-1] = f"{out[-1].rstrip(' ,')} and {text.strip()}"
        elif out and _LET_IT_BE.match(folded(text)) and mentions(text):
            out[-1] = f"{out[-1].rstrip(' ,')} {text.strip()}"
        else:
            out.append(text)
    return out


def _join_fragments(segments: list[str], ctx: GroundContext) -> list[str]:
    """A segment that only names a file or a column ("(employees.json)", "Use the tutar
    column of sales.csv") belongs to the task before it (or, first, to the one after)."""
    out: list[str] = []
    pending: str | None = None
    for text in segments:
        if _context_only(text, ctx) and len(segments) > 1:
            if out:
                out[-1] = f"{out[-1]} {text.strip()}"
            else:
                pending = text.strip()
            continue
        out.append(f"{text} {pending}" if pending else text)
        pending = None
    if pending:
        out.append(pending)
    return out


def ground_steps(segments: list[str], lang: str, ctx: GroundContext) -> list[Step]:
    """Every segment grounded, in order, with chains fused and conditions split off."""
    steps: list[Step] = []
    for text in _join_bare_conditions(_join_naming(_join_fragments(segments, ctx))):
        last = steps[-1] if steps else None
        split = split_condition(text)
        if split is not None:
            group = _conditional(text, split[0], split[1], lang, ctx.with_previous(None))
            for step in group[1:]:
                step.depends_on_condition = len(steps)
            steps.extend(group)
            continue
        otherwise = _ELSE.match(folded(text))
        then = next((s for s in reversed(steps) if s.condition and s.role != "else"), None)
        if otherwise is not None and then is not None and then.depends_on_condition is not None:
            probe = steps[then.depends_on_condition].op
            step = _else_step(text[otherwise.end() :], then, lang, ctx.with_previous(probe))
            step.depends_on_condition = then.depends_on_condition
            steps.append(step)
            continue
        op = ground_segment(text, lang, ctx.with_previous(last.op if last else None))
        if op.handler == "repeat":
            if last is not None:
                last.notes.append(f"'{text}' shows this result")
                if op.params.get("count") and last.op.handler == "data":
                    last.op = _with(last.op, answer="count")
            continue
        names = names_of(text, last.op, ctx) if op.handler == "save" and last else None
        if names is not None:
            steps.append(Step(names, text))
            continue
        if op.handler == "save":
            done = _save(last, op, text)
            if isinstance(done, Step):
                done.text = f"{done.text}; {text}"  # the output is named in its words now
                continue
            op = done
        if _fuse(last, op):
            assert last is not None
            last.text = f"{last.text}; {text}"
            continue
        steps.append(Step(op, text, must_find=has_any(text, *_FIND)))
    return steps


def _task(index: int, step: Step, overwrite: bool, previous_id: str | None) -> dict[str, Any]:
    params = dict(step.op.params)
    if overwrite and step.op.handler not in ("refuse", "schedule", "archive", "command"):
        params["overwrite"] = True
    deps = [previous_id] if previous_id else []
    data: dict[str, Any] = {
        "id": f"t{index}",
        "type": step.op.handler,
        "handler": step.op.handler,
        "description": step.text,
        "parameters": params,
        "dependencies": deps,
        "metadata": {
            "why": step.op.why,
            "produces": step.op.produces,
            "must_find": step.must_find,
            **({"condition_text": step.condition_text} if step.condition_text else {}),
            **({"role": step.role} if step.role else {}),
            **({"notes": step.notes} if step.notes else {}),
        },
    }
    return data


def _bind(value: Any, probe_id: str) -> Any:
    if isinstance(value, str):
        return value.replace("{probe}", probe_id)
    if isinstance(value, dict):
        return {k: _bind(v, probe_id) for k, v in value.items()}
    return value


def build_plan(
    command: str, lang: str, steps: list[Step], *, overwrite: bool, plan_id: str | None = None
) -> Plan:
    """The plan that runs ``steps`` one after the other (each waits for the one before)."""
    overwrite = overwrite or has_any(command, *_OVERWRITE)
    tasks: list[dict[str, Any]] = []
    previous: str | None = None
    for i, step in enumerate(steps, 1):
        task = _task(i, step, overwrite, previous)
        if step.condition is None:
            # later steps wait for this one; a skipped conditional step must not skip them
            previous = task["id"]
        if step.condition is not None and step.depends_on_condition is not None:
            probe_id = f"t{step.depends_on_condition + 1}"
            cond = _bind(step.condition, probe_id)
            task["condition"] = {"condition": cond, "if_body": [task["id"]]}
            task["dependencies"] = sorted({*task["dependencies"], probe_id})
        tasks.append(task)
    fields: dict[str, Any] = {"command": command, "language": lang, "tasks": tasks}
    if plan_id:
        fields["id"] = plan_id
    fields["title"] = re.sub(r"\s+", " ", command.strip())[:80]
    return Plan.model_validate(fields)
