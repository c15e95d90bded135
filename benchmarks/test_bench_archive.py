"""Archive figures (issue 5): ingest rate, search latency, stored size, and SQLite FTS5 beside it.

Run (the figure is for 100,000 results; the set size comes from ARCHIVE_BENCH_N):

    ARCHIVE_BENCH_N=100000 /work/venv/bin/python -m pytest benchmarks/test_bench_archive.py \
        -s --benchmark-columns=min,median,mean,max,rounds

Targets: ingest >= 0.5x plain FTS5 in the same run (issue 5 said 2,000 files/s: see
test_ingest), typical (~10 KB) .last files, in batches; search p50 <= 5 ms
and p99 <= 25 ms for a term query with one filter on 100,000 results; stored originals <= 25%
of the raw JSON. The same documents also go into a plain SQLite FTS5 table (text columns plus
the filter columns, no originals), with the same queries, and both sets of numbers are printed.

Building the set (synthetic results from ``altlas.index.synthetic``, written as files by the
canonical writer) takes about a minute on 2 cores and is not part of any figure.
"""

from __future__ import annotations

import os
import random
import resource
import sqlite3
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from altlas.index import Archive

N = int(os.environ.get("ARCHIVE_BENCH_N", "100000"))
QUERIES = [
    "backup", "invoices", "timed", "refused", "dashboard", "raporunu", "latency", "churn",
    "deployments", "revenue", "migration", "shipments", "özetle", "payments", "scheduled",
]  # fmt: skip
FILTERS: list[dict[str, str]] = [
    {"status": "partial_success"},
    {"status": "success"},
    {"lang": "tr"},
    {"mode": "normal"},
    {"status": "failure"},
]
SEARCHES = 1000


def _write_chunk(args: tuple[str, int, int]) -> int:
    from altlas.formats import io
    from altlas.index.synthetic import synthetic_result

    root, start, stop = args
    total = 0
    for i in range(start, stop):
        result = synthetic_result(i, seed=1)
        body = io.to_bytes(result)
        folder = Path(root) / f"{i // 1000:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{result.id}.last").write_bytes(body)
        total += len(body)
    return total


def _du(path: Path) -> tuple[int, int]:
    """(apparent bytes, bytes on disk) of every file under ``path``."""
    apparent = disk = 0
    for root, _, files in os.walk(path):
        for name in files:
            st = (Path(root) / name).stat()
            apparent += st.st_size
            disk += st.st_blocks * 512
    return apparent, disk


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the staging worker)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class State:
    root: Path
    files: Path = field(init=False)
    home: Path = field(init=False)
    raw_bytes: int = 0
    figures: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.files = self.root / "files"
        self.home = self.root / "home"

    def corpus(self) -> None:
        if self.raw_bytes:
            return
        started = time.perf_counter()
        step = 2000
        chunks = [(str(self.files), s, min(N, s + step)) for s in range(0, N, step)]
        with ProcessPoolExecutor(max_workers=2) as pool:
            self.raw_bytes = sum(pool.map(_write_chunk, chunks))
        print(
            f"\nbuilt {N} files, {self.raw_bytes / 1e6:.1f} MB "
            f"(mean {self.raw_bytes / N / 1e3:.1f} KB) in {time.perf_counter() - started:.0f} s"
        )

    def ingest(self) -> float:
        if "ingest_files_per_s" in self.figures:
            return float(self.figures["ingest_files_per_s"])
        self.corpus()
        with Archive(self.home) as archive:
            load = os.getloadavg()[0]
            cpu0 = _cpu()
            started = time.perf_counter()
            report = archive.add([self.files])
            seconds = time.perf_counter() - started
            cpu1 = _cpu()
            assert report.added == N and report.failed == 0, report.summary()
            archive.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cpu = cpu1 - cpu0
        self.figures["ingest_files_per_s"] = N / seconds
        self.figures["ingest_seconds"] = seconds
        self.figures["ingest_cpu_ms_per_file"] = cpu / N * 1e3
        self.figures["load_before_ingest"] = load
        self.figures["load_after_ingest"] = os.getloadavg()[0]
        return N / seconds

    def fts(self) -> Path:
        """The same documents in a plain SQLite FTS5 table; returns the database path."""
        path = self.root / "fts.db"
        if "fts_ingest_files_per_s" in self.figures:
            return path
        from altlas.formats.io import read_bytes
        from altlas.index.extract import index_text

        self.corpus()
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(command, title, summary, tasks, errors, "
            "outputs, tags, result_id UNINDEXED, status UNINDEXED, lang UNINDEXED, "
            "mode UNINDEXED, success_rate UNINDEXED, ts UNINDEXED)"
        )
        files = sorted(p for p in self.files.rglob("*.last"))
        started = time.perf_counter()
        for at in range(0, len(files), 500):
            rows = []
            for file in files[at : at + 500]:
                result = read_bytes(file.read_bytes(), name=str(file), kind="last").document
                text = index_text(result)
                rows.append(
                    (text.command, text.title, text.summary, text.tasks, text.errors,
                     text.outputs, text.tags, result.id, result.status.value, result.language,
                     result.mode.value, result.success_rate,
                     result.started_at.timestamp() if result.started_at else 0)
                )  # fmt: skip
            with conn:
                conn.executemany(f"INSERT INTO docs VALUES ({', '.join('?' * 13)})", rows)
        seconds = time.perf_counter() - started
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        self.figures["fts_ingest_files_per_s"] = N / seconds
        return path


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> State:
    return State(tmp_path_factory.mktemp("archive-bench"))


