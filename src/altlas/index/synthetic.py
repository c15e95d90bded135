"""Realistic synthetic results, for benchmarks, tests and demos.

The documents look like what the runner writes: a command in English or Turkish, 3 to 8
tasks of the usual types with the outputs their handlers produce (log lines from commands,
JSON from HTTP calls, tables from data steps, prose from the LLM and summarize handlers),
failures with the errors those handlers raise, and a summary. A canonical ``.last`` made
from one is about 10 KB. Everything is derived from ``(index, seed)``, so a set is the same
on every run.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from altlas.formats.result import ErrorInfo, Result, TaskResult, run_status_for, success_rate_of

__all__ = ["synthetic_result", "synthetic_results"]

_REGIONS = ["EMEA", "APAC", "LATAM", "North America", "Türkiye", "DACH", "Nordics", "Iberia"]
_PERIODS = ["Q1", "Q2", "Q3", "Q4", "last month", "this week", "2024", "H1"]
_METRICS = ["revenue", "churn", "latency", "error rate", "signups", "conversion", "margin"]
_NOUNS = [
    "invoices",
    "customers",
    "orders",
    "tickets",
    "deployments",
    "backups",
    "servers",
    "reports",
    "dashboards",
    "alerts",
    "accounts",
    "shipments",
    "payments",
    "logs",
]
_VERBS = ["rose", "fell", "stayed flat", "recovered", "doubled", "dropped sharply"]
_COMPONENTS = ["api", "worker", "scheduler", "db", "cache", "ingest", "auth", "billing"]
_LEVELS = ["INFO"] * 8 + ["DEBUG"] * 3 + ["WARN"] * 2 + ["ERROR"]
_TYPES = ["search", "create", "analyze", "open", "transform", "execute", "summarize", "schedule"]
_HANDLER = {
    "search": "archive",
    "create": "files",
    "analyze": "data",
    "open": "http",
    "transform": "data",
    "execute": "command",
    "summarize": "summarize",
    "schedule": "echo",
}
_PERSONAS = ["technical_expert", "researcher", "data_analyst", "project_manager", None]
_MODES = ["normal"] * 5 + ["dream", "explore", "chaos"]
_TAGS = ["prod", "nightly", "adhoc", "finance", "ops", "sales", "support", "weekly"]
_ERRORS = [
    ("TimeoutError", "task timed out after {n} s"),
    ("HandlerError", "command exited with status {small}"),
    ("HTTPError", "GET https://api.example.com/v2/{noun}?page={n} returned 503"),
    ("FileNotFoundError", "no such file: /data/{noun}/{n}.csv"),
    ("ValidationError", "column 'amount' has {n} invalid values in row {m}"),
    ("ConnectionError", "connection to db-{small}.internal:5432 refused"),
]
_EN_COMMANDS = [
    "Find the {period} {metric} report for {region} and summarize it",
    "Search the archive for failed {noun} jobs, analyze the errors and email the team",
    "Download the {noun} export, transform it to CSV and create a dashboard",
    "Analyze {metric} for {region} in {period} and schedule a review meeting",
    "Open the {noun} status page, check the {metric} and write a short report",
    "Run the nightly {noun} backup, verify it and summarize what changed",
]
_TR_COMMANDS = [
    "{region} bölgesi için {period} {metric} raporunu bul ve özetle",
    "Başarısız {noun} işlerini arşivde ara, hataları analiz et ve ekibe gönder",
    "{noun} dışa aktarımını indir, CSV'ye dönüştür ve bir pano oluştur",
    "{period} döneminde {region} için {metric} analizini yap ve toplantı planla",
]
_SENTENCES = [
    "The {metric} for {region} {verb} by {pct}% in {period}, mostly because of {noun}.",
    "Compared with {period}, {noun} in {region} {verb}; the team expects a change next quarter.",
    "{count} {noun} were processed without errors and {small} needed a manual review.",
    "The largest contributor was {region}, where {metric} {verb} after the {noun} migration.",
    "No anomalies were found in the {noun} data; {metric} stays within the usual range.",
    "Action items: review the {noun} backlog, confirm the {metric} numbers, update the dashboard.",
    "{region} bölgesinde {metric} {period} döneminde %{pct} değişti; {noun} en büyük etkendi.",
]


def _fill(rnd: random.Random, template: str) -> str:
    return template.format(
        region=rnd.choice(_REGIONS),
        period=rnd.choice(_PERIODS),
        metric=rnd.choice(_METRICS),
        noun=rnd.choice(_NOUNS),
        verb=rnd.choice(_VERBS),
        pct=rnd.randint(1, 60),
        count=rnd.randint(10, 5000),
        small=rnd.randint(1, 9),
        n=rnd.randint(1, 999),
        m=rnd.randint(1, 99),
    )


def _prose(rnd: random.Random, sentences: int) -> str:
    return " ".join(_fill(rnd, rnd.choice(_SENTENCES)) for _ in range(sentences))


def _log(rnd: random.Random, start: datetime, lines: int) -> str:
    out = []
    t = start
    for _ in range(lines):
        t += timedelta(milliseconds=rnd.randint(1, 900))
        comp = rnd.choice(_COMPONENTS)
        out.append(
            f"{t.isoformat(timespec='milliseconds')} {rnd.choice(_LEVELS)} {comp}"
            f"[{rnd.randint(100, 999)}] processed batch {rnd.randint(1, 400)} "
            f"({rnd.randint(1, 2048)} {rnd.choice(_NOUNS)}) in {rnd.randint(1, 800)} ms",
        )
    return "\n".join(out)


def _output(rnd: random.Random, kind: str, start: datetime) -> Any:
    if kind == "execute":
        return {
            "command": f"./scripts/{rnd.choice(_NOUNS)}.sh --region {rnd.choice(_REGIONS)}",
            "exit_code": 0,
            "stdout": _log(rnd, start, rnd.randint(12, 36)),
            "stderr": "",
        }
    if kind == "open":
        return {
            "status": 200,
            "url": f"https://api.example.com/v2/{rnd.choice(_NOUNS)}?page={rnd.randint(1, 9)}",
            "headers": {
                "content-type": "application/json",
                "x-request-id": f"{rnd.getrandbits(64):016x}",
            },
            "body": {
                "items": [
                    {
                        "id": rnd.randint(10_000, 99_999),
                        "name": f"{rnd.choice(_REGIONS)} {rnd.choice(_NOUNS)}",
                        "amount": round(rnd.uniform(5, 5000), 2),
                        "currency": rnd.choice(["EUR", "USD", "TRY"]),
                        "updated_at": (start - timedelta(hours=rnd.randint(1, 900))).isoformat(),
                    }
                    for _ in range(rnd.randint(5, 18))
                ],
            },
        }
    if kind in ("analyze", "transform"):
        cols = ["region", "period", "orders", "revenue", "refunds"]
        return {
            "rows": rnd.randint(100, 90_000),
            "columns": cols,
            "summary": {
                "mean": round(rnd.uniform(10, 900), 3),
                "p95": round(rnd.uniform(900, 5000), 3),
            },
            "table": [
                [
                    rnd.choice(_REGIONS),
                    rnd.choice(_PERIODS),
                    rnd.randint(1, 900),
                    round(rnd.uniform(100, 90_000), 2),
                    rnd.randint(0, 40),
                ]
                for _ in range(rnd.randint(6, 24))
            ],
        }
    if kind == "search":
        return {
            "query": f"{rnd.choice(_NOUNS)} {rnd.choice(_METRICS)}",
            "count": rnd.randint(0, 40),
            "hits": [
                {
                    "id": f"{rnd.getrandbits(64):016x}",
                    "title": _fill(rnd, rnd.choice(_EN_COMMANDS)),
                    "status": rnd.choice(["success", "partial_success", "failure"]),
                    "success_rate": round(rnd.random(), 3),
                }
                for _ in range(rnd.randint(2, 8))
            ],
        }
    if kind == "create":
        return {
            "path": f"/work/out/{rnd.choice(_NOUNS)}_{rnd.randint(1, 999)}.md",
            "bytes_written": rnd.randint(200, 40_000),
            "operation": "write",
            "preview": _prose(rnd, rnd.randint(2, 5)),
        }
    if kind == "summarize":
        return {
            "text": _prose(rnd, rnd.randint(6, 16)),
            "model_used": rnd.choice(["local-extractive", "gpt-4o-mini", "llama3-8b"]),
            "tokens_used": rnd.randint(200, 3000),
        }
    return {"message": f"scheduled {rnd.choice(_NOUNS)} review", "at": start.isoformat()}


def synthetic_result(index: int, *, seed: int = 0, start: datetime | None = None) -> Result:
    """One realistic result; ``index`` also spaces the start times (a few minutes apart)."""
    rnd = random.Random(index * 1_000_003 + seed)  # noqa: S311  (test data, not secrets)
    base = start or datetime(2025, 1, 1, tzinfo=UTC)
    started = base + timedelta(minutes=index * 3, seconds=rnd.randint(0, 170))
    lang = "tr" if rnd.random() < 0.3 else "en"
    command = _fill(rnd, rnd.choice(_TR_COMMANDS if lang == "tr" else _EN_COMMANDS))
    tasks: list[TaskResult] = []
    t = started
    fail_bias = rnd.random() * 0.5
    for j in range(rnd.randint(3, 8)):
        kind = rnd.choice(_TYPES)
        roll = rnd.random()
        status = "completed" if roll > fail_bias * 0.6 else rnd.choice(["failed", "timeout"])
        duration = round(rnd.lognormvariate(5.5, 1.1), 3)
        ok = status == "completed"
        err_type, err_msg = rnd.choice(_ERRORS)
        tasks.append(
            TaskResult(
                task_id=f"t{j + 1}",
                status=status,
                type=kind,
                description=_fill(rnd, rnd.choice(_EN_COMMANDS)).split(" and ")[0],
                handler=_HANDLER[kind],
                attempts=1 if ok else rnd.randint(1, 3),
                started_at=t,
                finished_at=t + timedelta(milliseconds=duration),
                duration_ms=duration,
                output=_output(rnd, kind, t) if ok else None,
                error=None if ok else ErrorInfo(type=err_type, message=_fill(rnd, err_msg)),
            ),
        )
        t += timedelta(milliseconds=duration)
    rate = success_rate_of(tasks)
    return Result(
        id=f"last_{seed:02d}{index:010d}",
        run_id=f"run_{seed:02d}{index:010d}",
        plan_id=f"plan_{seed:02d}{index:010d}",
        title=command.split(" and ")[0].split(",")[0][:80],
        command=command,
        language=lang,
        mode=rnd.choice(_MODES),
        persona=rnd.choice(_PERSONAS),
        status=run_status_for(rate, has_tasks=True),
        success_rate=rate,
        started_at=started,
        finished_at=t,
        duration_ms=round((t - started).total_seconds() * 1000, 3),
        tasks=tasks,
        summary=_prose(rnd, 2),
        tags=sorted(rnd.sample(_TAGS, rnd.randint(1, 3))),
    )


def synthetic_results(count: int, *, seed: int = 0, start: datetime | None = None) -> list[Result]:
    return [synthetic_result(i, seed=seed, start=start) for i in range(count)]
