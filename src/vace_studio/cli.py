"""The ``vace-studio`` command line: submit a request, settle an uncertain submit, check a task,
list the history, run the simulator.

    vace-studio submit request.json [--wait] [--provider P] [--region R] [--base-url URL]
    vace-studio adopt LOCAL_ID TASK_ID [--wait]
    vace-studio resubmit LOCAL_ID [--wait]
    vace-studio status ID
    vace-studio history [--limit N] [--status S]
    vace-studio simulator [--port N]
    vace-studio worker --db postgresql://…     (and usage, cap: see ``class_cli``)

Exit codes of ``submit``, ``adopt`` and ``resubmit``:

    0  the provider accepted the task (with --wait: its video is downloaded)
    1  the task failed, was canceled or is unknown (the provider's code and message are printed)
    2  the request is invalid, or the provider's settings are (nothing was sent) — or, for
       adopt/resubmit, the task cannot be found or cannot take that action
    3  uncertain: the submit's answer was lost and nobody can yet tell whether the provider
       created a task. What to do is printed: look in the provider's console, then
       ``vace-studio adopt LOCAL_ID TASK_ID`` or ``vace-studio resubmit LOCAL_ID``
    4  submissions are held: the provider refused for billing, entitlement or quota reasons;
       the task waits in the store (fix the account, then run any command that resumes)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vace_studio.engine import (
    Client,
    SettingsError,
    Status,
    Store,
    Task,
    TaskRecord,
    resolve_paths,
)
from vace_studio.engine.status import ADOPTABLE, LOCAL_QUEUE, PENDING_SUBMIT, RETRYABLE
from vace_studio.experiments.views import project, task_view
from vace_studio.requests import InvalidRequest

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_UNCERTAIN = 3
EXIT_HELD = 4


class CommandError(Exception):
    """A command that cannot run as asked (exit code 2); the message says why."""


def _client(args: argparse.Namespace) -> Client:
    return Client(args.provider, base_url=args.base_url, region=args.region, home=args.home)


def _row(task: Task | TaskRecord) -> dict[str, Any]:
    """A task as the CLI prints it: the ``cli`` projection (the keys of every other view of a
    task: ``local_id``, ``task_id``, ...)."""
    view = task_view(task.record, task=task) if isinstance(task, Task) else task_view(task)
    return project(view, "cli")


def _cells(row: dict[str, Any]) -> dict[str, Any]:
    """A row for the history table: local time, one error column, the video where it is."""
    created = row.get("created_at")
    code = row.get("error_code")
    return {
        **row,
        "created": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(created)) if created else "",
        "error": f"{code}: {row.get('error_message')}" if code else "",
        "video": row.get("local_path") or row.get("video_url") or "",
    }


async def _until(task: Task, settled: Callable[[Task], bool]) -> None:
    if settled(task):
        return
    event = asyncio.Event()
    stop = task.observe(lambda t: event.set() if settled(t) else None)
    try:
        await event.wait()
    finally:
        stop()


def _outcome(client: Client, task: Task) -> int:
    """The exit code for where a submit left ``task``, with what to do on stderr."""
    rec = task.record
    if task.needs_person:
        print(f"uncertain: {rec.error_message}", file=sys.stderr)
        print(rec.advice or "", file=sys.stderr)
        print(
            f"then: vace-studio adopt {rec.id} TASK_ID   or   vace-studio resubmit {rec.id}",
            file=sys.stderr,
        )
        return EXIT_UNCERTAIN
    if task.status in LOCAL_QUEUE and client.submissions_held:
        print(f"submissions are held: {client.submissions_held}", file=sys.stderr)
        return EXIT_HELD
    if task.status in RETRYABLE:
        print(f"{rec.status}: {rec.error_code}: {rec.error_message}", file=sys.stderr)
        if rec.advice:
            print(rec.advice, file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


async def _follow(client: Client, task: Task, args: argparse.Namespace) -> int:
    """Wait for the submit's outcome, print it, and with ``--wait`` wait for the video."""
    await _until(
        task,
        lambda t: (
            t.status not in PENDING_SUBMIT
            or (t.status in LOCAL_QUEUE and client.submissions_held is not None)
        ),
    )
    print(json.dumps(_row(task), default=str))
    code = _outcome(client, task)
    if code != EXIT_OK or not args.wait:
        return code
    result = await task.wait(args.timeout)
    print(json.dumps(_row(task), default=str))
    return EXIT_OK if result.ok else EXIT_FAILED


