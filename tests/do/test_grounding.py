"""Words to operations: each family in both languages, Turkish typed without diacritics too."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.do.conftest import planned_ops


@pytest.mark.parametrize(
    ("command", "handler", "expected"),
    [
        ("How many words are in readme.txt?", "text", {"operation": "count_words"}),
        ("readme.txt dosyasinda kac kelime var", "text", {"operation": "count_words"}),
        ("server.log dosyasında kaç satır var?", "text", {"operation": "count_lines"}),
        (
            "Count the ERROR lines in server.log",
            "text",
            {"operation": "count_lines", "contains": "ERROR"},
        ),
        (
            "server.log içinde 'disk' geçen satırları bul",
            "text",
            {"operation": "grep", "contains": "disk"},
        ),
        ("Which lines of readme.txt mention alpha?", "text", {"contains": "alpha"}),
        ("Move plan.md to archive/plan_old.md", "files", {"dest": "archive/plan_old.md"}),
        ("plan.md dosyasini arsiv klasorune tasi", "files", {"dest": "arsiv/plan.md"}),
        ("Rename ideas.txt to ideas_2024.txt", "files", {"operation": "move"}),
        ("List the .log files in the workspace", "files", {"pattern": "*.log"}),
        ("klasördeki .md dosyalarını listele", "files", {"pattern": "*.md"}),
        ("Back up the workspace", "files", {"operation": "backup"}),
        ("calisma alanini yedekle", "files", {"operation": "backup"}),
        ("Summarize plan.md into out/s.txt", "summarize", {"output": "out/s.txt"}),
        ("Show me all the markdown files", "files", {"pattern": "*.md"}),
        ("List all files in out", "files", {"path": "out"}),
        ("Grep server.log for refused", "text", {"operation": "grep", "contains": "refused"}),
        ("Could you count the lines of server.log for me?", "text", {"operation": "count_lines"}),
        ("Bana out klasöründe neler olduğunu söyle", "files", {"operation": "list", "path": "out"}),
        ("server.log'daki hata satirlarini bul", "text", {"contains": "ERROR"}),
        ("server.log'da kaç uyarı satırı var", "text", {"contains": "WARN"}),
        ("ideas.txt'ye 'süt al' satırını ekle", "files", {"line": "süt al"}),
        ("Put 'done' at the end of ideas.txt", "files", {"operation": "append"}),
        ("Show me ideas.txt", "files", {"operation": "read", "path": "ideas.txt"}),
        (
            "readme.txt'deki 'alpha' kelimelerini 'beta' yap",
            "text",
            {"old": "alpha", "new": "beta"},
        ),
    ],
)
def test_one_segment(command: str, handler: str, expected: dict, ws: Path) -> None:
    ops = planned_ops(command, ws)
    assert len(ops) == 1, ops
    assert ops[0][0] == handler
    assert expected.items() <= ops[0][1].items()
    if expected.get("operation") == "count_lines" and "contains" not in expected:
        assert "contains" not in ops[0][1]  # "for me" is not a word to look for


def test_append_is_not_a_search(ws: Path) -> None:
    """A quoted line with "add … line" writes it; it is not a pattern to look for."""
    [(handler, params)] = planned_ops("ideas.txt dosyasına 'toplantıyı ayarla' satırını ekle", ws)
    assert (handler, params["operation"], params["line"]) == (
        "files",
        "append",
        "toplantıyı ayarla",
    )


def test_filename_words_are_not_verbs(ws: Path) -> None:
    """'hatirlatma.txt' names a file; it does not ask for a reminder."""
    [(handler, params)] = planned_ops(
        "out/hatirlatma.txt adında bir dosya oluştur ve içine şunu yaz: Selam", ws
    )
    assert handler == "files"
    assert params == {"operation": "write", "path": "out/hatirlatma.txt", "content": "Selam\n"}


def test_chain_save_becomes_the_output(ws: Path) -> None:
    ops = planned_ops("Count the ERROR lines in server.log, then save the result to out/n.txt", ws)
    assert ops == [
        (
            "text",
            {
                "operation": "count_lines",
                "path": "server.log",
                "contains": "ERROR",
                "output": "out/n.txt",
            },
        )
    ]


def test_copy_then_replace_in_the_copy_is_one_replace(ws: Path) -> None:
    ops = planned_ops(
        "readme.txt'nin bir kopyasını out/r2.txt olarak oluştur ve kopyada 'alpha' kelimesini "
        "'gamma' ile değiştir",
        ws,
    )
    assert ops == [
        (
            "text",
            {
                "operation": "replace",
                "path": "readme.txt",
                "old": "alpha",
                "new": "gamma",
                "output": "out/r2.txt",
            },
        )
    ]


def test_reminder_time_is_resolved_locally(ws: Path) -> None:
    [(handler, params)] = planned_ops("yarın 11:30'da dişçiyi aramamı hatırlat", ws)
    assert handler == "schedule"
    assert params["when"] == "2026-03-05T11:30:00+03:00"


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("Translate readme.txt into French", "LLM backend"),
        ("readme.txt dosyasını Almancaya çevir", "LLM backend"),
        ("Email ideas.txt to boss@example.com", "e-mail"),
        ("ali@example.com adresine raporu e-posta ile gönder", "e-mail"),
        ("Search the web for cheap flights", "web"),
        ("internette Vega hakkında arama yap", "web"),
        ("Book a flight to Berlin for next week", "booking"),
        ("100 adet kalem satın al", "buying"),
        ("Run this: rm -rf out && echo done", "needs a shell"),
        ("Frobnicate the widgets", "could not tell"),
        ("Delete ideas.txt", "deleting files"),
    ],
)
def test_refusals_say_why(command: str, reason: str, ws: Path) -> None:
    ops = planned_ops(command, ws)
    refused = [p["reason"] for h, p in ops if h == "refuse"]
    assert refused and reason in refused[0]
    assert "allow" not in refused[0]  # never advice to allow a word as a program


def test_only_explicit_commands_become_argv(ws: Path) -> None:
    assert planned_ops("run `ls -l`", ws) == [("command", {"argv": ["ls", "-l"]})]
    assert planned_ops("şu komutu çalıştır: ls out", ws) == [("command", {"argv": ["ls", "out"]})]
    assert all(h != "command" for h, _ in planned_ops("Run the numbers on orders.csv", ws))


def test_a_condition_cut_off_from_its_action_is_joined(ws: Path) -> None:
    from altlas.do.context import GroundContext
    from altlas.do.planner import ground_steps

    steps = ground_steps(
        ["if server.log has ERROR lines", "copy them to out/e.txt"], "en", GroundContext(ws)
    )
    assert [s.role for s in steps] == ["probe", None]
    assert steps[1].condition is not None and steps[1].op.params["output"] == "out/e.txt"


def test_the_content_of_a_file_just_created_in_its_own_segment(ws: Path) -> None:
    from altlas.do.context import GroundContext
    from altlas.do.planner import ground_steps

    steps = ground_steps(
        ["out/n.txt adında bir dosya oluştur", "içeriği: merhaba dünya"], "tr", GroundContext(ws)
    )
    assert [s.op.params for s in steps] == [
        {"operation": "write", "path": "out/n.txt", "content": "merhaba dünya\n"}
    ]


def test_how_many_after_a_search_is_part_of_its_answer(ws: Path) -> None:
    ops = planned_ops(
        "Find the lines in server.log that mention disk and tell me how many there are", ws
    )
    assert ops == [("text", {"operation": "grep", "path": "server.log", "contains": "disk"})]


def test_semicolon_headers_are_read(tmp_path: Path) -> None:
    from altlas.do.context import GroundContext

    (tmp_path / "t.csv").write_text("a;b;c\n1;2;3\n")
    assert GroundContext(tmp_path).columns("t.csv") == ["a", "b", "c"]


def test_a_file_named_apart_belongs_to_the_segment_before(ws: Path) -> None:
    from altlas.do.context import GroundContext
    from altlas.do.planner import _join_fragments

    ctx = GroundContext(ws)
    assert _join_fragments(["How many words are there?", "(readme.txt)"], ctx) == [
        "How many words are there? (readme.txt)"
    ]


@pytest.mark.parametrize(
    ("command", "refused"),
    [
        ("Delete readme.txt", True),
        ("readme.txt dosyasını sil", True),
        ("Remove the duplicate rows from orders.csv", False),
        ("orders.csv'deki tekrar eden satırları kaldır", False),
    ],
)
def test_deleting_a_file_is_refused_editing_one_is_not(command: str, refused: bool) -> None:
    from altlas.do.ground_refuse import refusal

    found = refusal(command)
    assert (found is not None and found[0] == "delete") is refused
