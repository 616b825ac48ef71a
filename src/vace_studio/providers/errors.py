"""Typed provider errors: one exception class per kind, the provider's code and message verbatim.

The engine decides what to do from the kind (retry a ``throttled`` poll, never retry an
``invalid_input`` submit, ...); people read the provider's own code and message. Adapters never
see the API key, so no error text can contain it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ErrorKind(StrEnum):
    """What went wrong, in provider-neutral terms."""

    AUTH = "auth"
    THROTTLED = "throttled"
    INVALID_INPUT = "invalid_input"
    MODERATION = "moderation"
    BALANCE = "balance"
    NOT_FOUND = "not_found"
    SERVER = "server"
    PROTOCOL = "protocol"
    FORBIDDEN = "forbidden"
    QUOTA = "quota"
    ENTITLEMENT = "entitlement"


REFUSALS = frozenset({ErrorKind.BALANCE, ErrorKind.QUOTA, ErrorKind.ENTITLEMENT})
"""Account-level refusals that waiting a little never clears: every further submit with this key
would be refused the same way until a person acts (top up, enable the model, switch key)."""


class ProviderError(Exception):
    """A provider refused a request, failed, or answered something unreadable.

    Attributes: ``kind`` (:class:`ErrorKind`), ``provider`` (adapter name), ``http_status``
    (``None`` when nothing was sent), ``code`` and ``message`` (the provider's, verbatim),
    ``request_id`` (the provider's, for support tickets) and ``retry_after`` (seconds to wait,
    from ``Retry-After`` or ``X-RateLimit-Reset``, when the provider said).
    """

    default_kind: ClassVar[ErrorKind] = ErrorKind.PROTOCOL

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        http_status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        kind: ErrorKind | None = None,
        may_be_quota: bool = False,
    ) -> None:
        # Only ``message`` goes to Exception.args, and every other argument has a default, so
        # the default pickling (cls(*args) then __dict__ restored) round-trips.
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.http_status = http_status
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after
        self.kind = kind if kind is not None else self.default_kind
        self.may_be_quota = may_be_quota
        """A 429 that may be a rate limit or a spent quota (the answer does not say which):
        retry it a bounded number of times, never for ever."""

    def __str__(self) -> str:
        where = f"[{self.provider}] " if self.provider else ""
        code = f"{self.code}: " if self.code is not None else ""
        status = f" (HTTP {self.http_status})" if self.http_status is not None else ""
        return f"{where}{code}{self.message}{status}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kind={self.kind.value!r}, provider={self.provider!r}, "
            f"http_status={self.http_status!r}, code={self.code!r}, message={self.message!r})"
        )


class AuthError(ProviderError):
    """The API key is missing, wrong, or from another region."""

    default_kind = ErrorKind.AUTH


class ThrottledError(ProviderError):
    """Rate or quota limit hit; wait ``retry_after`` seconds (or back off) and try again."""

    default_kind = ErrorKind.THROTTLED


class InvalidInputError(ProviderError):
    """The request itself is wrong (bad parameter, unreachable URL, unsupported field)."""

    default_kind = ErrorKind.INVALID_INPUT


class ModerationError(ProviderError):
    """The input or output was blocked by content moderation."""

    default_kind = ErrorKind.MODERATION


class BalanceError(ProviderError):
    """The account is out of credit or overdue."""

    default_kind = ErrorKind.BALANCE


class NotFoundError(ProviderError):
    """Unknown task id, model or path."""

    default_kind = ErrorKind.NOT_FOUND


class ServerError(ProviderError):
    """The provider failed (5xx, timeout); usually transient."""

    default_kind = ErrorKind.SERVER


class ProtocolError(ProviderError):
    """The provider answered something this adapter cannot read (not JSON, missing fields)."""

    default_kind = ErrorKind.PROTOCOL


class ForbiddenError(ProviderError):
    """The key is valid but may not do this (service not enabled, account locked, ...)."""

    default_kind = ErrorKind.FORBIDDEN


class QuotaError(ProviderError):
    """A quota or spend limit is used up (free quota, daily spend limit): not a rate limit."""

    default_kind = ErrorKind.QUOTA


class EntitlementError(ProviderError):
    """The account has not bought or enabled this model."""

    default_kind = ErrorKind.ENTITLEMENT


ERROR_CLASSES: dict[ErrorKind, type[ProviderError]] = {
    cls.default_kind: cls
    for cls in (
        AuthError,
        ThrottledError,
        InvalidInputError,
        ModerationError,
        BalanceError,
        NotFoundError,
        ServerError,
        ProtocolError,
        ForbiddenError,
        QuotaError,
        EntitlementError,
    )
}
"""The exception class for each kind."""


def error_for(
    kind: ErrorKind,
    message: str,
    *,
    provider: str,
    http_status: int | None = None,
    code: str | None = None,
    request_id: str | None = None,
    retry_after: float | None = None,
    may_be_quota: bool = False,
) -> ProviderError:
    """A new exception of the class that matches ``kind``."""
    return ERROR_CLASSES[kind](
        message,
        provider=provider,
        http_status=http_status,
        code=code,
        request_id=request_id,
        retry_after=retry_after,
        may_be_quota=may_be_quota,
    )


# Generic meaning of HTTP statuses, used when a provider's own code says nothing more specific.
_STATUS_KINDS: dict[int, ErrorKind] = {
    400: ErrorKind.INVALID_INPUT,
    401: ErrorKind.AUTH,
    402: ErrorKind.BALANCE,
    403: ErrorKind.FORBIDDEN,
    404: ErrorKind.NOT_FOUND,
    # A request timeout is the server giving up, not a wrong request: transient.
    408: ErrorKind.SERVER,
    # MuleRouter: "task already exists" -- resubmitting the same thing will not help.
    409: ErrorKind.INVALID_INPUT,
    413: ErrorKind.INVALID_INPUT,
    415: ErrorKind.INVALID_INPUT,
    422: ErrorKind.INVALID_INPUT,
    # MuleRouter: "locked" [I: most likely the account or resource]; a person must act.
    423: ErrorKind.FORBIDDEN,
    429: ErrorKind.THROTTLED,
    # "Unavailable for legal reasons": content the provider will not process. [I]
    451: ErrorKind.MODERATION,
}


def kind_for_status(status: int) -> ErrorKind:
    """The error kind an HTTP status means on its own (5xx = server; unknown 4xx = protocol)."""
    if status in _STATUS_KINDS:
        return _STATUS_KINDS[status]
    if 500 <= status <= 599:
        return ErrorKind.SERVER
    return ErrorKind.PROTOCOL


_ALIBABA_PREFIXES: tuple[tuple[str, ErrorKind], ...] = (
    # The other moderation code Model Studio uses (copyright). [I]
    ("IPInfringementSuspect", ErrorKind.MODERATION),
    ("Arrearage", ErrorKind.BALANCE),
    # Billing and entitlement refusals answered with 429 (providers.md §0): never a throttle.
    ("PrepaidBillOverdue", ErrorKind.BALANCE),
    ("PostpaidBillOverdue", ErrorKind.BALANCE),
    ("CommodityNotPurchased", ErrorKind.ENTITLEMENT),
    ("AccessDenied.Unpurchased", ErrorKind.ENTITLEMENT),
    ("InvalidApiKey", ErrorKind.AUTH),
    ("AccessDenied", ErrorKind.FORBIDDEN),
    ("ModelNotFound", ErrorKind.NOT_FOUND),
    ("Throttling", ErrorKind.THROTTLED),
    ("InvalidParameter", ErrorKind.INVALID_INPUT),
    ("InvalidURL", ErrorKind.INVALID_INPUT),
    ("BadRequest", ErrorKind.INVALID_INPUT),
    ("InternalError", ErrorKind.SERVER),
)


def kind_for_alibaba_code(code: str | None) -> ErrorKind | None:
    """The kind an Alibaba Model Studio error code means (reference section 1.5), else ``None``.

    Matched by prefix, because the service adds suffixes (``Throttling.RateQuota``,
    ``AccessDenied.Unpurchased``, ``BadRequest.EmptyInput``). The gateways forward these codes
    for the same model, so the other adapters use this too when they see one.
    """
    if not code:
        return None
    # Prefixes, not substrings: ``InvalidParameter.DataInspection`` means the service could not
    # download a media URL to inspect it -- bad input, not a moderation verdict.
    if code.replace("_", "").lower().startswith("datainspection"):
        # DataInspectionFailed (and the snake_case spelling of the OpenAI-compatible API).
        return ErrorKind.MODERATION
    for prefix, kind in _ALIBABA_PREFIXES:
        if code.startswith(prefix):
            return kind
    return None


# Words in a 429's message that say "spent" or "unpaid", not "too fast" (Modellix's "quota
# exceeded", MuleRouter's "daily spend limit exceeded", "insufficient balance").
_BALANCE_WORDS = ("balance", "credit", "billing", "overdue", "arrear")
_QUOTA_WORDS = ("quota", "spend")
_RATE_WORDS = ("rate", "too many requests", "frequency", "qps", "rpm", "concurren", "throttl")


def refine_refusal(
    kind: ErrorKind, status: int, code: str | None, message: str | None
) -> tuple[ErrorKind, bool]:
    """``(kind, may_be_quota)`` of a refusal, judged by its meaning rather than its HTTP status.

    A 429 is a throttle only when its code or message says so. ``Throttling.AllocationQuota`` is
    both the allocation (rate) limit and the answer when the free quota is spent ("Free allocated
    quota exceeded"): "free" decides, and otherwise it is a throttle that may be a quota, retried
    a bounded number of times. A gateway's 429 that names neither is treated the same way.
    """
    if kind is not ErrorKind.THROTTLED:
        return kind, False
    words = (message or "").lower()
    # Alibaba's allocation (concurrency) limit, also when a gateway forwards its message under
    # its own code: "Allocated quota exceeded, please increase your quota limit."
    if code == "Throttling.AllocationQuota" or "allocated quota" in words:
        return (ErrorKind.QUOTA, False) if "free" in words else (kind, True)
    if code and code.startswith("Throttling"):
        return kind, False  # Throttling, Throttling.RateQuota: a rate limit, it recovers
    if any(word in words for word in _BALANCE_WORDS):
        return ErrorKind.BALANCE, False
    if any(word in words for word in _QUOTA_WORDS):
        return ErrorKind.QUOTA, False
    if any(word in words for word in _RATE_WORDS):
        return kind, False
    return kind, status == 429


_FIXES = {
    ErrorKind.BALANCE: "Top up the account or settle its overdue bill in the provider's "
    "console; then resume submissions.",
    ErrorKind.ENTITLEMENT: "Enable (purchase) wan2.1-vace-plus for this account in the "
    "provider's console, or use a key of an account that has it; then resume submissions.",
    ErrorKind.QUOTA: "This key's quota or spend limit is used up: wait until it resets (a daily "
    "limit resets tomorrow), raise the limit, or switch to another key; then resume submissions.",
    ErrorKind.THROTTLED: "The provider asked to slow down; vace-studio waits and tries again.",
    ErrorKind.AUTH: "Check the API key, and that it belongs to this provider and region.",
    ErrorKind.FORBIDDEN: "The key may not do this: check the account's permissions and that "
    "the model is enabled for it.",
}


def fix_for(kind: ErrorKind) -> str | None:
    """What a person can do about an error of ``kind``, in plain words (``None``: no advice)."""
    return _FIXES.get(kind)
