"""vace-studio: a Jupyter widget, engine and offline simulator for wan2.1-vace-plus."""

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

__all__ = [
    "Client",
    "Result",
    "Task",
    "TaskFailed",
    "ImageReference",
    "InvalidRequest",
    "VideoEdit",
    "VideoExtension",
    "VideoOutpainting",
    "VideoRepainting",
    "__version__",
    "request_schema",
    "validate_request",
]