def _latencies(run: Callable[[str, dict[str, str]], Any]) -> list[float]:
    rnd = random.Random(5)
    plan = [(rnd.choice(QUERIES), rnd.choice(FILTERS)) for _ in range(SEARCHES)]
    for query, filt in plan[:30]:  # warm caches and mmaps
        run(query, filt)
    out = []
    for query, filt in plan:
        started = time.perf_counter()
        run(query, filt)
        out.append((time.perf_counter() - started) * 1e3)
    return out


def test_ingest(benchmark, state: State) -> None:
    """All N files through ``Archive.add`` (batches of 500, default settings, fsync on)."""
    state.corpus()  # building the files is not part of the figure
    rate = benchmark.pedantic(state.ingest, rounds=1, iterations=1)
    state.fts()
    fts_rate = state.figures["fts_ingest_files_per_s"]
    fig = state.figures
    benchmark.extra_info.update(
        files=N,
        files_per_s=round(rate),
        cpu_ms_per_file=round(fig["ingest_cpu_ms_per_file"], 3),
        fts5_files_per_s=round(fts_rate),
        load=[round(fig["load_before_ingest"], 2), round(fig["load_after_ingest"], 2)],
    )
    print(
        f"\ningest: archive {rate:,.0f} files/s ({fig['ingest_cpu_ms_per_file']:.3f} ms CPU per "
        f"file, all threads and the worker; 1-min load {fig['load_before_ingest']:.1f} -> "
        f"{fig['load_after_ingest']:.1f} on {os.cpu_count()} cores); "
        f"plain FTS5 {fts_rate:,.0f} files/s"
    )
    # A same-run ratio, not files/s: on the shared machine the absolute rate moves 4x with the
    # load. Issue 5's 2,000 files/s was set when plain FTS5 ran about 3,700 files/s here
    # (0.54x); the issue-12 target (>= 1.0x) is asserted by benchmarks/test_ingest_vs_fts5.py.
    ratio = rate / fts_rate
    assert ratio >= 0.5, f"ingest {rate:.0f} files/s is {ratio:.2f}x plain FTS5, below 0.5x"


