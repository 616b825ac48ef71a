"""The classroom commands of ``vace-studio``: run a key-holder worker, and the teacher's view.

    vace-studio worker --db postgresql://… [--provider P] [--region R] [--base-url URL]
    vace-studio usage --db postgresql://…
    vace-studio cap --db postgresql://… PERSON DOLLARS|none
    vace-studio prune --db postgresql://… [--days N]

The worker reads the key from its environment (``DASHSCOPE_API_KEY``, ...), never from an
argument: a command line is visible to every user of the machine. ``--db`` defaults to
``VACE_STUDIO_DB``. psycopg is imported only when one of these commands runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import Any

from vace_studio.engine.store_api import DB_ENV


def _db(args: argparse.Namespace) -> str:
    url: str | None = args.db or os.environ.get(DB_ENV)
    if not url:
        raise SystemExit(f"give --db postgresql://… or set {DB_ENV}")
    return url


def _worker(args: argparse.Namespace) -> int:
    from vace_studio.engine import PollPolicy, ReconcilePolicy
    from vace_studio.engine.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    expected = args.expected_seconds
    poll = (
        PollPolicy(
            default_expected=expected,
            first_check=min(2.0, expected / 4),
            min_interval=min(0.5, expected / 10),
            dense_interval=min(5.0, expected / 5),
        )
        if expected
        else None
    )
    lag = args.list_lag
    reconcile = (
        ReconcilePolicy(list_lag=lag, quick=(lag / 2, lag / 2, lag / 2, lag / 2)) if lag else None
    )
    worker = Worker(
        _db(args),
        args.provider,
        base_url=args.base_url,
        region=args.region,
        home=args.home,
        heartbeat=args.heartbeat,
        lease=args.lease,
        poll_policy=poll,
        reconcile=reconcile,
    )

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows
                loop.add_signal_handler(sig, worker.stop)
        await worker.run()

    print(
        f"vace-studio worker {worker.id}: {worker.settings.provider} at {worker.endpoint}, "
        f"store {worker.store.path}",
        file=sys.stderr,
        flush=True,
    )
    try:
        asyncio.run(serve())
    finally:
        worker.close()
    return 0


def _usage(args: argparse.Namespace) -> int:
    from vace_studio.engine.classroom import class_account
    from vace_studio.engine.shared_queue import SharedQueue
    from vace_studio.engine.store_pg import PgStore

    store = PgStore(_db(args))
    try:
        rows = SharedQueue(store, class_account(store).endpoint).usage()
    finally:
        store.close()
    if not rows:
        print("no tasks yet")
        return 0
    print(f"{'person':<20} {'tasks':>6} {'in line':>8} {'busy':>8} {'videos':>7} "
          f"{'cost $':>9} {'cap $':>8}")  # fmt: skip
    for row in rows:
        cap = "-" if row.spend_cap is None else f"{row.spend_cap:.2f}"
        print(
            f"{row.person or '(nobody)':<20} {row.tasks:>6} {row.waiting:>8} {row.in_flight:>8} "
            f"{row.with_video:>7} {row.cost:>9.2f} {cap:>8}"
        )
    return 0


def _cap(args: argparse.Namespace) -> int:
    from vace_studio.engine.classroom import class_account
    from vace_studio.engine.shared_queue import SharedQueue
    from vace_studio.engine.store_pg import PgStore

    dollars = None if args.dollars.lower() in ("none", "off", "-") else float(args.dollars)
    store = PgStore(_db(args))
    try:
        SharedQueue(store, class_account(store).endpoint).set_cap(args.person, dollars)
    finally:
        store.close()
    print(f"{args.person}: " + ("no cap" if dollars is None else f"cap ${dollars:.2f}"))
    return 0


def _prune(args: argparse.Namespace) -> int:
    from vace_studio.engine.classroom import class_account
    from vace_studio.engine.shared_queue import SharedQueue
    from vace_studio.engine.store_pg import PgStore

    store = PgStore(_db(args))
    try:
        gone = SharedQueue(store, class_account(store).endpoint).prune_files(args.days * 86400)
    finally:
        store.close()
    print(f"deleted {gone} stored file(s) older than {args.days:g} day(s)")
    return 0


def add_cli(sub: Any) -> None:
    """Add ``worker``, ``usage``, ``cap`` and ``prune`` to the top-level CLI's subparsers."""
    worker = sub.add_parser(
        "worker", help="hold the key and submit a class's tasks from a shared PostgreSQL store"
    )
    worker.add_argument("--db", help=f"postgresql://… (default: {DB_ENV})")
    worker.add_argument("--provider", default=None)
    worker.add_argument("--region", default="intl", choices=("intl", "cn"))
    worker.add_argument("--base-url", default=None)
    worker.add_argument(
        "--heartbeat", type=float, default=2.0, help="seconds between heartbeats (default 2)"
    )
    worker.add_argument(
        "--lease",
        type=float,
        default=10.0,
        help="seconds without a heartbeat after which another worker takes this one's tasks "
        "over (default 10)",
    )
    worker.add_argument(
        "--expected-seconds",
        type=float,
        default=None,
        help="a task's usual run time here, until the store has learned it (e.g. a fast "
        "simulator's)",
    )
    worker.add_argument(
        "--list-lag",
        type=float,
        default=None,
        help="seconds a new task takes to appear in the provider's task list (reconciliation)",
    )
    worker.set_defaults(run=_worker)

    usage = sub.add_parser("usage", help="the teacher's view: tasks and spending per person")
    usage.add_argument("--db", help=f"postgresql://… (default: {DB_ENV})")
    usage.set_defaults(run=_usage)

    cap = sub.add_parser("cap", help="cap what one person may spend (US dollars, or 'none')")
    cap.add_argument("--db", help=f"postgresql://… (default: {DB_ENV})")
    cap.add_argument("person")
    cap.add_argument("dollars")
    cap.set_defaults(run=_cap)

    prune = sub.add_parser(
        "prune", help="delete stored input files and videos older than some days"
    )
    prune.add_argument("--db", help=f"postgresql://… (default: {DB_ENV})")
    prune.add_argument("--days", type=float, default=7.0, help="default 7")
    prune.set_defaults(run=_prune)
