"""Provider adapters: pure functions from request models to HTTP request specs, and from raw HTTP
responses to task states or typed errors. Nothing here does I/O; the engine sends and receives.
"""

from vace_studio.providers.base import (
    HttpRequestSpec,
    Provider,
    ProviderLimits,
    TaskLister,
    TaskState,
    TaskStatus,
    Usage,
)
from vace_studio.providers.dashscope import DashScope
from vace_studio.providers.dashscope_uploads import UploadPolicy
from vace_studio.providers.errors import (
    REFUSALS,
    AuthError,
    BalanceError,
    EntitlementError,
    ErrorKind,
    ForbiddenError,
    InvalidInputError,
    ModerationError,
    NotFoundError,
    ProtocolError,
    ProviderError,
    QuotaError,
    ServerError,
    ThrottledError,
    fix_for,
)
from vace_studio.providers.modellix import Modellix
from vace_studio.providers.mulerouter import MuleRouter, MuleRouterFields
from vace_studio.providers.registry import PROVIDERS, make_provider

__all__ = [
    "PROVIDERS",
    "REFUSALS",
    "AuthError",
    "BalanceError",
    "DashScope",
    "EntitlementError",
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
    "QuotaError",
    "ServerError",
    "TaskLister",
    "TaskState",
    "TaskStatus",
    "ThrottledError",
    "UploadPolicy",
    "Usage",
    "fix_for",
    "make_provider",
]
