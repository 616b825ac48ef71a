"""vace-studio: a Jupyter widget, engine and offline simulator for wan2.1-vace-plus.

``import vace_studio`` loads the request models and the engine only; the widget stack (anywidget,
ipywidgets), PyAV, Pillow, NumPy, pandas and the simulator's server load on first use.
"""

from typing import TYPE_CHECKING, Any

from vace_studio._version import __version__
from vace_studio.engine import Client, Result, Task, TaskFailed
from vace_studio.requests import (
    ImageReference,
    InvalidRequest,
    VideoEdit,
    VideoExtension,
    VideoOutpainting,
    VideoRepainting,
    request_schema,
    validate_request,
)

if TYPE_CHECKING:
    from vace_studio.experiments import Sweep, export_run, history, rerun, sweep
    from vace_studio.widget import Studio

_LAZY = {
    # The widget stack is only for notebooks, the experiments only for sweeps and history: the
    # CLI and scripts never pay for them (PEP 562).
    "Studio": "vace_studio.widget",
    "Sweep": "vace_studio.experiments",
    "export_run": "vace_studio.experiments",
    "history": "vace_studio.experiments",
    "rerun": "vace_studio.experiments",
    "sweep": "vace_studio.experiments",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Client",
    "ImageReference",
    "InvalidRequest",
    "Result",
    "Studio",
    "Sweep",
    "Task",
    "TaskFailed",
    "VideoEdit",
    "VideoExtension",
    "VideoOutpainting",
    "VideoRepainting",
    "__version__",
    "export_run",
    "history",
    "request_schema",
    "rerun",
    "sweep",
    "validate_request",
]
