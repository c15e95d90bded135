"""Whatever the words, data grounding returns an operation or None, never raises, every column
its expressions name is a real (or derived) column of the table, and every expression parses in
the data handler's expression language."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from altlas.do.context import GroundContext
from altlas.do.ground_data import ground_data, ground_data_condition
from altlas.run.expr import compile_expr


def _words(text: str) -> list[str]:
    return text.split()


HEADER = ["when", "area", "item name", "qty", "unit price", "it's"]
ROWS = [
    "2024-01-02,North,Blue Pen,3,1.5,x",
    "2024-02-03,Güney,Kırmızı Kalem,10,2,y",
    '2024-03-04,O\'Brien,"Quote ""x""",7,3,z',
]
WORDS = _words(
    "sort by per each total average count how many top 3 bottom 2 where is not more than "
    "less below above between and or then save it as out/x.csv -> to json which the most "
    "qty area item name unit price when North Güney O'Brien 2024 March her toplam kaç göre "
    "sırala azalan artan en yüksek en düşük olan altında 20'nin fazla 5'ten ve sadece "
    "sütunlarını bunu kaydet dosyasına yaz t.csv t.csv'de ( ) × * zero sıfır drop remove "
    "unique duplicate newest cheapest `qty` 'x' \" ' ; , ."
)


def _workspace(root: Path) -> Path:
    root.mkdir(exist_ok=True)
    (root / "t.csv").write_text(
        ",".join(f'"{h}"' for h in HEADER) + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8"
    )
    return root


_COLUMN = re.compile(r"`([^`]*)`")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=14),
    lang=st.sampled_from(["en", "tr"]),
)
def test_never_raises_and_names_real_columns(tmp_path: Path, words: list[str], lang: str) -> None:
    ws = _workspace(tmp_path / "ws")
    text = " ".join(words)
    ctx = GroundContext(ws)
    for op in (ground_data(text, lang, ctx), ground_data_condition(text, lang, ctx)):
        if op is None:
            continue
        if op.handler == "refuse":  # words it could not read: an honest failure naming them
            assert op.params["kind"] == "unknown" and "could not tell" in op.params["reason"]
            continue
        assert op.handler == "data" and op.params["operation"] == "query"
        known = set(HEADER)
        for step in op.params["steps"]:
            for expr in (step.get("where"), step.get("expr")):
                if isinstance(expr, str):
                    assert set(_COLUMN.findall(expr)) <= known, (text, expr)
                    compile_expr(expr, sorted(known))  # the handler's own language accepts it
            if step["op"] == "derive":
                known.add(step["column"])
            if step["op"] == "group":
                known = set(step["by"]) | {a["as"] for a in step["aggregate"]}
