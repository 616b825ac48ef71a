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

from typing import TYPE_CHECKING

from vace_studio._lazy import lazy_attributes

# Imported now, not on first use: the function ``history`` shares its name with the module
# ``experiments/history.py``, and once that module is imported the package attribute would be the
# module, so ``from vace_studio.experiments import history`` must find the function bound here.
from vace_studio.experiments.history import (
    COLUMNS,
    MissingPandas,
    history,
    history_rows,
    rerun,
    sweep_rows,
)

if TYPE_CHECKING:
    from vace_studio.experiments.cost import (
        DEFAULT_CONFIRM_ABOVE,
        SECONDS_PER_TASK,
        CostEstimate,
        estimate_for,
    )
    from vace_studio.experiments.export import ExportError, export_run
    from vace_studio.experiments.grid import Cell, Grid, InvalidSweep, SweepProblem, build_grid
    from vace_studio.experiments.plan import SweepNotConfirmed, SweepPlan, plan_sweep
    from vace_studio.experiments.progress import SweepProgress, SweepResult
    from vace_studio.experiments.sweeps import Sweep, sweep

# Each name loads its module on first use (PEP 562): the CLI reads task views from
# ``experiments.views`` without paying for sweeps, exports and pandas.
_LAZY = {
    "DEFAULT_CONFIRM_ABOVE": "vace_studio.experiments.cost",
    "SECONDS_PER_TASK": "vace_studio.experiments.cost",
    "CostEstimate": "vace_studio.experiments.cost",
    "estimate_for": "vace_studio.experiments.cost",
    "ExportError": "vace_studio.experiments.export",
    "export_run": "vace_studio.experiments.export",
    "Cell": "vace_studio.experiments.grid",
    "Grid": "vace_studio.experiments.grid",
    "InvalidSweep": "vace_studio.experiments.grid",
    "SweepProblem": "vace_studio.experiments.grid",
    "build_grid": "vace_studio.experiments.grid",
    "SweepNotConfirmed": "vace_studio.experiments.plan",
    "SweepPlan": "vace_studio.experiments.plan",
    "plan_sweep": "vace_studio.experiments.plan",
    "SweepProgress": "vace_studio.experiments.progress",
    "SweepResult": "vace_studio.experiments.progress",
    "Sweep": "vace_studio.experiments.sweeps",
    "sweep": "vace_studio.experiments.sweeps",
}

__getattr__ = lazy_attributes(__name__, _LAZY)

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
