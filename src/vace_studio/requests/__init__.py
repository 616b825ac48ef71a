"""The request layer: one validated pydantic model per wan2.1-vace-plus function.

Nothing here does I/O beyond checking that a named local file exists.

The plain facts (:class:`Problem`, :class:`InvalidRequest`, :func:`is_local`) load with the
package; everything built on pydantic (the models, their schema, :func:`validate_request`) loads
on first use (PEP 562). The engine names a request's type only for the type checker and
validates at run time, so ``import vace_studio`` does not build pydantic's machinery for a CLI
command that never checks a request.
"""

from typing import TYPE_CHECKING

from vace_studio._lazy import lazy_attributes
from vace_studio.requests.problems import InvalidRequest, Problem, Severity
from vace_studio.requests.refs import is_local, is_remote

if TYPE_CHECKING:
    from vace_studio.requests.base import Rule, VaceRequest
    from vace_studio.requests.errors import explain
    from vace_studio.requests.media import ImageRef, VideoRef
    from vace_studio.requests.models import (
        FUNCTIONS,
        MODELS,
        ImageReference,
        Request,
        VideoExtension,
        VideoOutpainting,
        VideoRepainting,
    )
    from vace_studio.requests.schema import request_schema, validate_request
    from vace_studio.requests.video_edit import VideoEdit

_LAZY = {
    "Rule": "vace_studio.requests.base",
    "VaceRequest": "vace_studio.requests.base",
    "explain": "vace_studio.requests.errors",
    "ImageRef": "vace_studio.requests.media",
    "VideoRef": "vace_studio.requests.media",
    "FUNCTIONS": "vace_studio.requests.models",
    "MODELS": "vace_studio.requests.models",
    "ImageReference": "vace_studio.requests.models",
    "Request": "vace_studio.requests.models",
    "VideoExtension": "vace_studio.requests.models",
    "VideoOutpainting": "vace_studio.requests.models",
    "VideoRepainting": "vace_studio.requests.models",
    "request_schema": "vace_studio.requests.schema",
    "validate_request": "vace_studio.requests.schema",
    "VideoEdit": "vace_studio.requests.video_edit",
}

__getattr__ = lazy_attributes(__name__, _LAZY)

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
