"""Local media: checked against the documented limits, then turned into URLs a provider can
fetch, before a submit.

* Checks (:mod:`vace_studio.media`): at ``enqueue`` the local files (headers only; nothing leaves
  the machine); just before the submit, local files again plus remote ``http(s)`` URLs, probed
  with a few range GETs — an unreachable URL is logged as a warning, not refused.
* A provider that stores files itself (:class:`~vace_studio.providers.HostedUploads`: DashScope's
  temporary ``oss://`` storage, Modellix's image upload): the adapter says which files it takes,
  how to get a credential (one serves all files of a request) and what to POST; uploads are
  cached by content hash per endpoint, account and upload scope for their life.
* Where the provider cannot take a file (no hosted upload, or not this kind of file), the client
  needs an ``uploader`` — a callable taking a local path and returning a public URL (e.g. an S3
  presigned URL), sync or async, or an object with such an ``upload`` method. Without one the
  request fails at ``enqueue``, before any network call, naming the option. When given, the
  uploader is used for every local file, whatever the provider.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import httpx

from vace_studio.media import ProbeError, check_media, check_request, probe_local
from vace_studio.media.inputs import materialize_request, plain_named
from vace_studio.media.remote import RemoteFacts
from vace_studio.providers import (
    HostedUploads,
    ProtocolError,
    ProviderError,
    ThrottledError,
    UploadCredential,
)
from vace_studio.requests import InvalidRequest, Problem
from vace_studio.requests.problems import describe_value, errors_of, warnings_of
from vace_studio.requests.refs import has_cjk, is_local

if TYPE_CHECKING:
    from vace_studio.engine.context import EngineContext
    from vace_studio.requests import VaceRequest

log = logging.getLogger("vace_studio")


@runtime_checkable
class UploaderObject(Protocol):
    """An uploader as an object: ``upload(path)`` returns (or awaits to) a public URL."""

    def upload(self, path: Path) -> str | Awaitable[str]: ...


Uploader = Callable[[Path], "str | Awaitable[str]"] | UploaderObject
"""A user's own upload: takes a local file, returns a URL the provider can fetch."""

UPLOAD_MARGIN = 600.0
"""Seconds before an upload's end from which it is no longer reused: a submit must reach the
provider, and the provider fetch the file, while it still exists."""

_SUFFIXES = {
    "JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "BMP": ".bmp", "TIFF": ".tif",
    "WEBP": ".webp", "MP4": ".mp4", "MOV": ".mov",
}  # fmt: skip
_UPLOADER_HINT = (
    "pass a public https:// URL instead, or give the client an uploader: "
    "Client(..., uploader=fn), where fn(path) returns a URL the provider can fetch "
    "(e.g. an S3 presigned URL)"
)


class UploadError(InvalidRequest):
    """A local file cannot be sent to this provider (or its upload failed); nothing was
    submitted. Each problem names the field and says what to do."""


def _digest(path: Path) -> tuple[str, int]:
    """(SHA-256 hex, size in bytes) of a file."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _error(function: str | None, where: str, rule: str, ref: str, message: str) -> UploadError:
    return UploadError(function, [Problem(where, rule, ref, message)])


def _local_fields(request: VaceRequest) -> Iterator[tuple[str, str]]:
    """(field as shown, path) of every local file of ``request``."""
    for name, refs in request.media().items():
        is_list = isinstance(getattr(request, name), list)
        for index, ref in enumerate(refs):
            if is_local(ref):
                yield (f"{name}[{index}]" if is_list else name), ref


@dataclass
class _Credential:
    """A hosted upload's credential, reused for every file of one request."""

    value: UploadCredential | None = None
    fetched: float = 0.0


