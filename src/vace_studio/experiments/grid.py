"""A sweep's grid: every combination of the varied fields, each a labelled request.

Pure: no I/O. :func:`build_grid` turns a base request and lists of values into cells;
:func:`check_cells` validates every cell before anything is spent and reports all problems at
once, each with the cells it occurs in, so a broken base request reads as one problem, not six.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vace_studio.requests import InvalidRequest
from vace_studio.requests.problems import describe_value

if TYPE_CHECKING:
    from vace_studio.requests import VaceRequest

MAX_CELLS = 10_000
"""Grids larger than this are refused before they are built (almost surely a typo)."""


@dataclass(frozen=True)
class Cell:
    """One combination of a grid.

    ``index`` counts from 0 in grid order (the last field varies fastest); ``labels`` maps each
    varied field to this cell's value (JSON-ready); ``request`` is the full request as a dict.
    """

    index: int
    labels: dict[str, Any]
    request: dict[str, Any]

    def label_text(self) -> str:
        """``prompt='a cat', seed=2``: how people see this cell."""
        return format_labels(self.labels)

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "labels": self.labels, "request": self.request}


@dataclass(frozen=True)
class Grid:
    """A built grid: the base request, the values of each varied field, and the cells."""

    base: dict[str, Any]
    values: dict[str, list[Any]]
    cells: list[Cell]

    @property
    def fields(self) -> list[str]:
        """The varied fields, in grid order."""
        return list(self.values)

    def shape(self) -> str:
        """``prompt (3) × seed (2)``."""
        return " × ".join(f"{name} ({len(v)})" for name, v in self.values.items())


@dataclass(frozen=True)
class SweepProblem:
    """One reason a sweep cannot run.

    ``field`` is the request field (``""`` for the request as a whole); ``message`` is the
    plain-words sentence; ``cells`` the indexes of the cells it occurs in (empty for a problem
    with the grid itself, such as a field given a single value instead of a list).
    """

    field: str
    message: str
    cells: tuple[int, ...] = ()
    labels: tuple[dict[str, Any], ...] = ()

    def describe(self, total: int) -> str:
        if not self.cells:
            return self.message
        if len(self.cells) == total:
            where = "every cell" if total > 1 else "the request"
        elif len(self.cells) <= 3:
            where = "; ".join(
                f"cell {i + 1} ({format_labels(labels)})"
                for i, labels in zip(self.cells, self.labels, strict=True)
            )
        else:
            where = f"{len(self.cells)} of {total} cells, e.g. cell {self.cells[0] + 1} " + (
                f"({format_labels(self.labels[0])})"
            )
        return f"{self.message} — in {where}"

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "message": self.message,
            "cells": list(self.cells),
            "labels": list(self.labels),
        }


class InvalidSweep(ValueError):  # noqa: N818 -- reads as the condition, like InvalidRequest
    """A sweep's grid or one of its cells is invalid; nothing was recorded or sent."""

    def __init__(self, problems: Sequence[SweepProblem], total: int) -> None:
        self.problems = list(problems)
        self.total = total
        lines = "\n".join(f"  - {p.describe(total)}" for p in self.problems)
        cells = f"{total} cell{'s' if total != 1 else ''}"
        super().__init__(f"This sweep ({cells}) cannot run:\n{lines}")

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "problems": [p.to_json() for p in self.problems]}


def format_labels(labels: Mapping[str, Any]) -> str:
    """``prompt='a cat', seed=2`` (long values shortened)."""
    if not labels:
        return "no varied fields"
    return ", ".join(f"{name}={describe_value(value)}" for name, value in labels.items())


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data (paths become strings), or ``TypeError``."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise TypeError(f"{value!r} is not a finite number")
        return value
    raise TypeError(f"{type(value).__name__} values cannot be stored (got {value!r})")


def label_key(labels: Mapping[str, Any]) -> str:
    """A canonical text of ``labels``, to match a stored task to its cell."""
    return json.dumps(jsonable(dict(labels)), sort_keys=True)


