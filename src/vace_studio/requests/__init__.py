"""The request layer: one validated pydantic model per wan2.1-vace-plus function.

Nothing here does I/O beyond checking that a named local file exists.
"""

from vace_studio.requests.base import Rule, VaceRequest
from vace_studio.requests.errors import InvalidRequest, explain
from vace_studio.requests.media import ImageRef, VideoRef, is_local, is_remote
from vace_studio.requests.models import (
    FUNCTIONS,
    MODELS,
    ImageReference,
    Request,
    VideoExtension,
    VideoOutpainting,
    VideoRepainting,
)
from vace_studio.requests.problems import Problem, Severity
from vace_studio.requests.schema import request_schema, validate_request
from vace_studio.requests.video_edit import VideoEdit

__all__ = [
    "FUNCTIONS",
    "MODELS",
    "ImageRef",
    "ImageReference",
    "InvalidRequest",
    "Problem",
    "Request",
    "Rule",
    "Severity",
    "VaceRequest",
    "VideoEdit",
    "VideoExtension",
    "VideoOutpainting",
    "VideoRef",
    "VideoRepainting",
    "explain",
    "is_local",
    "is_remote",
    "request_schema",
    "validate_request",
]
