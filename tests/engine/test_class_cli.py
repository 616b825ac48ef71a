"""The teacher's commands: ``vace-studio usage`` and ``vace-studio cap`` on a class store."""

from __future__ import annotations

import time
from pathlib import Path

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


def test_prune_keeps_the_inputs_unfinished_tasks_need(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = PgStore(pg_url)
    endpoint = "https://dashscope.example"
    SharedQueue(store, endpoint).register(
        Account(endpoint, "dashscope", "dashscope", "intl", False, 2, 2, 300, 0.1)
    )
    digests = []
    for name in ("needed.png", "old.png", "new.png"):
        (tmp_path / name).write_bytes(name.encode())
        digests.append(store.put_blob(tmp_path / name))
    store.execute("UPDATE blobs SET created_at = 0 WHERE sha256 <> %s", (digests[2],))
    now = time.time()
    store.insert(
        TaskRecord(
            id="w", provider="dashscope", protocol="dashscope", endpoint=endpoint,
            function="image_reference", request={}, status=Status.WAITING.value,
            created_at=now, updated_at=now, extra={"inputs": {"/x/needed.png": digests[0]}},
        )
    )  # fmt: skip
    assert main(["prune", "--db", pg_url, "--days", "1"]) == 0
    assert capsys.readouterr().out.startswith("deleted 1 stored file")
    assert [store.has_blob(d) for d in digests] == [True, False, True]
    store.close()
