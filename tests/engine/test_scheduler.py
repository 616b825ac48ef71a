"""The scheduler: one booked poll per task, held submissions."""

from __future__ import annotations

import asyncio
from typing import Any

from vace_studio.engine.scheduler import Scheduler
from vace_studio.providers import ProviderLimits


class _Task:
    """Just enough of a task for the scheduler (it only notifies and numbers them)."""

    position: int | None = None
    last_error: str | None = None

    def notify(self) -> None:
        pass


async def test_tracking_a_task_again_replaces_its_booked_poll() -> None:
    polls: list[Any] = []

    async def poll(task: Any) -> None:
        polls.append(task)

    async def submit(task: Any) -> None:
        raise AssertionError("nothing is waiting")

    scheduler = Scheduler(ProviderLimits())
    scheduler.attach(submit=submit, poll=poll)
    scheduler.ensure_running()
    task: Any = _Task()
    scheduler.track(task, 0.05)
    scheduler.track(task, 0.0)  # e.g. an adopted id, polled at once
    await asyncio.sleep(0.3)
    assert polls == [task]
    await scheduler.aclose()


async def test_held_submissions_wait_for_resume_and_tell_observers() -> None:
    sent: list[Any] = []
    seen: list[str | None] = []

    async def submit(task: Any) -> None:
        sent.append(task)

    async def poll(task: Any) -> None:
        raise AssertionError("nothing is tracked")

    scheduler = Scheduler(ProviderLimits())
    scheduler.attach(submit=submit, poll=poll)
    scheduler.observe_hold(seen.append)
    scheduler.ensure_running()
    scheduler.hold("PrepaidBillOverdue — top up")
    waiting: Any = _Task()
    scheduler.enqueue(waiting)
    await asyncio.sleep(0.1)
    assert sent == []
    assert waiting.position == 1
    scheduler.resume()
    await asyncio.sleep(0.1)
    assert sent == [waiting]
    assert seen == ["PrepaidBillOverdue — top up", None]
    await scheduler.aclose()


async def test_a_lost_submit_holds_a_slot_for_a_tasks_usual_time() -> None:
    sent: list[Any] = []

    async def submit(task: Any) -> None:
        sent.append(task)

    async def poll(task: Any) -> None:
        pass

    scheduler = Scheduler(ProviderLimits(max_concurrent=1))
    scheduler.attach(submit=submit, poll=poll)
    scheduler.ensure_running()
    lost: Any = _Task()
    scheduler.occupy(lost, 0.3)  # its task, if created, would run ~0.3 s at the provider
    nxt: Any = _Task()
    scheduler.enqueue(nxt)
    await asyncio.sleep(0.1)
    assert sent == []  # the one slot may be in use by the lost submit's task
    await asyncio.sleep(0.4)
    assert sent == [nxt]
    await scheduler.aclose()
