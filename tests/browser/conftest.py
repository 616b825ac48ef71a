"""Fixtures for the browser tests: JupyterLab (which also serves Notebook 7) on loopback with the
notebooks the tests open, Debian's Chromium driven by Playwright, and ``lab``, which runs a
notebook, talks to its kernel and saves screenshots into ``test-artifacts/``.

They follow ``/work/shared/e2e.md``: a fresh Jupyter config/data/runtime dir per run,
``--allow-root`` when root, ``expose_app_in_browser``, announcements off, the distro Chromium
through ``launch_persistent_context`` (no ``playwright install``), ``XDG_CONFIG_HOME`` inside the
profile, and the server stopped through its REST API by PID, never by name.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ARTIFACTS, ROOT, write_png

# -- notebooks the tests open (besides the quickstart) ------------------------------------------
EXPERIMENTS_SETUP = """\
from pathlib import Path
from vace_studio import Studio
from vace_studio.simulator import SimulatorConfig
from vace_studio.simulator.samples import make_mask, make_video

source = make_video(Path("source.mp4").resolve(), 320, 240, seconds=1.0)
mask = make_mask(Path("mask.png").resolve(), 320, 240, extent=0.25)
studio = Studio(simulator_config=SimulatorConfig(queue_seconds=0.05, run_seconds=0.2))
studio"""


def write_experiments_notebook(root: Path) -> Path:
    """A notebook that shows a Studio on a fast simulator, with a source video and a mask."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}  # fmt: skip
    nb.cells = [nbformat.v4.new_code_cell(EXPERIMENTS_SETUP)]
    path = root / "experiments.ipynb"
    nbformat.write(nb, path)
    return path


# -- JupyterLab and Chromium ------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class JupyterServer:
    url: str
    token: str
    root: Path
    home: Path
    log: Path

    def page(self, path: str) -> str:
        return f"{self.url}/{path}?token={self.token}"


