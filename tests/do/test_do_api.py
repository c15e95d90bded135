"""``altlas.do`` end to end on a real workspace copy: effects, answers, honest status."""

from __future__ import annotations

import json
from pathlib import Path

from tests.do.conftest import NOW, snapshot

import altlas


def _do(command: str, ws: Path, **options):
    return altlas.do(command, ws, yes=True, now=NOW, **options)


def test_grep_into_a_file(ws: Path) -> None:
    out = _do("Find the lines in server.log that contain WARN and save them as out/warn.txt", ws)
    assert out.ok, out.answer
    assert (ws / "out/warn.txt").read_text().splitlines() == [
        line for line in (ws / "server.log").read_text().splitlines() if "WARN" in line
    ]
    assert "2 lines" in out.answer and "out/warn.txt" in out.answer


def test_count_is_the_answer_and_the_result_has_it(ws: Path, tmp_path: Path) -> None:
    result_path = tmp_path / "r.json"
    out = _do("How many words are in readme.txt?", ws, output=result_path)
    assert out.ok and "20 words" in out.answer
    written = json.loads(result_path.read_text())
    assert written["answer"] == out.answer
    assert written["metadata"]["do"] == {"ok": True, "failures": {}}


def test_nothing_found_is_not_a_success(ws: Path) -> None:
    before = snapshot(ws)
    out = _do("Find the lines in server.log containing 'kernel panic'", ws)
    assert not out.ok
    assert "kernel panic" in out.answer
    assert snapshot(ws) == before


def test_false_condition_skips_and_succeeds(ws: Path) -> None:
    out = _do("If server.log has CRITICAL lines, copy them to out/critical.txt", ws)
    assert out.ok, out.answer
    assert not (ws / "out/critical.txt").exists()
    assert "Skipped" in out.answer and "0 found" in out.answer


def test_true_condition_runs_turkish(ws: Path) -> None:
    out = _do("Eğer server.log'da ERROR satırı varsa bunları out/hatalar.txt dosyasına kopyala", ws)
    assert out.ok, out.answer
    lines = (ws / "out/hatalar.txt").read_text().splitlines()
    assert len(lines) == 2 and all("ERROR" in line for line in lines)


def test_negative_condition(ws: Path) -> None:
    out = _do("If server.log has no ERROR lines, create a file out/ok.txt that says: all good", ws)
    assert out.ok and not (ws / "out/ok.txt").exists()


def test_refused_plan_touches_nothing_and_writes_no_result(ws: Path, tmp_path: Path) -> None:
    before = snapshot(ws)
    result_path = tmp_path / "r.json"
    out = _do(
        "Translate readme.txt into German and save it as out/readme_de.txt", ws, output=result_path
    )
    assert not out.ok and out.result is None
    assert "LLM backend" in out.answer
    assert snapshot(ws) == before and not result_path.exists()


def test_overwrite_rule(ws: Path) -> None:
    before = (ws / "plan.md").read_bytes()
    out = _do("Copy readme.txt to plan.md", ws)
    assert not out.ok and "--overwrite" in out.answer
    assert (ws / "plan.md").read_bytes() == before
    out = _do("Copy readme.txt to plan.md", ws, overwrite=True)
    assert out.ok and (ws / "plan.md").read_bytes() == (ws / "readme.txt").read_bytes()


def test_chain_copy_then_append_to_the_copy(ws: Path) -> None:
    out = _do(
        "Copy ideas.txt to out/ideas_copy.txt and then append the line 'review later' to the copy",
        ws,
    )
    assert out.ok, out.answer
    assert (ws / "out/ideas_copy.txt").read_text() == (
        ws / "ideas.txt"
    ).read_text() + "review later\n"


def test_move_then_rename_turkish(ws: Path) -> None:
    out = _do("plan.md dosyasını arsiv klasörüne taşı ve adını eski_plan.md yap", ws)
    assert out.ok, out.answer
    assert not (ws / "plan.md").exists() and (ws / "arsiv/eski_plan.md").is_file()


def test_backup_copies_into_a_new_folder(ws: Path) -> None:
    before = snapshot(ws)
    out = _do("Back up the workspace", ws)
    assert out.ok
    after = snapshot(ws)
    assert {k: after[k] for k in before} == before
    copies = {k.split("/", 1)[1]: v for k, v in after.items() if k not in before}
    assert copies == before


def test_exec_needs_allow_exec(ws: Path) -> None:
    out = _do("run `ls out`", ws)
    assert not out.ok and "--allow-exec" in out.answer and out.result is None


