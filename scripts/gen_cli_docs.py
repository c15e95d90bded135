"""Write docs/cli.md, the CLI reference, from the commands' own ``--help``.

    python scripts/gen_cli_docs.py          # rewrite docs/cli.md
    python scripts/gen_cli_docs.py --check  # exit 1 if docs/cli.md is stale

tests/cli/test_cli_docs.py runs the check, so a changed option without a regenerated page fails.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "cli.md"
WIDTH = 100

HEADER = """# Command-line reference

Generated from `--help` by `scripts/gen_cli_docs.py`; do not edit by hand (a test fails when
this page is stale: run `python scripts/gen_cli_docs.py` after changing a command).

Every read and show command takes the same output option, `--format/-f`, with the values that
make sense for it: `table` (the human rendering: a table or a tree), `json`, `jsonl`, `csv`,
`yaml`. Tables fold to the terminal's width on a terminal and keep their natural width in a pipe.
Progress bars go to stderr and only to a terminal. Shell completion:
`altlas --install-completion` (or `--show-completion` to print the script).
"""


def _commands(group: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, group
    sub = getattr(group, "commands", None)
    if sub:
        for name in sorted(sub):
            yield from _commands(sub[name], [*path, name])


def _help(args: list[str]) -> str:
    from typer.testing import CliRunner

    from altlas.cli.main import app

    # help must not depend on who generates it: no settings, no terminal size
    unset: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith(("ALTLAS_", "COLUMNS", "LINES"))
    }
    res = CliRunner().invoke(
        app,
        [*args, "--help"],
        prog_name="altlas",
        env=unset,
        terminal_width=WIDTH,
        max_content_width=WIDTH,
    )
    if res.exit_code != 0:
        raise SystemExit(f"altlas {' '.join(args)} --help failed: {res.output}")
    return "\n".join(line.rstrip() for line in res.stdout.strip().splitlines())


def exit_codes() -> str:
    """The exit-code table, from the one table in ``altlas.cli._common``."""
    from altlas.cli._common import EXIT_CODES
    from altlas.errors import GROUPS

    rows = [
        "| 0 | success |",
        "| 1 | a run or a check failed (ExecutionError, a failed task, an invalid file found by "
        "`validate`), or an error with no group |",
    ]
    for cls, code in sorted(EXIT_CODES.items(), key=lambda item: item[1]):
        if code == 1:
            continue
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        kind = "group" if cls in GROUPS else "refines its group"
        rows.append(f"| {code} | `{cls.__name__}` ({kind}): {doc} |")
    rows.append("| 130 | interrupted (Ctrl-C) |")
    intro = textwrap.fill(
        "Every error prints one line, `error: ...`, naming the file, field or id (a traceback "
        "only with `ALTLAS_DEBUG=1`). The exit code says what to do about it; it comes from the "
        "error's group (see docs/architecture.md, Errors). Usage mistakes (an unknown option, a "
        "missing argument) are 2, like any other bad input.",
        WIDTH,
    )
    table = "| code | meaning |\n|---|---|\n" + "\n".join(rows)
    return f"## Exit codes\n\n{intro}\n\n{table}\n"


def render() -> str:
    import typer.main

    from altlas.cli.main import app

    root = typer.main.get_command(app)
    parts = [HEADER, exit_codes()]
    for path, _ in _commands(root, []):
        title = " ".join(["altlas", *path])
        parts.append(f"## {title}\n\n```text\n{_help(path)}\n```\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{TARGET} is stale: run python scripts/gen_cli_docs.py\n")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
