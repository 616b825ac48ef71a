"""End to end in marimo (``marimo edit``, installed by the dev extras): notebooks/quickstart.py.

The studio renders inside marimo's anywidget host; the probe settles (marimo 0.25 carries
buffers intact, so binary); a local video picked in the video_outpainting form is uploaded
to the kernel (the file lands in the studio's home, byte for byte), the task runs on the
simulator, and the result plays from a Blob. Then ``marimo run`` (the read-only app) shows the
same notebook's studio.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import _free_port
from tests.helpers import ROOT

pytestmark = pytest.mark.browser


@dataclass
class Marimo:
    url: str
    home: Path
    log: Path


def _start(mode: str, base: Path) -> tuple[subprocess.Popen[bytes], Marimo]:
    notebook_dir, home = base / "nb", base / "home"
    notebook_dir.mkdir(parents=True)
    home.mkdir()
    shutil.copy(ROOT / "notebooks" / "quickstart.py", notebook_dir / "quickstart.py")
    port, token = _free_port(), secrets.token_hex(12)
    cmd = [
        str(Path(sys.executable).parent / "marimo"), mode, str(notebook_dir / "quickstart.py"),
        "--headless", f"--port={port}", "--host=127.0.0.1", f"--token-password={token}",
    ]  # fmt: skip
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_API_KEY") and not k.startswith("VACE_STUDIO_")
    }
    # `marimo edit` runs a notebook on open only with auto_instantiate (a user setting).
    config = base / "config" / "marimo"
    config.mkdir(parents=True)
    (config / "marimo.toml").write_text("[runtime]\nauto_instantiate = true\n")
    env.update(
        VACE_STUDIO_HOME=str(home),
        MARIMO_SKIP_UPDATE_CHECK="1",
        HOME=str(base),
        XDG_CONFIG_HOME=str(base / "config"),
    )
    log = base / f"marimo-{mode}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, cwd=notebook_dir, stdout=out, stderr=subprocess.STDOUT
        )
    server = Marimo(f"http://127.0.0.1:{port}/?access_token={token}", home, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"marimo {mode} exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return proc, server
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"marimo {mode} did not start:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()  # by PID: marimo shuts its kernels down on SIGTERM
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture(scope="module")
def marimo_edit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Marimo]:
    proc, server = _start("edit", tmp_path_factory.mktemp("marimo-edit"))
    try:
        yield server
    finally:
        _stop(proc)


def test_quickstart_in_marimo_outpaints_an_uploaded_video(
    marimo_edit: Marimo, browser_context: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from vace_studio.simulator.samples import make_video

    source = make_video(tmp_path / "source.mp4", 320, 240, seconds=1.0)
    page = browser_context.new_page()
    started = time.monotonic()
    try:
        page.goto(marimo_edit.url)
        root = page.locator(".vs-root")  # Playwright's CSS engine reaches into shadow roots
        expect(root).to_have_count(1, timeout=90_000)
        header = root.locator(".vs-header")
        expect(header).to_have_attribute("data-transport", "binary")
        expect(root.locator(".vs-banner")).to_contain_text("Simulator in use")
        shown = time.monotonic() - started

        root.locator(".vs-forms .vs-tab[data-key=video_outpainting]").click()
        form = root.locator('form[data-function="video_outpainting"]')
        form.get_by_role("textbox", name="Prompt", exact=True).fill("a wider square")
        field = form.locator('.vs-field[data-field="video_url"]')
        field.locator("input[type=file]").first.set_input_files(str(source))
        url_box = field.locator("input.vs-media-url")
        expect(url_box).to_have_value(_uploaded_mp4())
        # The file reached the kernel: the path it answered holds the same bytes.
        saved = Path(url_box.input_value())
        assert saved.parent == marimo_edit.home / "inputs"
        assert saved.read_bytes() == source.read_bytes()

        scale = form.locator('.vs-field[data-field="right_scale"] input[type=number]')
        scale.fill("1.5")
        scale.dispatch_event("change")
        submit = root.locator(".vs-forms [role=tabpanel]:not([hidden]) .vs-submit")
        expect(submit).to_be_enabled()
        submit.click()

        card = root.locator(".vs-card").first
        expect(card).to_have_attribute("data-status", "succeeded", timeout=90_000)
        video = card.locator("video")
        video.scroll_into_view_if_needed()
        expect(video).to_have_js_property("readyState", 4, timeout=60_000)
        assert str(video.evaluate("v => v.currentSrc")).startswith("blob:")
        video.evaluate("v => v.play()")
        page.wait_for_function(
            "v => v.currentTime > 0.3", arg=video.element_handle(), timeout=30_000
        )
        done = time.monotonic() - started

        # The Gallery and History views open in marimo too (each asks the kernel for its data).
        root.locator(".vs-views .vs-tab[data-key=gallery]").click()
        expect(root.locator(".vs-gallery")).to_contain_text("No sweeps yet")
        root.locator(".vs-views .vs-tab[data-key=history]").click()
        expect(root.locator(".vs-history")).to_contain_text("a wider square")
        probe_ms = header.get_attribute("data-probe-ms")
        print(
            f"\nmarimo edit: studio shown {shown:.1f} s (probe {probe_ms} ms), "
            f"result playing {done:.1f} s"
        )
    finally:
        page.close()


def _uploaded_mp4() -> Any:
    import re

    return re.compile(r".*/inputs/[0-9a-f]+\.mp4$")


def test_quickstart_as_a_marimo_app(browser_context: Any, tmp_path: Path) -> None:
    """``marimo run``: the read-only app runs the notebook by itself; the studio answers."""
    from playwright.sync_api import expect

    proc, server = _start("run", tmp_path)
    page = browser_context.new_page()
    try:
        page.goto(server.url)
        root = page.locator(".vs-root")
        expect(root).to_have_count(1, timeout=90_000)
        expect(root.locator(".vs-header")).to_have_attribute("data-transport", "binary")
        # A round trip through the kernel: the History view asks for the store's tasks.
        root.locator(".vs-views .vs-tab[data-key=history]").click()
        expect(root.locator(".vs-history")).to_contain_text("No tasks match.")
    finally:
        page.close()
        _stop(proc)
