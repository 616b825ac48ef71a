"""What happens to one task: submit, poll, finish, download, cancel — and a person's choices.

Every step changes the task through ``Task.commit``, which writes the store *before* anyone is
told: the provider's task id is recorded the moment the provider returns it, so a crash right
after still leaves a task that can be resumed. Refusals are classified by meaning, not by HTTP
status: a throttle waits its turn again (a bounded number of times), a billing, entitlement or
quota refusal fails the task at once and holds the account's queue until a person resumes it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from vace_studio.engine.downloads import DownloadError, download_video
from vace_studio.engine.reconcile import LostSubmit, Reconciler
from vace_studio.engine.retry import NEVER_SENT
from vace_studio.engine.status import (
    ADOPTABLE,
    AT_PROVIDER,
    CANCELABLE,
    LOCAL_QUEUE,
    Event,
    Status,
    can,
    poll_event,
)
from vace_studio.engine.throttles import ThrottleBudget
from vace_studio.providers import (
    REFUSALS,
    AuthError,
    ErrorKind,
    ForbiddenError,
    NotFoundError,
    ProtocolError,
    ProviderError,
    TaskState,
    TaskStatus,
    fix_for,
)

if TYPE_CHECKING:
    from vace_studio.engine.context import EngineContext
    from vace_studio.engine.task import Task
    from vace_studio.engine.uploads import Uploads

log = logging.getLogger("vace_studio")

_AMBIGUOUS = (httpx.TransportError, ProviderError)

NewTask = Callable[[dict[str, Any], dict[str, Any]], "Task"]
"""Records and queues a new task: ``(request fields, record fields) → task``."""


def _local(submitted_at: float | None, state: TaskState, moment: float | None) -> float | None:
    """A provider moment of this task in local time: our submit plus how long after its creation
    the provider says it came. A difference on the provider's clock needs no time zone and no
    clock offset, and unlike a poll's own time it carries no polling delay."""
    if submitted_at is None or moment is None or state.created_at is None:
        return None
    after = moment - state.created_at
    return submitted_at + after if after >= 0 else None


def _usage_dict(state: TaskState) -> dict[str, Any] | None:
    if state.usage is None:
        return None
    return {k: v for k, v in vars(state.usage).items() if v is not None}