class Uploads:
    """Check a request's media and upload its local files through the engine's provider.

    ``check_media`` (default on) runs the documented media limits at ``enqueue`` and before
    the submit; turn it off (``client.uploads.check_media = False``) to let the provider judge.
    """

    def __init__(self, ctx: EngineContext, uploader: Uploader | None = None) -> None:
        self.ctx = ctx
        self.uploader = uploader
        self.check_media = True
        self._remote = RemoteFacts()

    # -- before validation -------------------------------------------------------------------
    def materialize(
        self, request: VaceRequest | Mapping[str, Any]
    ) -> VaceRequest | Mapping[str, Any]:
        """``request`` with bytes / PIL images / NumPy arrays in media fields saved as files
        (under ``<home>/inputs``, named by content hash) and replaced by their paths."""
        if not isinstance(request, Mapping):  # a model: its media are already paths or URLs
            return request
        return materialize_request(request, self.ctx.paths.home / "inputs")

    # -- at enqueue: no network ----------------------------------------------------------------
    def check(self, request: VaceRequest) -> list[Problem]:
        """The warnings about ``request``'s local media: what the service will trim or ignore
        (a 6 s video of which it uses 5 s, a grey mask...). The request's own warnings are
        :meth:`~vace_studio.requests.VaceRequest.warnings`; they are not repeated here.

        Raises before any network call when a local file has no way to reach the provider
        (:class:`UploadError`) or breaks a documented limit (``InvalidRequest``, whose
        ``warnings`` then hold every warning, the request's own included).
        """
        routes = self._route_problems(request)
        if routes:
            raise UploadError(request.function, routes)
        if not self.check_media:
            return []
        found = check_request(request)
        if errors_of(found):
            everything = request.warnings() + warnings_of(found)
            raise InvalidRequest(request.function, errors_of(found), everything)
        return warnings_of(found)

    def _route_problems(self, request: VaceRequest) -> list[Problem]:
        if self.uploader is not None:
            return []
        provider = self.ctx.provider
        problems: list[Problem] = []
        for where, ref in _local_fields(request):
            if isinstance(provider, HostedUploads):
                why = _refusal(provider, Path(ref))
                if why is None:
                    continue
            else:
                why = f"{provider.name} has no upload for local files"
            text = f"{where}: {why}; {_UPLOADER_HINT} (got {describe_value(ref)})"
            problems.append(Problem(where, "no_upload", ref, text))
        return problems

    # -- just before the submit ------------------------------------------------------------------
    async def prepare(self, request: VaceRequest) -> tuple[VaceRequest, list[Problem]]:
        """The request checked (remote URLs too) and with every local file replaced by an
        uploaded URL, and the warnings found while probing its media (what the service trims
        or ignores, URLs that could not be checked). Raises ``InvalidRequest`` /
        :class:`UploadError`; nothing is submitted."""
        warnings: list[Problem] = []
        if self.check_media:
            report = await check_media(request, self.ctx.transport.http, known=self._remote)
            warnings = report.warnings
            for warning in warnings:
                log.warning("%s", warning.message)
            if report.problems:
                raise InvalidRequest(request.function, report.problems, warnings)
        local = dict(_local_fields(request))
        if not local:
            return request, warnings
        routes = self._route_problems(request)
        if routes:
            raise UploadError(request.function, routes)
        credential = _Credential()
        urls: dict[str, str] = {}
        for where, ref in local.items():
            if ref not in urls:
                urls[ref] = await self._guarded(request, where, Path(ref), credential)
        data: dict[str, Any] = request.api_fields()
        for name in request.media():
            value = data[name]
            data[name] = (
                [urls.get(v, v) for v in value]
                if isinstance(value, list)
                else urls.get(value, value)
            )
        from vace_studio.requests import validate_request  # the models load on first use

        return validate_request(data), warnings

    async def _guarded(
        self, request: VaceRequest, where: str, path: Path, credential: _Credential
    ) -> str:
        """Upload one file; failures that leave the outcome clear become :class:`UploadError`."""
        try:
            return await self._upload(path, credential)
        except UploadError:
            raise
        except ThrottledError:
            raise  # the lifecycle puts the task back in the queue
        except ProviderError as error:
            if not isinstance(error, ProtocolError) and (error.http_status or 0) < 500:
                raise  # a definite refusal (key, permission): kept verbatim
            why = f"{error.code or error.kind.value}: {error.message}"
        except (httpx.HTTPError, OSError) as error:
            why = _http_reason(error)
        raise _error(
            request.function, where, "upload_failed", str(path),
            f"{where}: the upload failed ({why}); nothing was submitted, try again "
            f"(got {describe_value(str(path))})",
        )  # fmt: skip

    async def _upload(self, path: Path, credential: _Credential) -> str:
        if self.uploader is not None:
            # A name with Chinese characters would end up in the URL: hand over a plain name.
            sha, _ = await asyncio.to_thread(_digest, path)
            folder = self.ctx.paths.home / "inputs"
            return await self._user_upload(await asyncio.to_thread(plain_named, path, sha, folder))
        provider = self.ctx.provider
        # _route_problems refused every file no hosted upload takes, before this point.
        assert isinstance(provider, HostedUploads)
        return await self._hosted(provider, path, credential)

    async def _user_upload(self, path: Path) -> str:
        uploader = self.uploader
        assert uploader is not None
        got: object = (
            uploader.upload(path) if isinstance(uploader, UploaderObject) else uploader(path)
        )
        url = await got if inspect.isawaitable(got) else got
        if not isinstance(url, str) or is_local(url) or has_cjk(url):
            cjk = isinstance(url, str) and has_cjk(url)
            raise _error(
                None, "", "uploader", str(path),
                f"the uploader returned {describe_value(url)} for {path.name}; it must return an "
                "http(s):// URL the provider can fetch"
                + (", without Chinese characters (the service refuses them)" if cjk else ""),
            )  # fmt: skip
        return url

    async def _hosted(self, provider: HostedUploads, path: Path, credential: _Credential) -> str:
        """Store one file with the provider (cached by content per account and scope)."""
        ctx = self.ctx
        sha, size = await asyncio.to_thread(_digest, path)
        where = (ctx.endpoint, ctx.transport.account, provider.upload_scope, sha)
        cached = ctx.store.uploaded(*where)
        if cached:
            return cached
        grant = await self._credential(provider, credential)
        limit = grant.max_file_size_mb if grant is not None else None
        if limit is not None and size > limit * 1024 * 1024:
            raise _error(
                None, "", "upload_size", str(path),
                f"{path.name}: {ctx.provider.info.label}'s storage takes at most {limit:g} MB "
                f"(got {size / 1024 / 1024:.1f} MB)",
            )  # fmt: skip
        # A content-hash name: unique per file (storage may forbid overwrites) and free of
        # characters the service rejects in URLs.
        spec = provider.upload_spec(grant, f"{sha[:32]}{_suffix(path)}")
        async for attempt in ctx.retry.idempotent():
            with attempt:
                with path.open("rb") as handle:
                    response = await ctx.transport.post_form(
                        spec.url,
                        fields=dict(spec.fields),
                        files={spec.file_field: (spec.filename, handle)},
                        authorize=spec.authorize,
                    )
                url = provider.parse_upload(
                    spec, response.status_code, response.headers, response.content
                )
        expires = time.time() + provider.upload_ttl_seconds - UPLOAD_MARGIN
        ctx.store.remember_upload(*where, url, expires)
        return url

    async def _credential(
        self, provider: HostedUploads, credential: _Credential
    ) -> UploadCredential | None:
        """The request's upload credential, fetched on first use and again once it expired;
        ``None`` where the provider needs none."""
        spec = provider.upload_credential_request()
        if spec is None:
            return None
        value = credential.value
        expires = value.expire_in_seconds if value is not None else None
        fresh = value is not None and (
            expires is None or time.monotonic() - credential.fetched < expires - 30
        )
        if value is not None and fresh:
            return value
        async for attempt in self.ctx.retry.idempotent():
            with attempt:
                value = provider.parse_upload_credential(*await self.ctx.transport.send(spec))
        credential.value, credential.fetched = value, time.monotonic()
        return value


def _refusal(provider: HostedUploads, path: Path) -> str | None:
    """Why ``provider``'s hosted upload cannot take ``path`` (``None``: it can)."""
    try:
        info = probe_local(path)
    except ProbeError:
        return None  # the media check reports an unreadable file, naming the field
    return provider.upload_refusal(info.kind, info.format, info.bytes)


def _suffix(path: Path) -> str:
    """The file's extension as the upload should carry it (from its content if need be)."""
    suffix = path.suffix.lower()
    if suffix in _SUFFIXES.values() or suffix in (".jpeg", ".tiff"):
        return suffix
    try:
        return _SUFFIXES.get(probe_local(path).format, suffix)
    except ProbeError:
        return suffix


def _http_reason(error: BaseException) -> str:
    """A short reason for a network failure."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
