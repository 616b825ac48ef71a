"""The ``vace-studio`` command line: submit a request, check a task, list the history, run the
simulator.

    vace-studio submit request.json [--wait] [--provider P] [--region R] [--base-url URL]
    vace-studio status ID
    vace-studio history [--limit N] [--status S]
    vace-studio simulator [--port N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vace_studio.engine import Client, Store, TaskRecord, resolve_paths
from vace_studio.requests import InvalidRequest


def _client(args: argparse.Namespace) -> Client:
    return Client(args.provider, base_url=args.base_url, region=args.region, home=args.home)


def _row(record: TaskRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "task_id": record.task_id,
        "provider": record.provider,
        "function": record.function,
        "status": record.status,
        "created": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.created_at)),
        "error": f"{record.error_code}: {record.error_message}" if record.error_code else "",
        "video": record.local_path or record.video_url or "",
        "cost": record.cost,
    }


async def _submit(args: argparse.Namespace, request: dict[str, Any]) -> int:
    client = _client(args)
    try:
        task = await client.submit(request)
        print(json.dumps({"id": task.local_id, "task_id": task.task_id, "status": task.status}))
        if args.wait and task.status not in ("failed", "canceled"):
            result = await task.wait(args.timeout)
            print(json.dumps(_row(task.record), default=str))
            return 0 if result.ok else 1
        return 1 if task.status == "failed" else 0
    finally:
        await client.aclose()


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    widths = {c: max(len(c), *(len(str(r.get(c) or "")) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  ".join(str(r.get(c) or "").ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(lines)


def _status(args: argparse.Namespace) -> int:
    store = Store(resolve_paths(args.home).store)
    record = store.get(args.id) or next((r for r in store.select() if r.task_id == args.id), None)
    if record is None:
        print(f"no task with id {args.id} in {store.path}", file=sys.stderr)
        return 1
    print(json.dumps(record.to_json(), indent=2, default=str))
    return 0


def _history(args: argparse.Namespace) -> int:
    store = Store(resolve_paths(args.home).store)
    records = store.select(statuses=[args.status] if args.status else None)
    rows = [_row(r) for r in records[-args.limit :]]
    if not rows:
        print("no tasks yet")
        return 0
    print(_table(rows, ("id", "task_id", "function", "status", "created", "cost", "error")))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vace-studio", description=__doc__.split("\n")[0])
    parser.add_argument("--home", help="store and cache folder (default: VACE_STUDIO_HOME)")
    sub = parser.add_subparsers(dest="command", required=True)

    submit = sub.add_parser("submit", help="submit a request JSON file")
    submit.add_argument("request", help="a JSON file with one request (with 'function')")
    submit.add_argument("--wait", action="store_true", help="wait for the video")
    submit.add_argument("--timeout", type=float, default=None, help="seconds to wait at most")
    submit.add_argument("--provider", default=None)
    submit.add_argument("--region", default="intl", choices=("intl", "cn"))
    submit.add_argument("--base-url", default=None)

    status = sub.add_parser("status", help="show one task from the store")
    status.add_argument("id", help="local id or provider task id")

    history = sub.add_parser("history", help="list tasks from the store")
    history.add_argument("--limit", type=int, default=50)
    history.add_argument("--status", default=None)

    from vace_studio.simulator.cli import add_cli

    add_cli(sub)
    args = parser.parse_args(argv)
    try:
        if args.command == "submit":
            return asyncio.run(_submit(args, json.loads(Path(args.request).read_text())))
        if args.command == "status":
            return _status(args)
        if args.command == "history":
            return _history(args)
        return int(args.run(args))
    except InvalidRequest as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
