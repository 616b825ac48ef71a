"""How bytes cross the comm: binary buffers where the host keeps them, base64 text where not.

JupyterLab, Notebook 7 and VS Code carry a custom message's binary ``buffers``; Colab's widget
manager drops them (googlecolab/colab-cdn-widget-manager#33) and marimo has delivered them
re-encoded (marimo-team/marimo#2366, #5261). So every view starts with a ``probe``: a message
carrying a known binary buffer, answered with the same bytes. If the buffer does not arrive
intact either way, the view switches to *text* and from then on marks each request
``wire: "b64"`` and moves its bytes as a ``b64`` list of base64 strings instead of buffers.

This module is the kernel's half (``js/src/comm-transport.ts`` is the browser's): it turns a text
request's ``b64`` back into buffers before any handler sees it, encodes the answer to a text
request the same way, and caps how many bytes one answer should carry
(:attr:`Message.buffer_limit`). The decision is per request, not per widget: every view of a
model gets every custom message, and two views may sit in different hosts (a notebook open in
JupyterLab and in Colab at once). No other module knows which transport a message used.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from vace_studio.widget.commands import Fields, Message, Reply, Send, command
from vace_studio.widget.errors import MessageError

log = logging.getLogger("vace_studio")

TEXT = "b64"
"""The ``wire`` value of a request whose bytes travel as base64 text."""

TEXT_BUFFER_BYTES = 1024 * 1024
"""Most bytes of one message's payload on the text transport: 1.4 MB of base64, well under
Jupyter's 10 MiB websocket limit, Colab's output channel and marimo's message handling."""

PROBE = bytes(range(256))
"""What the probe carries: every byte value once, so any re-encoding (UTF-8, base64, a string
in place of a buffer) shows as a difference."""

Handle = Callable[[Any, Sequence[Any], "int | None"], None]


def _as_bytes(buffer: Any) -> bytes | None:
    """A buffer as bytes, or None when the host delivered something that is not binary."""
    if isinstance(buffer, bytes | bytearray | memoryview):
        return bytes(buffer)
    return None


def decode(content: Mapping[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
    """A text request's content without ``b64`` and ``wire``, and its bytes as buffers."""
    parts = content.get("b64")
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise MessageError("b64: expected a list of base64 strings")
    try:
        buffers = [base64.b64decode(p, validate=True) for p in parts]
    except (binascii.Error, ValueError) as error:
        raise MessageError(f"b64: not base64 ({error})") from None
    fields = {k: v for k, v in content.items() if k not in ("b64", "wire")}
    return fields, buffers


def encode(content: Fields, buffers: Sequence[Any]) -> Fields:
    """``content`` with ``buffers`` folded in as a ``b64`` list of base64 strings."""
    return {**content, "b64": [base64.b64encode(bytes(b)).decode("ascii") for b in buffers]}


class CommTransport:
    """The kernel's end of the transport: ``receive`` decodes requests, ``send`` encodes
    answers to text requests; ``mode`` is what the latest request used (for tests and
    debugging: answers follow their own request, not ``mode``)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._text_ids: set[str] = set()  # text requests still waiting for their answer
        self.mode = "binary"

    def receive(self, content: Any, buffers: Sequence[Any], handle: Handle) -> None:
        """Hand one browser message to ``handle(content, buffers, buffer_limit)``."""
        if not isinstance(content, Mapping) or content.get("wire") != TEXT:
            if isinstance(content, Mapping) and content.get("kind") not in (None, "probe"):
                self.mode = "binary"  # the probe itself always goes binary
            handle(content, buffers, None)
            return
        self.mode = "text"
        request_id = content.get("id")
        try:
            fields, decoded = decode(content)
        except MessageError as error:
            if isinstance(request_id, str):  # answered, like any bad message: no promise hangs
                self._send({"id": request_id, "ok": False, "error": str(error),
                            "code": error.code}, None)  # fmt: skip
            return
        if isinstance(request_id, str):
            self._text_ids.add(request_id)
        handle(fields, decoded, TEXT_BUFFER_BYTES)

    def send(self, content: Fields, buffers: list[bytes] | None) -> None:
        """Send to the browser; the answer to a text request carries its bytes as text."""
        request_id = content.get("id")
        text = isinstance(request_id, str) and request_id in self._text_ids
        if text:
            self._text_ids.discard(request_id)
        elif request_id is None and buffers and self.mode == "text":
            text = True  # a push with bytes goes the way the views last asked
        if text and buffers:
            self._send(encode(content, buffers), None)
            return
        self._send(content, buffers)


class ProbeHandler:
    """Answers the ``probe`` each view sends at start: did its buffer arrive intact?"""

    def __init__(self, transport: CommTransport) -> None:
        self._transport = transport

    @command("probe")
    def probe(self, message: Message) -> Reply:
        """``{up}`` (the browser's buffer arrived byte for byte) plus the probe bytes back."""
        received = _as_bytes(message.buffers[0]) if len(message.buffers) == 1 else None
        up = received == PROBE
        if not up:
            log.info("binary buffers do not reach this kernel intact: text transport")
        return {"up": up, "size": len(PROBE)}, [PROBE]