def test_reminder_answer_has_the_local_time(ws: Path) -> None:
    out = _do("Remind me next Monday at 14:00 to send the invoices", ws)
    assert out.ok and "14:00" in out.answer and "send the invoices" in out.answer


def test_dry_run_runs_nothing(ws: Path) -> None:
    before = snapshot(ws)
    out = _do("Create a file out/x.txt that says: hi", ws, dry_run=True)
    assert out.ok and out.result is None and snapshot(ws) == before


def test_confirm_no_runs_nothing(ws: Path) -> None:
    before = snapshot(ws)
    out = altlas.do(
        "Create a file out/x.txt that says: hi", ws, confirm=lambda plan: False, now=NOW
    )
    assert not out.ok and snapshot(ws) == before


def test_else_branch_runs_when_the_condition_is_false(ws: Path) -> None:
    out = _do(
        "If server.log has PANIC lines, copy them to out/panic.txt; otherwise create a file "
        "out/calm.txt that says: quiet",
        ws,
    )
    assert out.ok, out.answer
    assert not (ws / "out/panic.txt").exists()
    assert (ws / "out/calm.txt").read_text() == "quiet\n"


def test_threshold_condition_and_else_skipped(ws: Path) -> None:
    out = _do(
        "server.log'da 1'den fazla ERROR satırı varsa onları out/e.txt dosyasına kopyala, "
        "yoksa readme.txt dosyasını out/r.txt olarak kopyala",
        ws,
    )
    assert out.ok, out.answer
    assert (ws / "out/e.txt").read_text().count("ERROR") == 2
    assert not (ws / "out/r.txt").exists()
    out = _do("If server.log has more than 2 ERROR lines, copy them to out/more.txt", ws)
    assert out.ok and not (ws / "out/more.txt").exists()


def test_contains_and_exists_conditions(ws: Path) -> None:
    out = _do("If readme.txt mentions 'alpha', copy readme.txt to out/alpha.txt", ws)
    assert out.ok and (ws / "out/alpha.txt").is_file()
    out = _do("If out/alpha.txt exists, append the line 'checked' to it", ws)
    assert out.ok and (ws / "out/alpha.txt").read_text().endswith("checked\n")
    out = _do("If out/missing.txt exists, append the line 'checked' to it", ws)
    assert out.ok and not (ws / "out/missing.txt").exists()


def test_copy_every_file_of_a_kind_and_move_them(ws: Path) -> None:
    out = _do("Copy all .txt files to the out folder", ws)
    assert out.ok, out.answer
    assert sorted(p.name for p in (ws / "out").glob("*.txt")) == ["ideas.txt", "readme.txt"]
    out = _do("out klasöründeki tüm .txt dosyalarını arsiv klasörüne taşı", ws)
    assert out.ok, out.answer
    assert sorted(p.name for p in (ws / "arsiv").iterdir()) == ["ideas.txt", "readme.txt"]
    assert not list((ws / "out").glob("*.txt")) and (ws / "ideas.txt").is_file()


def test_new_file_in_a_named_folder_and_summary_length(ws: Path) -> None:
    out = _do("out klasöründe not.txt adında bir dosya oluştur, içine 'süt al' yaz", ws)
    assert out.ok and (ws / "out/not.txt").read_text() == "süt al\n"
    out = _do("Summarize plan.md in 2 sentences into out/short.txt", ws)
    assert out.ok and len((ws / "out/short.txt").read_text().splitlines()) == 3  # title + 2


def test_empty_and_row_count_conditions_and_files_named_by_kind(ws: Path) -> None:
    (ws / "empty.txt").write_text("")
    out = _do("If empty.txt is empty, write 'nothing yet' to it", ws, overwrite=True)
    assert out.ok and (ws / "empty.txt").read_text() == "nothing yet\n"
    out = _do("ideas.txt boşsa içine 'yok' satırını ekle", ws)
    assert out.ok and "yok" not in (ws / "ideas.txt").read_text()
    out = _do("If orders.csv has more than 5 rows, copy it to out/many.csv", ws)
    assert out.ok and (ws / "out/many.csv").read_bytes() == (ws / "orders.csv").read_bytes()
    out = _do(
        "orders.csv'de 10'dan fazla satır varsa orders.csv dosyasını out/x.csv olarak kopyala", ws
    )
    assert out.ok and not (ws / "out/x.csv").exists()
    out = _do("How many lines are in the log?", ws)
    assert out.ok and "server.log has 7 lines" in out.answer
