"""Reading raw HTTP responses safely, and building URLs: the helpers all three adapters share.

Every reader here returns ``None`` (or raises :class:`ProtocolError`) on a shape it did not
expect, so no ``KeyError``/``TypeError``/``JSONDecodeError`` can escape an adapter: the bytes
come from the network and may be anything (an HTML error page from a proxy, a truncated body).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlsplit

from vace_studio.providers.errors import (
    ErrorKind,
    ProtocolError,
    ProviderError,
    error_for,
    refine_refusal,
)

SNIPPET_CHARS = 300
"""How much of an unreadable body an error message quotes."""

ErrorReader = Callable[[int, Mapping[str, str], bytes], ProviderError]
"""Builds the error for a non-2xx response: ``(status, headers, body) -> ProviderError``."""


# ---- bodies -------------------------------------------------------------------------------


def snippet(body: bytes | str) -> str:
    """The start of a body as text, for error messages (at most ~300 characters)."""
    text = body if isinstance(body, str) else bytes(body).decode("utf-8", errors="replace")
    text = text.strip()
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 3] + "..."


def load_json(body: bytes | str) -> tuple[bool, Any]:
    """``(True, value)`` when ``body`` is JSON, else ``(False, None)``. Never raises."""
    try:
        return True, json.loads(body)
    except (ValueError, RecursionError, TypeError):
        # ValueError covers JSONDecodeError, bad UTF-8 and over-long integers.
        return False, None


def is_success(status: int) -> bool:
    """True for a 2xx HTTP status."""
    return 200 <= status <= 299


def success_json(
    provider: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    on_error: ErrorReader,
) -> Any:
    """The JSON value of a 2xx response; raises ``on_error(...)`` for any other status and
    :class:`ProtocolError` when a 2xx body is not JSON."""
    if not is_success(status):
        raise on_error(status, headers, body)
    ok, value = load_json(body)
    if not ok:
        raise ProtocolError(
            f"expected a JSON body, got {snippet(body)!r}", provider=provider, http_status=status
        )
    return value


def protocol_error(provider: str, status: int, expected: str, body: bytes) -> ProtocolError:
    """A :class:`ProtocolError` saying what was expected and quoting what was received."""
    return ProtocolError(
        f"expected {expected}, got {snippet(body)!r}", provider=provider, http_status=status
    )


def error_from_parts(
    provider: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    kind: ErrorKind,
    code: str | None,
    message: str | None,
    request_id: str | None = None,
) -> ProviderError:
    """An error of ``kind``; when the body had no message, quote the body or the status phrase."""
    # Judged on the provider's own words: the status phrase filled in below says nothing.
    kind, may_be_quota = refine_refusal(kind, status, code, message or snippet(body))
    if message is None:
        message = snippet(body) or status_phrase(status)
    return error_for(
        kind,
        message,
        provider=provider,
        http_status=status,
        code=code,
        request_id=request_id or header(headers, "X-Request-Id"),
        retry_after=retry_after(headers),
        may_be_quota=may_be_quota,
    )


def status_phrase(status: int) -> str:
    """``"Too Many Requests"`` for 429; ``"HTTP 599"`` for a status with no standard phrase."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


# ---- values inside a parsed body ----------------------------------------------------------


def obj(value: Any) -> dict[str, Any] | None:
    """``value`` if it is a JSON object, else ``None``."""
    return value if isinstance(value, dict) else None


def text(value: Any) -> str | None:
    """``value`` if it is a string, else ``None``."""
    return value if isinstance(value, str) else None


def verbatim(value: Any) -> str | None:
    """A code or id as the provider sent it, as text: strings as-is, integers written out."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # json.loads already refuses integers too long to write out, so str() is safe.
        return str(value)
    return None


def number(value: Any) -> float | None:
    """A finite JSON number (or numeric string) as a float, else ``None``."""
    if isinstance(value, bool):
        return None
    if not isinstance(value, int | float | str):
        return None
    try:
        result = float(value)
    except (ValueError, OverflowError):
        # OverflowError: a JSON integer beyond the float range.
        return None
    return result if math.isfinite(result) else None


def whole(value: Any) -> int | None:
    """A JSON integer (or a float/str holding one) as an int, else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    as_float = number(value)
    return int(as_float) if as_float is not None and as_float.is_integer() else None


