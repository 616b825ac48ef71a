"""The Studio's Python side against the real simulator: traits, cards, deltas, the Python API."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import traitlets

from tests.helpers import KitePng
from vace_studio import Client, InvalidRequest, Studio
from vace_studio.requests import request_schema
from vace_studio.simulator import SimulatorHandle


def request(image: Path, prompt: str = "a red kite over the sea") -> dict[str, Any]:
    return {"function": "image_reference", "prompt": prompt, "ref_images_url": [str(image)]}


async def settle(studio: Studio) -> None:
    """Lets the throttled flush run."""
    await asyncio.sleep(studio._cards.throttle.interval + 0.05)


def sync_state(studio: Studio) -> dict[str, Any]:
    return dict(studio.comm.sent[0]["data"]["state"])


async def test_the_synced_state_is_small_json_without_secrets(
    studio: Studio, studio_simulator: SimulatorHandle
) -> None:
    state = sync_state(studio)
    assert state["schema"] == request_schema()
    assert state["provider"] == "simulator"
    assert state["simulated"] is True
    assert state["has_key"] is False  # the simulator's built-in key is not a key
    assert state["price_per_second"] is None  # the simulator charges nothing
    assert [t["value"] for t in state["key_targets"]] == [
        "dashscope:intl", "dashscope:cn", "modellix", "mulerouter",
    ]  # fmt: skip
    # Python-side traits stay out of the comm: saved notebooks do not grow with every task.
    assert "cards" not in state
    assert "results" not in state
    assert studio_simulator.secret not in json.dumps(state)
    assert studio.comm.sent[0]["buffers"] == []


async def test_a_submitted_task_becomes_cards_results_and_small_deltas(
    studio: Studio, kite_png: KitePng
) -> None:
    seen: list[int] = []
    studio.observe(lambda change: seen.append(len(change["new"])), names="results")
    task = studio.enqueue(request(kite_png.image))
    assert studio.tasks == [task]
    await task.wait(30)
    await settle(studio)

    (result,) = studio.results
    assert result["local_id"] == task.local_id
    assert result["task_id"] == task.task_id
    assert result["status"] == "succeeded"
    assert Path(result["local_path"]).is_file()  # noqa: ASYNC240
    assert result["prompt"] == "a red kite over the sea"
    assert result["total_seconds"] > 0
    assert studio.cards[0]["position"] is None
    assert studio.cards[0]["status"] == "succeeded"
    assert seen[-1] == 1

    pushes = studio.comm.pushes("tasks")
    first, *later = [delta for push in pushes for delta in push["cards"]]
    assert first["status"] == "waiting"
    assert first["request"]["prompt"] == "a red kite over the sea"
    assert "local_path" not in first
    assert first["position"] is None  # one kernel: the browser ranks waiting cards by order
    statuses = [d["status"] for d in later if "status" in d]
    assert statuses[-1] == "succeeded"
    for delta in later:
        assert "request" not in delta  # unchanged fields are not resent
        assert len(json.dumps(delta)) < 600
    assert later[-1]["has_video"] is True or any(d.get("has_video") for d in later)


async def test_changes_in_one_burst_share_one_push(studio: Studio, kite_png: KitePng) -> None:
    studio.client.scheduler.pause_submissions(30)  # keep them waiting
    for i in range(20):
        studio.enqueue(request(kite_png.image, f"kite {i}"))
    await settle(studio)
    pushes = studio.comm.pushes("tasks")
    assert len(pushes) == 1
    assert len(pushes[0]["cards"]) == 20


async def test_the_queue_moving_up_costs_no_message_per_waiting_task(
    studio: Studio, kite_png: KitePng
) -> None:
    tasks = [studio.enqueue(request(kite_png.image, f"kite {i}")) for i in range(6)]
    positions: list[int] = []
    for task in tasks:
        task.observe(lambda t: positions.append(t.position or 0))
    await asyncio.gather(*(t.wait(60) for t in tasks))
    await settle(studio)
    deltas = [d for p in studio.comm.pushes("tasks")[1:] for d in p["cards"]]
    # Tasks waited behind the 2 concurrent slots and moved up, but no position ever travelled.
    assert max(positions) >= 3
    assert all(d.get("position") is None and d.get("eta") is None for d in deltas)
    # Nor does the learned typical duration, which moves with every success.
    assert not any(set(d) == {"local_id", "expected_seconds"} for d in deltas)
    assert all(set(d) - {"local_id"} for d in deltas), "no empty deltas"
    assert not any(set(d) == {"local_id", "order"} for d in deltas)


async def test_queue_order_follows_a_task_put_back_at_the_front(
    studio: Studio, kite_png: KitePng
) -> None:
    scheduler = studio.client.scheduler
    scheduler.pause_submissions(30)
    tasks = [studio.enqueue(request(kite_png.image, f"kite {i}")) for i in range(4)]
    await settle(studio)
    last = tasks[-1]
    assert scheduler.remove_waiting(last)
    scheduler.enqueue(last, front=True)  # what a throttled submit does
    await settle(studio)
    by_order = sorted(
        (c for c in studio._cards.sent.values() if c["status"] == "waiting"),
        key=lambda c: c["order"],
    )
    assert [c["local_id"] for c in by_order] == [
        t.local_id for t in sorted(tasks, key=lambda t: t.position or 0)
    ]
    assert by_order[0]["local_id"] == last.local_id


async def test_hello_answers_every_card_newest_first_after_flushing(
    studio: Studio, kite_png: KitePng, ask: Any
) -> None:
    studio.client.scheduler.pause_submissions(30)
    a = studio.enqueue(request(kite_png.image, "first"))
    b = studio.enqueue(request(kite_png.image, "second"))
    answer, _ = await ask(studio, "hello")  # before the throttle fired: it flushes first
    assert answer["ok"] is True
    assert isinstance(answer["now"], float)
    assert [c["local_id"] for c in answer["cards"]] == [b.local_id, a.local_id]


async def test_submit_rejects_an_invalid_request_before_anything_is_recorded(
    studio: Studio,
) -> None:
    with pytest.raises(InvalidRequest):
        studio.enqueue({"function": "image_reference", "prompt": ""})
    assert studio.tasks == []
    assert studio.client.records() == []


async def test_tasks_submitted_through_the_client_appear_by_themselves(
    studio: Studio, kite_png: KitePng
) -> None:
    task = studio.client.enqueue(request(kite_png.image))  # Client.observe_tasks tells the studio
    assert studio.tasks == [task]
    studio.track(task)  # tracking it again changes nothing
    assert studio.tasks == [task]
    await task.wait(30)
    studio.close()
    later = studio.client.enqueue(request(kite_png.image))
    assert later not in studio.tasks  # a closed studio stops listening
    await later.wait(30)


async def test_messages_from_another_thread_are_handled_on_the_notebook_loop(
    studio: Studio, ask: Any
) -> None:
    # JupyterLab 4.6 sends widget messages on a kernel subshell: another thread, another loop.
    handled_on: list[str] = []
    original = studio._commands.handle

    def spy(content: Any, buffers: Any, buffer_limit: int | None = None) -> None:
        handled_on.append(threading.current_thread().name)
        original(content, buffers, buffer_limit)

    studio._commands.handle = spy  # type: ignore[method-assign]

    def subshell() -> None:
        async def send() -> None:
            studio._handle_custom_msg({"id": "x-1", "kind": "hello"}, [])

        asyncio.run(send())

    thread = threading.Thread(target=subshell, name="subshell-test")
    thread.start()
    thread.join()
    for _ in range(100):
        if studio.comm.answer("x-1"):
            break
        await asyncio.sleep(0.01)
    assert handled_on == [threading.current_thread().name]
    assert studio.comm.answer("x-1") is not None


async def test_close_stops_updates(studio: Studio, kite_png: KitePng) -> None:
    task = studio.enqueue(request(kite_png.image))
    studio.close()
    assert task._observers == []
    await task.wait(30)


def test_studio_without_a_loop_still_builds(
    tmp_path: Path, studio_simulator: SimulatorHandle
) -> None:
    from vace_studio.engine import Client

    client = Client(
        "simulator",
        api_key=studio_simulator.key(),
        base_url=studio_simulator.base_url,
        home=tmp_path,
    )
    studio = Studio(client=client)  # no running loop: no resume, nothing scheduled
    assert studio._resuming is None
    assert studio.tasks == []
    studio.close()


async def test_the_opening_tab_is_a_public_choice(
    studio_simulator: SimulatorHandle, tmp_path: Path
) -> None:
    client = Client(
        "simulator",
        api_key=studio_simulator.key(),
        base_url=studio_simulator.base_url,
        home=tmp_path / "home",
    )
    widget = Studio(client=client, view="history", resume=False)
    try:
        assert sync_state(widget)["view"] == "history"
        widget.view = "gallery"
        with pytest.raises(traitlets.TraitError):
            widget.view = "settings"
    finally:
        widget.close()
        await client.aclose()
