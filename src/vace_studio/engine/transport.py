"""Sending an adapter's request spec over HTTP, with the key added here and only here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import BinaryIO

import httpx

from vace_studio.providers import HttpRequestSpec

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=30.0)
"""Explicit timeouts: a hung connection must not hang a task forever."""


class Transport:
    """One ``httpx.AsyncClient`` per engine client, plus the API key (kept in memory only)."""

    def __init__(self, api_key: str, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> None:
        self._api_key = api_key
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None

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
    def has_key(self) -> bool:
        return bool(self._api_key)

    async def send(self, spec: HttpRequestSpec) -> tuple[int, Mapping[str, str], bytes]:
        """Send ``spec`` with the ``Authorization`` header and return status, headers, body."""
        headers = {**spec.headers, "Authorization": f"Bearer {self._api_key}"}
        response = await self.http.request(
            spec.method,
            spec.url,
            headers=headers,
            json=spec.json,
            params=dict(spec.params) if spec.params else None,
        )
        return response.status_code, response.headers, response.content

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
