"""English single-step cases (data, file, text) against the own fixture; every figure is computed
by fixture_data."""

# Commands are data typed as people type them; wrapping them would hide what is asked.
# Each function is one category's table of case literals; it runs past 60 lines on purpose,
# because splitting a table would scatter it.
# ruff: noqa: E501

from __future__ import annotations

import fixture_data as fx
from case_format import Case, case

ORDERS, EMPLOYEES, STOCK, PRODUCTS = "orders.csv", "employees.json", "stock.ndjson", "products.csv"
LOG, TASKS, README = "logs/server.log", "tasks.txt", "README.md"


def _data() -> list[Case]:
    orders, staff, stock = fx.table(ORDERS), fx.table(EMPLOYEES), fx.table(STOCK)
    ankara = fx.where(orders, lambda r: r["city"] == "Ankara")
    statuses = fx.group_count(orders, "status")
    means = fx.group_mean(staff, "department", "salary")
    top5, sixth = fx.top(orders, "quantity", 5, desc=True)
    products = fx.table(PRODUCTS)
    unique_products = {tuple(r.values()) for r in products}
    return [
        case(
            "own-en-001",
            "data",
            "Order orders.csv by unit_price, most expensive first, and save it to reports/orders_by_price.csv",
            f"Sort on a semicolon file: all {len(orders)} rows, same columns, unit_price non-increasing.",
            status="success",
            files={
                "reports/orders_by_price.csv": {
                    "csv_rows": len(orders),
                    "csv_columns": fx.header(ORDERS),
                    "csv_sorted": {"column": "unit_price", "desc": True},
                },
                ORDERS: {"unchanged": True},
            },
        ),
        case(
            "own-en-002",
            "data",
            "pick the rows of orders.csv where city is Ankara -> reports/ankara_orders.csv",
            f"Equality filter: {len(ankara)} Ankara orders.",
            status="success",
            files={
                "reports/ankara_orders.csv": {
                    "csv_rows": len(ankara),
                    "csv_columns": fx.header(ORDERS),
                    "csv_all": {"column": "city", "equals": "Ankara"},
                }
            },
        ),
        case(
            "own-en-003",
            "data",
            "How many orders per status are in orders.csv?",
            f"Count by status: {fx.pairs(statuses)}.",
            status="success",
            answer=fx.flat(statuses),
        ),
        case(
            "own-en-004",
            "data",
            "What's the average salary in each department? (employees.json)",
            f"Mean salary by department: {fx.pairs(means)}.",
            status="success",
            answer=fx.flat(means),
        ),
        case(
            "own-en-005",
            "data",
            "list the 5 biggest orders by quantity from orders.csv and save them as reports/top5_quantity.csv",
            f"Top 5 quantities {fx.values(top5, 'quantity')}; the 6th ({sixth['order_id']}) has "
            f"{sixth['quantity']}, so the cut is unique.",
            status="success",
            files={
                "reports/top5_quantity.csv": {
                    "csv_rows": 5,
                    "csv_sorted": {"column": "quantity", "desc": True},
                    "contains": fx.values(top5, "order_id"),
                    "not_contains": [str(sixth["order_id"])],
                }
            },
        ),
        case(
            "own-en-006",
            "data",
            "Convert stock.ndjson to CSV, save as reports/stock.csv",
            f"NDJSON to CSV: {len(stock)} records, the same fields as columns.",
            status="success",
            files={
                "reports/stock.csv": {
                    "csv_rows": len(stock),
                    "csv_columns": fx.header(STOCK),
                    "contains": ["ST-08", "Light bulbs", "Izmit"],
                },
                STOCK: {"unchanged": True},
            },
        ),
        case(
            "own-en-007",
            "data",
            "I need a file reports/staff.csv with only the name and department of every employee in employees.json",
            f"Select two fields of {len(staff)} JSON records, in the named order.",
            status="success",
            files={
                "reports/staff.csv": {
                    "csv_rows": len(staff),
                    "csv_columns": ["name", "department"],
                    "contains": ["Grace Lee", "Finance"],
                    "not_contains": ["salary"],
                }
            },
        ),
        case(
            "own-en-008",
            "data",
            "Remove the duplicate rows from products.csv and save the clean table as reports/products_clean.csv",
            f"{len(products)} rows, {len(unique_products)} distinct (P-03 and P-05 appear twice).",
            status="success",
            files={
                "reports/products_clean.csv": {
                    "csv_rows": len(unique_products),
                    "csv_columns": fx.header(PRODUCTS),
                    "contains": ["P-03", "P-05", "P-12"],
                },
                PRODUCTS: {"unchanged": True},
            },
        ),
    ]


