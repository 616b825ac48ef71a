"""Reading request bodies under a size cap, and the bearer API key check.

A body larger than its cap is refused before it is read in full (by ``Content-Length`` when the
client sends one, otherwise while streaming), so a huge upload cannot fill memory or disk.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.types import Message, Receive

from vace_studio.simulator.errors import ApiError, Dialect

_TOO_LARGE = {
    "dashscope": (413, "RequestTooLarge"),
    "modellix": (413, "PayloadTooLarge"),
    "mulerouter": (413, "PayloadTooLarge"),
    "oss": (400, "EntityTooLarge"),
}


def too_large(dialect: Dialect, cap: int) -> ApiError:
    """The error for a body over ``cap`` bytes, in ``dialect``'s shape."""
    status, code = _TOO_LARGE[dialect]
    return ApiError(dialect, status, code, f"The request body is larger than {_size(cap)}.")


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n} bytes"


def check_declared_length(request: Request, cap: int, dialect: Dialect) -> None:
    """Refuse at once when the declared ``Content-Length`` is over ``cap``."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    try:
        length = int(declared)
    except ValueError:
        raise ApiError(
            dialect, 400, "InvalidParameter", "Content-Length is not a number."
        ) from None
    if length > cap:
        raise too_large(dialect, cap)


async def read_capped(request: Request, cap: int, dialect: Dialect) -> bytes:
    """The whole body, or :class:`ApiError` when it is over ``cap`` bytes."""
    check_declared_length(request, cap, dialect)
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > cap:
            raise too_large(dialect, cap)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json_object(request: Request, cap: int, dialect: Dialect) -> dict[str, Any]:
    """The body parsed as a JSON object, with each provider's error for other bodies."""
    raw = await read_capped(request, cap, dialect)
    code = "InvalidParameter" if dialect == "dashscope" else "BadRequest"
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiError(dialect, 400, code, f"The request body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ApiError(dialect, 400, code, "The request body must be a JSON object.")
    return data


def capped_receive(receive: Receive, cap: int, dialect: Dialect) -> Receive:
    """``receive`` that raises :class:`ApiError` once more than ``cap`` body bytes have arrived."""
    total = 0

    async def wrapped() -> Message:
        nonlocal total
        message = await receive()
        if message["type"] == "http.request":
            total += len(message.get("body", b""))
            if total > cap:
                raise too_large(dialect, cap)
        return message

    return wrapped


_UNAUTHORIZED = {
    "dashscope": ("InvalidApiKey", "No API-key provided.", "Invalid API-key provided."),
    "modellix": ("Unauthorized", "Missing API key.", "Invalid API key."),
    "mulerouter": ("Unauthorized", "Missing API key.", "Invalid API key."),
    "oss": ("AccessDenied", "Missing credentials.", "Invalid credentials."),
}


def bearer_key(request: Request, accepts: Callable[[str], bool], dialect: Dialect) -> str:
    """The API key from ``Authorization: Bearer <key>``, or the provider's 401 error.

    ``accepts`` says whether a key is valid (:meth:`~vace_studio.simulator.owner.Owner.accepts`).
    """
    code, missing, invalid = _UNAUTHORIZED[dialect]
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise ApiError(dialect, 401, code, missing)
    if not accepts(key):
        raise ApiError(dialect, 401, code, invalid)
    return key
