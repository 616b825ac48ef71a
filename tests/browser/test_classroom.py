"""End to end in JupyterLab (Chromium): a student's Studio on a class's shared PostgreSQL store.

The test publishes a class account in a fresh database (what a worker does; no worker runs, so
every task waits in line), queues a classmate's task, and opens a notebook whose Studio is
``Studio(store=URL, person="ann")``. Ann queues three tasks: their cards must read their places
in the *account's* fair queue — ann's first, bob's first, then ann's others — with an ETA, and
Python's ``Studio.cards`` must agree. The History tab must offer the person filter (two people)
and the per-person usage table. Screenshots: ``test-artifacts/class-cards.png`` and
``class-history.png``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.engine.class_tools import cell
from vace_studio.engine import Client
from vace_studio.engine.shared_queue import Account, SharedQueue
from vace_studio.engine.store_pg import PgStore

pytestmark = pytest.mark.browser

ENDPOINT = "http://127.0.0.1:9/class"
"""Nobody sends anything there: no worker runs, and a student's kernel never talks to it."""

SETUP = """\
from vace_studio import Studio
studio = Studio(store={url!r}, person="ann")
studio"""

QUEUE = """\
tasks = [studio.enqueue({"function": "image_reference", "prompt": f"ann's cube {i}",
                         "ref_images_url": ["https://example.com/a.png"], "size": "960*960",
                         "seed": i}) for i in range(3)]
print(" ".join(t.local_id for t in tasks))"""

PLACES = """\
import json
print(json.dumps({c["local_id"]: [c["position"], c["eta"]] for c in studio.cards}))"""


def publish_account(url: str) -> None:
    store = PgStore(url)
    try:
        SharedQueue(store, ENDPOINT).register(
            Account(
                endpoint=ENDPOINT, provider="dashscope", protocol="dashscope", region="intl",
                simulated=True, submits_per_second=2.0, max_concurrent=2, typical_seconds=120.0,
                price_per_second=0.1,
            )
        )  # fmt: skip
    finally:
        store.close()


def write_notebook(root: Path, url: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}  # fmt: skip
    nb.cells = [nbformat.v4.new_code_cell(SETUP.format(url=url))]
    nbformat.write(nb, root / "classroom.ipynb")
    return "lab/tree/classroom.ipynb"


def test_a_students_cards_read_their_place_in_the_class_queue(
    jupyter: Any, browser_context: Any, lab: Any, pg_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    publish_account(pg_url)
    page = browser_context.new_page()
    try:
        lab.open_notebook(page, jupyter.page(write_notebook(jupyter.root, pg_url)))
        root = page.locator(".vs-root")
        expect(root).to_have_count(1)
        first_id, *later = lab.kernel(page, QUEUE).split()
        # Bob joins after ann's first task: fair share puts his first before her second.
        bob = Client(store=pg_url, person="bob", home=tmp_path / "bob", announce=False)
        bob.enqueue(cell("https://example.com/a.png", "bob", 1))
        bob.store.close()

        def time_of(local_id: str) -> Any:
            return root.locator(f'.vs-card[data-local-id="{local_id}"] .vs-card-time')

        expect(time_of(first_id)).to_contain_text("1st in the class queue · up next")
        expect(time_of(later[0])).to_contain_text("3rd in the class queue · about 1 min")
        expect(time_of(later[1])).to_contain_text("4th in the class queue · about 1 min")
        places = json.loads(lab.kernel(page, PLACES))
        assert [places[i] for i in (first_id, *later)] == [[1, 0], [3, 60], [4, 60]]
        lab.screenshot(page, "class-cards.png")

        root.locator(".vs-views > .vs-tablist .vs-tab[data-key=history]").click()
        people = root.locator('.vs-filter[data-filter="person"]')
        expect(people).to_be_visible()
        expect(people.locator("option")).to_have_text(["any person", "ann", "bob"])
        usage = root.locator(".vs-usage")
        expect(usage).to_be_visible()
        usage.locator("summary").click()
        expect(usage.locator(".vs-usage-row")).to_have_count(2)
        expect(usage.locator('.vs-usage-row[data-person="ann"] td').first).to_have_text("3")
        lab.screenshot(page, "class-history.png")
        people.select_option("bob")
        expect(root.locator(".vs-history-row")).to_have_count(1)
    finally:
        lab.kernel(page, "studio.close()")
        page.close()
