"""Error responses in each provider's shape.

Route code raises :class:`ApiError` and the app renders it in the shape of the provider (or of the
OSS storage host) that the route belongs to:

- DashScope: ``{"code": "InvalidParameter", "message": ..., "request_id": ...}`` (reference 1.5).
- Modellix: ``{"code": 400, "message": ...}`` — a numeric code, as its CLI tests show.
- MuleRouter: ``{"code": 400, "title": "Bad Request", "detail": ...}`` — undocumented; ``detail``
  is the first key its CLI reads, and the shape mirrors its ``task_info.error`` object.
- OSS: an XML ``<Error>`` document, as Alibaba OSS answers uploads and signed downloads.
"""

from __future__ import annotations

import json
import uuid
from http import HTTPStatus
from typing import Literal
from xml.sax.saxutils import escape

from starlette.responses import Response

Dialect = Literal["dashscope", "modellix", "mulerouter", "oss"]


class ApiError(Exception):
    """An error answer: HTTP ``status``, provider ``code`` and ``message``, extra ``headers``."""

    def __init__(
        self,
        dialect: Dialect,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        *,
        reason: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.dialect: Dialect = dialect
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.reason = reason
        """What ``stats().rejected`` counts it under, when the status alone does not say."""

    def response(self) -> Response:
        """This error as a response in its dialect's shape."""
        return error_response(self.dialect, self.status, self.code, self.message, self.headers)


def request_id() -> str:
    """A fresh request id (DashScope answers one with every response)."""
    return str(uuid.uuid4())


def json_response(
    data: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A compact JSON response; non-ASCII text is kept as is (prompts may be Chinese)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def error_response(
    dialect: Dialect,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error response in ``dialect``'s shape (see the module docstring)."""
    if dialect == "dashscope":
        rid = request_id()
        body = {"code": code, "message": message, "request_id": rid}
        return json_response(body, status, {"x-request-id": rid, **(headers or {})})
    if dialect == "modellix":
        return json_response({"code": status, "message": message}, status, headers)
    if dialect == "mulerouter":
        title = _phrase(status)
        return json_response({"code": status, "title": title, "detail": message}, status, headers)
    return oss_error(status, code, message, headers)


def oss_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """An OSS-style XML error document."""
    rid = uuid.uuid4().hex.upper()[:24]
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n'
        f"  <Code>{escape(code)}</Code>\n  <Message>{escape(message)}</Message>\n"
        f"  <RequestId>{rid}</RequestId>\n  <HostId>127.0.0.1</HostId>\n</Error>\n"
    )
    return Response(
        xml.encode("utf-8"),
        status_code=status,
        headers={"x-oss-request-id": rid, **(headers or {})},
        media_type="application/xml",
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