# Module scope, not session: Playwright's sync API keeps an event loop running while it is open,
# and pytest-asyncio cannot start the async tests' loops until it has stopped.
@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """JupyterLab (which also serves Notebook 7) on loopback, with the quickstart notebook."""
    base = tmp_path_factory.mktemp("jupyter")
    root, fresh, home = base / "root", base / "fresh", base / "home"
    for folder in (root, fresh / "config" / "labconfig", home):
        folder.mkdir(parents=True)
    # One pristine copy per front end: each runs in its own kernel, and autosave never touches
    # the repository's notebook.
    for name in ("quickstart.ipynb", "quickstart-nb7.ipynb"):
        shutil.copy(ROOT / "notebooks" / "quickstart.ipynb", root / name)
    write_png(root / "kite.png")
    write_experiments_notebook(root)
    (fresh / "config" / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    # Saving widget state with the notebook is off by default; the no-secrets test needs it on.
    settings = (
        fresh / "config" / "lab" / "user-settings" / "@jupyter-widgets" / "jupyterlab-manager"
    )
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
    port, token = _free_port(), secrets.token_hex(16)
    bin_dir = Path(sys.executable).parent
    cmd = [
        str(bin_dir / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
    ]  # fmt: skip
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DASHSCOPE_API_KEY", "MODELLIX_API_KEY", "MULEROUTER_API_KEY")
        and not k.startswith("VACE_STUDIO_")
    }
    env.update(
        JUPYTER_CONFIG_DIR=str(fresh / "config"),
        JUPYTER_DATA_DIR=str(fresh / "data"),
        JUPYTER_RUNTIME_DIR=str(fresh / "runtime"),
        VACE_STUDIO_HOME=str(home),  # the kernel inherits it: an isolated store and cache
    )
    log = base / "jupyter.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT)
    server = JupyterServer(f"http://127.0.0.1:{port}", token, root, home, log)
    try:
        _wait_ready(server, proc)
        yield server
    finally:
        try:
            request = urllib.request.Request(server.page("api/shutdown"), method="POST")
            urllib.request.urlopen(request, timeout=10).close()
            proc.wait(timeout=20)
        except Exception:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_ready(server: JupyterServer, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited:\n{server.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(server.page("api/status"), timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"jupyter lab did not start:\n{server.log.read_text()[-3000:]}")


CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    profile = tmp_path_factory.mktemp("chromium-profile")
    expect.set_options(timeout=30_000)  # widget views render after run-all resolves
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            env={**os.environ, "XDG_CONFIG_HOME": str(profile)},  # crashpad writes there
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


# -- driving JupyterLab from a test ----------------------------------------------------------
# Waits for the notebook's context and a connected, idle kernel before running (e2e.md gotcha 1),
# and never lets a JupyterLab promise hang the test.
RUN_ALL_JS = """async () => {
  const nb = window.jupyterapp.shell.currentWidget;
  await nb.context.ready; await nb.sessionContext.ready;
  const k = nb.sessionContext.session.kernel;
  for (let i = 0; i < 300 && !(k.status === 'idle' && k.connectionStatus === 'connected'); i++)
    await new Promise(r => setTimeout(r, 100));
  return await Promise.race([
    window.jupyterapp.commands.execute('notebook:run-all-cells'),
    new Promise((_, fail) => setTimeout(() => fail(new Error('run-all timed out')), 60000))]);
}"""

# Runs code in the notebook's kernel and returns its stdout (for Python-side assertions).
KERNEL_JS = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({ code, store_history: false });
  let out = '', err = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') out += msg.content.text;
    if (msg.header.msg_type === 'error') err += msg.content.ename + ': ' + msg.content.evalue;
  };
  await Promise.race([future.done,
    new Promise((_, fail) => setTimeout(() => fail(new Error('kernel timed out')), 30000))]);
  return { out, err };
}"""

# Every control in the widget must have an accessible name (a label, aria-label(ledby) or text).
UNLABELLED_JS = """() => [...document.querySelectorAll(['input', 'select', 'textarea', 'button',
    'a', 'video'].map((tag) => '.vs-root ' + tag).join(', '))]
  .filter((el) => {
    if (el.closest('[hidden]')) return false;
    const byId = el.id && document.querySelector(`label[for="${el.id}"]`);
    const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || byId
      || el.closest('label') || (el.tagName !== 'INPUT' && el.textContent.trim());
    return !named;
  }).map((el) => el.outerHTML.slice(0, 120))"""

THEME_JS = """(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})"""


class Lab:
    """What the browser tests do to JupyterLab: open and run a notebook, run code in its kernel,
    switch the theme, check accessible names, and take screenshots into ``test-artifacts/``."""

    def open_notebook(self, page: Any, url: str) -> None:
        page.goto(url)
        page.wait_for_function(
            "window.jupyterapp?.shell?.currentWidget?.sessionContext !== undefined",
            timeout=60_000,
        )
        assert page.evaluate(RUN_ALL_JS) is True

    def kernel(self, page: Any, code: str) -> str:
        answer = page.evaluate(KERNEL_JS, code)
        assert not answer["err"], answer["err"]
        return str(answer["out"])

    def unlabelled(self, page: Any) -> list[str]:
        return list(page.evaluate(UNLABELLED_JS))

    def theme(self, page: Any, dark: bool) -> None:
        page.evaluate(THEME_JS, "JupyterLab Dark" if dark else "JupyterLab Light")
        page.wait_for_function(
            f"document.body.dataset.jpThemeLight === '{'false' if dark else 'true'}'"
        )

    def screenshot(self, page: Any, name: str, selector: str = ".vs-root") -> Path:
        """The element whole: JupyterLab scrolls inside its own panels, so an element taller than
        the viewport comes out clipped (e2e.md gotcha 12); a tall viewport holds all of it."""
        ARTIFACTS.mkdir(exist_ok=True)
        size = page.viewport_size
        page.set_viewport_size({"width": 1280, "height": 2600})
        try:
            target = page.locator(selector).first
            target.scroll_into_view_if_needed()
            page.wait_for_timeout(400)  # layout, theme variables, a decoded video frame
            target.screenshot(path=str(ARTIFACTS / name))
        finally:
            page.set_viewport_size(size)
        return ARTIFACTS / name


@pytest.fixture
def lab() -> Lab:
    return Lab()
