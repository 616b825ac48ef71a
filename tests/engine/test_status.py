"""The task state machine: one table, derived sets, and ``Task.commit`` as the only way to move."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from vace_studio.engine import Event, Status, Store, TaskRecord, TransitionError
from vace_studio.engine import status as table
from vace_studio.engine.task import Task


def _reachable(start: Status) -> set[Status]:
    seen, frontier = {start}, [start]
    while frontier:
        current = frontier.pop()
        for (source, _), target in table.TRANSITIONS.items():
            if source is current and target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def test_every_status_is_reachable_from_waiting_and_every_unfinished_one_can_end() -> None:
    assert _reachable(Status.WAITING) == set(Status)
    for status in table.UNFINISHED:
        assert _reachable(status) & table.TERMINAL, status


def test_derived_sets_say_what_the_table_says() -> None:
    assert {
        Status.SUCCEEDED,
        Status.FAILED,
        Status.CANCELED,
        Status.UNKNOWN,
        Status.REPLACED,
    } == table.TERMINAL
    assert {Status.WAITING, Status.SUBMITTING, Status.RECONCILING} == table.PENDING_SUBMIT
    assert Status.UNCERTAIN in table.SETTLED_AFTER_SUBMIT
    assert {Status.QUEUED, Status.RUNNING} == table.AT_PROVIDER
    assert {Status.WAITING, Status.QUEUED} == table.CANCELABLE
    assert table.ADOPTABLE == table.RESUBMITTABLE == {Status.UNCERTAIN}
    assert {Status.FAILED, Status.CANCELED, Status.UNKNOWN} == table.RETRYABLE
    assert {Status.WAITING} == table.LOCAL_QUEUE
    assert {Status.SUCCEEDED} == table.WITH_VIDEO


def test_the_browser_gets_the_same_table() -> None:
    data = table.table_json()
    assert data["statuses"] == [s.value for s in Status]
    assert len(data["transitions"]) == len(table.TRANSITIONS)
    assert set(data["cancelable"]) == {s.value for s in table.CANCELABLE}
    assert set(data["unfinished"]) == {s.value for s in table.UNFINISHED}


def test_polls_never_move_a_task_backwards() -> None:
    assert table.poll_event(Status.RUNNING, "queued") is None
    assert table.poll_event(Status.QUEUED, "running") is Event.START
    assert table.poll_event(Status.RUNNING, "canceled") is Event.STOPPED
    assert table.poll_event(Status.SUCCEEDED, "failed") is None


class _NoActions:
    async def cancel(self, task: Task) -> bool:
        raise AssertionError

    async def adopt(self, task: Task, task_id: str) -> None:
        raise AssertionError

    async def resubmit(self, task: Task) -> Task:
        raise AssertionError


def _task(store: Store, local_id: str = "t1") -> Task:
    now = time.time()
    record = TaskRecord(
        id=local_id,
        provider="simulator",
        protocol="dashscope",
        endpoint="http://127.0.0.1:1",
        function="video_outpainting",
        request={"function": "video_outpainting"},
        status=Status.WAITING.value,
        created_at=now,
        updated_at=now,
    )
    store.insert(record)
    return Task(store, record, _NoActions())


def test_commit_writes_the_store_then_the_record_then_tells_observers(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    task = _task(store)
    seen: list[tuple[str, str | None]] = []

    def observer(t: Task) -> None:
        # By the time an observer hears of it, the store already holds the change.
        stored = store.get(t.local_id)
        assert stored is not None
        seen.append((stored.status, stored.owner))

    task.observe(observer)
    assert task.commit(Event.CLAIM, owner="me")
    assert task.status is Status.SUBMITTING
    assert task.record.owner == "me"
    assert seen == [("submitting", "me")]
    with pytest.raises(TransitionError):
        task.commit(Event.SUCCEED)
    assert task.commit(Event.REFUSE, error_code="X", error_message="no")
    assert task.record.finished_at is not None  # a terminal move stamps its end
    assert store.get("t1") == task.record
    store.close()


def test_a_move_another_kernel_made_first_is_not_made_twice(tmp_path: Path) -> None:
    first, second = Store(tmp_path / "s.db"), Store(tmp_path / "s.db")
    mine = _task(first)
    theirs = Task(second, second.get("t1") or mine.record, _NoActions())
    assert theirs.commit(Event.CLAIM, owner="them")
    assert not mine.commit(Event.CLAIM, owner="me")
    # The loser's record now shows what really happened.
    assert mine.status is Status.SUBMITTING
    assert mine.record.owner == "them"
    first.close()
    second.close()
