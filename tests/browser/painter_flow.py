"""End to end, in a real browser: the frame scrubber and the mask painter in JupyterLab.

Run by ``test_experiments.py`` (its module's JupyterLab serves every flow: one server start).

The user's path: type a 640×360 source video's path into video_edit, open "Pick frame…", step to
frame 10 and "Paint mask on this frame"; draw a rectangle and a brush stroke with the mouse,
invert twice (a key and a button), undo once; "Use this mask". The saved mask must be the
expected pixels (binary, 640×360, every boundary within 1 px); mask_frame_id must be 10. Then
the request goes to the simulator with a fixed mask, and its result must have changed inside the
mask's white region and nowhere else. Screenshots of the scrubber and the painter, light and
dark, go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from vace_studio.media.frames import read_frames

W, H = 640, 360
RECT = ((60, 50), (250, 170))  # pixel corners of the rectangle drawn
STROKE = ((380, 240), (580, 300))  # the brush stroke's ends
BRUSH = 24  # brush size (diameter) in pixels

SETUP = """\
from pathlib import Path
from vace_studio import Studio
from vace_studio.simulator import SimulatorConfig
from vace_studio.simulator.samples import make_video

source = make_video(Path("edit-source.mp4").resolve(), 640, 360, seconds=2.0)
print(source)
studio = Studio(simulator_config=SimulatorConfig(queue_seconds=0.05, run_seconds=0.2))
studio"""

PY_TASK = """
import json
t = studio.tasks[0]
print(json.dumps({"status": t.status, "request": t.record.request,
                  "result": t.record.local_path}))
"""


def write_notebook(root: Path, name: str, setup: str) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}  # fmt: skip
    nb.cells = [nbformat.v4.new_code_cell(setup)]
    nbformat.write(nb, root / name)
    return name


def expected_mask() -> np.ndarray:
    """What the painter must save: (rectangle ∪ stroke), inverted (invert, invert, undo)."""
    yy, xx = np.mgrid[0:H, 0:W] + 0.5
    (x0, y0), (x1, y1) = RECT
    painted = (xx >= x0) & (xx < x1) & (yy >= y0) & (yy < y1)
    (ax, ay), (bx, by) = STROKE
    dx, dy = bx - ax, by - ay
    t = np.clip(((xx - ax) * dx + (yy - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    painted |= np.hypot(xx - ax - t * dx, yy - ay - t * dy) <= BRUSH / 2
    return np.asarray(~painted)


def grow(mask: np.ndarray, by: int) -> np.ndarray:
    out = mask.copy()
    for dy in range(-by, by + 1):
        for dx in range(-by, by + 1):
            out |= np.roll(np.roll(mask, dy, axis=0), dx, axis=1)
    return out


def client_point(box: dict[str, float], x: float, y: float) -> tuple[float, float]:
    """Where on the page pixel (x, y) of the mask canvas is."""
    return box["x"] + x / W * box["width"], box["y"] + y / H * box["height"]


def settled_box(page: Any, canvas: Any) -> dict[str, float]:
    """The canvas's box once it is wholly in view and no longer moving (the painter fits the
    frame to its viewport when it is first laid out)."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for _ in range(50):
        page.wait_for_timeout(100)
        again = canvas.bounding_box()
        if again == box:
            break
        box = again
    size = page.viewport_size
    assert box is not None
    assert box["y"] >= 0, (box, size)
    assert box["y"] + box["height"] <= size["height"], (box, size)
    return dict(box)


def draw(page: Any, painter: Any) -> None:
    box = settled_box(page, painter.locator("canvas.vs-paint-mask"))
    painter.get_by_role("button", name="Rectangle").click()
    page.mouse.move(*client_point(box, *RECT[0]))
    page.mouse.down()
    page.mouse.move(*client_point(box, *RECT[1]), steps=8)
    page.mouse.up()
    painter.get_by_role("button", name="Brush").click()
    painter.locator("input.vs-paint-size").fill(str(BRUSH))
    page.mouse.move(*client_point(box, *STROKE[0]))
    page.mouse.down()
    page.mouse.move(*client_point(box, *STROKE[1]), steps=20)
    page.mouse.up()


def scrub_to_frame_ten(lab: Any, page: Any, form: Any) -> Any:
    from playwright.sync_api import expect

    field = form.locator('.vs-field[data-field="video_url"]')
    field.get_by_role("button", name="Pick frame…").click()
    scrubber = field.locator(".vs-scrubber")
    expect(scrubber).to_be_visible(timeout=60_000)
    expect(scrubber.locator(".vs-scrub-label")).to_contain_text("Frame 1 of 32")
    scrubber.get_by_role("button", name="Next frame").click()
    scrubber.locator(".vs-scrub-slider").fill("9")
    scrubber.locator(".vs-scrub-slider").focus()
    page.keyboard.press("ArrowRight")  # the slider's own step: frame 10
    expect(scrubber).to_have_attribute("data-frame", "10")
    expect(scrubber.locator(".vs-scrub-label")).to_contain_text("Frame 10 of 32 · 0.56 s")
    page.wait_for_function(
        "document.querySelector('.vs-scrub-frame')?.complete && "
        "document.querySelector('.vs-scrub-frame').naturalWidth > 0"
    )
    lab.screenshot(page, "scrubber-light.png", ".vs-scrubber")
    lab.theme(page, dark=True)
    lab.screenshot(page, "scrubber-dark.png", ".vs-scrubber")
    lab.theme(page, dark=False)
    return scrubber