def first_text(source: Mapping[str, Any], *keys: str) -> str | None:
    """The first of ``keys`` whose value in ``source`` is a string."""
    for key in keys:
        found = text(source.get(key))
        if found is not None:
            return found
    return None


def times_from(source: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, str]:
    """The timestamps among ``keys``, verbatim as text (numbers written out)."""
    found: dict[str, str] = {}
    for key in keys:
        value = source.get(key)
        if isinstance(value, float) and math.isfinite(value):
            found[key] = repr(value)
        elif (shown := verbatim(value)) is not None:
            found[key] = shown
    return found


def moment(value: Any, zone: tzinfo = UTC) -> float | None:
    """Unix seconds of a provider timestamp: epoch seconds or milliseconds, ISO 8601, or
    ``YYYY-MM-DD HH:mm:ss[.SSS]``; a stamp without a zone is read in ``zone`` (the provider's
    documented zone). ``None`` when it is none of these."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number / 1000.0 if number > 1e11 else number
    if not isinstance(value, str) or not value.strip():
        return None
    stamp = value.strip()
    if stamp.isdigit():
        return moment(int(stamp), zone)
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.timestamp()


def first_moment(
    source: Mapping[str, Any], keys: tuple[str, ...], zone: tzinfo = UTC
) -> float | None:
    """:func:`moment` of the first of ``keys`` that holds a readable timestamp."""
    for key in keys:
        if (found := moment(source.get(key), zone)) is not None:
            return found
    return None


# ---- headers ------------------------------------------------------------------------------


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, matched case-insensitively (plain dicts are case-sensitive)."""
    value = headers.get(name)
    if isinstance(value, str):
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if isinstance(key, str) and key.lower() == wanted and isinstance(candidate, str):
            return candidate
    return None


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait before retrying, from ``Retry-After`` or ``X-RateLimit-Reset``.

    ``Retry-After`` is seconds or an HTTP date; ``X-RateLimit-Reset`` is seconds, or a Unix time
    when it is larger than 10^9 [I: neither provider documents which]. Dates are measured against
    the response's ``Date`` header when present, else against ``now`` (default: the clock).
    """
    reference = _reference_time(headers, now)
    raw = header(headers, "Retry-After")
    if raw is not None:
        seconds = _seconds_or_date(raw.strip(), reference)
        if seconds is not None:
            return seconds
    raw = header(headers, "X-RateLimit-Reset")
    if raw is not None:
        value = number(raw.strip())
        if value is not None and value >= 0:
            return max(0.0, value - reference()) if value > 1e9 else value
    return None


def _reference_time(headers: Mapping[str, str], now: float | None) -> Callable[[], float]:
    def reference() -> float:
        date = header(headers, "Date")
        if date is not None:
            parsed = _http_date(date)
            if parsed is not None:
                return parsed
        return time.time() if now is None else now

    return reference


def _seconds_or_date(raw: str, reference: Callable[[], float]) -> float | None:
    seconds = number(raw)
    if seconds is not None:
        return seconds if seconds >= 0 else None
    when = _http_date(raw)
    return None if when is None else max(0.0, when - reference())


def _http_date(raw: str) -> float | None:
    try:
        parsed = parsedate_to_datetime(raw)
        stamp = parsed.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None
    return stamp if math.isfinite(stamp) else None


# ---- URLs ---------------------------------------------------------------------------------


def normalise_base_url(url: str, documented_prefix: str = "") -> str:
    """``scheme://host[:port]`` (plus any proxy path) without a trailing slash.

    A trailing ``documented_prefix`` (``/api/v1``) is dropped, so the SDK-style value
    ``https://dashscope.aliyuncs.com/api/v1`` means the same as the bare host.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base_url must look like https://host[:port] (got {url!r})")
    if parts.query or parts.fragment:
        raise ValueError(f"base_url must not have a query or fragment (got {url!r})")
    path = parts.path.rstrip("/")
    if documented_prefix and path.endswith(documented_prefix):
        path = path[: -len(documented_prefix)]
    return f"{parts.scheme}://{parts.netloc}{path}"


def path_segment(task_id: str) -> str:
    """A task id made safe to put in a URL path (quoted; ``/`` cannot split the path)."""
    if not task_id:
        raise ValueError("task_id must be a non-empty string")
    return quote(task_id, safe="")
