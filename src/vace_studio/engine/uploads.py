"""Turning local media files into URLs a provider can fetch, before a submit.

* DashScope: its temporary storage (getPolicy → multipart POST → ``oss://`` key, 48 h), cached by
  content hash per model, so the same file is uploaded once while its URL lives.
* Modellix: its image upload; it has none for videos.
* MuleRouter (and Modellix videos): no upload exists, so a user-supplied ``uploader`` (any
  callable that takes a path and returns a public URL, e.g. an S3 presigned URL) is required;
  without one the request fails before anything is sent, naming the option.
"""

from __future__ import annotations

import hashlib
import inspect
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vace_studio.requests import VaceRequest, validate_request
from vace_studio.requests.media import is_local

if TYPE_CHECKING:
    from vace_studio.engine.client import Client

Uploader = Callable[[Path], "str | Awaitable[str]"]
"""A user's own upload: takes a local file, returns a URL the provider can fetch."""

DASHSCOPE_UPLOAD_TTL = 48 * 3600.0
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


class UploadError(ValueError):
    """A local file cannot be sent to this provider; the message says what to do."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Uploads:
    """Upload the local files of a request through the client's provider."""

    def __init__(self, client: Client, uploader: Uploader | None = None) -> None:
        self.c = client
        self.uploader = uploader

    def check(self, request: VaceRequest) -> None:
        """Fail before any network call when a local file has no way to reach the provider."""
        if self.uploader is not None:
            return
        protocol = self.c.settings.protocol
        for ref in request.local_media():
            suffix = Path(ref).suffix.lower()
            if protocol == "dashscope":
                continue
            if protocol == "modellix" and suffix in _IMAGE_SUFFIXES:
                continue
            what = "videos" if protocol == "modellix" else "files"
            raise UploadError(
                f"{Path(ref).name}: {protocol} cannot take local {what}. Pass a public URL "
                f"instead, or give the client an uploader (Client(..., uploader=my_upload), a "
                "function that takes a path and returns a URL)."
            )

    async def prepare(self, request: VaceRequest) -> VaceRequest:
        """The request with every local file replaced by an uploaded URL."""
        local = request.local_media()
        if not local:
            return request
        self.check(request)
        urls = {ref: await self._upload(Path(ref)) for ref in dict.fromkeys(local)}
        data: dict[str, Any] = request.api_fields()
        for name in request.media():
            value = data[name]
            data[name] = [urls.get(v, v) for v in value] if isinstance(value, list) else urls.get(
                value, value
            )
        return validate_request(data)

    async def _upload(self, path: Path) -> str:
        if self.uploader is not None:
            got = self.uploader(path)
            url = await got if inspect.isawaitable(got) else got
            if not isinstance(url, str) or is_local(url):
                raise UploadError(f"the uploader returned {url!r} for {path.name}, not a URL")
            return url
        if self.c.settings.protocol == "dashscope":
            return await self._dashscope(path)
        return await self._modellix(path)

    async def _dashscope(self, path: Path) -> str:
        c = self.c
        provider: Any = c.provider
        sha = _sha256(path)
        cached = c.store.uploaded(c.endpoint, provider.model, sha)
        if cached:
            return cached
        spec = provider.upload_policy_request()
        async for attempt in c.retry.idempotent():
            with attempt:
                policy = provider.parse_upload_policy(*await c.transport.send(spec))
        # A content-hash name: unique per file (the credential forbids overwrites) and free of
        # characters the service rejects in URLs.
        url, fields, oss_url = provider.upload_form(policy, f"{sha[:32]}{path.suffix.lower()}")
        async for attempt in c.retry.idempotent():
            with attempt:
                with path.open("rb") as handle:
                    response = await c.transport.post_form(
                        url, fields=fields, files={"file": (path.name, handle)}, authorize=False
                    )
                if response.status_code >= 400:
                    response.raise_for_status()
        c.store.remember_upload(
            c.endpoint, provider.model, sha, oss_url, time.time() + DASHSCOPE_UPLOAD_TTL - 600
        )
        return str(oss_url)

    async def _modellix(self, path: Path) -> str:
        c = self.c
        provider: Any = c.provider
        sha = _sha256(path)
        cached = c.store.uploaded(c.endpoint, "modellix-media", sha)
        if cached:
            return cached
        async for attempt in c.retry.idempotent():
            with attempt:
                with path.open("rb") as handle:
                    response = await c.transport.post_form(
                        provider.media_upload_url(),
                        files={"file": (path.name, handle)},
                        authorize=True,
                    )
                url = provider.parse_media_upload(
                    response.status_code, response.headers, response.content
                )
        c.store.remember_upload(c.endpoint, "modellix-media", sha, url, time.time() + 6 * 86400)
        return str(url)
