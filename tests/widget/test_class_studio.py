"""``Studio(store="postgresql://…")``: a student's widget in a class store — it submits through
the shared queue, shows the account's facts, filters History by person, and never holds the key
(not in a trait, not in a message). Its ``has_key`` is true: the class can submit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.engine.class_tools import cell, running_worker
from tests.helpers import STUDIO_POLLS
from tests.widget.conftest import comm_of
from vace_studio.engine import Client
from vace_studio.engine.classroom import Follower
from vace_studio.simulator import SimulatorHandle
from vace_studio.simulator.samples import FileServer, Samples
from vace_studio.widget import Studio


async def test_a_students_studio_submits_through_the_class_and_never_holds_the_key(
    pg_url: str,
    studio_simulator: SimulatorHandle,
    file_server: FileServer,
    media: Samples,
    tmp_path: Path,
    ask: Any,
) -> None:
    key = studio_simulator.key("class-widget")
    image = file_server.url(media.image)
    async with running_worker(pg_url, studio_simulator, "class-widget", tmp_path / "worker"):
        other = Client(store=pg_url, person="bob", home=tmp_path / "bob", announce=False)
        await other.enqueue(cell(image, "bob", 1)).wait(30)
        studio = Studio(store=pg_url, person="ann", home=tmp_path / "ann", poll_policy=STUDIO_POLLS)
        answer, _ = await ask(studio, "submit", request=cell(image, "ann", 1))
        assert answer["ok"], answer
        task = studio.client.task(answer["local_id"])
        assert task is not None
        result = await task.wait(30)
        assert result.ok
        await asyncio.sleep(0.3)  # the card's last push
        assert studio.key_targets == []  # the header offers no key form: the worker has it
        refused, _ = await ask(studio, "set_key", key="sk-typed-by-ann", provider="")
        assert (refused["ok"], refused["code"]) == (False, "key_refused")
        assert "worker" in refused["error"]
        page, _ = await ask(studio, "history", person="ann")
        assert [row["local_id"] for row in page["rows"]] == [task.local_id]
        assert page["facets"]["person"] == ["ann", "bob"]
        usage, _ = await ask(studio, "usage")  # the teacher's view: what `vace-studio usage` says
        people = {row["person"]: row for row in usage["people"]}
        assert set(people) == {"ann", "bob"}
        assert {k: people["ann"][k] for k in ("tasks", "waiting", "in_flight", "with_video")} == {
            "tasks": 1, "waiting": 0, "in_flight": 0, "with_video": 1
        }  # fmt: skip
        assert people["ann"]["spend_cap"] is None
        assert isinstance(people["bob"]["cost"], float)
        state = json.dumps(studio.get_state(), default=str)
        messages = comm_of(studio).sent
        studio.close()
        await studio.client.aclose()
        studio.client.store.close()
        await other.aclose()
        other.store.close()
    assert key not in state
    for message in messages:
        assert key not in json.dumps(message["data"], default=str)
        assert all(key.encode() not in buffer for buffer in message["buffers"])
        assert "sk-typed-by-ann" not in json.dumps(message["data"], default=str)


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Waits for what the store's follower and the card throttle do in their own time."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 — no event to wait on
            await asyncio.sleep(0.05)


async def test_a_students_cards_show_their_place_in_the_class_queue_at_one_push_per_move(
    pg_url: str, studio_simulator: SimulatorHandle, file_server: FileServer, media: Samples,
    tmp_path: Path, ask: Any,
) -> None:  # fmt: skip
    async with running_worker(pg_url, studio_simulator, "class-places", tmp_path / "worker"):
        pass  # registers the account, then stops: every task waits in line
    image = file_server.url(media.image)
    studio = Studio(store=pg_url, person="ann", home=tmp_path / "ann", poll_policy=STUDIO_POLLS)
    bob = Client(store=pg_url, person="bob", home=tmp_path / "bob", announce=False)
    try:
        tasks = [studio.enqueue(cell(image, "ann", i)) for i in range(4)]
        await _until(lambda: all(t.position for t in tasks))  # the follower's look
        await asyncio.sleep(0.4)  # the card flush
        hello, _ = await ask(studio, "hello")
        places = {c["local_id"]: (c["position"], c["eta"]) for c in hello["cards"]}
        follower = studio.client.scheduler
        assert isinstance(follower, Follower)
        typical = follower.expected  # the account's usual task time
        half = round(typical / 2)
        # Two slots free: the first two are sent at once, the next two after a round.
        assert [places[t.local_id] for t in tasks] == [(1, 0), (2, 0), (3, half), (4, half)]
        comm = comm_of(studio)
        before = len(comm.pushes("tasks"))
        await asyncio.sleep(1.0)  # five looks at a quiet class store
        assert len(comm.pushes("tasks")) == before, "a quiet queue pushes nothing (no ETA tick)"
        # A classmate's first task goes in front of ann's second (fair share): three of ann's cards
        # move back, in one push, each delta only its new place.
        bob.enqueue(cell(image, "bob", 1))
        await _until(lambda: len(comm.pushes("tasks")) > before)
        await asyncio.sleep(0.6)  # time enough for a second push, if there were one
        pushes = comm.pushes("tasks")[before:]
        assert len(pushes) == 1, pushes
        moved = {d["local_id"]: d for d in pushes[0]["cards"]}
        assert set(moved) == {t.local_id for t in tasks[1:]}
        assert all(set(d) <= {"local_id", "position", "eta"} for d in moved.values())
        assert [moved[t.local_id]["position"] for t in tasks[1:]] == [3, 4, 5]
        # About 60 bytes per card whose place moved (a 32-character id, a place, an ETA).
        assert len(json.dumps(pushes[0])) < 60 + 70 * len(moved)
        # Notebook code reads the same place (``Studio.cards``, the notebook_card projection).
        assert {c["local_id"]: c["position"] for c in studio.cards}[tasks[3].local_id] == 5
    finally:  # a failed check must not leave connections behind for the next test
        studio.close()
        await studio.client.aclose()
        studio.client.store.close()
        await bob.aclose()
        bob.store.close()
