"""The teacher's commands: ``vace-studio usage`` and ``vace-studio cap`` on a class store."""

from __future__ import annotations

import time

import pytest

from vace_studio.cli import main
from vace_studio.engine import Status, TaskRecord
from vace_studio.engine.shared_queue import Account, SharedQueue
from vace_studio.engine.store_pg import PgStore


def test_usage_and_caps_per_person(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = PgStore(pg_url)
    queue = SharedQueue(store, "https://dashscope.example")
    queue.register(
        Account(
            "https://dashscope.example", "dashscope", "dashscope", "intl", False, 2, 2, 300, 0.1
        )
    )
    now = time.time()
    for person, status, cost in (("ann", Status.SUCCEEDED, 0.5), ("bob", Status.WAITING, None)):
        store.insert(
            TaskRecord(
                id=person, provider="dashscope", protocol="dashscope", endpoint=queue.endpoint,
                function="image_reference", request={}, status=status.value, created_at=now,
                updated_at=now, person=person, cost=cost,
            )
        )  # fmt: skip
    assert main(["cap", "--db", pg_url, "ann", "2.5"]) == 0
    assert main(["usage", "--db", pg_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "ann: cap $2.50"
    ann = next(line.split() for line in lines if line.startswith("ann "))
    bob = next(line.split() for line in lines if line.startswith("bob "))
    assert ann == ["ann", "1", "0", "0", "1", "0.50", "2.50"]
    assert bob == ["bob", "1", "1", "0", "0", "0.00", "-"]
    assert main(["cap", "--db", pg_url, "ann", "none"]) == 0
    assert queue.committed("ann", 0.0) == (0.5, None)
    store.close()
