"""A task the engine tracks: its durable record, observers, and ways to wait for it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vace_studio.engine.blocking import run_blocking
from vace_studio.engine.store import UNFINISHED, TaskRecord

if TYPE_CHECKING:
    from vace_studio.engine.client import Client

log = logging.getLogger("vace_studio")

Observer = Callable[["Task"], None]

TERMINAL = ("succeeded", "failed", "canceled", "unknown")


class TaskFailed(Exception):  # noqa: N818 — names an outcome, like asyncio.CancelledError
    """A task ended without a video; ``code`` and ``message`` are the provider's, verbatim."""

    def __init__(self, result: Result) -> None:
        self.result = result
        super().__init__(
            f"task {result.task_id or result.local_id} {result.status}: "
            f"{result.error_code or 'no code'}: {result.error_message or 'no message'}"
        )


@dataclass(frozen=True)
class Result:
    """What a finished task produced."""

    local_id: str
    task_id: str | None
    status: str
    video_url: str | None
    video_path: Path | None
    url_expires_at: float | None
    usage: dict[str, Any] | None
    cost: float | None
    error_code: str | None
    error_message: str | None

    @property
    def ok(self) -> bool:
        return self.status == "succeeded" and self.video_path is not None


class Task:
    """A request handed to the engine: waiting locally, at the provider, or finished.

    ``record`` is the store's row, kept current; ``status`` is one of ``waiting`` (in the local
    queue, see ``position``), ``submitting``, ``uncertain`` (the submit's outcome is unknown and
    is being reconciled), ``queued``, ``running``, ``succeeded``, ``failed``, ``canceled``,
    ``unknown``.
    """

    def __init__(self, client: Client, record: TaskRecord) -> None:
        self._client = client
        self.record = record
        self.position: int | None = None
        self.downloading = False
        self.last_error: str | None = None
        self._observers: list[Observer] = []
        self._done: asyncio.Event | None = None

    def __repr__(self) -> str:
        return f"<Task {self.local_id} {self.record.function} {self.status}>"

    @property
    def local_id(self) -> str:
        return self.record.id

    @property
    def task_id(self) -> str | None:
        """The provider's task id (``None`` until the provider accepted the task)."""
        return self.record.task_id

    @property
    def status(self) -> str:
        return self.record.status

    @property
    def done(self) -> bool:
        """Finished, and the result video fetched (or its download given up)."""
        return self.record.status in TERMINAL and not self.downloading

    @property
    def request(self) -> dict[str, Any]:
        return self.record.request

    def observe(self, callback: Observer) -> Callable[[], None]:
        """Call ``callback(task)`` after every change; returns a function that stops it."""
        self._observers.append(callback)
        return lambda: self._observers.remove(callback) if callback in self._observers else None

    def _changed(self) -> None:
        for callback in list(self._observers):
            try:
                callback(self)
            except Exception:  # an observer's bug must not stop the engine
                log.exception("task observer failed")
        if self.done and self._done is not None:
            self._done.set()

    def result_now(self) -> Result:
        """The result as it stands (also for unfinished tasks)."""
        rec = self.record
        return Result(
            local_id=rec.id,
            task_id=rec.task_id,
            status=rec.status,
            video_url=rec.video_url,
            video_path=Path(rec.local_path) if rec.local_path else None,
            url_expires_at=rec.url_expires_at,
            usage=rec.usage,
            cost=rec.cost,
            error_code=rec.error_code,
            error_message=rec.error_message,
        )

    async def wait(self, timeout: float | None = None, *, raise_on_error: bool = False) -> Result:
        """Wait until the task is finished and its video downloaded.

        Raises :class:`TimeoutError` after ``timeout`` seconds (the task keeps running), and with
        ``raise_on_error`` a :class:`TaskFailed` when it ended without a video.
        """
        if not self.done:
            if self._done is None:
                self._done = asyncio.Event()
            if self.done:
                self._done.set()
            await asyncio.wait_for(self._done.wait(), timeout)
        result = self.result_now()
        if raise_on_error and not result.ok:
            raise TaskFailed(result)
        return result

    def result(self, timeout: float | None = None) -> Result:
        """Blocking :meth:`wait` for a notebook cell or a script."""
        return run_blocking(self.wait(timeout, raise_on_error=False))

    async def cancel(self) -> bool:
        """Cancel the task: a waiting one locally, a queued one at the provider where possible.

        Returns whether it was canceled (providers only cancel tasks still queued).
        """
        return await self._client._cancel(self)

    @property
    def unfinished(self) -> bool:
        return self.record.status in UNFINISHED
