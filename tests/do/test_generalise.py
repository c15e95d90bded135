"""Issue 10 classes that must generalise: naming words, folders, reminder text, verbs, context."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.do.conftest import NOW, planned_ops

from altlas.do.api import plan_for, refusals


@pytest.mark.parametrize(
    "command",
    [
        "copy plan.md into out and call it plan_copy.md",
        "Copy plan.md into out as plan_copy.md",
        "duplicate plan.md to the out folder and name it plan_copy.md",
        "clone plan.md into out as plan_copy.md",
    ],
)
def test_a_copy_into_a_folder_under_a_new_name(command: str, ws: Path) -> None:
    assert planned_ops(command, ws) == [
        ("files", {"operation": "copy", "source": "plan.md", "dest": "out/plan_copy.md"})
    ]


def test_a_copy_into_a_bare_folder_keeps_its_name(ws: Path) -> None:
    assert planned_ops("copy ideas.txt into out", ws) == [
        ("files", {"operation": "copy", "source": "ideas.txt", "dest": "out/ideas.txt"})
    ]


@pytest.mark.parametrize(
    ("command", "kind"),
    [("call Bob about the invoice", "call"), ("please phone the landlord", "call")],
)
def test_a_call_is_still_refused(command: str, kind: str, ws: Path) -> None:
    plan, _ = plan_for(command, ws, now=NOW)
    assert [t.parameters.get("kind") for t in plan.tasks] == [kind]


def test_deleting_is_not_something_altlas_does(ws: Path) -> None:
    plan, _ = plan_for("delete ideas.txt", ws, now=NOW)
    reason = str(plan.tasks[0].parameters["reason"])
    assert "not something altlas does" in reason and "altlas do does" not in reason


@pytest.mark.parametrize(
    "command",
    [
        "run this: rm -rf out",
        "şu komutu çalıştır: shred ideas.txt",
        "execute `find . -name '*.txt' -delete`",
    ],
)
def test_destructive_programs_are_never_advised(command: str, ws: Path) -> None:
    plan, _ = plan_for(command, ws, now=NOW)
    for allow_exec in (False, True):
        found = refusals(plan, allow_exec=allow_exec)
        assert len(found) == 1 and "--allow" not in found[0]
        assert "destructive programs are not run by altlas do" in found[0]


def test_a_harmless_program_still_names_the_flag(ws: Path) -> None:
    plan, _ = plan_for("run this: ls out", ws, now=NOW)
    assert "--allow-exec" in refusals(plan, allow_exec=False)[0]
    assert refusals(plan, allow_exec=True) == []


@pytest.mark.parametrize(
    ("command", "what"),
    [
        ("Would you set a reminder for tomorrow at 9am: water the ferns", "water the ferns"),
        ("can you please remind me tomorrow at 10 to feed the cat, thanks", "feed the cat"),
        ("remind me the day after tomorrow at 8 to call the plumber", "call the plumber"),
        ("yarın akşam 6'da bana faturayı ödemeyi hatırlat", "faturayı ödemeyi"),
        ("yarin sabah 9'da kargoyu almayi hatirlat bana", "kargoyu almayi"),
        ("remind me to print the evening report tomorrow at 8", "print the evening report"),
    ],
)
def test_reminder_text_without_wrapper_or_time_words(command: str, what: str, ws: Path) -> None:
    ((handler, params),) = planned_ops(command, ws)
    assert handler == "schedule" and params["what"] == what and params.get("when")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("tally the WARN lines in server.log", {"operation": "count_lines", "contains": "WARN"}),
        ("server.log'daki WARN satırlarını sayıp söyle", {"operation": "count_lines"}),
        (
            "pull out every ERROR line from server.log into out/errors.txt",
            {"operation": "grep", "contains": "ERROR", "output": "out/errors.txt"},
        ),
        (
            "server.log içindeki ERROR satırlarını ayıkla ve out/e.txt dosyasına yaz",
            {"operation": "grep", "contains": "ERROR", "output": "out/e.txt"},
        ),
        ("server.log'daki ERROR satirlarini goster", {"operation": "grep", "contains": "ERROR"}),
    ],
)
def test_other_verbs_of_an_operation(command: str, expected: dict, ws: Path) -> None:
    ((handler, params),) = planned_ops(command, ws)
    assert handler == "text" and expected.items() <= params.items()


def test_a_tally_by_a_column_is_a_count(ws: Path) -> None:
    ((handler, params),) = planned_ops("Tally the orders in orders.csv by city", ws)
    assert handler == "data"
    assert params["steps"][0] == {
        "op": "group",
        "by": ["city"],
        "aggregate": [{"fn": "count", "as": "count"}],
    }


def test_a_new_file_opened_in_turkish(ws: Path) -> None:
    ops = planned_ops("out/not.txt diye bir dosya aç, içine 'Cuma toplantı var' yaz", ws)
    assert ops == [
        ("files", {"operation": "write", "path": "out/not.txt", "content": "Cuma toplantı var\n"})
    ]


@pytest.mark.parametrize(
    "command",
    [
        "What is the total amount per city? Use orders.csv.",
        "What is the total amount per city? Use the amount column of orders.csv.",
        "Use orders.csv. What is the total amount per city?",
        "Şehir başına toplam amount ne kadar? orders.csv'ye bak",
    ],
)
def test_a_sentence_that_only_says_where_to_look_joins_its_task(command: str, ws: Path) -> None:
    ((handler, params),) = planned_ops(command, ws)
    assert handler == "data" and params["source"] == "orders.csv"
    assert params["steps"][0]["by"] == ["city"]


@pytest.mark.parametrize(
    "command",
    [
        "If anyone in staff.json earns more than 5000, write their names to out/rich.txt",
        "staff.json'da maaşı 5000'den fazla olan varsa isimlerini out/rich.txt dosyasına yaz",
        "find the staff in staff.json who earn more than 5000, then write their names to "
        "out/rich.txt",
    ],
)
def test_their_names_narrow_to_the_name_column(command: str, ws: Path) -> None:
    last = planned_ops(command, ws)[-1]
    assert last[0] == "data" and last[1]["output"] == "out/rich.txt"
    assert last[1]["steps"][-1] == {"op": "select", "columns": ["name"]}
    assert {"op": "filter", "where": "`salary` > 5000"} in last[1]["steps"]


def test_names_and_more_are_not_narrowed_to_names(ws: Path) -> None:
    last = planned_ops(
        "If anyone in staff.json earns over 5000, save their names and depts to out/r.txt", ws
    )
    assert {"op": "select", "columns": ["name"]} not in last[-1][1].get("steps", [])


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("find the last three ERROR lines in server.log", ("last", "three")),
        ("how many ERROR lines are there after 10:00 in server.log", ("after",)),
        ("count lines in server.log that do not mention disk", ("not",)),
        ("server.log'daki ilk 2 ERROR satırını bul", ("ilk", "2")),
    ],
)
def test_a_line_search_never_drops_a_qualifier(command: str, words: tuple, ws: Path) -> None:
    ((handler, params),) = planned_ops(command, ws)
    assert handler == "refuse"
    assert all(f"'{w}'" in params["reason"] for w in words)


@pytest.mark.parametrize(
    "command",
    [
        "server.log'daki ERROR satirlarini listele",
        "list the files in out modified after monday",
        "list the biggest customers",
    ],
)
def test_a_listing_never_drops_words(command: str, ws: Path) -> None:
    assert all(op[1].get("operation") != "list" for op in planned_ops(command, ws))


@pytest.mark.parametrize(
    ("command", "path", "pattern"),
    [
        ("list all the .txt files in out", "out", "*.txt"),
        ("what's in the out folder?", "out", "*"),
        ("out klasöründe kaç tane dosya var, hangileri?", "out", "*"),
        ("Çalışma alanında hangi .csv dosyaları var?", ".", "*.csv"),
    ],
)
def test_a_listing_still_lists(command: str, path: str, pattern: str, ws: Path) -> None:
    ((handler, params),) = planned_ops(command, ws)
    assert (handler, params["path"], params["pattern"]) == ("files", path, pattern)


@pytest.mark.parametrize(
    "command",
    [
        "orders.csv'yi JSON'a dönüştür, ardından yalnızca Oslo siparişlerini tutup out/oslo.json "
        "olarak kaydet",
        "convert orders.csv to JSON and then keep only the Oslo orders and save as out/oslo.json",
    ],
)
def test_a_save_with_a_step_in_it_keeps_the_step(command: str, ws: Path) -> None:
    ((handler, params),) = planned_ops(command, ws)
    assert handler == "data" and params["output"] == "out/oslo.json"
    assert params["steps"] == [{"op": "filter", "where": "`city` == 'Oslo'"}]


@pytest.mark.parametrize(
    "command",
    [
        "find the orders from Oslo in orders.csv, then save those orders to out/o.csv",
        "orders.csv'de şehri Oslo olanları bul, sonra bunları out/o.csv olarak kaydet",
    ],
)
def test_a_plain_save_is_still_a_save(command: str, ws: Path) -> None:
    ((handler, params),) = planned_ops(command, ws)
    assert handler == "data" and params["output"] == "out/o.csv"


@pytest.mark.parametrize(
    "command",
    [
        "Move ideas.txt into the out folder and then tell me how many lines it has",
        "ideas.txt dosyasını out klasörüne taşı, sonra kaç satır olduğunu söyle",
    ],
)
def test_a_count_after_a_move_counts_the_moved_file(command: str, ws: Path) -> None:
    assert planned_ops(command, ws) == [
        ("files", {"operation": "move", "source": "ideas.txt", "dest": "out/ideas.txt"}),
        ("text", {"operation": "count_lines", "path": "out/ideas.txt"}),
    ]


@pytest.mark.parametrize(
    "command",
    [
        "sort orders.csv by email",
        "count the web orders in orders.csv",
        "list the online customers in orders.csv",
        "show the reservation dates from orders.csv",
        "orders.csv'yi e-posta adresine göre sırala",
        "sum the purchase amounts in orders.csv",
        "Order orders.csv by amount",
        "paylaşılan klasördeki dosyaları listele",
    ],
)
def test_refusal_words_as_nouns_are_not_refusals(command: str, ws: Path) -> None:
    from altlas.do.ground_refuse import refusal

    assert refusal(command) is None


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("email plan.md to the team", "email"),
        ("plan.md'yi e-postayla gönder", "email"),
        ("buy forty mugs", "buy"),
        ("book me a table for Friday", "book"),
        ("share ideas.txt on LinkedIn", "social"),
        ("send the orders file to Ali on Telegram", "social"),
        ("look up the opening hours on the web", "web"),
        ("print plan.md on the printer", "app"),
    ],
)
def test_refusal_verbs_are_still_refused(command: str, kind: str, ws: Path) -> None:
    from altlas.do.ground_refuse import refusal

    found = refusal(command)
    assert found is not None and found[0] == kind


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("copy the 2 newest .txt files to out", ("2", "newest")),
        ("move every .log file older than a week to out", ("older",)),
        ("append 'x' to ideas.txt twice", ("twice",)),
        ("add the line 'x' at the top of ideas.txt", ("top",)),
        ("read the first paragraph of plan.md", ("paragraph",)),
        ("show me plan.md in uppercase", ("uppercase",)),
        ("summarize plan.md in French", ("french",)),
        ("copy plan.md to out/p.md without the last line", ("without",)),
        ("replace 'a' with 'b' in the first line of ideas.txt", ("first",)),
    ],
)
def test_files_and_text_never_drop_words(command: str, words: tuple, ws: Path) -> None:
    ((handler, params),) = planned_ops(command, ws)
    assert handler == "refuse", params
    assert all(f"'{w}'" in params["reason"] for w in words)


@pytest.mark.parametrize(
    ("command", "handler"),
    [
        ("read plan.md", "files"),
        ("plan.md'nin içeriğini göster", "files"),
        ("ideas.txt dosyasının sonuna 'x' satırını ekle", "files"),
        ("Add a line saying 'Top priority: call 2 clients' to the end of ideas.txt", "files"),
        ("plan.md dosyasını iki cümleyle özetle", "summarize"),
        ("give me a short summary of plan.md", "summarize"),
        ("show the last 5 lines of server.log", "text"),
        ("copy plan.md to out/plan_copy.md", "files"),
        ("plan.md dosyasını out/p.md olarak kopyaladıktan sonra", "files"),
    ],
)
def test_plain_requests_still_run(command: str, handler: str, ws: Path) -> None:
    assert planned_ops(command, ws)[0][0] == handler


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "Duplicate plan.md and call it plan2.md",
            ("files", {"operation": "copy", "source": "plan.md", "dest": "plan2.md"}),
        ),
        (
            "make a copy of ideas.txt in out",
            ("files", {"operation": "copy", "source": "ideas.txt", "dest": "out/ideas.txt"}),
        ),
        (
            "summarize plan.md and call it out/s.md",
            ("summarize", {"path": "plan.md", "output": "out/s.md"}),
        ),
    ],
)
def test_naming_and_folders_in_other_words(command: str, expected: tuple, ws: Path) -> None:
    assert planned_ops(command, ws) == [expected]


def test_rows_counted_by_a_column_are_a_table_count(ws: Path) -> None:
    ((handler, params),) = planned_ops("orders.csv'deki satırları şehre göre say", ws)
    assert handler == "data" and params["steps"][0]["by"] == ["city"]


@pytest.mark.parametrize(
    ("command", "word"),
    [
        ("show me the ERROR lines in server.log from yesterday", "yesterday"),
        ("count the lines in ideas.txt that start with '-'", "start with"),
        ("ideas.txt'de kaç boş satır var", "bos"),
        ("write 'hello' to out/h.txt in capital letters", "capital"),
    ],
)
def test_a_way_of_matching_or_writing_is_never_dropped(command: str, word: str, ws: Path) -> None:
    ((handler, params),) = planned_ops(command, ws)
    assert handler == "refuse" and f"'{word}'" in params["reason"]


def _spaced(ws: Path) -> Path:
    (ws / "out" / "weekly shop list.txt").write_text("eggs\nmilk\n")
    (ws / "logs").mkdir()
    (ws / "logs" / "backend.log").write_text("INFO up\nFATAL down\n")
    return ws


def test_a_line_goes_to_a_file_named_by_its_words(ws: Path) -> None:
    ops = planned_ops("Add a line saying 'bread' to the end of the weekly shop list", _spaced(ws))
    assert ops == [
        ("files", {"operation": "append", "path": "out/weekly shop list.txt", "line": "bread"})
    ]


def test_a_name_with_spaces_moves_whole(ws: Path) -> None:
    ops = planned_ops("Move out/weekly shop list.txt into the out folder as list.txt", _spaced(ws))
    assert ops == [
        (
            "files",
            {"operation": "move", "source": "out/weekly shop list.txt", "dest": "out/list.txt"},
        )
    ]


@pytest.mark.parametrize(
    "command",
    [
        "grab every FATAL line from the backend log into out/fatal.txt",
        "backend.log'daki FATAL satırlarını bul ve out/fatal.txt dosyasına yaz",
    ],
)
def test_a_log_named_without_its_folder(command: str, ws: Path) -> None:
    ((handler, params),) = planned_ops(command, _spaced(ws))
    assert (handler, params["path"], params["contains"]) == ("text", "logs/backend.log", "FATAL")
    assert params["output"] == "out/fatal.txt"