def paint_a_mask_on_frame_ten_and_edit_inside_it(
    jupyter: Any, browser_context: Any, lab: Any
) -> None:
    from playwright.sync_api import expect

    name = write_notebook(jupyter.root, "painter.ipynb", SETUP)
    page = browser_context.new_page()
    started = time.monotonic()
    try:
        lab.open_notebook(page, jupyter.page(f"lab/workspaces/{name[:-6]}/tree/{name}"))
        root = page.locator(".vs-root")
        expect(root).to_have_count(1)
        root.get_by_role("tab", name="Video edit").click()
        form = root.locator('form[data-function="video_edit"]')
        form.get_by_role("textbox", name="Prompt", exact=True).fill("a glass sculpture")
        source = str(jupyter.root / "edit-source.mp4")
        form.locator('.vs-field[data-field="video_url"] input.vs-media-url').fill(source)

        scrubber = scrub_to_frame_ten(lab, page, form)
        scrubber.get_by_role("button", name="Use as mask frame").click()
        expect(scrubber.locator(".vs-tool-status")).to_contain_text("Mask frame set to 10")
        scrubber.get_by_role("button", name="Paint mask on this frame").click()
        painter = form.locator(".vs-painter")
        expect(painter).to_be_visible(timeout=60_000)
        expect(painter).to_have_attribute("data-frame", "10")
        assert lab.unlabelled(page) == []

        draw(page, painter)
        expect(painter).to_have_attribute("data-undo", "2")
        lab.screenshot(page, "painter-light.png", ".vs-painter")
        lab.theme(page, dark=True)
        lab.screenshot(page, "painter-dark.png", ".vs-painter")
        lab.theme(page, dark=False)
        painter.focus()
        page.keyboard.press("i")  # invert by its shortcut…
        painter.get_by_role("button", name="Invert").click()  # …and by its button
        expect(painter).to_have_attribute("data-undo", "4")
        page.keyboard.press("Control+z")
        expect(painter).to_have_attribute("data-undo", "3")
        painter.get_by_role("button", name="Use this mask").click()
        expect(painter.locator(".vs-tool-status")).to_contain_text("painted on frame 10")
        area = painter.get_attribute("data-area")
        viewport = painter.locator(".vs-paint-viewport")
        fitted = float(viewport.get_attribute("data-zoom") or "0")
        painter.focus()
        page.keyboard.press("+")  # zoom by key, around the middle; "0" fits again
        expect(viewport).not_to_have_attribute("data-zoom", f"{fitted:.3f}")
        page.keyboard.press("0")
        expect(viewport).to_have_attribute("data-zoom", f"{fitted:.3f}")

        # Editing the mask image again opens it in the painter, on its frame.
        mask_field = form.locator('.vs-field[data-field="mask_image_url"]')
        mask_field.get_by_role("button", name="Paint mask…").click()
        again = mask_field.locator(".vs-painter")
        expect(again).to_have_attribute("data-frame", "10", timeout=60_000)
        expect(again).to_have_attribute("data-area", area or "")
        expect(again).to_have_attribute("data-undo", "0")
        again.get_by_role("button", name="Close").click()
        expect(form.locator(".vs-painter")).to_have_count(0)

        form.locator('.vs-field[data-field="mask_type"]').get_by_text("fixed", exact=True).click()
        submit = root.locator(".vs-forms [role=tabpanel]:not([hidden]) .vs-submit")
        expect(submit).to_be_enabled()
        submit.click()
        card = root.locator(".vs-card").first
        expect(card).to_have_attribute("data-status", "succeeded", timeout=90_000)
        task = json.loads(lab.kernel(page, PY_TASK))
        check_mask(task["request"], int(area or 0))
        check_result(Path(source), task)
        print(f"\npainter flow: {time.monotonic() - started:.1f} s")
    finally:
        page.close()


def check_mask(request: dict[str, Any], area: int) -> None:
    assert request["mask_frame_id"] == 10
    assert request["mask_type"] == "fixed"
    with Image.open(request["mask_image_url"]) as image:
        assert image.size == (W, H)
        pixels = np.asarray(image.convert("L"))
    assert set(np.unique(pixels).tolist()) <= {0, 255}, "pure black and white"
    saved = pixels == 255
    assert int(saved.sum()) == area, "the PNG holds exactly what the painter showed"
    expected = expected_mask()
    # Every boundary within 1 px: no white pixel farther than 1 px from the expected white
    # region, and no black pixel farther than 1 px from the expected black region.
    assert not (saved & ~grow(expected, 1)).any()
    assert not (~saved & ~grow(~expected, 1)).any()
    assert abs(int(saved.sum()) - int(expected.sum())) < 0.01 * W * H


def check_result(source: Path, task: dict[str, Any]) -> None:
    assert task["status"] == "succeeded"
    # The same instant of both (the source is 16 fps, the result 30 fps): 0.5 s in. A fixed
    # mask edits the same region on every frame.
    before = read_frames(source, [8])[8].astype(int)
    after = read_frames(task["result"], [15])[15].astype(int)
    assert after.shape == before.shape
    change = np.abs(after - before).sum(axis=2)
    white = expected_mask()
    inside = ~grow(~white, 3)  # away from the edge: chroma is 2×2 blocks, H.264 blurs edges
    outside = ~grow(white, 3)
    assert (change[inside] > 48).mean() > 0.98, "the edit covers the painted region"
    assert change[outside].max() <= 24, "nothing changed outside it (beyond encoding noise)"
