"""vace-studio: a Jupyter widget, engine and offline simulator for wan2.1-vace-plus."""

from vace_studio._version import __version__
from vace_studio.engine import Client, Result, Task, TaskFailed
from vace_studio.experiments import Sweep, export_run, history, rerun, sweep
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
from vace_studio.widget import Studio

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