def _files() -> list[Case]:
    tasks, changelog, readme = fx.lines(TASKS), fx.lines("docs/changelog.txt"), fx.lines(README)
    txt_docs = [
        p.split("/")[-1] for p in fx.fixture_files() if p.startswith("docs/") and p.endswith(".txt")
    ]
    return [
        case(
            "own-en-009",
            "file",
            "create notes/ideas.txt containing: Try a loyalty card for regular customers",
            "A new file in a folder that does not exist yet, with the dictated text.",
            status="success",
            files={"notes/ideas.txt": {"contains": ["Try a loyalty card for regular customers"]}},
        ),
        case(
            "own-en-010",
            "file",
            "add 'Order more paper bags' as a new line at the end of tasks.txt",
            f"Append keeps all {len(tasks)} lines; 'Order' here is text, not a verb to obey.",
            status="success",
            files={TASKS: {"contains": ["Order more paper bags", tasks[0], tasks[-1]]}},
        ),
        case(
            "own-en-011",
            "file",
            "Rename docs/changelog.txt to docs/history.txt",
            "A rename: the old path is gone and the content is under the new name.",
            status="success",
            files={
                "docs/changelog.txt": {"exists": False},
                "docs/history.txt": {"contains": [changelog[0], changelog[-1]]},
            },
        ),
        case(
            "own-en-012",
            "file",
            "list all the .txt files in docs",
            f"docs/ holds {sorted(txt_docs)} as .txt beside .md, .rst and .html files.",
            status="success",
            answer=sorted(txt_docs),
        ),
        case(
            "own-en-013",
            "file",
            "Make a copy of README.md called reports/README_copy.md",
            "The copy has the first and last lines; the original stays.",
            status="success",
            files={
                "reports/README_copy.md": {"contains": [readme[0].lstrip("# "), readme[-1]]},
                README: {"unchanged": True},
            },
        ),
    ]


def _text() -> list[Case]:
    log = fx.lines(LOG)
    warnings = fx.grep(LOG, "[WARNING]")
    stable = fx.text(README).replace("beta", "stable")
    if "still in stable" not in stable or "The stable price sync" not in stable:
        raise ValueError("README.md no longer has the two beta phrases")
    return [
        case(
            "own-en-014",
            "text",
            "how many words does tasks.txt have?",
            f"Plain words without punctuation: {fx.word_count(TASKS)} (wc -w).",
            status="success",
            answer=[str(fx.word_count(TASKS))],
        ),
        case(
            "own-en-015",
            "text",
            "count the lines in logs/server.log",
            f"{len(log)} newline-terminated lines (wc -l).",
            status="success",
            answer=[str(len(log))],
        ),
        case(
            "own-en-016",
            "text",
            "grep the WARNING lines out of logs/server.log into reports/warnings.txt",
            f"{len(warnings)} WARNING lines; no other level may come along.",
            status="success",
            files={
                "reports/warnings.txt": {
                    "contains": fx.log_times(warnings),
                    "not_contains": ["INFO", "ERROR", "CRITICAL", "DEBUG", "NOTICE"],
                }
            },
        ),
        case(
            "own-en-017",
            "text",
            "Summarise README.md into reports/readme_summary.md",
            "Any faithful summary names the shop; the README itself stays.",
            status="success",
            files={
                "reports/readme_summary.md": {"contains": ["Lale"]},
                README: {"unchanged": True},
            },
        ),
        case(
            "own-en-018",
            "text",
            "Replace 'beta' with 'stable' in a copy of README.md named reports/README_stable.md",
            "README.md says beta twice; the copy must say stable in both places, the original stays.",
            status="success",
            files={
                "reports/README_stable.md": {
                    "contains": ["still in stable", "The stable price sync"],
                    "not_contains": ["beta"],
                },
                README: {"unchanged": True},
            },
        ),
    ]


def cases() -> list[Case]:
    return _data() + _files() + _text()
