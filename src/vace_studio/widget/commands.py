"""Custom messages in, exactly one answer out: the registry of the widget's message handlers.

A handler is a method marked with :func:`command` (anywidget's ``@command`` pattern): it takes
the :class:`Message` and returns the answer's fields, or ``(fields, buffers)``, or an awaitable
of either (slow work runs as an asyncio task and answers when done). :class:`Commands` collects
the marked methods of the handler objects it is given, one per kind, and routes each browser
request ``{id, kind, ...}`` to its handler. The answer is ``{id, ok: true, ...}`` or, for
anything raised, ``{id, ok: false, error, code, ...}`` (:mod:`~vace_studio.widget.errors`):
also for unknown kinds and crashed handlers, so no promise in the browser waits for nothing.
Messages without an ``id`` are not requests and are ignored.

The protocol, every kind with its request and answer, is in ``docs/protocol.md``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from vace_studio.widget.errors import MessageError, WidgetError, widget_error

log = logging.getLogger("vace_studio")

Fields = dict[str, Any]
Reply = Fields | tuple[Fields, list[bytes]]
Handler = Callable[["Message"], "Reply | Awaitable[Reply]"]
Send = Callable[[Fields, list[bytes] | None], None]

_KIND = "__widget_command__"
F = TypeVar("F", bound=Callable[..., Any])


def command(kind: str) -> Callable[[F], F]:
    """Mark a method as the handler of message ``kind``."""

    def mark(method: F) -> F:
        setattr(method, _KIND, kind)
        return method

    return mark


@dataclass(frozen=True)
class Message:
    """One browser request: its JSON ``content`` and binary ``buffers``, with typed reads that
    answer ``bad_message`` naming the field when the browser sent something else."""

    content: Mapping[str, Any]
    buffers: Sequence[Any] = ()
    buffer_limit: int | None = None
    """Most bytes an answer should carry on the transport this request came by (None: the
    handler's own chunk size); set by ``widget/wire.py``, the one module that knows why."""

    def chunk_bytes(self, preferred: int) -> int:
        """``preferred``, or less when the transport wants smaller messages."""
        return preferred if self.buffer_limit is None else min(preferred, self.buffer_limit)

    @property
    def kind(self) -> str:
        return str(self.content.get("kind"))

    def get(self, key: str, default: Any = None) -> Any:
        return self.content.get(key, default)

    def text(self, key: str, hint: str) -> str:
        """A non-empty string field; ``hint`` says what belongs there."""
        value = self.content.get(key)
        if not isinstance(value, str) or not value:
            raise MessageError(f"{self.kind}: {key} must be {hint}")
        return value

    def whole(self, key: str, default: int = 0, high: int = 10**12) -> int:
        """A whole-number field from 0 to ``high``."""
        value = self.content.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
            raise MessageError(f"{key}: expected a whole number from 0 to {high} (got {value!r})")
        return value

    def request(self) -> Mapping[str, Any]:
        """The VACE request a form sent."""
        request = self.content.get("request")
        if not isinstance(request, Mapping):
            raise MessageError("request: expected an object with a 'function'")
        return request


def handlers_of(*objects: object) -> dict[str, Handler]:
    """Every :func:`command` method of ``objects``, by kind; a kind claimed twice is a bug."""
    found: dict[str, Handler] = {}
    for obj in objects:
        for name in dir(type(obj)):
            kind = getattr(getattr(type(obj), name), _KIND, None)
            if kind is None:
                continue
            if kind in found:
                raise TypeError(f"two handlers for message kind {kind!r}")
            found[kind] = getattr(obj, name)
    return found


class Commands:
    """Routes requests to the handlers of ``objects`` and answers each exactly once.

    ``send(content, buffers)`` reaches the browser; ``scrub`` removes secrets (keys typed in
    the header) from every error text before it leaves the kernel.
    """

    def __init__(self, *objects: object, send: Send, scrub: Callable[[str], str]) -> None:
        self.handlers = handlers_of(*objects)
        self._send = send
        self._scrub = scrub
        self._running: set[asyncio.Task[None]] = set()

    def handle(self, content: Any, buffers: Sequence[Any], buffer_limit: int | None = None) -> None:
        if not isinstance(content, Mapping) or not isinstance(content.get("id"), str):
            return
        request_id: str = content["id"]
        message = Message(content, list(buffers), buffer_limit)
        try:
            reply = self._dispatch(message)
        except Exception as error:
            self._fail(request_id, message, error)
            return
        if inspect.isawaitable(reply):
            job = asyncio.ensure_future(self._finish(request_id, message, reply))
            self._running.add(job)
            job.add_done_callback(self._running.discard)
        else:
            self._answer(request_id, reply)

    def _dispatch(self, message: Message) -> Reply | Awaitable[Reply]:
        kind = message.content.get("kind")
        handler = self.handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            known = ", ".join(sorted(self.handlers))
            raise MessageError(f"unknown message kind {kind!r} (known: {known})", "unknown_kind")
        return handler(message)

    async def _finish(self, request_id: str, message: Message, reply: Awaitable[Reply]) -> None:
        try:
            done = await reply
        except Exception as error:
            self._fail(request_id, message, error)
            return
        self._answer(request_id, done)

    def _fail(self, request_id: str, message: Message, error: Exception) -> None:
        failure: WidgetError = widget_error(error, message.content)
        if not failure.expected:
            log.warning("widget message %r failed", message.kind, exc_info=error)
        fields = failure.reply()
        fields["error"] = self._scrub(str(fields.get("error", "")))
        self._send({"id": request_id, "ok": False, **fields}, None)

    def _answer(self, request_id: str, reply: Reply) -> None:
        fields, buffers = reply if isinstance(reply, tuple) else (reply, [])
        self._send({"id": request_id, "ok": True, **fields}, buffers or None)
