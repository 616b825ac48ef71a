"""An exported run opens from disk in Chromium: both result videos load and play together, and
the failed cells show their captions, with no console error or failed request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Finished, finish_experiment
from vace_studio.experiments import export_run
from vace_studio.simulator import SimulatorHandle
from vace_studio.simulator.samples import FileServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def finished(
    tmp_path_factory: pytest.TempPathFactory,
    simulator: SimulatorHandle,
    media: dict[str, Path],
    file_server: FileServer,
) -> Finished:
    """The same finished sweep ``tests/experiments/test_history_export.py`` exports."""
    home = tmp_path_factory.mktemp("finished") / "home"
    good = file_server.url(media["video"])
    return finish_experiment(home, simulator, good, f"{file_server.base_url}/missing.mp4")


def test_the_exported_page_plays_its_videos_in_chromium(
    finished: Finished, tmp_path: Path, browser_context: Any
) -> None:
    out = export_run(finished.group_id, tmp_path / "run", home=finished.home)
    page = browser_context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(r.url))
    try:
        page.goto((out / "index.html").as_uri())
        page.wait_for_function(
            "[...document.querySelectorAll('video')].every(v => v.readyState >= 2)",
            timeout=15_000,
        )
        sizes = page.evaluate("[...document.querySelectorAll('video')].map(v => v.videoWidth)")
        page.click("#play")
        page.wait_for_function(
            "[...document.querySelectorAll('video')].every(v => v.currentTime > 0.2)",
            timeout=15_000,
        )
        captions = page.locator("figure[data-status=failed]").count()
    finally:
        page.close()
    assert len(sizes) == 2
    assert all(w > 0 for w in sizes)
    assert captions == 2
    assert problems == []
