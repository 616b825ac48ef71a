"""End to end in JupyterLab (Chromium): the Gallery of a sweep, the A/B wipe, and media inputs.

``experiments.ipynb`` shows a ``Studio`` on a fast simulator with a small source video and a
mask. The gallery test starts a 2×2 sweep from Python (``studio.sweep``), sees the widget open its
gallery, plays the four results and checks they stay together after a seek and a frame step,
then opens the A/B wipe view (two results, and a result against its source video). The media
test drops a local image on the reference images, sees its thumbnail and its obj/bg chip,
submits and plays the result; then, for video_edit, watches the mask preview change with
``expand_ratio``. Two Studio views on one page, each used in turn, act only on themselves, and
the Create tab's playground layout follows the widget's width (``two_studios.py``). Screenshots
(light and dark) go to ``test-artifacts/``.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from tests.browser.two_studios import two_views

pytestmark = pytest.mark.browser

SWEEP = """
s = studio.sweep(
    {"function": "video_repainting", "video_url": str(source), "control_condition": "depth"},
    prompt=["a watercolour street", "a pencil sketch"], strength=[0.3, 0.9], name="e2e styles")
print(s.group_id)
"""

# The four cells' playback state, read in one go so the times are comparable.
CELLS_JS = """() => [...document.querySelectorAll('.vs-gallery .vs-cell video')].map((v) => ({
  t: v.currentTime, paused: v.paused, ready: v.readyState, src: v.currentSrc.slice(0, 5) }))"""

SEEK_JS = """([selector, fraction]) => { const s = document.querySelector(selector);
  s.value = String(Math.round(fraction * Number(s.max)));
  s.dispatchEvent(new Event('input', { bubbles: true })); }"""

DROP_JS = """async ([selector, b64, name, type]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type }));
  const target = document.querySelector(selector);
  for (const kind of ['dragenter', 'dragover', 'drop'])
    target.dispatchEvent(
      new DragEvent(kind, { bubbles: true, cancelable: true, dataTransfer: data }));
}"""


def spread(times: list[float], duration: float = 5.0) -> float:
    """Largest distance between two playback positions, measured around the loop point."""
    worst = 0.0
    for a in times:
        for b in times:
            d = abs(a - b)
            worst = max(worst, min(d, duration - d))
    return worst


def open_studio(lab: Any, page: Any, jupyter: Any) -> Any:
    from playwright.sync_api import expect

    lab.open_notebook(page, jupyter.page("lab/tree/experiments.ipynb"))
    root = page.locator(".vs-root")
    expect(root).to_have_count(1)
    return root


def test_gallery_plays_a_sweep_in_sync_and_wipes_a_b(
    jupyter: Any, browser_context: Any, lab: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.set_viewport_size({"width": 1280, "height": 1400})
    started = time.monotonic()
    try:
        root = open_studio(lab, page, jupyter)
        group_id = lab.kernel(page, SWEEP).strip()
        gallery = root.locator(".vs-gallery")
        expect(gallery).to_be_visible()  # studio.sweep opened the Gallery view
        expect(gallery).to_have_attribute("data-group-id", group_id)
        expect(gallery.locator(".vs-grid-head")).to_have_count(4)  # 2 columns + 2 rows
        cells = gallery.locator(".vs-cell")
        expect(cells).to_have_count(4)
        expect(gallery.locator('.vs-cell[data-status="succeeded"]')).to_have_count(
            4, timeout=90_000
        )
        expect(gallery.locator(".vs-sweep-progress")).to_contain_text("4/4 done")
        expect(cells.first.locator(".vs-cell-labels")).to_have_text(
            'prompt="a watercolour street" · strength=0.3'
        )
        # Videos load only near the screen: make room for the whole 2×2 grid.
        cells.nth(3).scroll_into_view_if_needed()
        page.wait_for_function(
            "[...document.querySelectorAll('.vs-gallery .vs-cell video')]"
            ".filter((v) => v.readyState >= 2).length === 4",
            timeout=60_000,
        )
        assert {c["src"] for c in page.evaluate(CELLS_JS)} == {"blob:"}

        # Play, seek to 2 s while playing, and all four stay together.
        gallery.locator(".vs-transport .vs-play").first.click()
        page.wait_for_timeout(400)
        page.evaluate(SEEK_JS, [".vs-gallery > .vs-transport .vs-seek", 0.4])
        page.wait_for_timeout(700)
        after_seek = page.evaluate(CELLS_JS)
        times = [c["t"] for c in after_seek]
        assert not any(c["paused"] for c in after_seek), after_seek
        assert spread(times) < 0.1, times
        assert all(2.0 < t < 3.5 for t in times), times

        # Pause, then one frame forward: the same frame everywhere.
        page.locator(".vs-gallery > .vs-transport .vs-play").click()
        page.locator(".vs-gallery > .vs-transport .vs-step-forward").click()
        page.wait_for_timeout(300)
        stepped = page.evaluate(CELLS_JS)
        assert all(c["paused"] for c in stepped)
        assert spread([c["t"] for c in stepped]) < 0.01, stepped
        lab.screenshot(page, "gallery-light.png", ".vs-gallery")

        # A/B: two results with a wipe at 30 %.
        cells.nth(0).locator(".vs-pick-a").click()
        cells.nth(3).locator(".vs-pick-b").click()
        gallery.locator(".vs-open-ab").click()
        compare = gallery.locator(".vs-compare")
        page.wait_for_function(
            "[...document.querySelectorAll('.vs-compare video')]"
            ".filter((v) => v.readyState >= 2).length === 2"
        )
        page.evaluate(
            "() => { const w = document.querySelector('.vs-compare .vs-wipe'); w.value = '30';"
            " w.dispatchEvent(new Event('input', { bubbles: true })); }"
        )
        expect(compare).to_have_attribute("data-wipe", "30")
        page.evaluate(SEEK_JS, [".vs-compare .vs-seek", 0.5])
        page.wait_for_timeout(500)
        clip = page.evaluate(
            "getComputedStyle(document.querySelector('.vs-compare .vs-ab-a')).clipPath"
        )
        assert "70%" in clip, clip  # A shows on the left 30 %
        ab = page.evaluate(
            "() => [...document.querySelectorAll('.vs-compare video')].map((v) => v.currentTime)"
        )
        assert spread(ab) < 0.05, ab
        lab.screenshot(page, "ab-wipe-light.png", ".vs-compare")
        lab.theme(page, dark=True)
        lab.screenshot(page, "ab-wipe-dark.png", ".vs-compare")
        lab.screenshot(page, "gallery-dark.png", ".vs-gallery")
        lab.theme(page, dark=False)

        # Source vs result, from a cell's details.
        cells.nth(1).locator(".vs-cell-open").click()
        details = gallery.locator(".vs-cell-details")
        expect(details.locator(".vs-request-json")).to_contain_text('"strength": 0.9')
        details.locator(".vs-compare-source").click()
        expect(gallery.locator(".vs-ab-tag-a")).to_contain_text("source video")
        page.wait_for_function(
            "[...document.querySelectorAll('.vs-compare video')]"
            ".filter((v) => v.readyState >= 2).length === 2"
        )
        lab.screenshot(page, "ab-source-light.png", ".vs-compare")
        assert lab.unlabelled(page) == []

        # History: the four tasks, newest first, and a re-run appears as a card.
        root.locator(".vs-views > .vs-tablist .vs-tab[data-key=history]").click()
        history = root.locator(".vs-history")
        expect(history.locator(".vs-history-row")).to_have_count(4)
        expect(history.locator(".vs-history-summary")).to_contain_text("of 4")
        history.locator(".vs-filter[data-filter=status]").select_option("succeeded")
        expect(history.locator(".vs-history-row")).to_have_count(4)
        history.locator(".vs-rerun").first.click()
        expect(history.locator(".vs-history-status")).to_contain_text("Queued again")
        lab.screenshot(page, "history-light.png", ".vs-history")
        lab.theme(page, dark=True)
        lab.screenshot(page, "history-dark.png", ".vs-history")
        lab.theme(page, dark=False)
        state = json.loads(
            lab.kernel(page, "import json; print(json.dumps([len(studio.tasks), s.group_id]))")
        )
        assert state == [5, group_id]
        print(f"\ngallery flow: {time.monotonic() - started:.1f} s")
    finally:
        page.close()


# -- the editing tools (issue 12): their flows live in painter_flow.py and trimmer_flow.py ---
def test_paint_a_mask_on_frame_ten_and_edit_inside_it(
    jupyter: Any, browser_context: Any, lab: Any
) -> None:
    from tests.browser.painter_flow import paint_a_mask_on_frame_ten_and_edit_inside_it as flow

    flow(jupyter, browser_context, lab)


def test_trim_a_clip_pick_a_last_frame_and_extend(
    jupyter: Any, browser_context: Any, lab: Any
) -> None:
    from tests.browser.trimmer_flow import trim_a_clip_pick_a_last_frame_and_extend as flow

    flow(jupyter, browser_context, lab)


def test_media_inputs_show_thumbnails_chips_and_previews(
    jupyter: Any, browser_context: Any, lab: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_context.new_page()
    started = time.monotonic()
    try:
        root = open_studio(lab, page, jupyter)
        form = root.locator('form[data-function="image_reference"]')
        refs = form.locator('.vs-field[data-field="ref_images_url"]')
        png = base64.b64encode((jupyter.root / "kite.png").read_bytes()).decode()
        page.evaluate(
            DROP_JS,
            ['.vs-field[data-field="ref_images_url"] .vs-array', png, "kite.png", "image/png"],
        )
        expect(refs.locator("img.vs-thumb")).to_have_count(1)
        # The file's own name, though the kernel saved it under its content hash.
        expect(refs.locator("input.vs-media-url").first).to_have_value("kite.png")
        chips = refs.locator(".vs-item").first.locator(".vs-pair")
        expect(chips.locator(".vs-pair-label")).to_have_text("Object or background")
        expect(chips.locator("input[type=radio]").first).to_be_checked()  # "obj"
        form.get_by_role("textbox", name="Prompt", exact=True).fill("a red kite, dropped in")
        lab.screenshot(page, "media-reference-light.png", 'form[data-function="image_reference"]')
        lab.theme(page, dark=True)
        lab.screenshot(page, "media-reference-dark.png", 'form[data-function="image_reference"]')
        lab.theme(page, dark=False)
        submit = root.locator(".vs-forms [role=tabpanel]:not([hidden]) .vs-submit")
        expect(submit).to_be_enabled()
        submit.click()
        card = root.locator(".vs-card").first
        expect(card).to_have_attribute("data-status", "succeeded", timeout=90_000)
        card.locator("video").scroll_into_view_if_needed()
        page.wait_for_function(
            "document.querySelector('.vs-card video')?.readyState >= 2", timeout=60_000
        )
        page.evaluate("document.querySelector('.vs-card video').play()")
        page.wait_for_function("document.querySelector('.vs-card video').currentTime > 0.5")
        sent = json.loads(
            lab.kernel(page, "import json; print(json.dumps(studio.tasks[0].request))")
        )
        assert sent["obj_or_bg"] == ["obj"]
        assert sent["ref_images_url"][0].endswith(".png")

        # video_edit: the mask preview, and how it grows with expand_ratio.
        root.locator(".vs-forms .vs-tab[data-key=video_edit]").click()
        edit = root.locator('form[data-function="video_edit"]')
        source = str(jupyter.root / "source.mp4")
        mask = str(jupyter.root / "mask.png")
        edit.locator('.vs-field[data-field="video_url"] input.vs-media-url').fill(source)
        edit.locator('.vs-field[data-field="mask_image_url"] input.vs-media-url').fill(mask)
        panel = root.locator(".vs-forms [role=tabpanel]:not([hidden]) .vs-preview-panel")
        figure = panel.locator(".vs-preview-figure[data-preview=mask]")
        expect(figure.locator("img")).to_be_visible()
        page.wait_for_function(
            "document.querySelector('.vs-preview-figure[data-preview=mask] img')?.naturalWidth > 0"
        )
        before = json.loads(figure.get_attribute("data-facts") or "{}")
        first_src = figure.locator("img").get_attribute("src")
        lab.screenshot(page, "mask-preview-before.png", ".vs-forms [role=tabpanel]:not([hidden])")
        ratio = edit.locator('.vs-field[data-field="expand_ratio"] input[type=number]')
        ratio.fill("0.5")
        ratio.dispatch_event("change")
        expect(figure).not_to_have_attribute("data-facts", json.dumps(before))
        page.wait_for_function(
            "(src) => document.querySelector('.vs-preview-figure[data-preview=mask] img')"
            "?.getAttribute('src') !== src",
            arg=first_src,
        )
        after = json.loads(figure.get_attribute("data-facts") or "{}")
        assert after["expand_ratio"] == 0.5
        assert after["expanded_area"] > before["expanded_area"]
        expect(figure.locator("figcaption")).to_contain_text("expansion by 0.5")
        lab.screenshot(page, "mask-preview-after.png", ".vs-forms [role=tabpanel]:not([hidden])")
        lab.theme(page, dark=True)
        lab.screenshot(page, "mask-preview-dark.png", ".vs-forms [role=tabpanel]:not([hidden])")
        lab.theme(page, dark=False)
        print(f"\nmedia flow: {time.monotonic() - started:.1f} s")
    finally:
        page.close()


def test_two_views_act_only_on_themselves_in_a_playground_layout(
    jupyter: Any, browser_context: Any, lab: Any
) -> None:
    two_views(jupyter, browser_context, lab)
