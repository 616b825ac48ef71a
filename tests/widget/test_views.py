"""One task view, named projections, and the golden wire fixtures the TypeScript tests check.

The browser's shapes (a task card, a gallery cell, a history row) are written by Python to
``js/test/fixtures/wire/*.json``; the TypeScript tests type-check their interfaces against them
(``satisfies``, and the same key set both ways), so a field renamed or added here fails there.
When a projection changes on purpose, regenerate the fixtures::

    VACE_WRITE_FIXTURES=1 .venv/bin/pytest tests/widget/test_views.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.helpers import JS_FIXTURES
from vace_studio.engine import TaskRecord
from vace_studio.experiments.views import BROWSER, FIELDS, PROJECTIONS, project, task_view
from vace_studio.widget.feed import card_view, delta, shown_card
from vace_studio.widget.gallery import cell

WIRE = JS_FIXTURES / "wire"


def record(**changes: Any) -> TaskRecord:
    rec = TaskRecord(
        id="l1", provider="simulator", protocol="dashscope", endpoint="http://sim",
        function="image_reference", request={"function": "image_reference", "prompt": "kite"},
        status="waiting", created_at=1000.123456, updated_at=1000.0,
    )  # fmt: skip
    for key, value in changes.items():
        setattr(rec, key, value)
    return rec


def task(rec: TaskRecord, **live: Any) -> Any:
    """Stands in for the engine's Task: a record plus what lives in memory only."""
    return SimpleNamespace(
        record=rec,
        local_id=rec.id,
        position=live.get("position"),
        eta=live.get("eta"),
        last_error=live.get("last_error"),
        downloading=live.get("downloading", False),
    )


# -- samples: one per way a task looks, every optional field set in at least one ----------------
def _samples(video: Path) -> dict[str, list[dict[str, Any]]]:
    held = record(id="w1", tags={"seed": 1})
    uncertain = record(
        id="u1", provider="modellix", protocol="modellix", status="uncertain",
        error_code="SubmitOutcomeUnknown", error_message="the answer was lost",
        advice="Look in the console, then adopt or resubmit.",
        extra={"candidates": ["task-a", "task-b"]}, submitted_at=None,
    )  # fmt: skip
    done = record(
        id="s1", task_id="p-s1", status="succeeded", group_id="g1", region="intl",
        request={"function": "video_repainting", "prompt": "ink",
                 "video_url": "https://example.com/in.mp4", "control_condition": "depth"},
        function="video_repainting", tags={"prompt": "ink"},
        submitted_at=1001.0, started_at=1003.0, finished_at=1010.5,
        video_url="https://example.com/out.mp4", url_expires_at=87400.0,
        local_path=str(video), cost=0.5, usage={"video_duration": 5},
        warnings=[{"field": "prompt", "message": "prompt: trimmed", "fix": None}],
        replaces="u0", replaced_by=None,
    )  # fmt: skip
    cards = [
        card_view(task(held, position=3, eta=89.6), order=1, expected_seconds=60.0,
                  console_url=None, held="Billing: top up, then resume"),
        card_view(task(uncertain, last_error="poll failed"), order=2, expected_seconds=None,
                  console_url="https://modellix.ai/console", held=None),
        card_view(task(done, downloading=True), order=3, expected_seconds=42.1234,
                  console_url=None, held=None),
    ]  # fmt: skip
    cells = [
        cell(0, {"prompt": "ink"}, done.request, done),
        cell(1, {"prompt": "oil"}, {**done.request, "prompt": "oil"}, None),
    ]
    rows = [task_view(r) for r in (held, uncertain, done)]
    return {
        # The waiting card as a class shows it: its place and ETA in the account's queue.
        "card": [shown_card(v, class_queue=i == 0) for i, v in enumerate(cards)],
        "cell": cells,
        "history_row": [project(v, "history_row") for v in rows],
    }


@pytest.fixture
def wire_samples(tmp_path: Path) -> dict[str, list[dict[str, Any]]]:
    video = tmp_path / "out.mp4"
    video.write_bytes(b"mp4")
    return _samples(video)


