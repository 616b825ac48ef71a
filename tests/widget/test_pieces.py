"""The pure pieces: the throttle, the committed quickstart notebook (views: ``test_views``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nbformat
import pytest

from tests.helpers import ROOT
from vace_studio.widget.throttle import Throttle


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
