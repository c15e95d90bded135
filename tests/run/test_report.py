"""The HTML report: self-contained, escaped, and complete."""

from __future__ import annotations

import re

import altlas
from altlas.run.report import render_report, write_report


def test_report_is_self_contained_and_escaped(mkplan, workspace, tmp_path) -> None:
    """No scripts or external resources; every task, status and error shows; HTML is escaped."""
    plan = mkplan(
        {"id": "a", "parameters": {"message": "<script>alert(1)</script>"}},
        {"id": "b", "type": "nope", "dependencies": ["a"]},
        title="Report <test>",
    )
    result = altlas.run(plan, workspace=workspace, continue_on_error=True)
    path = write_report(result, tmp_path / "r.html")
    text = path.read_text()
    assert text.startswith("<!doctype html>")
    assert "<script" not in text
    assert not re.search(r"(src|href)=\"https?://", text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Report &lt;test&gt;" in text
    assert "NoHandler" in text
    assert "<svg" in text and text.count("<rect") == 2
    for tid in ("a", "b"):
        assert f"<b>{tid}</b>" in text


def test_report_lists_artifacts(mkplan, workspace) -> None:
    """Artifacts appear with name and MIME type."""
    plan = mkplan({"id": "w", "type": "create", "parameters": {"path": "x.txt", "content": "hi"}})
    html = render_report(altlas.run(plan, workspace=workspace))
    assert "<h2>Artifacts</h2>" in html
    assert "x.txt" in html and "text/plain" in html


def test_run_option_writes_the_report(mkplan, workspace, tmp_path) -> None:
    """report= writes the HTML next to the run."""
    altlas.run(mkplan({"id": "a"}), workspace=workspace, report=tmp_path / "out" / "rep.html")
    assert "altlas run report" in (tmp_path / "out" / "rep.html").read_text()
