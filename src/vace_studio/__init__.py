"""vace-studio: a Jupyter widget, engine and offline simulator for wan2.1-vace-plus.

``import vace_studio`` loads the engine only; the request models (pydantic), the widget stack
(anywidget, ipywidgets), PyAV, Pillow, NumPy, pandas and the simulator's server load on first use.
"""

from typing import TYPE_CHECKING

from vace_studio._lazy import lazy_attributes
from vace_studio._version import __version__
from vace_studio.engine import Client, Result, Task, TaskFailed
from vace_studio.requests import InvalidRequest

if TYPE_CHECKING:
    from vace_studio.experiments import Sweep, export_run, history, rerun, sweep
    from vace_studio.requests import (
        ImageReference,
        VideoEdit,
        VideoExtension,
        VideoOutpainting,
        VideoRepainting,
        request_schema,
        validate_request,
    )
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
    # The request models build pydantic's machinery, which a CLI command such as ``status``
    # never needs; they load when first named (or when a request is first checked).
    "ImageReference": "vace_studio.requests",
    "VideoEdit": "vace_studio.requests",
    "VideoExtension": "vace_studio.requests",
    "VideoOutpainting": "vace_studio.requests",
    "VideoRepainting": "vace_studio.requests",
    "request_schema": "vace_studio.requests",
    "validate_request": "vace_studio.requests",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


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
