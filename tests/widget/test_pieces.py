"""The pure pieces: card JSON and its deltas, the throttle, the committed quickstart notebook."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest

from vace_studio.engine import TaskRecord
from vace_studio.widget import cards
from vace_studio.widget.throttle import Throttle

ROOT = Path(__file__).resolve().parents[2]


def fake_task(**changes: Any) -> Any:
    record = TaskRecord(
        id="l1", provider="simulator", protocol="dashscope", endpoint="http://sim",
        function="image_reference", request={"function": "image_reference", "prompt": "kite"},
        status="waiting", created_at=1000.123456, updated_at=1000.0,
        tags={"when": object()},
    )  # fmt: skip
    for key, value in changes.items():
        setattr(record, key, value)
    return SimpleNamespace(record=record, position=2, last_error=None, downloading=False)


def test_a_card_is_plain_json_and_the_wire_card_hides_kernel_paths(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    video.write_bytes(b"mp4")
    card = cards.summary(fake_task(local_path=str(video)), expected_seconds=12.34567)
    assert json.loads(json.dumps(card)) == card  # tags of any type survive
    assert card["created_at"] == 1000.123
    assert card["expected_seconds"] == 12.346
    assert card["position"] == 2
    assert card["local_path"] == str(video)
    shown = cards.wire(card, order=7)
    assert shown["has_video"] is True
    assert shown["order"] == 7
    assert not {"position", "local_path", "tags"} & set(shown)
    video.unlink()
    assert cards.wire(card, order=7)["has_video"] is False


def test_deltas_carry_only_what_changed() -> None:
    old = cards.wire(cards.summary(fake_task()), 1)
    new = cards.wire(cards.summary(fake_task(status="queued", task_id="p1")), 1)
    assert cards.delta(None, old) == old
    assert cards.delta(old, new) == {"local_id": "l1", "status": "queued", "task_id": "p1"}
    assert cards.delta(new, new) is None


def test_results_list_what_notebook_code_needs() -> None:
    card = cards.summary(
        fake_task(status="succeeded", submitted_at=1001.0, finished_at=1008.5, cost=0.5)
    )
    result = cards.result(card)
    assert result["seconds"] == 7.5
    assert result["prompt"] == "kite"
    assert result["cost"] == 0.5
    assert set(result) >= {"local_id", "task_id", "video_url", "url_expires_at", "local_path"}


async def test_the_throttle_batches_a_burst_and_spaces_flushes() -> None:
    flushes: list[float] = []
    loop = asyncio.get_running_loop()
    throttle = Throttle(lambda: flushes.append(loop.time()), interval=0.1)
    for _ in range(50):
        throttle.mark()
    assert flushes == []
    assert throttle.pending
    await asyncio.sleep(0.01)
    assert len(flushes) == 1
    throttle.mark()
    await asyncio.sleep(0.02)
    assert len(flushes) == 1  # within the interval: waits
    await asyncio.sleep(0.12)
    assert len(flushes) == 2
    assert flushes[1] - flushes[0] >= 0.09
    throttle.mark()
    throttle.flush_now()
    assert len(flushes) == 3
    assert not throttle.pending
    throttle.mark()
    throttle.close()
    await asyncio.sleep(0.15)
    assert len(flushes) == 3


def test_the_throttle_flushes_at_once_without_a_loop() -> None:
    flushes: list[int] = []
    Throttle(lambda: flushes.append(1)).mark()
    assert flushes == [1]


def test_the_quickstart_is_committed_without_outputs_or_widget_state() -> None:
    notebook = nbformat.read(ROOT / "notebooks" / "quickstart.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert [c.source for c in code] == [
        "from vace_studio import Studio", "studio = Studio()\nstudio", "studio.results",
    ]  # fmt: skip
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert "widgets" not in notebook.metadata


@pytest.mark.slow
def test_the_quickstart_runs_headless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    monkeypatch.setenv("VACE_STUDIO_HOME", str(tmp_path / "home"))
    for name in ("DASHSCOPE_API_KEY", "MODELLIX_API_KEY", "MULEROUTER_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    notebook = nbformat.read(ROOT / "notebooks" / "quickstart.ipynb", as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3", resources={
        "metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    shown = notebook.cells[2].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in shown
    assert notebook.cells[3].outputs[0]["data"]["text/plain"] == "[]"
