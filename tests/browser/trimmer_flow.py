"""End to end, in a real browser: the clip trimmer, a frame exported as an image, and "Extend this
result", in video_extension.

The user's path: pick a 4 s video file for the first clip (uploaded to the kernel), "Trim…" it to
frames 9–40 (2 s at 16 fps) and "Use this clip"; "Pick frame…" on the new clip, go to its last
frame and "Use as last frame"; submit. The task must succeed with a 2 s first clip and a PNG last
frame equal to the clip's last frame. Then "Extend this result" on its card must open video
extension again with the result's last 3 s as the first clip.

Run by ``test_experiments.py`` (its module's JupyterLab serves every flow: one server start).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from tests.browser.painter_flow import write_notebook
from vace_studio.media.frames import read_frames
from vace_studio.media.probe import probe_video
from vace_studio.simulator.samples import make_video

SETUP = """\
from vace_studio import Studio
from vace_studio.simulator import SimulatorConfig

studio = Studio(simulator_config=SimulatorConfig(queue_seconds=0.05, run_seconds=0.2))
studio"""

FIRST_CLIP_VALUE = (
    "(document.querySelector('.vs-field[data-field=\"first_clip_url\"] input.vs-media-url')"
    "?.value ?? '')"
)

PY_TASKS = """
import json
print(json.dumps([{"status": t.status, "request": t.record.request} for t in studio.tasks]))
"""


def trim_a_clip_pick_a_last_frame_and_extend(jupyter: Any, browser_context: Any, lab: Any) -> None:
    from playwright.sync_api import expect

    four = make_video(jupyter.root / "four-seconds.mp4", 640, 360, seconds=4.0)
    name = write_notebook(jupyter.root, "trimmer.ipynb", SETUP)
    page = browser_context.new_page()
    started = time.monotonic()
    try:
        lab.open_notebook(page, jupyter.page(f"lab/workspaces/{name[:-6]}/tree/{name}"))
        root = page.locator(".vs-root")
        expect(root).to_have_count(1)
        root.get_by_role("tab", name="Video extension").click()
        form = root.locator('form[data-function="video_extension"]')
        form.get_by_role("textbox", name="Prompt", exact=True).fill("the square flies away")
        field = form.locator('.vs-field[data-field="first_clip_url"]')
        field.locator("input[type=file]").set_input_files(str(four))
        page.wait_for_function(f"() => /\\.mp4$/.test({FIRST_CLIP_VALUE})")

        field.get_by_role("button", name="Trim…").click()
        trimmer = field.locator(".vs-trimmer")
        expect(trimmer).to_be_visible(timeout=60_000)
        # The clip field takes at most 3 s: the out point starts there.
        expect(trimmer.locator(".vs-trim-length")).to_contain_text("48 frames, 3.00 s")
        trimmer.locator(".vs-trim-in").fill("9")
        trimmer.locator(".vs-trim-out").fill("40")
        expect(trimmer.locator(".vs-trim-length")).to_contain_text("32 frames, 2.00 s")
        unlabelled = lab.unlabelled(page)
        assert unlabelled == [], unlabelled
        lab.screenshot(page, "trimmer-light.png", ".vs-trimmer")
        lab.theme(page, dark=True)
        lab.screenshot(page, "trimmer-dark.png", ".vs-trimmer")
        lab.theme(page, dark=False)
        trimmer.get_by_role("button", name="Use this clip").click()
        expect(field.locator(".vs-tool-note")).to_contain_text("frames 9-40.mp4 (2.00 s)")

        field.get_by_role("button", name="Pick frame…").click()
        scrubber = field.locator(".vs-scrubber")
        expect(scrubber.locator(".vs-scrub-label")).to_contain_text("of 32", timeout=60_000)
        scrubber.get_by_role("button", name="Last frame", exact=True).click()
        expect(scrubber).to_have_attribute("data-frame", "32")
        scrubber.get_by_role("button", name="Use as last frame").click()
        expect(scrubber.locator(".vs-tool-status")).to_contain_text("frame 32.png")

        submit = root.locator(".vs-forms [role=tabpanel]:not([hidden]) .vs-submit")
        expect(submit).to_be_enabled()
        submit.click()
        card = root.locator(".vs-card").first
        expect(card).to_have_attribute("data-status", "succeeded", timeout=90_000)
        (task,) = json.loads(lab.kernel(page, PY_TASKS))
        check_request(four, task["request"])

        before = page.evaluate(f"() => {FIRST_CLIP_VALUE}")
        note = card.locator(".vs-card-note:not(.vs-card-trouble)")
        _click_until(
            card.get_by_role("button", name="Extend this result"),
            lambda: expect(note).to_contain_text("Cutting the result's last", timeout=5_000),
        )
        # The kernel re-encodes the clip: on a loaded 2-core machine that can take a while.
        expect(note).to_contain_text("last 3.0 s as its first clip", timeout=120_000)
        changed = f"() => /\\.mp4$/.test({FIRST_CLIP_VALUE}) && {FIRST_CLIP_VALUE} !== {before!r}"
        page.wait_for_function(changed)
        expect(form.get_by_role("textbox", name="Prompt", exact=True)).to_have_value(
            "the square flies away"
        )
        print(f"\ntrimmer flow: {time.monotonic() - started:.1f} s")
    finally:
        page.close()


def check_request(four: Path, request: dict[str, Any]) -> None:
    clip = probe_video(request["first_clip_url"])
    assert abs(clip.duration - 2.0) < 0.07, clip.describe()
    assert clip.frames == 32
    # The clip is frames 9–40 of the source: its first frame is the source's ninth.
    ours = read_frames(request["first_clip_url"], [0])[0].astype(int)
    theirs = read_frames(four, [8])[8].astype(int)
    assert np.abs(ours - theirs).mean() < 3
    with Image.open(request["last_frame_url"]) as image:
        assert image.format == "PNG"
        assert image.size == (640, 360)
        last = np.asarray(image.convert("RGB")).astype(int)
    clip_last = read_frames(request["first_clip_url"], [31])[31].astype(int)
    assert np.abs(last - clip_last).mean() < 1


def _click_until(button: Any, started: Callable[[], None], tries: int = 3) -> None:
    """Click ``button`` until ``started`` passes. On a loaded machine JupyterLab sometimes
    scrolls the notebook between mouse down (which makes the cell active) and mouse up, and the
    browser then fires no click; a person clicks again, and so does this."""
    for attempt in range(tries):
        button.click()
        try:
            started()
            return
        except AssertionError:
            if attempt == tries - 1:
                raise
