"""Provider adapters: pure functions from request models to HTTP request specs, and from raw HTTP
responses to task states or typed errors. Nothing here does I/O; the engine sends and receives.

Each adapter carries its :class:`ProviderInfo`; the registry (:func:`infos`,
:func:`make_provider`) is where every other package finds the providers. Optional abilities are
protocols checked with ``isinstance``: :class:`TaskLister`, :class:`HostedUploads`.
"""

from vace_studio.providers.base import (
    HostedUploads,
    HttpRequestSpec,
    Provider,
    TaskLister,
    TaskState,
    TaskStatus,
    UploadCredential,
    UploadSpec,
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
from vace_studio.providers.info import ProviderInfo, ProviderLimits, Region
from vace_studio.providers.modellix import Modellix
from vace_studio.providers.mulerouter import MuleRouter, MuleRouterFields
from vace_studio.providers.registry import (
    infos,
    make_provider,
    provider_info,
    provider_names,
    regional,
    register,
    unregister,
)

__all__ = [
    "REFUSALS",
    "AuthError",
    "BalanceError",
    "DashScope",
    "EntitlementError",
    "ErrorKind",
    "ForbiddenError",
    "HostedUploads",
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
    "ProviderInfo",
    "ProviderLimits",
    "QuotaError",
    "Region",
    "ServerError",
    "TaskLister",
    "TaskState",
    "TaskStatus",
    "ThrottledError",
    "UploadCredential",
    "UploadPolicy",
    "UploadSpec",
    "Usage",
    "fix_for",
    "infos",
    "make_provider",
    "provider_info",
    "provider_names",
    "regional",
    "register",
    "unregister",
]