def test_wire_fixtures_are_current(wire_samples: dict[str, list[dict[str, Any]]]) -> None:
    assert set(wire_samples) == BROWSER
    stale = []
    for name, shapes in wire_samples.items():
        text = json.dumps(shapes, indent=2, sort_keys=False) + "\n"
        path = WIRE / f"{name}.json"
        if os.environ.get("VACE_WRITE_FIXTURES") == "1":
            path.write_text(text)
        if not path.is_file() or path.read_text() != text:
            stale.append(path.name)
    assert not stale, (
        f"js/test/fixtures/wire/{stale} are stale: regenerate them with "
        "VACE_WRITE_FIXTURES=1 .venv/bin/pytest tests/widget/test_views.py"
    )


def test_browser_projections_carry_no_kernel_paths(
    wire_samples: dict[str, list[dict[str, Any]]],
) -> None:
    for name in BROWSER:
        assert "local_path" not in PROJECTIONS[name], name
    text = json.dumps(wire_samples)
    assert "out.mp4" not in text.replace("https://example.com/out.mp4", "")
    assert all(s["has_video"] for s in (wire_samples["card"][2], wire_samples["cell"][0]))


def test_one_name_per_field() -> None:
    for name, keys in PROJECTIONS.items():
        assert set(keys) <= set(FIELDS), name
        assert len(set(keys)) == len(keys), name
    # The names that once had twins.
    assert not {"id", "video_exists", "seconds", "tags"} & set(FIELDS)


def test_a_view_is_plain_json_with_times_to_the_millisecond(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    video.write_bytes(b"mp4")
    rec = record(local_path=str(video), tags={"when": object()})
    view = task_view(rec, task=task(rec, position=2))
    assert json.loads(json.dumps(view)) == view  # labels of any type survive
    assert view["created_at"] == 1000.123
    assert view["position"] == 2
    assert view["has_video"] is True
    video.unlink()
    assert task_view(record(local_path=str(video)))["has_video"] is False
    with pytest.raises(KeyError, match="unknown fields"):
        task_view(record(), colour="red")


def test_deltas_carry_only_what_changed() -> None:
    def shown(rec: TaskRecord) -> dict[str, Any]:
        view = card_view(task(rec), order=1, expected_seconds=None, console_url=None, held=None)
        return project(view, "card")

    old = shown(record())
    new = shown(record(status="queued", task_id="p1"))
    assert delta(None, old) == old
    assert delta(old, new) == {"local_id": "l1", "status": "queued", "task_id": "p1"}
    assert delta(new, new) is None


def test_only_a_class_card_carries_its_place_in_line() -> None:
    view = card_view(task(record(), position=4, eta=59.7), order=9, expected_seconds=None,
                     console_url=None, held=None)  # fmt: skip
    assert (view["position"], view["eta"]) == (4, 60)
    assert project(view, "notebook_card")["position"] == 4  # Studio.cards: the kernel's place
    classroom = shown_card(view, class_queue=True)
    assert (classroom["position"], classroom["eta"], classroom["order"]) == (4, 60, 9)
    alone = shown_card(view, class_queue=False)  # the browser ranks by order
    assert (alone["position"], alone["eta"], alone["order"]) == (None, None, 9)


def test_results_list_what_notebook_code_needs() -> None:
    rec = record(status="succeeded", submitted_at=1001.0, finished_at=1008.5, cost=0.5)
    result = project(task_view(rec), "result")
    assert result["total_seconds"] == 7.5
    assert result["prompt"] == "kite"
    assert result["cost"] == 0.5
    assert set(result) >= {"local_id", "task_id", "video_url", "url_expires_at", "local_path"}


def test_a_held_card_says_why_it_waits() -> None:
    waiting = card_view(task(record()), order=1, expected_seconds=None, console_url=None,
                        held="top up")  # fmt: skip
    running = card_view(task(record(status="running")), order=1, expected_seconds=None,
                        console_url=None, held="top up")  # fmt: skip
    assert (waiting["paused"], running["paused"]) == ("top up", None)
