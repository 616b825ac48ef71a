"""Billing and entitlement refusals: an account state that refuses every submit until cleared.

Not every 429 is a throttle (reference section 0): an overdue bill, a model that was never
bought or a spent free quota refuse submits with the same status as a rate limit, and waiting does
not help. The simulator plays them as a state of the account, switched on and off through
:class:`~vace_studio.simulator.config.FaultConfig` (``billing`` names one refusal per provider,
``billing_accounts`` narrows it to some accounts), never as a random roll, so a client that
retries them in a loop shows up in the submit counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Refusal:
    """One documented refusal: HTTP ``status``, the provider's ``code`` and ``message``."""

    status: int
    code: str
    message: str


_DASHSCOPE = {
    # Alibaba Model Studio error-code table [A5]; the messages are the documented ones.
    "PrepaidBillOverdue": Refusal(429, "PrepaidBillOverdue", "The prepaid bill is overdue."),
    "PostpaidBillOverdue": Refusal(429, "PostpaidBillOverdue", "The postpaid bill is overdue."),
    "CommodityNotPurchased": Refusal(
        429, "CommodityNotPurchased", "Commodity has not purchased yet."
    ),
    # The same code as the concurrency limit; only the message tells a spent free quota apart.
    "Throttling.AllocationQuota": Refusal(
        429, "Throttling.AllocationQuota", "Free allocated quota exceeded."
    ),
    "Arrearage": Refusal(
        400,
        "Arrearage",
        "Access denied, please make sure your account is in good standing.",
    ),
}
_MODELLIX = {
    # Modellix's error-handling page: 429 may mean quota, and 402 is an empty balance [M2].
    "quota_exceeded": Refusal(429, "quota_exceeded", "quota exceeded"),
    "insufficient_balance": Refusal(402, "insufficient_balance", "insufficient balance"),
}
_MULEROUTER = {
    # MuleRouter's error codes: 429 = rate limit, quota, or daily spend limit exceeded [R5].
    "daily_spend_limit": Refusal(429, "daily_spend_limit", "daily spend limit exceeded"),
    "quota_exceeded": Refusal(429, "quota_exceeded", "quota exceeded"),
    "insufficient_balance": Refusal(402, "insufficient_balance", "insufficient balance"),
}

REFUSALS: MappingProxyType[str, MappingProxyType[str, Refusal]] = MappingProxyType(
    {
        "dashscope": MappingProxyType(_DASHSCOPE),
        "modellix": MappingProxyType(_MODELLIX),
        "mulerouter": MappingProxyType(_MULEROUTER),
    }
)
"""Refusal names a ``FaultConfig.billing`` entry may use, by provider."""


def check_names(billing: dict[str, str]) -> None:
    """Raise ``ValueError`` for a provider or refusal name :data:`REFUSALS` does not have."""
    for provider, name in billing.items():
        known = REFUSALS.get(provider)
        if known is None:
            raise ValueError(f"billing: unknown provider {provider!r}")
        if name not in known:
            raise ValueError(
                f"billing: {provider} refusals are {', '.join(sorted(known))} (got {name!r})"
            )


def refusal_for(
    billing: dict[str, str], accounts: frozenset[str], provider: str, account: str
) -> Refusal | None:
    """The refusal in force for ``account`` at ``provider``, or ``None``."""
    name = billing.get(provider)
    if name is None or (accounts and account not in accounts):
        return None
    return REFUSALS[provider][name]