class Lifecycle:
    """The task steps of one client; the scheduler calls :meth:`submit` and :meth:`poll`."""

    def __init__(
        self,
        ctx: EngineContext,
        *,
        uploads: Uploads,
        poll_delay: Callable[[Task], float],
        expected_total: Callable[[Task], float],
        new_task: NewTask,
    ) -> None:
        self.ctx = ctx
        self.uploads = uploads
        self.poll_delay = poll_delay
        self.expected_total = expected_total
        self.new_task = new_task
        self.throttles = ThrottleBudget()
        self.reconciler = Reconciler(
            provider=ctx.provider,
            transport=ctx.transport,
            store=ctx.store,
            scheduler=ctx.scheduler,
            retry=ctx.retry,
            policy=ctx.reconcile,
            accept=self.accepted,
            requeue=self._requeue_absent,
        )

    def _requeue_absent(self, task: Task) -> None:
        # Lists proved nothing was created: no slot is taken, and it goes first in line again.
        self.ctx.scheduler.release(task)
        self.ctx.scheduler.enqueue(task, front=True)

    # -- submit ----------------------------------------------------------------------------
    async def submit(self, task: Task) -> None:
        """Send one waiting task's submit and settle its outcome."""
        if not task.commit(Event.CLAIM, owner=self.ctx.owner):
            return  # another kernel sharing this store took it (or it was canceled meanwhile)
        await self.send(task)

    async def send(self, task: Task) -> None:
        """Send the submit of a task already claimed (``submitting``) and settle its outcome;
        a shared queue claims tasks in its own transaction, then calls this."""
        ctx = self.ctx
        try:
            from vace_studio.requests import validate_request  # the models load on first use

            request, warnings = await self.uploads.prepare(validate_request(task.request))
            spec = ctx.provider.submit_request(request)
        except Exception as error:  # invalid input, upload failure: nothing was sent
            log.warning("task %s could not be submitted", task.local_id, exc_info=True)
            self._refuse(task, type(error).__name__, str(error))
            return
        if warnings:
            task.commit(warnings=[w.to_json() for w in warnings])
        started = time.time()
        try:
            async for attempt in ctx.retry.submit():
                with attempt:
                    async with ctx.scheduler.submit_window():
                        status, headers, body = await ctx.transport.send(spec)
                    task_id = ctx.provider.parse_submit(status, headers, body)
        except NEVER_SENT as error:
            self._refuse(task, "ConnectionError", f"could not reach the provider: {error}")
        except ProviderError as error:
            await self._refused_or_lost(task, error, started)
        except httpx.TransportError as error:
            await self._lose(task, started, error)
        else:
            self.throttles.clear()
            self.accepted(task, task_id, Event.ACCEPT, submitted_at=time.time())

    async def _refused_or_lost(self, task: Task, error: ProviderError, started: float) -> None:
        # A 5xx or an unreadable answer may come after the task was created.
        if isinstance(error, ProtocolError) or (error.http_status or 0) >= 500:
            await self._lose(task, started, error)
        elif error.kind is ErrorKind.THROTTLED:
            self._throttled(task, error)
        elif error.kind in REFUSALS:
            self._refuse_account(task, error)
        else:  # a definite refusal (bad input, auth, moderation...): no task was created
            self._refuse(task, error.code or error.kind.value, error.message, fix_for(error.kind))

    def _throttled(self, task: Task, error: ProviderError) -> None:
        """Refused without creating a task: back to the front of the queue after the wait the
        provider asked for — unless throttles have gone on too long to be a rate limit."""
        wait = self.throttles.next_wait(error)
        if wait is None:
            self._refuse_account(task, error)
            return
        task.commit(Event.HOLD, owner=None)
        task.last_error = f"{error}; trying again in {wait:.0f} s"
        self.ctx.scheduler.pause_submissions(wait)
        self.ctx.scheduler.enqueue(task, front=True)

    def _refuse_account(self, task: Task, error: ProviderError) -> None:
        """A refusal every further submit with this key would get too: fail this task with the
        provider's words and hold the queue (waiting tasks keep their place) for a person."""
        advice = fix_for(error.kind) or fix_for(ErrorKind.QUOTA)
        self._refuse(task, error.code or error.kind.value, error.message, advice)
        self.throttles.clear()
        self.ctx.scheduler.hold(f"{error} — {advice}")

    def accepted(
        self,
        task: Task,
        task_id: str,
        event: Event,
        *,
        submitted_at: float | None = None,
        first_poll: float | None = None,
    ) -> None:
        """Record the provider's id first, then start tracking (unless another kernel sharing
        the store settled the task first: then that kernel tracks it)."""
        moved = task.commit(
            event,
            task_id=task_id,
            submitted_at=submitted_at or task.record.submitted_at or time.time(),
            error_code=None,
            error_message=None,
            advice=None,
        )
        if not moved:
            return
        task.last_error = None
        delay = self.poll_delay(task) if first_poll is None else first_poll
        self.ctx.scheduler.track(task, delay)
        task.notify()

    def _refuse(self, task: Task, code: str, message: str, advice: str | None = None) -> None:
        task.commit(Event.REFUSE, error_code=code, error_message=message, advice=advice)

    async def _lose(self, task: Task, started: float, error: BaseException) -> None:
        """The submit may or may not have created a task: find out before anything else."""
        ended = time.time()
        lost = LostSubmit(
            started,
            ended,
            f"the provider's answer to the submit was lost at "
            f"{time.strftime('%H:%M:%S', time.localtime(started))} "
            f"({type(error).__name__}: {error})",
        )
        extra = {**task.record.extra, **lost.to_json()}
        task.commit(Event.LOSE, error_message=lost.reason, extra=extra)
        self.ctx.scheduler.occupy(task, self.expected_total(task))
        await self.reconciler.run(task, lost)

    # -- poll ------------------------------------------------------------------------------
    async def poll(self, task: Task) -> None:
        ctx = self.ctx
        assert task.task_id is not None
        spec = ctx.provider.poll_request(task.task_id)
        try:
            async for attempt in ctx.retry.idempotent():
                with attempt:
                    async with ctx.scheduler.query_window():
                        raw = await ctx.transport.send(spec)
                    state = ctx.provider.parse_poll(task.task_id, *raw)
        except NotFoundError as error:
            state = TaskState(
                task.task_id,
                TaskStatus.UNKNOWN,
                "not found",
                error_code=error.code,
                error_message=error.message,
            )
        except (AuthError, ForbiddenError) as error:
            task.last_error = str(error)
            task.notify()
            ctx.scheduler.track(task, 60.0)  # the key may be fixed; the task itself is fine
            return
        except _AMBIGUOUS as error:
            task.last_error = f"status check failed, will retry: {error}"
            task.notify()
            ctx.scheduler.track(task, 15.0)
            return
        await self.apply(task, state)

    async def apply(self, task: Task, state: TaskState) -> None:
        """Record a fresh provider state; on a terminal one, finish the task."""
        ctx = self.ctx
        rec = task.record
        if task.status not in AT_PROVIDER:
            return  # finished (or canceled) while this answer was on its way: nothing to add
        now = time.time()
        event = poll_event(rec.status, state.status.value)
        changes: dict[str, Any] = {
            "provider_status": state.provider_status,
            "times": dict(state.times),
            "polls": rec.polls + 1,
        }
        if state.extra:
            changes["extra"] = {**rec.extra, **dict(state.extra)}
        if state.status.is_terminal:
            changes.update(self._finish(state, now))
            ended = _local(rec.submitted_at, state, state.ended_at)
            changes["finished_at"] = min(ended, now) if ended is not None else now
            task.downloading = state.status is TaskStatus.SUCCEEDED and bool(state.video_url)
        if event in (Event.START, Event.SUCCEED) and rec.started_at is None:
            # Never after the end: a run first seen finished started no later than it ended.
            latest = changes.get("finished_at", now)
            started = _local(rec.submitted_at, state, state.started_at)
            changes["started_at"] = min(started, latest) if started is not None else latest
        task.commit(event, **changes)
        task.last_error = None
        if not state.status.is_terminal:
            ctx.scheduler.track(task, self.poll_delay(task))
            task.notify()
            return
        ctx.scheduler.release(task)
        task.notify()
        if task.downloading:
            await self.download(task)

    def _finish(self, state: TaskState, now: float) -> dict[str, Any]:
        ctx = self.ctx
        changes: dict[str, Any] = {
            "finished_at": now,
            "video_url": state.video_url,
            "error_code": state.error_code,
            "error_message": state.error_message,
            "usage": _usage_dict(state),
        }
        ttl = ctx.provider.result_ttl_seconds
        if state.video_url and ttl:
            # Result URLs live from the task's end on the provider's clock, not from our poll.
            offset = ctx.transport.clock_offset or 0.0
            ended = state.ended_at - offset if state.ended_at is not None else now
            changes["url_expires_at"] = min(ended, now) + ttl
        usage = changes["usage"] or {}
        if ctx.simulated:
            changes["cost"] = 0.0  # the built-in simulator charges nothing
        elif ctx.provider.price_per_second is not None and "video_duration" in usage:
            changes["cost"] = round(ctx.provider.price_per_second * usage["video_duration"], 6)
        return changes

    async def download(self, task: Task) -> None:
        ctx = self.ctx
        url = task.record.video_url
        assert url is not None
        task.downloading = True
        try:
            async for attempt in ctx.retry.idempotent():
                with attempt:
                    got = await download_video(
                        ctx.transport.http, url, ctx.paths, cache_bytes=ctx.cache_bytes
                    )
            task.commit(local_path=str(got.path), video_sha256=got.sha256, video_bytes=got.size)
        except (DownloadError, httpx.HTTPError) as error:
            task.last_error = f"the video could not be downloaded: {error}"
            log.warning("task %s: %s", task.local_id, task.last_error)
        finally:
            task.downloading = False
            task.notify()

    # -- a person's actions ----------------------------------------------------------------
    async def cancel(self, task: Task) -> bool:
        ctx = self.ctx
        if task.status not in CANCELABLE:
            return False
        if task.status in LOCAL_QUEUE:
            return ctx.scheduler.remove_waiting(task) and task.commit(Event.CANCEL)
        if task.task_id is None:
            return False
        spec = ctx.provider.cancel_request(task.task_id)
        if spec is None:
            return False
        try:
            async for attempt in ctx.retry.idempotent():
                with attempt:
                    async with ctx.scheduler.query_window():
                        raw = await ctx.transport.send(spec)
                    ctx.provider.parse_cancel(*raw)
        except ProviderError as error:
            task.last_error = f"cancel refused: {error}"
            task.notify()
            return False
        # Confirm with a poll rather than assume: the provider is the authority.
        await self.poll(task)
        return task.status not in CANCELABLE and task.record.finished_at is not None

    def _needs_person(self, task: Task, action: str) -> None:
        if task.status not in ADOPTABLE:
            raise ValueError(
                f"only a task whose submit's outcome is unknown can be {action} "
                f"(task {task.local_id} is {task.status})"
            )

    async def adopt(self, task: Task, task_id: str) -> None:
        """Track the provider task a person says the lost submit created."""
        self._needs_person(task, "adopted")
        task_id = task_id.strip()
        if not task_id:
            raise ValueError("paste the provider's task id (it was empty)")
        other = self.ctx.store.find_task_id(self.ctx.endpoint, task_id)
        if other is not None and other.id != task.local_id:
            raise ValueError(f"task id {task_id} already belongs to task {other.id}")
        # Poll at once: a wrong id shows up now (the provider does not know it), not later.
        self.accepted(task, task_id, Event.ADOPT, first_poll=0.0)

    async def resubmit(self, task: Task) -> Task:
        """Submit the request again as a new task that names this one; this one is replaced."""
        self._needs_person(task, "submitted again")
        rec = task.record
        new = self.new_task(
            rec.request, {"replaces": rec.id, "group_id": rec.group_id, "tags": dict(rec.tags)}
        )
        task.commit(Event.RESUBMIT, replaced_by=new.local_id, advice=None)
        return new

    async def resume_lost(self, task: Task) -> None:
        """After a restart: look again for the task a lost submit may have created."""
        lost = LostSubmit.from_json(task.record.extra) or LostSubmit(
            task.record.created_at,
            task.record.updated_at,
            task.record.error_message or "the submit's outcome was not recorded",
        )
        event = Event.LOSE if task.status is Status.SUBMITTING else Event.RECONCILE
        if not can(task.status, event):
            return  # a person adopted it or submitted it again before this ran
        if task.commit(event, owner=self.ctx.owner):
            await self.reconciler.run(task, lost)
