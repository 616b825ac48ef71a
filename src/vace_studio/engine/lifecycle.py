"""What happens to one task: submit, poll, finish, download, cancel, reconcile.

Every step writes the store *before* it tells anyone: the provider's task id is recorded the
moment the provider returns it, so a crash right after still leaves a task that can be resumed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from vace_studio.engine.downloads import DownloadError, download_video
from vace_studio.engine.retry import NEVER_SENT
from vace_studio.engine.store import provider_durations
from vace_studio.providers import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    ProtocolError,
    ProviderError,
    TaskState,
    TaskStatus,
    ThrottledError,
)
from vace_studio.requests import validate_request

if TYPE_CHECKING:
    from vace_studio.engine.client import Client
    from vace_studio.engine.task import Task

log = logging.getLogger("vace_studio")

_AMBIGUOUS = (httpx.TransportError, ProviderError)


def _usage_dict(state: TaskState) -> dict[str, Any] | None:
    if state.usage is None:
        return None
    return {k: v for k, v in vars(state.usage).items() if v is not None}


class Lifecycle:
    """The task steps of one client; the scheduler calls :meth:`submit` and :meth:`poll`."""

    def __init__(self, client: Client) -> None:
        self.c = client

    # -- submit ----------------------------------------------------------------------------
    async def submit(self, task: Task) -> None:
        c = self.c
        if not c.store.claim(task.local_id, c.owner, from_status="waiting", to_status="submitting"):
            # Another kernel sharing this store took it (or it was canceled meanwhile).
            fresh = c.store.get(task.local_id)
            if fresh is not None:
                task.record = fresh
            task._changed()
            return
        task.record.status = "submitting"
        task._changed()
        started = time.time()
        try:
            request = validate_request(task.request)
            request = await c.uploads.prepare(request)
            spec = c.provider.submit_request(request)
            async for attempt in c.retry.submit():
                with attempt:
                    async with c.scheduler.submit_window():
                        status, headers, body = await c.transport.send(spec)
                    task_id = c.provider.parse_submit(status, headers, body)
        except ThrottledError as error:
            # Refused without creating a task: back to the front of the queue.
            c.store.update(task.local_id, status="waiting", owner=None)
            task.record.status = "waiting"
            task.last_error = str(error)
            c.scheduler.pause_submissions(error.retry_after or 5.0)
            c.scheduler.enqueue(task, front=True)
            return
        except NEVER_SENT as error:
            self._fail(task, "ConnectionError", f"could not reach the provider: {error}")
            return
        except ProviderError as error:
            # A 5xx or an unreadable answer may come after the task was created.
            ambiguous = isinstance(error, ProtocolError) or (error.http_status or 0) >= 500
            if not ambiguous:
                # A definite refusal (bad input, auth, balance...): no task was created.
                self._fail(task, error.code or error.kind.value, error.message)
                return
            await self._uncertain(task, started, error)
            return
        except httpx.TransportError as error:
            await self._uncertain(task, started, error)
            return
        except Exception as error:  # invalid input, upload failure: nothing was created
            log.warning("task %s could not be submitted", task.local_id, exc_info=True)
            self._fail(task, type(error).__name__, str(error))
            return
        self.accepted(task, task_id, submitted_at=time.time())

    def accepted(self, task: Task, task_id: str, *, submitted_at: float) -> None:
        """Record the provider's id first, then start tracking."""
        c = self.c
        c.store.update(task.local_id, task_id=task_id, status="queued", submitted_at=submitted_at)
        task.record.task_id = task_id
        task.record.status = "queued"
        task.record.submitted_at = submitted_at
        task.last_error = None
        c.scheduler.track(task, c.next_poll_delay(task))
        task._changed()

    def _fail(self, task: Task, code: str, message: str) -> None:
        now = time.time()
        self.c.store.update(
            task.local_id, status="failed", error_code=code, error_message=message, finished_at=now
        )
        task.record.status = "failed"
        task.record.error_code, task.record.error_message = code, message
        task.record.finished_at = now
        task._changed()

    async def _uncertain(self, task: Task, started: float, error: BaseException) -> None:
        """The submit may or may not have created a task: find out before doing anything else."""
        c = self.c
        message = f"the provider's answer to the submit was lost ({type(error).__name__}: {error})"
        c.store.update(task.local_id, status="uncertain", error_message=message)
        task.record.status = "uncertain"
        task.last_error = message
        task._changed()
        await self.reconcile(task, started, time.time())

    async def reconcile(self, task: Task, started: float, ended: float) -> None:
        """Match an uncertain submit to the task the provider created, if it created one.

        Only DashScope can list tasks. Submissions are one at a time, so an unknown task the
        provider lists for the submit's moment can only be this one. None listed → it was never
        created, and it is safe to submit it again. Otherwise it stays ``uncertain`` for a person.
        """
        c = self.c
        lister = getattr(c.provider, "list_request", None)
        if lister is None:
            c.store.update(
                task.local_id,
                error_message=f"{task.last_error}; {c.settings.provider} cannot list tasks, so "
                "check its console before submitting this again",
            )
            task.record.status = "uncertain"
            task._changed()
            return
        candidates: set[str] = set()
        for delay in (0.5, 2.0):
            await asyncio.sleep(delay)
            try:
                candidates = await self._listed_between(started - 2.0, ended + 2.0)
            except (httpx.TransportError, ProviderError) as error:
                log.warning("could not list tasks to reconcile a submit: %s", error)
                continue
            if candidates:
                break
        if len(candidates) == 1:
            self.accepted(task, candidates.pop(), submitted_at=started)
        elif not candidates:
            c.store.update(task.local_id, status="waiting", owner=None, error_message=None)
            task.record.status = "waiting"
            c.scheduler.enqueue(task, front=True)
        else:
            c.store.update(
                task.local_id,
                error_message=f"{task.last_error}; {len(candidates)} tasks were created at that "
                f"moment and none is known here: {', '.join(sorted(candidates))}",
            )
            task._changed()

    async def _listed_between(self, start: float, end: float) -> set[str]:
        c = self.c
        provider: Any = c.provider
        # The list API takes whole-second local times; a day on each side covers any time
        # zone, and the listed submit times narrow it down again.
        fmt = "%Y%m%d%H%M%S"
        lo = datetime.fromtimestamp(start, UTC) - timedelta(days=1)
        hi = datetime.fromtimestamp(end, UTC) + timedelta(days=1)
        known = c.store.known_task_ids(c.endpoint)
        found: set[str] = set()
        for page in range(1, 50):
            spec = provider.list_request(
                page,
                100,
                start_time=lo.strftime(fmt),
                end_time=hi.strftime(fmt),
                model_name=provider.model,
            )
            async for attempt in c.retry.idempotent():
                with attempt:
                    async with c.scheduler.query_window():
                        raw = await c.transport.send(spec)
                    states: list[TaskState] = provider.parse_list(*raw)
            for state in states:
                if state.task_id not in known and _submitted_within(state, start, end):
                    found.add(state.task_id)
            if len(states) < 100:
                break
        return found

    # -- poll ------------------------------------------------------------------------------
    async def poll(self, task: Task) -> None:
        c = self.c
        assert task.task_id is not None
        spec = c.provider.poll_request(task.task_id)
        try:
            async for attempt in c.retry.idempotent():
                with attempt:
                    async with c.scheduler.query_window():
                        raw = await c.transport.send(spec)
                    state = c.provider.parse_poll(task.task_id, *raw)
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
            task._changed()
            c.scheduler.track(task, 60.0)  # the key may be fixed; the task itself is fine
            return
        except _AMBIGUOUS as error:
            task.last_error = f"status check failed, will retry: {error}"
            task._changed()
            c.scheduler.track(task, 15.0)
            return
        task.record.polls += 1
        await self.apply(task, state)

    async def apply(self, task: Task, state: TaskState) -> None:
        """Record a fresh provider state; on a terminal one, finish the task."""
        c = self.c
        rec = task.record
        now = time.time()
        changes: dict[str, Any] = {
            "provider_status": state.provider_status,
            "times": dict(state.times),
            "polls": rec.polls,
        }
        status = state.status.value
        if status in ("running", "succeeded") and rec.started_at is None:
            changes["started_at"] = _provider_start(rec.submitted_at, state.times) or now
        if state.extra:
            changes["extra"] = {**rec.extra, **dict(state.extra)}
        if state.status.is_terminal:
            changes.update(
                status=status,
                finished_at=now,
                video_url=state.video_url,
                error_code=state.error_code,
                error_message=state.error_message,
                usage=_usage_dict(state),
            )
            if state.video_url and c.provider.result_ttl_seconds:
                changes["url_expires_at"] = now + c.provider.result_ttl_seconds
            usage = changes["usage"] or {}
            if c.simulated:
                changes["cost"] = 0.0  # the built-in simulator charges nothing
            elif c.provider.price_per_second is not None and "video_duration" in usage:
                changes["cost"] = round(c.provider.price_per_second * usage["video_duration"], 6)
            task.downloading = status == "succeeded" and bool(state.video_url)
        else:
            changes["status"] = status
        c.store.update(task.local_id, **changes)
        for key, value in changes.items():
            setattr(rec, key, value)
        task.last_error = None
        if not state.status.is_terminal:
            c.scheduler.track(task, c.next_poll_delay(task))
            task._changed()
            return
        c.scheduler.release(task)
        task._changed()
        if task.downloading:
            await self.download(task)

    async def download(self, task: Task) -> None:
        c = self.c
        url = task.record.video_url
        assert url is not None
        task.downloading = True
        try:
            async for attempt in c.retry.idempotent():
                with attempt:
                    got = await download_video(
                        c.transport.http, url, c.paths, cache_bytes=c.cache_bytes
                    )
            c.store.update(
                task.local_id,
                local_path=str(got.path),
                video_sha256=got.sha256,
                video_bytes=got.size,
            )
            task.record.local_path, task.record.video_sha256 = str(got.path), got.sha256
            task.record.video_bytes = got.size
        except (DownloadError, httpx.HTTPError) as error:
            task.last_error = f"the video could not be downloaded: {error}"
            log.warning("task %s: %s", task.local_id, task.last_error)
        finally:
            task.downloading = False
            task._changed()

    # -- cancel ----------------------------------------------------------------------------
    async def cancel(self, task: Task) -> bool:
        c = self.c
        if task.status == "waiting" and c.scheduler.remove_waiting(task):
            if c.store.claim(task.local_id, c.owner, from_status="waiting", to_status="canceled"):
                task.record.status = "canceled"
                task.record.finished_at = time.time()
                c.store.update(task.local_id, finished_at=task.record.finished_at)
                task._changed()
                return True
            return False
        if task.status not in ("queued", "running") or task.task_id is None:
            return False
        spec = c.provider.cancel_request(task.task_id)
        if spec is None:
            return False
        try:
            async for attempt in c.retry.idempotent():
                with attempt:
                    async with c.scheduler.query_window():
                        raw = await c.transport.send(spec)
                    c.provider.parse_cancel(*raw)
        except ProviderError as error:
            task.last_error = f"cancel refused: {error}"
            task._changed()
            return False
        # Confirm with a poll rather than assume: the provider is the authority.
        await self.poll(task)
        return task.status == "canceled"


def _provider_start(submitted_at: float | None, times: Mapping[str, str]) -> float | None:
    """When the run started, in local time, from the provider's own submit and start stamps.

    A poll only sees "running" some time after the run began; the provider's stamps say exactly
    when, and their difference needs no time zone.
    """
    if submitted_at is None:
        return None
    measured = provider_durations({**times, "end_time": times.get("scheduled_time", "")})
    if measured is None:
        return None
    return submitted_at + measured[0]


def _submitted_within(state: TaskState, start: float, end: float) -> bool:
    """Whether any listed time of ``state`` falls in [start, end], read as UTC or as UTC+8."""
    stamps = [v for k, v in state.times.items() if "submit" in k or "create" in k]
    if not stamps:
        return True  # nothing to narrow by; the caller's window still applies
    for stamp in stamps:
        if stamp.isdigit():  # epoch milliseconds, as some list items carry them
            if start <= int(stamp) / 1000 <= end:
                return True
            continue
        for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
            try:
                naive = datetime.strptime(stamp, fmt)
            except ValueError:
                continue
            for offset in (0, 8):
                moment = naive.replace(tzinfo=UTC) - timedelta(hours=offset)
                if start <= moment.timestamp() <= end:
                    return True
    return False
