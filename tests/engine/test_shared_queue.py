"""The account's queue in the shared store: slots, fair order, submit pacing, leases, caps."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from vace_studio.engine import TaskRecord
from vace_studio.engine.shared_queue import Account, SharedQueue
from vace_studio.engine.status import Status
from vace_studio.engine.store_pg import PgStore
from vace_studio.engine.worker_scheduler import SharedScheduler
from vace_studio.providers import ProviderLimits

ENDPOINT = "https://dashscope.example"


@pytest.fixture
def queue(pg_url: str) -> Iterator[SharedQueue]:
    store = PgStore(pg_url)
    shared = SharedQueue(store, ENDPOINT)
    shared.register(Account(ENDPOINT, "dashscope", "dashscope", "intl", False, 2.0, 2, 300.0, 0.1))
    yield shared
    store.close()


def _add(queue: SharedQueue, person: str, count: int, **values: Any) -> list[str]:
    ids = []
    for _ in range(count):
        now = time.time()
        local_id = f"{person}-{len(queue.store.select()):03d}"
        queue.store.insert(
            TaskRecord(
                id=local_id, provider="dashscope", protocol="dashscope", endpoint=ENDPOINT,
                function="image_reference", request={"function": "image_reference"},
                status=Status.WAITING.value, created_at=now, updated_at=now, person=person,
                **values,
            )
        )  # fmt: skip
        ids.append(local_id)
    return ids


def test_claims_stop_at_the_accounts_concurrency(queue: SharedQueue) -> None:
    _add(queue, "ann", 3)
    first = queue.claim("w1", max_concurrent=2, ghost_seconds=60)
    second = queue.claim("w2", max_concurrent=2, ghost_seconds=60)
    assert first is not None
    assert second is not None
    assert first.status == second.status == Status.SUBMITTING.value
    assert queue.claim("w1", max_concurrent=2, ghost_seconds=60) is None
    queue.store.update(first.id, status=Status.SUCCEEDED.value)
    assert queue.claim("w1", max_concurrent=2, ghost_seconds=60) is not None


def test_an_uncertain_submit_holds_a_slot_for_a_tasks_usual_time(queue: SharedQueue) -> None:
    (only,) = _add(queue, "ann", 1)
    queue.store.update(only, status=Status.UNCERTAIN.value)
    assert queue.in_flight(ghost_seconds=60) == 1
    assert queue.in_flight(ghost_seconds=0) == 0


def test_round_robin_by_person_so_a_sweep_does_not_starve_a_single_task(
    queue: SharedQueue,
) -> None:
    sweep = _add(queue, "sweeper", 6)
    queue.claim("w", max_concurrent=None, ghost_seconds=60)  # the sweep's first cell
    (single,) = _add(queue, "bea", 1)
    cem = _add(queue, "cem", 2)
    positions = queue.positions()
    assert positions[single] == 1  # never served: first in the next round
    assert positions[cem[0]] == 2
    assert positions[sweep[1]] == 3
    assert positions[cem[1]] == 4
    assert positions[sweep[2]] == 5
    order = []
    while (claimed := queue.claim("w", max_concurrent=None, ghost_seconds=60)) is not None:
        order.append(claimed.person)
    assert order[:4] == ["bea", "cem", "sweeper", "cem"]
    assert order[4:] == ["sweeper"] * 4


def test_the_eta_counts_whole_rounds_of_slots(queue: SharedQueue) -> None:
    assert queue.eta(1, in_flight=1, typical=100, max_concurrent=2) == 0  # a slot is free
    assert queue.eta(1, in_flight=2, typical=100, max_concurrent=2) == 50
    assert queue.eta(2, in_flight=2, typical=100, max_concurrent=2) == 50
    assert queue.eta(3, in_flight=2, typical=100, max_concurrent=2) == 150


def test_submit_pacing_counts_stamps_on_the_database_clock(queue: SharedQueue) -> None:
    assert queue.send_delay(2, 1.0) == 0
    for _ in range(2):
        queue.stamp_answer(queue.stamp_send("w1"))
    wait = queue.send_delay(2, 1.0)
    assert 0.5 < wait <= 1.0
    assert queue.try_send_lock()
    other = SharedQueue(PgStore(queue.store.url), ENDPOINT)
    assert not other.try_send_lock()  # another process: one send at a time per account
    queue.release_send_lock()
    assert other.try_send_lock()
    other.release_send_lock()
    other.store.close()


def test_a_dead_workers_tasks_are_taken_over_once(queue: SharedQueue) -> None:
    ids = _add(queue, "ann", 2)
    queue.heartbeat("w1", "host", ttl=0.3)
    for local_id in ids:
        queue.store.update(local_id, status=Status.RUNNING.value)
        queue.store.execute("UPDATE tasks SET lease_owner = 'w1' WHERE id = %s", (local_id,))
    queue.heartbeat("w2", "host", ttl=30)
    assert queue.take_over("w2") == []  # w1 is alive
    time.sleep(0.4)
    taken = queue.take_over("w2")
    assert sorted(r.id for r in taken) == ids
    assert queue.take_over("w3") == []  # w2 holds them now


def test_spend_caps_and_usage(queue: SharedQueue) -> None:
    done = _add(queue, "ann", 2, cost=0.5)
    for local_id in done:
        queue.store.update(local_id, status=Status.SUCCEEDED.value)
    _add(queue, "ann", 1)
    assert queue.committed("ann", 0.5) == (1.0, None)
    queue.claim("w", max_concurrent=None, ghost_seconds=60)
    queue.set_cap("ann", 1.2)
    assert queue.committed("ann", 0.5) == (1.5, 1.2)
    (usage,) = queue.usage()
    assert (usage.person, usage.tasks, usage.in_flight, usage.with_video) == ("ann", 3, 1, 2)
    assert usage.cost == 1.0
    assert usage.spend_cap == 1.2


def test_live_workers_share_the_accounts_poll_budget(queue: SharedQueue) -> None:
    queue.heartbeat("w1", "host", ttl=30)
    queue.heartbeat("w2", "host", ttl=30)
    assert queue.live_workers() == 2
    scheduler = SharedScheduler(
        ProviderLimits(submits_per_second=2, max_concurrent=2, polls_per_second=20),
        queue,
        "w1",
        make_task=lambda record: pytest.fail("nothing is claimed here"),
        ghost_seconds=lambda: 60.0,
    )
    assert scheduler.poll_limiter is not None
    assert scheduler.poll_limiter.max_events == 20
    scheduler.share_polls(queue.live_workers())
    assert scheduler.poll_limiter.max_events == 10
    queue.retire("w2")
    scheduler.share_polls(queue.live_workers())
    assert scheduler.poll_limiter.max_events == 20
