"""Two Studio views on one page, and the playground layout: the flows ``test_experiments.py`` runs
(in its module, to share its JupyterLab server and browser).

``two-studios.ipynb`` displays two ``Studio`` widgets, each with its own client. Each is used in
turn — a file chosen through its "Choose file…" button (the browser's file chooser, reached
through the ``<label for>``), an obj/bg chip clicked, Submit — and each must act on itself only:
before ids were unique per view, both views numbered their elements alike and the second view's
labels reached the first view's inputs. Then the playground: form and preview side by side while
the widget is wide, stacked once the widget (not the window) is narrow, with screenshots in light
and dark themes in ``test-artifacts/`` (``playground-{wide,narrow}-{light,dark}.png``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

SETUP = """\
from pathlib import Path
from vace_studio import Studio
from vace_studio.simulator import SimulatorConfig
from vace_studio.simulator.samples import make_mask, make_video

source = make_video(Path("layout-source.mp4").resolve(), 320, 240, seconds=1.0)
mask = make_mask(Path("layout-mask.png").resolve(), 320, 240, extent=0.3)
fast = SimulatorConfig(queue_seconds=0.05, run_seconds=0.2)"""

STUDIO = """\
studio_{name} = Studio(home=Path("home-{name}").resolve(), simulator_config=fast{options})
studio_{name}"""

TASKS = """
import json
print(json.dumps({name: [t.request for t in s.tasks]
                  for name, s in (("a", studio_a), ("b", studio_b))}))
"""

DUPLICATE_IDS_JS = """() => {
  const ids = [...document.querySelectorAll('.vs-root [id]')].map((el) => el.id);
  return { count: ids.length, repeated: ids.filter((id, i) => ids.indexOf(id) !== i) };
}"""

# Where the form column and the side column (preview, Submit) sit, in CSS pixels.
BOXES_JS = """(root) => {
  const panel = root.querySelector('.vs-forms [role=tabpanel]:not([hidden])');
  const box = (sel) => panel.querySelector(sel).getBoundingClientRect().toJSON();
  return { root: root.getBoundingClientRect().width, form: box('.vs-form-main'),
           side: box('.vs-side') };
}"""

# The first studio's Create tab (function tabs, form, preview, Submit): what the screenshots show.
SHOT = ".vs-forms >> nth=0"

# Scrolls JupyterLab's notebook so the Mask group of the first studio's form is at the top.
STICKY_SCROLL_JS = """() => {
  const group = document.querySelector('.vs-root .vs-group[data-group=mask]');
  group.scrollIntoView({ block: 'start' });
}"""

# The side column's top and the top of JupyterLab's notebook panel (what scrolls), on screen.
SIDE_IN_VIEW_JS = """(root) => {
  const side = root.querySelector('.vs-forms [role=tabpanel]:not([hidden]) .vs-side');
  return { side: side.getBoundingClientRect().top,
           scroller: side.closest('.jp-WindowedPanel-outer').getBoundingClientRect().top };
}"""


def open_notebook(page: Any, url: str, name: str) -> None:
    """Like ``Lab.open_notebook``, but runs this notebook only once it is the current one:
    JupyterLab restores the notebooks an earlier test opened, and one of them may be current
    first."""
    from tests.browser.conftest import RUN_ALL_JS

    page.goto(url)
    page.wait_for_function(
        "(name) => window.jupyterapp?.shell?.currentWidget?.context?.path === name"
        " && window.jupyterapp.shell.currentWidget.sessionContext !== undefined",
        arg=name,
        timeout=60_000,
    )
    assert page.evaluate(RUN_ALL_JS) is True


def write_notebook(root: Path) -> Path:
    """``two-studios.ipynb`` in ``root``: sample media, then two studios, each with its own home."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}  # fmt: skip
    nb.cells = [nbformat.v4.new_code_cell(SETUP)] + [
        # The second opens on its Gallery: the public way to pick the opening tab.
        nbformat.v4.new_code_cell(STUDIO.format(name=name, options=options))
        for name, options in (("a", ""), ("b", ', view="gallery"'))
    ]
    path = root / "two-studios.ipynb"
    nbformat.write(nb, path)
    return path


def use_view(page: Any, root: Any, image: Path, prompt: str, role: str) -> None:
    """Choose a file, click a chip, type a prompt and submit, all inside one view."""
    from playwright.sync_api import expect

    root.locator(".vs-views .vs-tab[data-key=create]").click()
    root.locator(".vs-forms .vs-tab[data-key=image_reference]").click()
    form = root.locator('form[data-function="image_reference"]')
    refs = form.locator('.vs-field[data-field="ref_images_url"]')
    # The visible "Choose file…" is a <label for> the hidden input: the path of the old bug.
    with page.expect_file_chooser() as chooser:
        refs.locator("label.vs-pick").first.click()
    chooser.value.set_files(str(image))
    # The file's own name in the box (the kernel keeps a content-hashed copy).
    expect(refs.locator("input.vs-media-url").first).to_have_value(image.name)
    refs.locator(".vs-pair label.vs-chip", has_text=role).first.click()
    expect(
        refs.locator(f'.vs-pair input[type=radio][value="{["obj", "bg"].index(role)}"]')
    ).to_be_checked()
    form.get_by_role("textbox", name="Prompt", exact=True).fill(prompt)
    submit = root.locator(".vs-forms [role=tabpanel]:not([hidden]) .vs-submit")
    expect(submit).to_be_enabled()
    submit.click()
    expect(root.locator(".vs-card").first).to_have_attribute(
        "data-status", "succeeded", timeout=60_000
    )