def base_fields(base: VaceRequest | Mapping[str, Any]) -> dict[str, Any]:
    """The base request as a plain dict (a model gives its API fields)."""
    if isinstance(base, Mapping):
        return dict(base)
    from vace_studio.requests import VaceRequest  # the models load on first use

    if isinstance(base, VaceRequest):
        return base.api_fields()
    raise TypeError(f"the base request must be a request or a dict (got {base!r})")


def build_grid(base: VaceRequest | Mapping[str, Any], grid: Mapping[str, Sequence[Any]]) -> Grid:
    """Every combination of ``grid``'s values applied over ``base``, in order.

    Each grid value must be a non-empty list (or tuple) of distinct, JSON-ready values. Raises
    :class:`InvalidSweep` naming each field that is not; no cell is validated here (see
    :func:`check_cells`). The same arguments always give the same cells in the same order.
    """
    if not grid:
        raise InvalidSweep(
            [SweepProblem("", "give at least one field to vary, e.g. seed=[1, 2, 3]")], 0
        )
    problems: list[SweepProblem] = []
    try:
        fields = jsonable(base_fields(base))
    except TypeError as error:
        fields = {}
        problems.append(SweepProblem("", f"the base request: {error}"))
    values: dict[str, list[Any]] = {}
    for name, given in grid.items():
        if isinstance(given, str | bytes) or not isinstance(given, Sequence):
            problems.append(
                SweepProblem(
                    name,
                    f"{name}: give a list of values to sweep (got {describe_value(given)}); put "
                    "a fixed value in the base request instead",
                )
            )
            continue
        try:
            items = [jsonable(v) for v in given]
        except TypeError as error:
            problems.append(SweepProblem(name, f"{name}: {error}"))
            continue
        if not items:
            problems.append(SweepProblem(name, f"{name}: give at least one value (got [])"))
            continue
        keys = [json.dumps(v, sort_keys=True) for v in items]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            problems.append(
                SweepProblem(
                    name,
                    f"{name}: each value may appear once, so every cell has its own label "
                    f"(repeated: {', '.join(repeated)})",
                )
            )
            continue
        values[name] = items
    size = math.prod(len(v) for v in values.values())
    if size > MAX_CELLS:
        problems.append(
            SweepProblem("", f"the grid has {size} cells; at most {MAX_CELLS} are allowed")
        )
    if problems:
        raise InvalidSweep(problems, size)
    names = list(values)
    cells: list[Cell] = []
    for index, combo in enumerate(itertools.product(*(values[n] for n in names))):
        labels = dict(zip(names, combo, strict=True))
        cells.append(Cell(index, labels, {**fields, **labels}))
    return Grid(fields, values, cells)


def check_cells(
    cells: Sequence[Cell],
    check: Callable[[dict[str, Any]], VaceRequest] | None = None,
) -> list[VaceRequest]:
    """Validate every cell with ``check`` (default: :func:`~vace_studio.requests.validate_request`);
    return the models or raise :class:`InvalidSweep`.

    ``check`` raises :class:`~vace_studio.requests.InvalidRequest` (or another ``ValueError``,
    e.g. an upload the provider cannot take) for a bad cell. All cells are checked; identical
    problems of several cells are reported once, with the cells they occur in.
    """
    if check is None:
        from vace_studio.requests import validate_request  # the models load on first use

        check = validate_request
    models: list[VaceRequest] = []
    found: dict[tuple[str, str], list[Cell]] = {}
    for cell in cells:
        try:
            models.append(check(cell.request))
        except InvalidRequest as error:
            for problem in error.problems:
                found.setdefault((problem.field, problem.message), []).append(cell)
        except ValueError as error:  # e.g. UploadError: a local file the provider cannot take
            found.setdefault(("", str(error)), []).append(cell)
    if found:
        problems = [
            SweepProblem(
                field,
                message,
                tuple(c.index for c in where),
                tuple(c.labels for c in where),
            )
            for (field, message), where in found.items()
        ]
        raise InvalidSweep(problems, len(cells))
    return models
