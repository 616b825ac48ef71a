"""Provider adapters: pure functions from request models to HTTP request specs, and from raw HTTP
responses to task states or typed errors. Nothing here does I/O; the engine sends and receives.
"""

from vace_studio.providers.base import (
    HttpRequestSpec,
    Provider,
    ProviderLimits,
    TaskState,
    TaskStatus,
    Usage,
)
from vace_studio.providers.dashscope import DashScope
from vace_studio.providers.dashscope_uploads import UploadPolicy
from vace_studio.providers.errors import (
    AuthError,
    BalanceError,
    ErrorKind,
    ForbiddenError,
    InvalidInputError,
    ModerationError,
    NotFoundError,
    ProtocolError,
    ProviderError,
    ServerError,
    ThrottledError,
)
from vace_studio.providers.modellix import Modellix
from vace_studio.providers.mulerouter import MuleRouter, MuleRouterFields
from vace_studio.providers.registry import PROVIDERS, make_provider

__all__ = [
    "PROVIDERS",
    "AuthError",
    "BalanceError",
    "DashScope",
    "ErrorKind",
    "ForbiddenError",
    "HttpRequestSpec",
    "InvalidInputError",
    "Modellix",
    "ModerationError",
    "MuleRouter",
    "MuleRouterFields",
    "NotFoundError",
    "ProtocolError",
    "Provider",
    "ProviderError",
    "ProviderLimits",
    "ServerError",
    "TaskState",
    "TaskStatus",
    "ThrottledError",
    "UploadPolicy",
    "Usage",
    "make_provider",
]
