"""Planning a sweep: the grid built and checked, its cost, and the cost guard.

Nothing here records or sends anything; :func:`plan_sweep` is what :func:`~.sweeps.sweep` runs
first, and what a UI calls to show "6 cells, $3.00" before the user agrees.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vace_studio.engine import Client
from vace_studio.experiments.cost import CostEstimate, estimate_for
from vace_studio.experiments.grid import (
    Cell,
    Grid,
    InvalidSweep,
    SweepProblem,
    base_fields,
    build_grid,
    check_cells,
)
from vace_studio.requests import InvalidRequest, VaceRequest

Confirm = bool | Callable[[CostEstimate], bool] | None
"""``True`` (go ahead), a function asked with the estimate, or ``None`` (refuse above the limit)."""


class SweepNotConfirmed(RuntimeError):  # noqa: N818 -- reads as the condition it reports
    """A sweep would cost more than the limit and was not confirmed; nothing was submitted."""

    def __init__(self, plan: SweepPlan, confirm_above: float, *, declined: bool) -> None:
        self.plan = plan
        self.estimate = plan.estimate
        self.confirm_above = confirm_above
        if declined:
            why, how = "you declined it", "confirm=True"
        elif plan.estimate.total is None:
            why, how = "its cost is unknown", "confirm=True (or price_per_second= to estimate it)"
        else:
            why = f"that is above confirm_above=${confirm_above:,.2f}"
            how = "confirm=True (or a higher confirm_above=)"
        super().__init__(f"Nothing was submitted: {plan}; {why}. To run it, pass {how}.")


@dataclass(frozen=True)
class SweepPlan:
    """A validated grid and what it will cost, before anything is recorded or sent."""

    grid: Grid
    estimate: CostEstimate

    @property
    def cells(self) -> list[Cell]:
        return self.grid.cells

    def __str__(self) -> str:
        n = len(self.grid.cells)
        return f"{n} cell{'s' if n != 1 else ''} ({self.grid.shape()}): {self.estimate}"

    def to_json(self) -> dict[str, Any]:
        return {
            "fields": self.grid.fields,
            "values": self.grid.values,
            "cells": [c.to_json() for c in self.grid.cells],
            "estimate": self.estimate.to_json(),
            "text": str(self),
        }


def _grid_args(grid: Mapping[str, Sequence[Any]] | None, fields: dict[str, Any]) -> dict[str, Any]:
    both = set(grid or {}) & set(fields)
    if both:
        raise TypeError(f"{', '.join(sorted(both))} given both in grid= and as a keyword")
    return {**dict(grid or {}), **fields}


def _saved_media(
    client: Client, base: VaceRequest | Mapping[str, Any], grid: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Base and grid with in-memory media (bytes, images, arrays) saved as files, as the
    client does for a single request, so that labels and the stored sweep are plain JSON."""
    problems: list[SweepProblem] = []

    def saved(data: Mapping[str, Any]) -> dict[str, Any]:
        try:
            return dict(client.uploads.materialize(data))
        except InvalidRequest as error:
            problems.extend(SweepProblem(p.field, p.message) for p in error.problems)
            return dict(data)

    fields = saved(base_fields(base))
    values: dict[str, Any] = {}
    for name, given in grid.items():
        is_list = isinstance(given, list | tuple)
        values[name] = [saved({name: v})[name] for v in given] if is_list else given
    if problems:
        sizes = [len(v) for v in values.values() if isinstance(v, list | tuple)]
        raise InvalidSweep(problems, math.prod(sizes))
    return fields, values


def plan_sweep(
    client: Client,
    base: VaceRequest | Mapping[str, Any],
    *,
    grid: Mapping[str, Sequence[Any]] | None = None,
    price_per_second: float | None = None,
    **fields: Sequence[Any],
) -> SweepPlan:
    """Build and check a sweep without running it: every cell, and the cost estimate.

    Same arguments as :func:`sweep`. Raises :class:`~vace_studio.experiments.InvalidSweep` with
    every problem of every cell (each naming the cells it occurs in).
    """
    built = build_grid(*_saved_media(client, base, _grid_args(grid, fields)))
    models = check_cells(built.cells, client.check)
    # Cells carry the validated request: local paths made absolute, defaults as the API has
    # them, so what is stored is exactly what is sent.
    cells = [
        Cell(c.index, c.labels, m.api_fields()) for c, m in zip(built.cells, models, strict=True)
    ]
    checked = Grid(built.base, built.values, cells)
    return SweepPlan(
        checked, estimate_for(client, [c.request for c in cells], price_per_second=price_per_second)
    )


def check_confirmed(plan: SweepPlan, confirm: Confirm, confirm_above: float) -> None:
    """Raise :class:`SweepNotConfirmed` unless ``plan`` may run (see :func:`~.sweeps.sweep`)."""
    if not plan.estimate.needs_confirmation(confirm_above):
        return
    if callable(confirm):
        if not confirm(plan.estimate):
            raise SweepNotConfirmed(plan, confirm_above, declined=True)
    elif confirm is not True:
        raise SweepNotConfirmed(plan, confirm_above, declined=False)
