"""The grid of a sweep: cells in order with their labels, and every problem reported at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vace_studio.experiments.grid import MAX_CELLS, InvalidSweep, build_grid, check_cells
from vace_studio.requests import VideoOutpainting

BASE: dict[str, Any] = {
    "function": "video_outpainting",
    "video_url": "https://example.com/in.mp4",
    "left_scale": 1.5,
}


def test_cells_are_every_combination_last_field_fastest() -> None:
    grid = build_grid(BASE, {"prompt": ["a", "b", "c"], "seed": [1, 2]})
    assert grid.fields == ["prompt", "seed"]
    assert grid.shape() == "prompt (3) × seed (2)"
    assert [c.index for c in grid.cells] == list(range(6))
    assert [tuple(c.labels.values()) for c in grid.cells] == [
        ("a", 1),
        ("a", 2),
        ("b", 1),
        ("b", 2),
        ("c", 1),
        ("c", 2),
    ]
    for cell in grid.cells:
        assert cell.request == {**BASE, **cell.labels}
    assert grid.cells[3].label_text() == "prompt='b', seed=2"


def test_a_model_base_and_path_values_become_plain_json(tmp_path: Path) -> None:
    base = VideoOutpainting(prompt="wide", video_url="https://example.com/in.mp4")
    grid = build_grid(base, {"video_url": [tmp_path / "a.mp4", "https://example.com/b.mp4"]})
    assert grid.cells[0].labels == {"video_url": str(tmp_path / "a.mp4")}
    assert grid.cells[1].request["prompt"] == "wide"
    assert grid.base["function"] == "video_outpainting"


def test_the_same_arguments_give_the_same_grid() -> None:
    first = build_grid(BASE, {"seed": [3, 1], "top_scale": [1.0, 1.2]})
    again = build_grid(first.base, first.values)
    assert first == again


def test_every_problem_with_the_grid_is_reported_together() -> None:
    with pytest.raises(InvalidSweep) as caught:
        build_grid(BASE, {"prompt": "a cat", "seed": [], "top_scale": [1.2, 1.2], "x": [object()]})
    text = str(caught.value)
    assert [p.field for p in caught.value.problems] == ["prompt", "seed", "top_scale", "x"]
    assert "prompt: give a list of values to sweep (got 'a cat')" in text
    assert "seed: give at least one value" in text
    assert "top_scale: each value may appear once" in text
    assert "object values cannot be stored" in text


def test_an_empty_grid_and_a_huge_grid_are_refused() -> None:
    with pytest.raises(InvalidSweep, match="at least one field to vary"):
        build_grid(BASE, {})
    with pytest.raises(InvalidSweep, match=f"at most {MAX_CELLS}"):
        build_grid(BASE, {"seed": list(range(200)), "prompt": [str(i) for i in range(200)]})


def test_cell_problems_name_their_cells_and_a_shared_one_is_said_once() -> None:
    grid = build_grid(
        {"function": "video_outpainting", "left_scale": 1.5},  # no video_url: every cell
        {"prompt": ["a", "b"], "top_scale": [1.5, 2.5]},
    )
    with pytest.raises(InvalidSweep) as caught:
        check_cells(grid.cells)
    problems = {p.field: p for p in caught.value.problems}
    assert set(problems) == {"video_url", "top_scale"}
    assert problems["video_url"].cells == (0, 1, 2, 3)
    assert problems["top_scale"].cells == (1, 3)
    text = str(caught.value)
    assert "This sweep (4 cells) cannot run" in text
    assert text.count("video_url: is required") == 1
    assert "in every cell" in text
    assert "top_scale: must be between 1.0 and 2.0 (got 2.5) — in cell 2 (prompt='a', " in text
    assert caught.value.to_json()["problems"][1]["labels"][0] == {"prompt": "a", "top_scale": 2.5}


def test_valid_cells_come_back_as_models() -> None:
    grid = build_grid(BASE, {"prompt": ["a", "b"]})
    models = check_cells(grid.cells)
    assert [m.prompt for m in models] == ["a", "b"]