def test_search_latency(benchmark, state: State) -> None:
    """A term query with one filter, limit 10, hits with snippets (the CLI's default)."""
    state.ingest()
    with Archive(state.home) as archive:

        def run(query: str, filt: dict[str, str]) -> Any:
            return archive.search(query, filt, limit=10)

        assert run("backup", {"status": "success"}).total > 0
        ours = _latencies(run)
        bare = _latencies(lambda q, f: archive.search(q, f, limit=10, snippets=False))
        benchmark.pedantic(run, args=("invoices", {"status": "partial_success"}), rounds=200)
    fts_path = state.fts()
    conn = sqlite3.connect(fts_path)
    column = {"status": "status", "lang": "lang", "mode": "mode"}

    def fts_run(query: str, filt: dict[str, str]) -> list[Any]:
        ((key, value),) = filt.items()
        return conn.execute(
            "SELECT result_id, snippet(docs, -1, '**', '**', '…', 12), bm25(docs) FROM docs "
            f"WHERE docs MATCH ? AND {column[key]} = ? ORDER BY rank LIMIT 10",
            (query, value),
        ).fetchall()

    theirs = _latencies(fts_run)
    conn.close()
    figures = {
        "archive_p50_ms": statistics.median(ours),
        "archive_p99_ms": _percentile(ours, 0.99),
        "archive_no_snippets_p50_ms": statistics.median(bare),
        "archive_no_snippets_p99_ms": _percentile(bare, 0.99),
        "fts5_p50_ms": statistics.median(theirs),
        "fts5_p99_ms": _percentile(theirs, 0.99),
    }
    benchmark.extra_info.update({k: round(v, 3) for k, v in figures.items()})
    print(
        f"\nsearch on {N:,} results ({SEARCHES} queries): archive p50 "
        f"{figures['archive_p50_ms']:.2f} ms, p99 {figures['archive_p99_ms']:.2f} ms "
        f"(without snippets {figures['archive_no_snippets_p50_ms']:.2f} / "
        f"{figures['archive_no_snippets_p99_ms']:.2f} ms); plain FTS5 p50 "
        f"{figures['fts5_p50_ms']:.2f} ms, p99 {figures['fts5_p99_ms']:.2f} ms"
    )
    assert figures["archive_p50_ms"] <= 5, figures
    assert figures["archive_p99_ms"] <= 25, figures


def test_stored_size(benchmark, state: State) -> None:
    """Originals (blobs) against the raw JSON; the whole home and the FTS5 file beside them."""
    state.ingest()
    blobs, blobs_disk = _du(state.home / "blobs")
    index, _ = _du(state.home / "index")
    db = sum(p.stat().st_size for p in state.home.glob("altlas.db*"))
    fts = (
        sum(p.stat().st_size for p in state.root.glob("fts.db*"))
        if state.figures.get("fts_ingest_files_per_s")
        else 0
    )
    with Archive(state.home) as archive:
        stats = benchmark.pedantic(archive.stats, rounds=1, iterations=1)
    assert stats.results == N
    raw = state.raw_bytes or stats.raw_bytes
    figures = {
        "blobs_ratio": blobs / raw,
        "blobs_on_disk_ratio": blobs_disk / raw,
        "index_ratio": index / raw,
        "database_ratio": db / raw,
        "total_ratio": (blobs + index + db) / raw,
        "fts5_ratio": fts / raw if fts else None,
    }
    benchmark.extra_info.update({k: round(v, 4) for k, v in figures.items() if v is not None})
    print(
        f"\nstored: originals {figures['blobs_ratio']:.1%} of {raw / 1e6:.0f} MB raw JSON "
        f"({figures['blobs_on_disk_ratio']:.1%} in 4 KB disk blocks); index "
        f"{figures['index_ratio']:.1%}; database {figures['database_ratio']:.1%}; whole "
        f"archive {figures['total_ratio']:.1%}"
        + (f"; plain FTS5 file {figures['fts5_ratio']:.1%}" if fts else "")
    )
    assert figures["blobs_ratio"] <= 0.25, figures
