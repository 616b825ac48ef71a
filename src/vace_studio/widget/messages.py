"""The kernel side of the widget's custom messages: every request gets exactly one answer.

The browser sends ``{id, kind, ...}`` (plus binary buffers for uploads); the answer is
``{id, ok: true, ...}`` or ``{id, ok: false, error, code, errors?}`` with the same ``id`` — also for
unknown kinds and for handlers that crash, so no promise in the browser waits for nothing.
Messages without an ``id`` are never requests and are ignored. Slow work (cancel) runs as an
asyncio task and answers when done.

Kinds: ``hello``, ``validate``, ``submit``, ``upload``, ``cancel``, ``retry``, ``video``,
``set_key`` (the forms and task cards); ``adopt``, ``resubmit`` (an uncertain submit's two
choices), ``resume`` (the held-queue banner); ``preview``, ``thumbnail`` (a form's pictures);
``sweeps``, ``gallery``, ``poster``, ``history``, ``rerun``, ``export``, ``file`` (the Gallery
and History views).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from vace_studio import experiments
from vace_studio.engine import TaskRecord, UploadError
from vace_studio.requests import InvalidRequest
from vace_studio.widget import account, previews, wording
from vace_studio.widget import history as history_view
from vace_studio.widget.file_uploads import UploadRefusedError
from vace_studio.widget.gallery import UnknownSweepError
from vace_studio.widget.history import HistoryRequestError
from vace_studio.widget.videos import (
    VideoUnavailableError,
    poster_jpeg,
    read_chunk,
    source_path,
    thumbnail_jpeg,
)

if TYPE_CHECKING:
    from vace_studio.engine import Task
    from vace_studio.widget.studio import Studio

log = logging.getLogger("vace_studio")

Reply = dict[str, Any] | tuple[dict[str, Any], list[bytes]]
Handler = Callable[[Mapping[str, Any], Sequence[Any]], "Reply | Awaitable[Reply]"]


class MessageError(Exception):
    """A request that cannot be served; ``code`` is machine-readable, the text is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def failure(error: BaseException, content: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``ok: false`` fields for ``error``: pydantic problems by field (and each problem
    with its repair helper, if any), codes kept."""
    if isinstance(error, InvalidRequest):
        request = content.get("request") if content else None
        shown = request if isinstance(request, Mapping) else None
        function = error.function
        return {
            "error": wording.in_words(str(error), function),
            "code": "invalid_request",
            "errors": wording.by_field(error.problems, function),
            "problems": wording.problems_json(error.problems, function, shown),
            "warnings": wording.problems_json(error.warnings, function, shown),
        }
    if isinstance(
        error, MessageError | VideoUnavailableError | HistoryRequestError | UnknownSweepError
    ):
        return {"error": str(error), "code": error.code}
    if isinstance(error, UploadRefusedError | UploadError | account.KeyRefusedError):
        return {"error": str(error), "code": type(error).__name__}
    return {"error": f"{type(error).__name__}: {error}", "code": "internal_error"}


class Messages:
    """Routes the studio's custom messages to handlers and answers them."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        self.handlers: dict[str, Handler] = {
            "hello": self.hello,
            "validate": self.validate,
            "submit": self.submit,
            "upload": self.upload,
            "cancel": self.cancel,
            "retry": self.retry,
            "adopt": self.adopt,
            "resubmit": self.resubmit,
            "resume": self.resume,
            "video": self.video,
            "poster": self.poster,
            "thumbnail": self.thumbnail,
            "set_key": self.set_key,
            "preview": self.preview,
            "sweeps": self.sweeps,
            "gallery": self.gallery,
            "history": self.history,
            "rerun": self.rerun,
            "export": self.export,
            "file": self.file,
        }
        self._running: set[asyncio.Task[None]] = set()

    # -- dispatch --------------------------------------------------------------------------
    def handle(self, content: Any, buffers: Sequence[Any]) -> None:
        if not isinstance(content, Mapping) or not isinstance(content.get("id"), str):
            return
        request_id: str = content["id"]
        kind = content.get("kind")
        handler = self.handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            known = ", ".join(sorted(self.handlers))
            error = MessageError("unknown_kind", f"unknown message kind {kind!r} (known: {known})")
            self._answer(request_id, failure(error))
            return
        try:
            reply = handler(content, buffers)
        except Exception as error:
            self._fail(request_id, content, error)
            return
        if inspect.isawaitable(reply):
            job = asyncio.ensure_future(self._finish(request_id, content, reply))
            self._running.add(job)
            job.add_done_callback(self._running.discard)
        else:
            self._reply(request_id, reply)

    async def _finish(
        self, request_id: str, content: Mapping[str, Any], reply: Awaitable[Reply]
    ) -> None:
        try:
            done = await reply
        except Exception as error:
            self._fail(request_id, content, error)
            return
        self._reply(request_id, done)

    def _fail(self, request_id: str, content: Mapping[str, Any], error: Exception) -> None:
        expected = (
            InvalidRequest,
            MessageError,
            VideoUnavailableError,
            UploadRefusedError,
            UploadError,
            account.KeyRefusedError,
            HistoryRequestError,
            UnknownSweepError,
        )
        if not isinstance(error, expected):
            log.warning("widget message %r failed", content.get("kind"), exc_info=True)
        self._answer(request_id, failure(error, content))

    def _reply(self, request_id: str, reply: Reply) -> None:
        fields, buffers = reply if isinstance(reply, tuple) else (reply, [])
        self._answer(request_id, {"ok": True, **fields}, buffers)

    def _answer(
        self, request_id: str, fields: dict[str, Any], buffers: list[bytes] | None = None
    ) -> None:
        if fields.get("ok") is not True:
            fields = {"ok": False, **fields}
            fields["error"] = account.scrub(str(fields.get("error", "")), self.studio._secrets)
        self.studio.send({"id": request_id, **fields}, buffers or None)

    # -- helpers ---------------------------------------------------------------------------
    def _task(self, content: Mapping[str, Any]) -> Task:
        local_id = content.get("local_id")
        task = self.studio._tasks.get(local_id) if isinstance(local_id, str) else None
        if task is None:
            raise MessageError("unknown_task", f"no task {local_id!r} in this studio")
        return task

    @staticmethod
    def _request(content: Mapping[str, Any]) -> Mapping[str, Any]:
        request = content.get("request")
        if not isinstance(request, Mapping):
            raise MessageError("bad_message", "request: expected an object with a 'function'")
        return request

    # -- handlers --------------------------------------------------------------------------
    def hello(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """A view (re)opened: every card, newest first."""
        return self.studio._snapshot()

    def validate(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """Every check a submit would make, nothing recorded; answers the estimated cost and the
        warnings (what the service would trim or ignore, in the form's words)."""
        client = self.studio.client
        request = self._request(content)
        model, warnings = client.inspect(request)
        return {
            "cost": client.estimate_cost(model),
            "simulated": client.simulated,
            "warnings": wording.problems_json(warnings, model.function, request),
        }

    def submit(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """Queue the request; the card follows as a push (its provider id comes later)."""
        task = self.studio.submit(self._request(content))
        return {"local_id": task.local_id, "task_id": task.task_id}

    def retry(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """The same request again, as a new task (the old card stays)."""
        old = self._task(content)
        task = self.studio.submit(old.request, tags={"retry_of": old.local_id})
        return {"local_id": task.local_id}

    async def cancel(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """``stopped``: whether the task was canceled (providers cancel queued tasks only)."""
        task = self._task(content)
        stopped = await task.cancel()
        return {"stopped": stopped, "status": task.status}

    async def adopt(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """An uncertain task takes the provider task id a person pasted; then it is polled."""
        task = self._task(content)
        task_id = content.get("task_id")
        if not isinstance(task_id, str):
            raise MessageError("bad_message", "task_id: paste the provider's task id")
        try:
            await task.adopt(task_id)
        except ValueError as error:  # not adoptable, empty, or another task's id: verbatim
            raise MessageError("refused", str(error)) from None
        return {"status": task.status, "task_id": task.task_id}

    async def resubmit(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """An uncertain task's request sent again as a new task that replaces it."""
        task = self._task(content)
        try:
            new = await task.resubmit()
        except ValueError as error:
            raise MessageError("refused", str(error)) from None
        self.studio.track(new)
        return {"local_id": new.local_id, "replaces": task.local_id}

    def resume(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """The held-queue banner's button: submit the waiting tasks again."""
        self.studio.resume_submissions()
        return {"held": self.studio.submissions_held or None}

    def upload(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        return self.studio._uploads.receive(content, buffers)

    def _record(self, content: Mapping[str, Any]) -> TaskRecord:
        """A task of this studio, or any task in its store (the Gallery and History show those
        of earlier kernels too)."""
        local_id = content.get("local_id")
        task = self.studio._tasks.get(local_id) if isinstance(local_id, str) else None
        if task is not None:
            return task.record
        record = self.studio.client.store.get(local_id) if isinstance(local_id, str) else None
        if record is None:
            raise MessageError("unknown_task", f"no task {local_id!r} in this studio's store")
        return record

    @staticmethod
    def _offset(content: Mapping[str, Any]) -> int:
        offset = content.get("offset", 0)
        if not isinstance(offset, int) or isinstance(offset, bool):
            raise MessageError("bad_message", f"offset: expected a whole number (got {offset!r})")
        return offset

    def video(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply | Awaitable[Reply]:
        """A chunk of a task's result video, or with ``source: true`` of its source video."""
        record = self._record(content)
        offset = self._offset(content)
        if content.get("source") is True:
            return self._source_chunk(record, offset)
        info, data = read_chunk(record.local_path, offset, self.studio.video_chunk_bytes)
        return info, [data]

    async def poster(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """A still of a task's result as a small JPEG (one buffer): a gallery cell's poster."""
        record = self._record(content)
        jpeg, width, height = await asyncio.to_thread(poster_jpeg, record.local_path)
        return {"mime": "image/jpeg", "width": width, "height": height}, [jpeg]

    async def thumbnail(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """A small JPEG of the local file a form field names (one buffer)."""
        ref = content.get("ref")
        if not isinstance(ref, str) or not ref:
            raise MessageError("bad_message", "thumbnail: ref must be a file path")
        jpeg, width, height = await asyncio.to_thread(thumbnail_jpeg, ref)
        return {"mime": "image/jpeg", "width": width, "height": height}, [jpeg]

    async def _source_chunk(self, record: TaskRecord, offset: int) -> Reply:
        path = await source_path(self.studio.client, record.request, self.studio._sources)
        info, data = read_chunk(path, offset, self.studio.video_chunk_bytes)
        return info, [data]

    def set_key(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        target = account.target_of(content.get("provider"))
        self.studio._use_key(content.get("key"), target)
        return {"has_key": self.studio.has_key, "provider": self.studio.provider}

    # -- previews, gallery and history -----------------------------------------------------
    async def preview(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """The form's preview PNGs (one buffer each) and their facts; ``previews: []`` when the
        request's inputs give nothing to show (e.g. remote files, which are not downloaded)."""
        request = self._request(content)
        entries, pngs = await asyncio.to_thread(previews.previews, request)
        return {"previews": entries}, pngs

    def sweeps(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """Every sweep in the store, newest first, and the one the studio shows first."""
        return {"sweeps": self.studio._feed.rows(), "current": self.studio.sweep_id}

    def gallery(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        group_id = content.get("group_id")
        if not isinstance(group_id, str) or not group_id:
            raise MessageError("bad_message", "gallery: group_id must be a sweep's group id")
        return {"sweep": self.studio._feed.gallery(group_id)}

    def history(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        return history_view.page(self.studio.client.store, content)

    def rerun(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """A task of the store queued again through the studio's client (a new card follows)."""
        record = self._record(content)
        task = experiments.rerun(self.studio.client, record.id)
        self.studio.track(task)
        return {"local_id": task.local_id}

    async def export(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """A run (a sweep, or tasks) as a folder or a zip under ``<home>/exports/``."""
        run, label = history_view.export_run_of(content)
        as_zip = content.get("zip") is True
        client = self.studio.client
        target = history_view.export_target(client.paths.home, label)
        path = await asyncio.to_thread(
            experiments.export_run, run, target, zip=as_zip, store=client.store
        )
        download = self.studio._offer_download(path) if as_zip else None
        return {"path": str(path), "zip": as_zip, "download": download}

    def file(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> Reply:
        """A chunk of an exported zip, named by the ``download`` id its export answered."""
        download = content.get("download")
        path = self.studio._downloads.get(download) if isinstance(download, str) else None
        if path is None:
            raise MessageError("unknown_download", f"no export {download!r} to download here")
        info, data = read_chunk(path, self._offset(content), self.studio.video_chunk_bytes)
        return info, [data]
