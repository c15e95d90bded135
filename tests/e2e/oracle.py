"""A reference runner for own.jsonl: does by hand what each case asks, so a test can show that every
case is satisfiable (no expectation contradicts another or the fixture).

    oracle.py COMMAND WORKSPACE RESULT    (the scorer's --runner contract)

It knows the cases by their command text and is no model for altlas: it only proves the set fair.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fixture_data as fx
from oracle_actions import ACTIONS

HERE = Path(__file__).resolve().parent
Records = list[dict[str, Any]]


class Work:
    """The case's workspace copy, with the few writes the cases need."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _target(self, rel: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def rows(self, rel: str, rows: Records, columns: list[str] | None = None) -> None:
        names = columns or list(rows[0])
        with self._target(rel).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            writer.writerows(
                [[fx.plain(r[c]) if isinstance(r[c], float) else r[c] for c in names] for r in rows]
            )

    def json(self, rel: str, rows: Records) -> None:
        self._target(rel).write_text(
            json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8"
        )

    def text(self, rel: str, content: str) -> None:
        self._target(rel).write_text(content, encoding="utf-8")

    def lines(self, rel: str, lines: list[str]) -> None:
        self.text(rel, "".join(line + "\n" for line in lines))

    def append(self, rel: str, line: str) -> None:
        with (self.root / rel).open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def copy(self, src: str, dst: str) -> None:
        shutil.copyfile(self.root / src, self._target(dst))

    def move(self, src: str, dst: str) -> None:
        shutil.move(self.root / src, self._target(dst))

    def backup(self) -> None:
        shutil.copytree(self.root, self.root.parent / "backup-of-workspace")


def main(argv: list[str]) -> int:
    command, workspace, result = argv
    by_command = {
        c["command"]: c["id"]
        for c in map(
            json.loads, (HERE / "cases" / "own.jsonl").read_text(encoding="utf-8").splitlines()
        )
    }
    action: Callable[[Work], tuple[int, str]] = ACTIONS[by_command[command]]
    code, answer = action(Work(Path(workspace)))
    Path(result).write_text(json.dumps({"answer": answer}, ensure_ascii=False), encoding="utf-8")
    sys.stdout.write(answer + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
