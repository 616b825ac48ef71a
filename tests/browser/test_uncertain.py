"""End to end in JupyterLab (Chromium): a submit whose answer was lost, settled by a person.

The notebook runs a simulator speaking Modellix (a provider that cannot list tasks, so only a
person can say what a lost submit created) and a ``Studio`` on it. The test switches on a fault
through the simulator's own HTTP introspection API — drop the connection *after* the submit
created its task — submits, and switches the fault off. The card must show what happened, the
advice with the provider's console, and both choices (adopt a task id, submit again). The test
then reads the task the simulator created from ``/_simulator/tasks``, pastes its id into the
card's field, clicks *Adopt task id*, and the result video must load and play; Python must agree
(the task succeeded with that id, and no second task exists at the simulator). Then a spent
quota: the banner says why submissions are held, the waiting card says it is paused, and
*Resume submissions* sends it. Screenshots: ``test-artifacts/uncertain-card.png`` (before
adopting), ``uncertain-adopted.png`` and ``held-banner.png``.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import nbformat
import pytest

pytestmark = pytest.mark.browser

SETUP = """\
from pathlib import Path
from vace_studio import Studio
from vace_studio.engine import Client
from vace_studio.simulator import SimulatorConfig, serve

sim = serve(SimulatorConfig(queue_seconds=0.1, run_seconds=0.5))
client = Client("modellix", api_key=sim.key("e2e-modellix"), base_url=sim.base_url)
studio = Studio(client=client)
studio"""

SUBMIT = """\
import asyncio
task = studio.enqueue({"function": "image_reference", "prompt": "a red kite over the sea",
                      "ref_images_url": [str(Path("kite.png").resolve())]})
print(task.local_id)"""

PYTHON_SIDE = """\
import json
print(json.dumps({"status": str(task.status), "task_id": task.task_id,
                  "video": bool(task.record.local_path),
                  "held": studio.submissions_held}))"""

HELD = """\
first = studio.enqueue({"function": "image_reference", "prompt": "first",
                       "ref_images_url": [str(Path("kite.png").resolve())]})
second = studio.enqueue({"function": "image_reference", "prompt": "second",
                        "ref_images_url": [str(Path("kite.png").resolve())]})"""

VIDEO_JS = """(sel) => { const v = document.querySelector(sel);
  return v ? { ready: v.readyState, t: v.currentTime, src: v.currentSrc.slice(0, 5),
               w: v.videoWidth } : null; }"""


def write_notebook(root: Path) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}  # fmt: skip
    nb.cells = [nbformat.v4.new_code_cell(SETUP)]
    nbformat.write(nb, root / "uncertain.ipynb")
    return "lab/tree/uncertain.ipynb"


def simulator_call(
    base_url: str, secret: str, path: str, body: dict[str, Any] | None = None
) -> Any:
    """The simulator's introspection API (``/_simulator/...``), from the test process (which
    learns the secret from the kernel, the simulator's owner)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{base_url}/_simulator/{path}",
        data=data,
        method="GET" if body is None else "POST",
        headers={"content-type": "application/json", "x-simulator-secret": secret},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_an_uncertain_card_is_settled_by_adopting_the_pasted_id(
    jupyter: Any, browser_context: Any, lab: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_context.new_page()
    try:
        lab.open_notebook(page, jupyter.page(write_notebook(jupyter.root)))
        root = page.locator(".vs-root")
        expect(root).to_have_count(1)
        base_url = lab.kernel(page, "print(sim.base_url)").strip()
        secret = lab.kernel(page, "print(sim.secret)").strip()
        assert simulator_call(base_url, secret, "tasks") == {"tasks": []}

        # Lose the submit's answer after the simulator created the task, then stop losing.
        simulator_call(base_url, secret, "faults", {"drop_after_rate": 1.0, "routes": ["submit"]})
        local_id = lab.kernel(page, SUBMIT).strip()
        card = root.locator(f'.vs-card[data-local-id="{local_id}"]')
        uncertain = card.locator(".vs-card-uncertain")
        expect(uncertain).to_be_visible()
        simulator_call(base_url, secret, "faults", {})

        expect(card.locator(".vs-status-chip")).to_have_text("outcome unknown")
        expect(card.locator(".vs-card-error")).to_contain_text("SubmitOutcomeUnknown")
        expect(uncertain.locator(".vs-card-advice")).to_contain_text("https://modellix.ai/")
        link = uncertain.locator("a.vs-console-link")
        expect(link).to_have_attribute("href", "https://modellix.ai/")
        adopt = uncertain.get_by_role("button", name="Adopt task id")
        resubmit = uncertain.get_by_role("button", name="Submit again")
        expect(adopt).to_be_visible()
        expect(resubmit).to_be_visible()
        field = uncertain.get_by_label("Task id from the console")
        expect(field).to_be_visible()
        assert lab.unlabelled(page) == []
        lab.screenshot(page, "uncertain-card.png", f'.vs-card[data-local-id="{local_id}"]')

        (created,) = simulator_call(base_url, secret, "tasks")["tasks"]
        field.fill(created["id"])
        adopt.click()
        expect(uncertain.locator(".vs-uncertain-answer")).to_contain_text(
            f"Adopted {created['id']}"
        )
        expect(uncertain).to_be_hidden()
        expect(card.locator(".vs-task-id")).to_have_text(created["id"])
        video = f'.vs-card[data-local-id="{local_id}"] video'
        page.wait_for_function(
            f"document.querySelector('{video}')?.readyState >= 2", timeout=60_000
        )
        page.evaluate(f"document.querySelector('{video}').play()")
        page.wait_for_function(
            f"document.querySelector('{video}').currentTime > 0.2", timeout=30_000
        )
        shown = page.evaluate(VIDEO_JS, video)
        assert shown["ready"] >= 2
        assert shown["w"] > 0
        assert shown["src"] == "blob:"  # the kernel sent the MP4 over the comm
        expect(card.locator(".vs-status-chip")).to_have_attribute("data-tone", "done")
        lab.screenshot(page, "uncertain-adopted.png", f'.vs-card[data-local-id="{local_id}"]')

        state = json.loads(lab.kernel(page, PYTHON_SIDE))
        assert state == {"status": "succeeded", "task_id": created["id"], "video": True,
                         "held": ""}  # fmt: skip
        assert [t["id"] for t in simulator_call(base_url, secret, "tasks")["tasks"]] == [
            created["id"]
        ]

        # A spent quota: the first task fails with the provider's code, the second waits behind a
        # banner until a person resumes.
        simulator_call(base_url, secret, "faults", {"billing": {"modellix": "quota_exceeded"}})
        lab.kernel(page, HELD)
        banner = root.locator(".vs-held-banner")
        expect(banner).to_be_visible()
        expect(banner).to_have_attribute("role", "alert")
        expect(banner).to_contain_text("quota exceeded")
        refused = root.locator(".vs-card", has_text="first")
        expect(refused.locator(".vs-status-chip")).to_have_attribute("data-tone", "error")
        expect(refused.locator(".vs-card-error")).to_be_visible()
        waiting = root.locator(".vs-card", has_text="second")
        expect(waiting.locator(".vs-card-time")).to_contain_text("paused: submissions are held")
        lab.screenshot(page, "held-banner.png", ".vs-root")
        simulator_call(base_url, secret, "faults", {})
        banner.get_by_role("button", name="Resume submissions").click()
        expect(banner).to_be_hidden()
        expect(waiting.locator(".vs-status-chip")).to_have_attribute("data-tone", "done")
    finally:
        page.close()
