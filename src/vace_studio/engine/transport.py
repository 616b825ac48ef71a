"""Sending an adapter's request spec over HTTP, with the key added here and only here."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import BinaryIO

import httpx

from vace_studio.providers import HttpRequestSpec

MAX_ANSWER_BYTES = 8 * 1024 * 1024
"""The largest JSON answer read from a provider: a task's answer is a few kilobytes, and a
hostile or broken server must not fill the kernel's memory."""

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=30.0)
"""Explicit timeouts: a hung connection must not hang a task forever."""


class Transport:
    """One ``httpx.AsyncClient`` per engine client, plus the API key (kept in memory only)."""

    def __init__(self, api_key: str, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> None:
        self._api_key = api_key
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None
        self.clock_offset: float | None = None
        """Provider clock minus local clock, in seconds, from the last answer's ``Date`` header
        (``None`` until one arrived). Good to about a second: ``Date`` has whole seconds."""

    def __repr__(self) -> str:
        return "<Transport (key hidden)>"

    @property
    def http(self) -> httpx.AsyncClient:
        """The shared client, created in the running event loop on first use."""
        if self._http is None or self._http.is_closed:
            self._http = httpx.AsyncClient(
                timeout=self._timeout,
                follow_redirects=True,
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            )
        return self._http

    def set_key(self, api_key: str) -> None:
        self._api_key = api_key

    @property
    def account(self) -> str:
        """A one-way name of the key's account for caches bound to an account (temporary
        uploads): a truncated salted SHA-256 of the key, never the key itself."""
        digest = hashlib.sha256(b"vace-studio account\0" + self._api_key.encode()).hexdigest()
        return digest[:24]

    @property
    def has_key(self) -> bool:
        return bool(self._api_key)

    async def send(self, spec: HttpRequestSpec) -> tuple[int, Mapping[str, str], bytes]:
        """Send ``spec`` with the ``Authorization`` header and return status, headers, body."""
        headers = {**spec.headers, "Authorization": f"Bearer {self._api_key}"}
        request = self.http.build_request(
            spec.method,
            spec.url,
            headers=headers,
            json=spec.json,
            params=dict(spec.params) if spec.params else None,
        )
        try:
            response = await self.http.send(request, stream=True)
        except httpx.InvalidURL as error:
            # A redirect whose Location httpx cannot parse (``data:...``) raises InvalidURL, no
            # HTTPError: make it the transport failure it is, for the retry layer and callers.
            raise httpx.RemoteProtocolError(f"unusable redirect: {error}") from None
        try:
            body = await _capped_body(response)
        finally:
            await response.aclose()
        self._learn_clock(response.headers.get("date"))
        return response.status_code, response.headers, body

    def _learn_clock(self, date: str | None) -> None:
        if not date:
            return
        try:
            stamp = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return
        # ``Date`` is truncated to the second: its middle is half a second later.
        self.clock_offset = stamp + 0.5 - time.time()

    async def post_form(
        self,
        url: str,
        *,
        fields: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, BinaryIO]],
        authorize: bool,
    ) -> httpx.Response:
        """A multipart upload. ``authorize=False`` for third-party storage hosts (OSS), which
        must never see the provider key."""
        headers = {"Authorization": f"Bearer {self._api_key}"} if authorize else {}
        return await self.http.post(
            url, headers=headers, data=dict(fields or {}), files=dict(files)
        )

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


async def _capped_body(response: httpx.Response) -> bytes:
    """The whole answer, or a transport error once it passes :data:`MAX_ANSWER_BYTES` (for a
    submit that is a lost answer: the task may exist, so it is reconciled, never re-sent)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
        raise httpx.RemoteProtocolError(f"the answer is too large ({declared} bytes)")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise httpx.RemoteProtocolError(f"the answer is larger than {MAX_ANSWER_BYTES} bytes")
    return bytes(body)
