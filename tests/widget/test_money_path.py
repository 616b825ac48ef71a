"""The money path in the studio: the status table as a trait, an uncertain submit's two choices,
the held queue and its banner, and the warnings the form and the cards show."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import JS_FIXTURES, STUDIO_POLLS, STUDIO_RETRY, KitePng
from vace_studio import Studio
from vace_studio.engine import Client, Task
from vace_studio.engine.status import ADOPTABLE, LOCAL_QUEUE, WITH_VIDEO, Status, table_json
from vace_studio.simulator import FaultConfig, SimulatorHandle

FIXTURE = JS_FIXTURES / "status_table.json"


def request(image: Path | str, prompt: str = "a red kite") -> dict[str, Any]:
    return {"function": "image_reference", "prompt": prompt, "ref_images_url": [str(image)]}


@pytest.fixture
async def modellix(studio_simulator: SimulatorHandle, tmp_path: Path) -> AsyncIterator[Studio]:
    """A studio whose client speaks Modellix to the simulator (a provider that cannot list)."""
    client = Client(
        "modellix",
        api_key=studio_simulator.key("modellix-widget"),
        base_url=studio_simulator.base_url,
        home=tmp_path / "home",
        poll_policy=STUDIO_POLLS,
        retry=STUDIO_RETRY,
    )
    widget = Studio(client=client)
    yield widget
    widget.close()
    studio_simulator.set_faults()
    await client.aclose()


async def until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def lost_submit(studio: Studio, simulator: SimulatorHandle, image: Path) -> tuple[Task, str]:
    """A submit whose answer is dropped after the simulator created the task."""
    before = {t["id"] for t in simulator.tasks()}
    simulator.set_faults(FaultConfig(drop_after_rate=1.0, routes=frozenset({"submit"})))
    try:
        task = await studio.client.submit(request(image))
    finally:
        simulator.set_faults()
    assert task.status in ADOPTABLE
    (created,) = [t["id"] for t in simulator.tasks() if t["id"] not in before]
    return task, created


async def flushed_card(studio: Studio, local_id: str) -> dict[str, Any]:
    studio._cards.throttle.flush_now()
    return studio._cards.sent[local_id]


def test_the_status_table_is_a_trait_and_the_front_end_fixture_is_current(
    studio: Studio,
) -> None:
    assert studio.status_table == table_json()
    assert json.loads(FIXTURE.read_text()) == table_json(), (
        "js/test/fixtures/status_table.json is stale: write table_json() to it "
        "(json.dumps(..., indent=2) plus a newline)"
    )


async def test_an_uncertain_card_carries_its_advice_and_adopting_plays_the_video(
    modellix: Studio, studio_simulator: SimulatorHandle, ask: Any, kite_png: KitePng
) -> None:
    task, created = await lost_submit(modellix, studio_simulator, kite_png.image)
    card = await flushed_card(modellix, task.local_id)
    assert card["status"] == Status.UNCERTAIN
    assert card["error_code"] == "SubmitOutcomeUnknown"
    assert card["advice"]
    assert "https://modellix.ai/" in card["advice"]
    assert card["console_url"] == "https://modellix.ai/"
    assert card["candidates"] == []

    empty, _ = await ask(modellix, "adopt", local_id=task.local_id, task_id="  ")
    assert empty["ok"] is False
    assert empty["code"] == "refused"
    assert "paste the provider's task id" in empty["error"]
    odd, _ = await ask(modellix, "adopt", local_id=task.local_id)
    assert odd["code"] == "bad_message"

    adopted, _ = await ask(modellix, "adopt", local_id=task.local_id, task_id=created)
    assert adopted["ok"] is True
    assert adopted["task_id"] == created
    result = await task.wait(30)
    assert result.ok
    await until(lambda: any(r["local_id"] == task.local_id for r in modellix.results))

    again, _ = await ask(modellix, "adopt", local_id=task.local_id, task_id=created)
    assert again["ok"] is False
    assert "only a task whose submit's outcome is unknown" in again["error"]


async def test_submitting_again_replaces_the_uncertain_card(
    modellix: Studio, studio_simulator: SimulatorHandle, ask: Any, kite_png: KitePng
) -> None:
    task, _created = await lost_submit(modellix, studio_simulator, kite_png.image)
    answer, _ = await ask(modellix, "resubmit", local_id=task.local_id)
    assert answer["ok"] is True
    assert answer["replaces"] == task.local_id
    new = modellix._cards.tasks[answer["local_id"]]
    await new.wait(30)
    assert new.status in WITH_VIDEO
    old_card = await flushed_card(modellix, task.local_id)
    new_card = await flushed_card(modellix, new.local_id)
    assert old_card["status"] == Status.REPLACED
    assert old_card["replaced_by"] == new.local_id
    assert new_card["replaces"] == task.local_id
    twice, _ = await ask(modellix, "resubmit", local_id=task.local_id)
    assert twice["code"] == "refused"


async def test_a_billing_refusal_holds_the_queue_shows_the_banner_and_resumes(
    modellix: Studio, studio_simulator: SimulatorHandle, ask: Any, kite_png: KitePng
) -> None:
    studio_simulator.set_faults(FaultConfig(billing={"modellix": "quota_exceeded"}))
    first = modellix.enqueue(request(kite_png.image, "first"))
    second = modellix.enqueue(request(kite_png.image, "second"))
    await until(lambda: modellix.submissions_held != "")
    assert first.record.error_code
    assert first.record.advice
    assert first.record.advice in modellix.submissions_held
    assert second.status in LOCAL_QUEUE
    card = await flushed_card(modellix, second.local_id)
    assert card["paused"] == modellix.submissions_held
    held = [c for c in modellix.comm.sent if c["msg_type"] == "comm_msg"]
    assert any(
        (m["data"].get("state") or {}).get("submissions_held") for m in held
    )  # the trait reached the browser

    studio_simulator.set_faults()
    answer, _ = await ask(modellix, "resume")
    assert answer == {"id": answer["id"], "ok": True, "held": None}
    assert modellix.submissions_held == ""
    await second.wait(30)
    assert second.status in WITH_VIDEO
    assert (await flushed_card(modellix, second.local_id))["paused"] is None


async def test_validate_answers_warnings_in_the_form_s_words(
    studio: Studio, ask: Any, kite_png: KitePng
) -> None:
    long_prompt = "a kite " * 150  # 1050 characters: the service uses the first 800
    answer, _ = await ask(studio, "validate", request=request(kite_png.image, long_prompt))
    assert answer["ok"] is True
    (warning,) = answer["warnings"]
    assert warning["field"] == "prompt"
    assert warning["severity"] == "warning"
    assert warning["message"].startswith("Prompt: ")
    task = studio.enqueue(request(kite_png.image, long_prompt))
    card = await flushed_card(studio, task.local_id)
    assert [w["field"] for w in card["warnings"]] == ["prompt"]
    assert card["warnings"][0]["message"].startswith("Prompt: ")
    await task.wait(30)