def two_views(jupyter: Any, browser_context: Any, lab: Any) -> None:
    """Each view used in turn acts on itself only; then the playground's layout and screenshots."""
    from playwright.sync_api import expect

    notebook = write_notebook(jupyter.root)
    page = browser_context.new_page()
    started = time.monotonic()
    try:
        open_notebook(page, jupyter.page(f"lab/tree/{notebook.name}"), notebook.name)
        roots = page.locator(".vs-root")
        expect(roots).to_have_count(2)
        opened = ".vs-views > [role=tablist] > [aria-selected=true]"
        expect(roots.nth(0).locator(opened)).to_have_text("Create")
        expect(roots.nth(1).locator(opened)).to_have_text("Gallery")
        ids = page.evaluate(DUPLICATE_IDS_JS)
        assert ids["count"] > 200
        assert ids["repeated"] == []
        first, second = roots.nth(0), roots.nth(1)
        kite = jupyter.root / "kite.png"

        # The second view first: its labels used to reach the first view's inputs.
        use_view(page, second, kite, "the second studio's kite", "bg")
        expect(first.locator(".vs-card")).to_have_count(0)
        expect(
            first.locator('.vs-field[data-field="ref_images_url"] input.vs-media-url').first
        ).to_have_value("")
        use_view(page, first, kite, "the first studio's kite", "obj")
        expect(second.locator(".vs-card")).to_have_count(1)

        sent = json.loads(lab.kernel(page, TASKS))
        assert [r["prompt"] for r in sent["a"]] == ["the first studio's kite"]
        assert [r["prompt"] for r in sent["b"]] == ["the second studio's kite"]
        assert [r["obj_or_bg"] for r in sent["a"]] == [["obj"]]
        assert [r["obj_or_bg"] for r in sent["b"]] == [["bg"]]
        assert page.evaluate(DUPLICATE_IDS_JS)["repeated"] == []  # cards and chips added ids
        print(f"\ntwo views: {time.monotonic() - started:.1f} s")

        playground(page, lab, first, jupyter.root)
        print(f"two views and the playground: {time.monotonic() - started:.1f} s")
    finally:
        page.close()


def playground(page: Any, lab: Any, root: Any, folder: Path) -> None:
    """Side by side while the widget is wide, stacked when it is narrow; light and dark."""
    from playwright.sync_api import expect

    root.locator(".vs-forms .vs-tab[data-key=video_edit]").click()
    edit = root.locator('form[data-function="video_edit"]')
    # Chosen as a person would (the kernel keeps content-hashed copies; the boxes show the names).
    for field, name in (("video_url", "layout-source.mp4"), ("mask_image_url", "layout-mask.png")):
        box = edit.locator(f'.vs-field[data-field="{field}"]')
        with page.expect_file_chooser() as chooser:
            box.locator("label.vs-pick").click()
        chooser.value.set_files(str(folder / name))
        expect(box.locator("input.vs-media-url")).to_have_value(name)
    edit.get_by_role("textbox", name="Prompt", exact=True).fill("a paper boat on the water")
    panel = root.locator(".vs-forms [role=tabpanel]:not([hidden])")
    expect(panel.locator(".vs-preview-figure[data-preview=mask] img")).to_be_visible()
    expect(panel.locator("details.vs-group-folded")).not_to_have_attribute("open", "")

    wide = root.evaluate(BOXES_JS)
    assert wide["side"]["x"] >= wide["form"]["x"] + wide["form"]["width"] - 1, wide
    assert abs(wide["side"]["y"] - wide["form"]["y"]) < 2, wide
    # Sticky: with the form scrolled to its last group, the preview is still in view.
    panel.locator("details.vs-group-folded").scroll_into_view_if_needed()
    page.evaluate(STICKY_SCROLL_JS)
    page.wait_for_timeout(100)  # placed on the next animation frame
    seen = root.evaluate(SIDE_IN_VIEW_JS)
    assert seen["scroller"] - 1 <= seen["side"] < seen["scroller"] + 40, seen
    shots = [lab.screenshot(page, "playground-wide-light.png", SHOT), readme_shot(page)]
    lab.theme(page, dark=True)
    shots.append(lab.screenshot(page, "playground-wide-dark.png", SHOT))
    lab.theme(page, dark=False)

    # Narrow: the widget in a 560 px box (a side panel, say) in the same wide window.
    root.evaluate("(el) => { el.parentElement.style.width = '560px'; }")
    narrow = root.evaluate(BOXES_JS)
    assert narrow["root"] <= 560
    assert narrow["side"]["y"] >= narrow["form"]["y"] + narrow["form"]["height"] - 1, narrow
    shots.append(lab.screenshot(page, "playground-narrow-light.png", SHOT))
    lab.theme(page, dark=True)
    shots.append(lab.screenshot(page, "playground-narrow-dark.png", SHOT))
    lab.theme(page, dark=False)
    root.evaluate("(el) => { el.parentElement.style.width = ''; }")
    assert all(shot.stat().st_size > 10_000 for shot in shots)


def readme_shot(page: Any) -> Path:
    """The top of the first studio, wide and light: the picture in the README (kept small)."""
    from tests.helpers import ARTIFACTS

    size = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": 1400})
    try:
        root = page.locator(".vs-root").first
        root.evaluate("(el) => el.scrollIntoView({ block: 'start' })")
        page.wait_for_timeout(300)
        box = root.bounding_box()
        path = ARTIFACTS / "playground-readme.png"
        clip = {"x": box["x"], "y": box["y"], "width": box["width"], "height": 900}
        page.screenshot(path=str(path), clip=clip)
    finally:
        page.set_viewport_size(size)
    return path
