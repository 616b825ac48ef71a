"""What the rest of the package may know about a provider: one :class:`ProviderInfo` per adapter.

Every list of providers outside ``providers/`` (the settings' names and environment variables,
the engine's typical run times, the widget's key targets and the header's labels) is derived
from the registered infos (:mod:`vace_studio.providers.registry`), so a new provider is an
adapter carrying its info, and one :func:`~vace_studio.providers.registry.register` call.
Nothing here imports an adapter: every module may read these facts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProviderLimits:
    """Published per-account limits; ``None`` means the provider publishes none."""

    submits_per_second: float | None = None
    max_concurrent: int | None = None
    polls_per_second: float | None = None
    requests_per_minute: float | None = None
    """All requests of one key together (submits, polls, lists, cancels), per minute."""


@dataclass(frozen=True)
class Region:
    """One of a provider's regions: keys, model ids and hosts differ between them."""

    name: str
    """The value of ``region=`` (``"intl"``)."""
    label: str
    """As people read it in a list (``"international (Singapore)"``)."""
    place: str
    """Where it is, shown beside the name (``"Singapore"``)."""


@dataclass(frozen=True)
class ProviderInfo:
    """A provider's published facts (its adapter is registered beside it).

    ``regions`` is empty for a provider with one region (the gateways): ``region=`` is then
    ignored. ``typical_seconds`` is the documented submit-to-video time, used until the store has
    learned better. ``lists_tasks`` / ``hosts_uploads`` say whether the adapter implements
    :class:`~vace_studio.providers.base.TaskLister` / ``HostedUploads`` (a test keeps them
    honest); callers holding an adapter check with ``isinstance`` instead.
    """

    name: str
    label: str
    key_env: str
    base_url_env: str
    regions: tuple[Region, ...]
    limits: ProviderLimits
    typical_seconds: float
    result_ttl_seconds: float | None
    console_url: str
    lists_tasks: bool
    hosts_uploads: bool

    def region(self, name: str) -> Region | None:
        """The region called ``name`` (``None`` for a one-region provider or an unknown name)."""
        return next((r for r in self.regions if r.name == name), None)
