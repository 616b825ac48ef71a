"""Experiments: sweeps over request fields, the task history, and exports of runs.

Built on the engine and UI-free: every function returns plain data (or a DataFrame), so the
widget, the CLI and notebooks show the same things.

- :func:`sweep` / :class:`Sweep`: run a base request for every combination of varied fields, with
  validation of every cell and a cost check before anything is spent; resumable from the store.
- :func:`history` / :func:`history_rows`: every task in the store, as a DataFrame or dicts;
  :func:`sweep_rows`: every sweep; :func:`rerun` queues a task again.
- :func:`export_run`: a sweep or some tasks as a folder or zip with the videos, a manifest and a
  static HTML page that plays them side by side.
"""

from vace_studio.experiments.cost import (
    DEFAULT_CONFIRM_ABOVE,
    SECONDS_PER_TASK,
    CostEstimate,
    estimate_for,
)
from vace_studio.experiments.export import ExportError, export_run
from vace_studio.experiments.grid import Cell, Grid, InvalidSweep, SweepProblem, build_grid
from vace_studio.experiments.history import (
    COLUMNS,
    MissingPandas,
    history,
    history_rows,
    rerun,
    sweep_rows,
)
from vace_studio.experiments.plan import SweepNotConfirmed, SweepPlan, plan_sweep
from vace_studio.experiments.progress import SweepProgress, SweepResult
from vace_studio.experiments.sweeps import Sweep, sweep

__all__ = [
    "COLUMNS",
    "DEFAULT_CONFIRM_ABOVE",
    "SECONDS_PER_TASK",
    "Cell",
    "CostEstimate",
    "ExportError",
    "Grid",
    "InvalidSweep",
    "MissingPandas",
    "Sweep",
    "SweepNotConfirmed",
    "SweepPlan",
    "SweepProblem",
    "SweepProgress",
    "SweepResult",
    "build_grid",
    "estimate_for",
    "export_run",
    "history",
    "history_rows",
    "plan_sweep",
    "rerun",
    "sweep",
    "sweep_rows",
]
