"""The collaborators one client hands to the parts that act for it, frozen once built."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vace_studio.engine.paths import Paths
    from vace_studio.engine.reconcile import ReconcilePolicy
    from vace_studio.engine.retry import RetryPolicy
    from vace_studio.engine.scheduler import Scheduler
    from vace_studio.engine.settings import Settings
    from vace_studio.engine.store_api import TaskStore
    from vace_studio.engine.transport import Transport
    from vace_studio.providers import Provider


@dataclass(frozen=True)
class EngineContext:
    """One provider account's engine: adapter, transport (with the key), store, scheduler,
    timing policies and paths. ``owner`` names this process in the store's claims."""

    settings: Settings
    provider: Provider
    transport: Transport
    store: TaskStore
    scheduler: Scheduler
    retry: RetryPolicy
    reconcile: ReconcilePolicy
    paths: Paths
    owner: str
    cache_bytes: int

    @property
    def endpoint(self) -> str:
        """The provider's base URL: tasks are known per endpoint."""
        return self.provider.base_url

    @property
    def simulated(self) -> bool:
        """Tasks go to the built-in simulator (nothing is paid)."""
        return self.settings.simulated