async def _submit(args: argparse.Namespace, request: dict[str, Any]) -> int:
    client = _client(args)
    try:
        return await _follow(client, client.enqueue(request), args)
    finally:
        await client.aclose()


async def _stored_task(args: argparse.Namespace) -> tuple[Client, Task]:
    """The client of a stored task's endpoint, resumed, and that task once it needs a person
    (after a restart the engine first looks again for what the lost submit created)."""
    store = Store(resolve_paths(args.home).store)
    record = store.get(args.local_id)
    store.close()
    if record is None:
        raise CommandError(f"no task {args.local_id} in the store")
    if record.status not in ADOPTABLE | PENDING_SUBMIT:
        raise CommandError(f"task {record.id} is {record.status}: there is nothing to settle")
    client = Client(
        record.provider, base_url=record.endpoint, region=record.region or "intl", home=args.home
    )
    await client.resume()
    task = client.task(record.id)
    if task is None:  # another process settled it meanwhile
        await client.aclose()
        raise CommandError(f"task {record.id} is no longer waiting for a person")
    await asyncio.sleep(0)  # let the resumed reconciliation take its first step
    await _until(task, lambda t: t.status not in PENDING_SUBMIT)
    return client, task


async def _adopt(args: argparse.Namespace) -> int:
    client, task = await _stored_task(args)
    try:
        try:
            await task.adopt(args.task_id)
        except ValueError as error:
            raise CommandError(str(error)) from None
        return await _follow(client, task, args)
    finally:
        await client.aclose()


async def _resubmit(args: argparse.Namespace) -> int:
    client, task = await _stored_task(args)
    try:
        try:
            new = await task.resubmit()
        except ValueError as error:
            raise CommandError(str(error)) from None
        return await _follow(client, new, args)
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
    print(json.dumps(project(task_view(record), "detail"), indent=2, default=str))
    return 0


def _history(args: argparse.Namespace) -> int:
    store = Store(resolve_paths(args.home).store)
    records = store.select(statuses=[args.status] if args.status else None)
    rows = [_cells(_row(r)) for r in records[-args.limit :]]
    if not rows:
        print("no tasks yet")
        return 0
    print(_table(rows, ("local_id", "task_id", "function", "status", "created", "cost", "error")))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vace-studio",
        description=__doc__.split("\n")[0],
        epilog="exit codes: 0 ok, 1 failed, 2 invalid, 3 uncertain (the submit's outcome is "
        "unknown), 4 submissions held",
    )
    parser.add_argument("--home", help="store and cache folder (default: VACE_STUDIO_HOME)")
    sub = parser.add_subparsers(dest="command", required=True)

    def waits(command: argparse.ArgumentParser) -> None:
        command.add_argument("--wait", action="store_true", help="wait for the video")
        command.add_argument("--timeout", type=float, default=None, help="seconds to wait at most")

    submit = sub.add_parser("submit", help="submit a request JSON file")
    submit.add_argument("request", help="a JSON file with one request (with 'function')")
    waits(submit)
    submit.add_argument("--provider", default=None)
    submit.add_argument("--region", default="intl", choices=("intl", "cn"))
    submit.add_argument("--base-url", default=None)

    adopt = sub.add_parser(
        "adopt", help="say which provider task an uncertain submit created (from its console)"
    )
    adopt.add_argument("local_id", help="the uncertain task's local id")
    adopt.add_argument("task_id", help="the provider's task id")
    waits(adopt)

    resubmit = sub.add_parser(
        "resubmit", help="submit an uncertain task's request again, as a new task"
    )
    resubmit.add_argument("local_id", help="the uncertain task's local id")
    waits(resubmit)

    status = sub.add_parser("status", help="show one task from the store")
    status.add_argument("id", help="local id or provider task id")

    history = sub.add_parser("history", help="list tasks from the store")
    history.add_argument("--limit", type=int, default=50)
    history.add_argument("--status", default=None, choices=[s.value for s in Status])

    from vace_studio.class_cli import add_cli as add_class_cli
    from vace_studio.simulator.cli import add_cli

    add_cli(sub)
    add_class_cli(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "submit":
            return asyncio.run(_submit(args, json.loads(Path(args.request).read_text())))
        if args.command == "adopt":
            return asyncio.run(_adopt(args))
        if args.command == "resubmit":
            return asyncio.run(_resubmit(args))
        if args.command == "status":
            return _status(args)
        if args.command == "history":
            return _history(args)
        return int(args.run(args))
    except (InvalidRequest, CommandError, SettingsError) as error:
        print(error, file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
