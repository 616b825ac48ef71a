"""The simulator's shared state: one object the routes, the server handle and the tests talk to.

It owns the per-process secret (:mod:`.owner`), the registry, quotas, faults, storage, input
resolution and rendering, creates tasks and runs their lifecycles on the server's event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from vace_studio.simulator.billing import Refusal, refusal_for
from vace_studio.simulator.clock import Clock
from vace_studio.simulator.config import FaultConfig, SimulatorConfig
from vace_studio.simulator.faults import FaultInjector
from vace_studio.simulator.inputs import InputError, InputResolver
from vace_studio.simulator.intake import Intake
from vace_studio.simulator.media_checks import MediaRefused, check_media
from vace_studio.simulator.owner import Owner, new_secret
from vace_studio.simulator.quotas import Quotas, Throttled
from vace_studio.simulator.renders import RenderService
from vace_studio.simulator.stats import Counters, SimulatorStats
from vace_studio.simulator.storage import Storage
from vace_studio.simulator.tasks import Outcome, Task, TaskRegistry, drive, new_task_id


class SimulatorState:
    """Everything a running simulator knows. Methods not marked otherwise run on its loop."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.owner = Owner(new_secret(), config.api_keys)
        self.clock = Clock(config.clock_skew_seconds)
        self.counters = Counters()
        self.registry = TaskRegistry(self.clock, config.task_ttl)
        self.quotas = Quotas(config.quota)
        self.faults = FaultInjector(config.faults, self.counters)
        self.storage = Storage(config.data_dir, self.clock, config.upload_ttl, self.owner.secret)
        self.renders = RenderService(
            self.storage, config.renderer, config.render_workers, self.counters
        )
        self.resolver = InputResolver(self.storage, config, own_port=0)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._drivers: set[asyncio.Task[None]] = set()

    # -- tasks ---------------------------------------------------------------------------------

    def billing_refusal(self, provider: str, account: str) -> Refusal | None:
        """The billing refusal ``account`` is under at ``provider`` (``FaultConfig.billing``)."""
        config = self.faults.config
        return refusal_for(dict(config.billing), config.billing_accounts, provider, account)

    def admit(self, provider: str, account: str) -> Throttled | None:
        """Count a submit against ``account``'s quota; the refusal, or ``None`` to go ahead."""
        return self.quotas.check_submit(
            provider, account, self.registry.unfinished(provider, account)
        )

    def create_task(
        self,
        provider: str,
        account: str,
        model: str,
        request: Intake,
        *,
        oss_resolve: bool = False,
        request_id: str = "",
    ) -> Task:
        """Register a task for an accepted, admitted request and start its lifecycle."""
        self.registry.purge_expired()
        media = tuple(ref for refs in request.media.values() for ref in refs)
        task = Task(
            id=new_task_id(provider),
            provider=provider,
            account=account,
            model=model,
            request=dict(request.fields),
            submitted_at=self.clock.now(),
            media=media,
            oss_resolve=oss_resolve,
            failure=self.faults.task_failure(provider),
            request_id=request_id,
            ignored=request.ignored,
        )
        self.registry.add(task)
        driver = asyncio.get_running_loop().create_task(
            drive(
                task,
                self.registry,
                *self.config.durations(task.id),
                self.produce,
            ),
            name=f"vace-sim-task-{task.id}",
        )
        self._drivers.add(driver)
        driver.add_done_callback(self._drivers.discard)
        return task

    async def produce(self, task: Task) -> Outcome:
        """Fetch ``task``'s inputs and render its video (or say why not)."""
        try:
            inputs = await self.resolver.resolve(task)
        except InputError as error:
            return Outcome(code=error.code, message=error.message)
        try:
            await asyncio.to_thread(check_media, task.request, inputs)
        except MediaRefused as error:
            return Outcome(code=error.code, message=error.message)
        return await self.renders.render(task.request, inputs)

    def result_url(self, base_url: str, task: Task) -> str | None:
        """The signed URL of a succeeded task's video, valid ``result_ttl`` after it finished."""
        if task.outcome is None or task.outcome.video_key is None:
            return None
        path = self.storage.signed_result_path(
            task.outcome.video_key,
            task.id,
            self.config.result_ttl,
            task.ended_at or task.submitted_at,
        )
        return base_url.rstrip("/") + path

    # -- introspection -------------------------------------------------------------------------

    def stats(self) -> SimulatorStats:
        """A snapshot of every counter (thread-safe)."""
        tasks = self.registry.snapshot()
        renders = self.counters.get("renders")
        return SimulatorStats(
            submits=self.counters.get("submits"),
            tasks_created=tasks["tasks_created"],
            tasks_by_account=tasks["tasks_by_account"],
            requests=self.counters.get("requests"),
            submit_bodies=self.counters.get("submit_bodies"),
            polls=self.counters.get("polls"),
            rejected=self.counters.get("rejected"),
            faults=self.counters.get("faults"),
            fingerprints=tasks["fingerprints"],
            unfinished=tasks["unfinished"],
            peak_unfinished=tasks["peak_unfinished"],
            renders=renders.get("rendered", 0),
            render_cache_hits=renders.get("cache_hits", 0),
            uploads=self.counters.total("uploads"),
        )

    def task_summaries(self) -> list[dict[str, Any]]:
        """Every known task, oldest first (thread-safe)."""
        return self.registry.summaries()

    def set_faults(self, faults: FaultConfig) -> None:
        """Replace the fault settings (thread-safe)."""
        self.faults.set(faults)

    async def reset(self) -> None:
        """Forget tasks, counters, quota windows, uploads and clock advances; restore the
        configured faults. Rendered videos stay cached."""
        for driver in list(self._drivers):
            driver.cancel()
        self.registry.clear()
        self.counters.reset()
        self.quotas.reset()
        self.storage.reset()
        self.resolver.forget()
        self.renders.forget_failures()
        self.clock.reset()
        self.faults.set(self.config.faults)

    async def shutdown(self) -> None:
        """Stop task lifecycles and close the http client (on server shutdown)."""
        for driver in list(self._drivers):
            driver.cancel()
        await asyncio.gather(*self._drivers, return_exceptions=True)
        await self.resolver.aclose()
