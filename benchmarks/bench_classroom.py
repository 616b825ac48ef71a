"""Classroom queue overhead: from a slot freeing to the next submit, with 1, 3 and 10 students.

A throwaway PostgreSQL server, the simulator (DashScope's limits: 2 tasks at once, 2 submits/s;
a task runs ``--run`` seconds, so slots free more slowly than the submit budget refills and the
figure is the queue's own cost), one ``vace-studio worker`` process with the key, and N student
processes without it, each enqueueing its share of ``--tasks`` at once. A slot frees when the
worker records a task's end in the store (the database's clock stamps every status change); the
next submit is stamped by the worker on the same clock just before it is sent. So the overhead
of the k-th submit after the first two is ``sent_at[k] - freed_at[k - 2]``: noticing the free
slot, claiming the next task in fair order, preparing and pacing it.

    python -m benchmarks.bench_classroom [--students 1 3 10] [--tasks 24] [--run 1.5]
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.common import percentile, save
from tests.engine.class_tools import cell, fast_render, start_student, start_worker
from tests.pg_server import pg_server
from vace_studio.engine.status import TERMINAL
from vace_studio.simulator import SimulatorConfig, serve
from vace_studio.simulator.samples import FileServer, make_image

SLOTS = 2


def _rows(db: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(db) as conn:
        return conn.execute(sql).fetchall()


def overheads(db: str) -> list[float]:
    """Seconds from each slot freeing to the submit that took it."""
    terminal = ", ".join(f"'{s.value}'" for s in TERMINAL)
    freed = [float(r[0]) for r in _rows(
        db, f"SELECT status_changed_at FROM tasks WHERE status IN ({terminal}) ORDER BY 1"
    )]  # fmt: skip
    sent = [float(r[0]) for r in _rows(db, "SELECT sent_at FROM submit_stamps ORDER BY 1")]
    return [sent[k] - freed[k - SLOTS] for k in range(SLOTS, len(sent))]


def one_run(server: Any, students: int, args: argparse.Namespace, image: str, tmp: Path) -> Any:
    db = server.database("bench")
    config = SimulatorConfig(queue_seconds=0.0, run_seconds=args.run, renderer=fast_render)
    with serve(config) as sim:
        worker = start_worker(db, sim.base_url, sim.key(), tmp / "worker", tmp / "worker.log")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if (
                _rows(db, "SELECT to_regclass('accounts') IS NOT NULL")[0][0]
                and _rows(db, "SELECT count(*) FROM accounts")[0][0]
            ):
                break
            time.sleep(0.1)
        per = -(-args.tasks // students)
        started = time.monotonic()
        procs = [
            start_student(
                {
                    "db": db,
                    "person": f"s{i}",
                    "home": str(tmp / f"s{i}"),
                    "bursts": [
                        {"at": 0, "requests": [cell(image, f"s{i}", j) for j in range(per)]}
                    ],
                },
                tmp / f"s{i}.log",
            )
            for i in range(students)
        ]
        outputs = [p.communicate(timeout=600)[0] for p in procs]
        reports = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
        wall = time.monotonic() - started
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        stats = sim.stats()
    ok = sum(1 for r in reports for t in r["tasks"] if t["video"])
    gaps = overheads(db)
    return {
        "students": students,
        "tasks": per * students,
        "videos": ok,
        "wall_seconds": round(wall, 2),
        "overhead_ms": {
            "n": len(gaps),
            "median": round(statistics.median(gaps) * 1000, 1),
            "p90": round(percentile(gaps, 90) * 1000, 1),
            "max": round(max(gaps) * 1000, 1),
        },
        "peak_unfinished": max(stats.peak_unfinished.values()),
        "rejected": stats.rejected,
        "duplicates": stats.duplicate_submits,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--tasks", type=int, default=24)
    parser.add_argument("--run", type=float, default=1.5, help="seconds a task runs")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as folder, pg_server() as server:
        tmp = Path(folder)
        image = make_image(tmp / "ref.png", 480, 400)
        with FileServer(tmp) as files:
            for count in args.students:
                run_dir = tmp / f"run{count}"
                run_dir.mkdir()
                result = one_run(server, count, args, files.url(image), run_dir)
                runs.append(result)
                o = result["overhead_ms"]
                print(
                    f"{count:>3} students, {result['tasks']} tasks: slot freed → next submit "
                    f"median {o['median']} ms, p90 {o['p90']} ms, max {o['max']} ms "
                    f"(n={o['n']}); peak running {result['peak_unfinished']}, "
                    f"refused {sum(result['rejected'].values())}, {result['videos']} videos "
                    f"in {result['wall_seconds']} s",
                    flush=True,
                )
    save("classroom", {"run_seconds": args.run, "runs": runs})


if __name__ == "__main__":
    main()
