"""An executed quickstart exported with ``jupyter nbconvert --to html`` shows the studio's
snapshot where the live widget cannot render: the result's prompt (escaped) and its poster.

The notebook is run headless, as CI or papermill would, with one cell added after the
quickstart's that makes a result the way a click on *Submit* does. No view is attached, so the
studio keeps its display's snapshot up to date (widget/snapshot.py ``SnapshotDisplay``). The
widget state is not stored, as in a notebook saved from JupyterLab with its default settings:
nbconvert shows a widget view instead of ``text/html`` when the state is there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.browser

PROMPT = 'a <b>bold</b> & "quoted" kite'

MAKE_RESULT = """\
# What a click on Submit does, done from Python: queue a task and wait for its video.
import asyncio
task = studio.enqueue({{"function": "video_outpainting", "prompt": {prompt!r},
                        "video_url": {source!r}, "left_scale": 1.5}})
await task.wait()
while not (studio.results and studio.results[0]["local_path"]):
    await asyncio.sleep(0.1)
await asyncio.sleep(0.6)  # the studio publishes its cards at most every 0.25 s"""


def test_exported_quickstart_shows_the_snapshot(browser_context: Any, tmp_path: Path) -> None:
    import nbformat
    from playwright.sync_api import expect

    from vace_studio.simulator.samples import make_video

    source = make_video(tmp_path / "source.mp4", 320, 240, seconds=1.0)
    notebook = nbformat.read(ROOT / "notebooks" / "quickstart.ipynb", as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(MAKE_RESULT.format(prompt=PROMPT, source=str(source)))
    )
    nbformat.write(notebook, tmp_path / "quickstart.ipynb")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_API_KEY") and not k.startswith("VACE_STUDIO_")
    }
    env.update(VACE_STUDIO_HOME=str(tmp_path / "home"), JUPYTER_PLATFORM_DIRS="1")
    jupyter = str(Path(sys.executable).parent / "jupyter")
    started = time.monotonic()
    subprocess.run(
        [jupyter, "nbconvert", "--to", "html", "--execute",
         "--ExecutePreprocessor.store_widget_state=False", "--output", "exported",
         "quickstart.ipynb"],
        cwd=tmp_path, env=env, check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    exported = time.monotonic() - started
    page_html = (tmp_path / "exported.html").read_text()
    assert PROMPT not in page_html  # escaped, never markup
    assert "http://127.0.0.1" not in page_html.split('class="vs-snapshot"', 1)[1][:200_000]

    page = browser_context.new_page()
    try:
        page.goto((tmp_path / "exported.html").as_uri())
        snapshot = page.locator(".vs-snapshot")
        expect(snapshot).to_have_count(1)
        task = snapshot.locator(".vs-snapshot-task").first
        expect(task).to_have_attribute("data-status", "succeeded")
        expect(task.locator(".vs-snapshot-prompt")).to_have_text(PROMPT)
        expect(task.locator(".vs-snapshot-function")).to_have_text("video_outpainting")
        expect(snapshot.locator("b")).to_have_count(0)
        poster = task.locator("img.vs-snapshot-poster")
        expect(poster).to_have_js_property("complete", True)
        assert poster.evaluate("img => img.naturalWidth") > 0
        size = len(snapshot.evaluate("el => el.outerHTML").encode())
        assert size <= 200_000
        print(f"\nnbconvert --execute --to html: {exported:.1f} s, snapshot {size / 1000:.1f} KB")
    finally:
        page.close()
