"""The classroom acceptance run: three students' kernels (no key) and two key-holder workers, each
its own process, share one simulated DashScope account through a real PostgreSQL store.

One student sends a 40-cell sweep first; two others send a single task and then bursts: 60 tasks.
One worker is killed mid-run. The simulator must never see more than the account's 2 running
tasks or 2 submits in a second (it refuses, and counts, anything beyond), nothing may be lost or
created twice, the others' tasks must not wait behind the whole sweep, and the key must appear in
no student's environment, output, files — and nowhere in the database.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.engine.class_tools import cell, fast_render, keyless_env, start_student, start_worker
from tests.helpers import sim_config
from vace_studio.engine.status import WITH_VIDEO
from vace_studio.simulator import serve
from vace_studio.simulator.samples import FileServer, Samples

pytestmark = pytest.mark.slow


def _wait_for(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _rows(db: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(db) as conn:
        return conn.execute(sql).fetchall()


def _finished(db: str) -> int:
    statuses = ", ".join(f"'{s.value}'" for s in WITH_VIDEO)
    return int(_rows(db, f"SELECT count(*) FROM tasks WHERE status IN ({statuses})")[0][0])


def _everything(db: str) -> str:
    """Every row of every table of the store, as text (bytea as hex)."""
    tables = [r[0] for r in _rows(db, "SELECT tablename FROM pg_tables WHERE schemaname='public'")]
    return "\n".join(str(_rows(db, f'SELECT t::text FROM "{table}" t')) for table in tables)


def _specs(image: str, db: str, tmp: Path) -> list[dict[str, Any]]:
    def student(person: str, bursts: list[tuple[float, range]]) -> dict[str, Any]:
        return {
            "db": db,
            "person": person,
            "home": str(tmp / person),
            "bursts": [
                {
                    "at": at,
                    "requests": [cell(image, person, i) for i in cells],
                    "group": "sweep" if person == "sweeper" else None,
                }
                for at, cells in bursts
            ],
        }

    return [
        student("sweeper", [(0.0, range(40))]),
        student("bea", [(1.0, range(1)), (4.0, range(1, 10))]),
        student("cem", [(1.5, range(5)), (5.0, range(5, 10))]),
    ]


def test_a_class_shares_one_account_fairly_within_its_limits(
    pg_url: str, media: Samples, file_server: FileServer, tmp_path: Path
) -> None:
    config = sim_config(queue_seconds=0.1, run_seconds=0.4, renderer=fast_render)
    with serve(config) as sim:
        key = sim.key()
        workers = [
            start_worker(pg_url, sim.base_url, key, tmp_path / f"w{i}", tmp_path / f"w{i}.log")
            for i in (1, 2)
        ]
        try:
            _wait_for(lambda: _rows(pg_url, "SELECT count(*) FROM accounts")[0][0] == 1
                      if _has_schema(pg_url) else False, 30, "the workers to register")  # fmt: skip
            specs = _specs(file_server.url(media.image), pg_url, tmp_path)
            students = [start_student(s, tmp_path / f"{s['person']}.log") for s in specs]
            _wait_for(lambda: _finished(pg_url) >= 15, 60, "a quarter of the tasks")
            workers[0].send_signal(signal.SIGKILL)  # no goodbye: its leases must expire
            reports = []
            for process in students:
                out, _ = process.communicate(timeout=120)
                assert process.returncode == 0, (tmp_path / "sweeper.log").read_text()[-3000:]
                reports.append(json.loads(out.strip().splitlines()[-1]))
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
                    try:
                        worker.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        worker.kill()
        stats = sim.stats()

    # The provider's limits held for the whole class: nothing refused, never 3 at once.
    assert stats.rejected == {}, stats.rejected
    assert max(stats.peak_unfinished.values()) <= 2
    # 0 lost, 0 duplicates: 60 tasks created, each request once, each video in its kernel.
    assert sum(stats.tasks_created.values()) == 60
    assert stats.duplicate_submits == 0
    assert stats.repeated_submit_bodies == 0
    outcomes = [task for report in reports for task in report["tasks"]]
    assert len(outcomes) == 60
    assert all(t["status"] in {s.value for s in WITH_VIDEO} and t["video"] for t in outcomes)
    # Fair share: the others' tasks do not wait behind the whole sweep.
    ends = {
        person: sorted(float(r[0]) for r in _rows(
            pg_url, f"SELECT status_changed_at FROM tasks WHERE person = '{person}'"
        ))
        for person in ("sweeper", "bea", "cem")
    }  # fmt: skip
    assert max(ends["bea"][-1], ends["cem"][-1]) < ends["sweeper"][-10]
    # Every waiting card showed its place in the account's queue, with an ETA.
    sweep = reports[0]["tasks"]
    assert sum(1 for t in sweep if t["places"]) >= 30
    assert all(p >= 1 and eta is not None and eta >= 0 for t in outcomes for p, eta in t["places"])
    assert max(p for t in sweep for p, _ in t["places"]) >= 30
    # The key reached no student: not their environment, output, files — nor the database.
    assert key not in json.dumps(keyless_env())
    for spec in _specs("", pg_url, tmp_path):
        person = spec["person"]
        assert key not in (tmp_path / f"{person}.log").read_text()
        for path in (tmp_path / person).rglob("*"):
            if path.is_file():
                assert key.encode() not in path.read_bytes(), path
    dump = _everything(pg_url)
    assert key not in dump
    assert key.encode().hex() not in dump


def _has_schema(db: str) -> bool:
    return bool(_rows(db, "SELECT to_regclass('accounts') IS NOT NULL")[0][0])
