"""Local media: checked against the documented limits, then turned into URLs a provider can
fetch, before a submit.

* Checks (:mod:`vace_studio.media`): at ``enqueue`` the local files (headers only; nothing leaves
  the machine); just before the submit, local files again plus remote ``http(s)`` URLs, probed
  with a few range GETs — an unreachable URL is logged as a warning, not refused.
* DashScope: its temporary storage (getPolicy → multipart POST → ``oss://`` key, 48 h; the adapter
  adds ``X-DashScope-OssResourceResolve: enable`` to the submit). One credential serves all files
  of a request; uploads are cached by content hash per endpoint and model for their 48 h life.
* Modellix: its image upload (PNG / JPEG / WebP, ≤ 16 MiB); it has none for videos.
* MuleRouter (and Modellix videos): no upload exists, so the client needs an ``uploader`` — a
  callable taking a local path and returning a public URL (e.g. an S3 presigned URL), sync or
  async, or an object with such an ``upload`` method. Without one the request fails at
  ``enqueue``, before any network call, naming the option. When given, the uploader is used for
  every local file, whatever the provider.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import httpx

from vace_studio.media import ProbeError, check_media, check_request, probe_local
from vace_studio.media.inputs import materialize_request, plain_named
from vace_studio.media.remote import RemoteFacts
from vace_studio.providers import ProtocolError, ProviderError, ThrottledError
from vace_studio.requests import InvalidRequest, Problem, VaceRequest, validate_request
from vace_studio.requests.media import has_cjk, is_local
from vace_studio.requests.problems import describe_value, errors_of, warnings_of

if TYPE_CHECKING:
    from vace_studio.engine.client import Client

log = logging.getLogger("vace_studio")


@runtime_checkable
class UploaderObject(Protocol):
    """An uploader as an object: ``upload(path)`` returns (or awaits to) a public URL."""

    def upload(self, path: Path) -> str | Awaitable[str]: ...


Uploader = Callable[[Path], "str | Awaitable[str]"] | UploaderObject
"""A user's own upload: takes a local file, returns a URL the provider can fetch."""

DASHSCOPE_UPLOAD_TTL = 48 * 3600.0
MODELLIX_UPLOAD_TTL = 6 * 86400.0
"""Modellix does not say how long uploads live; its result URLs live about 7 days."""
MODELLIX_IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
MODELLIX_MAX_BYTES = 16 * 1024 * 1024

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
class _Policy:
    """A DashScope upload credential, reused for every file of one request."""

    value: Any = None
    fetched: float = 0.0


class Uploads:
    """Check a request's media and upload its local files through the client's provider.

    ``check_media`` (default on) runs the documented media limits at ``enqueue`` and before
    the submit; turn it off (``client.uploads.check_media = False``) to let the provider judge.
    """

    def __init__(self, client: Client, uploader: Uploader | None = None) -> None:
        self.c = client
        self.uploader = uploader
        self.check_media = True
        self._remote = RemoteFacts()

    # -- before validation -------------------------------------------------------------------
    def materialize(
        self, request: VaceRequest | Mapping[str, Any]
    ) -> VaceRequest | Mapping[str, Any]:
        """``request`` with bytes / PIL images / NumPy arrays in media fields saved as files
        (under ``<home>/inputs``, named by content hash) and replaced by their paths."""
        if isinstance(request, VaceRequest):
            return request
        return materialize_request(request, self.c.paths.home / "inputs")

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
        provider = self.c.settings.provider
        protocol = self.c.settings.protocol
        problems: list[Problem] = []
        for where, ref in _local_fields(request):
            if protocol == "dashscope":
                continue
            got = describe_value(ref)
            if protocol == "modellix":
                why = self._modellix_refusal(Path(ref))
                if why is None:
                    continue
                text = f"{where}: {why}; {_UPLOADER_HINT} (got {got})"
            else:
                why = f"{provider} has no upload for local files"
                text = f"{where}: {why}; {_UPLOADER_HINT} (got {got})"
            problems.append(Problem(where, "no_upload", ref, text))
        return problems

    @staticmethod
    def _modellix_refusal(path: Path) -> str | None:
        """Why Modellix's own upload cannot take ``path`` (``None``: it can)."""
        try:
            info = probe_local(path)
        except ProbeError:
            return None  # the media check reports an unreadable file, naming the field
        if info.kind == "video":
            return "modellix has no upload for local videos"
        if info.format not in MODELLIX_IMAGE_FORMATS and info.format != "MPO":
            return (
                f"modellix's image upload takes PNG, JPEG or WebP, not {info.format} "
                "(save it as PNG or JPEG)"
            )
        if info.bytes is not None and info.bytes > MODELLIX_MAX_BYTES:
            return "modellix's image upload takes at most 16 MB"
        return None

    # -- just before the submit ------------------------------------------------------------------
    async def prepare(self, request: VaceRequest) -> tuple[VaceRequest, list[Problem]]:
        """The request checked (remote URLs too) and with every local file replaced by an
        uploaded URL, and the warnings found while probing its media (what the service trims
        or ignores, URLs that could not be checked). Raises ``InvalidRequest`` /
        :class:`UploadError`; nothing is submitted."""
        warnings: list[Problem] = []
        if self.check_media:
            report = await check_media(request, self.c.transport.http, known=self._remote)
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
        policy = _Policy()
        urls: dict[str, str] = {}
        for where, ref in local.items():
            if ref not in urls:
                urls[ref] = await self._guarded(request, where, Path(ref), policy)
        data: dict[str, Any] = request.api_fields()
        for name in request.media():
            value = data[name]
            data[name] = (
                [urls.get(v, v) for v in value]
                if isinstance(value, list)
                else urls.get(value, value)
            )
        return validate_request(data), warnings

    async def _guarded(self, request: VaceRequest, where: str, path: Path, policy: _Policy) -> str:
        """Upload one file; failures that leave the outcome clear become :class:`UploadError`."""
        try:
            return await self._upload(path, policy)
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

    async def _upload(self, path: Path, policy: _Policy) -> str:
        if self.uploader is not None:
            # A name with Chinese characters would end up in the URL: hand over a plain name.
            sha, _ = await asyncio.to_thread(_digest, path)
            folder = self.c.paths.home / "inputs"
            return await self._user_upload(await asyncio.to_thread(plain_named, path, sha, folder))
        if self.c.settings.protocol == "dashscope":
            return await self._dashscope(path, policy)
        return await self._modellix(path)

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

    async def _dashscope(self, path: Path, policy: _Policy) -> str:
        c = self.c
        provider: Any = c.provider
        sha, size = await asyncio.to_thread(_digest, path)
        cached = c.store.uploaded(c.endpoint, c.transport.account, provider.model, sha)
        if cached:
            return cached
        credential = await self._policy(policy)
        limit = credential.max_file_size_mb
        if limit is not None and size > limit * 1024 * 1024:
            raise _error(
                None, "", "upload_size", str(path),
                f"{path.name}: DashScope temporary storage takes at most {limit:g} MB "
                f"(got {size / 1024 / 1024:.1f} MB)",
            )  # fmt: skip
        # A content-hash name: unique per file (the credential forbids overwrites) and free of
        # characters the service rejects in URLs.
        name = f"{sha[:32]}{_suffix(path)}"
        url, fields, oss_url = provider.upload_form(credential, name)
        async for attempt in c.retry.idempotent():
            with attempt:
                with path.open("rb") as handle:
                    response = await c.transport.post_form(
                        url, fields=fields, files={"file": (name, handle)}, authorize=False
                    )
                # 409: this very content is already stored under this key (forbid-overwrite).
                if response.status_code >= 400 and response.status_code != 409:
                    response.raise_for_status()
        c.store.remember_upload(
            c.endpoint,
            c.transport.account,
            provider.model,
            sha,
            oss_url,
            time.time() + DASHSCOPE_UPLOAD_TTL - 600,
        )
        return str(oss_url)

    async def _policy(self, policy: _Policy) -> Any:
        """The request's upload credential, fetched on first use and again once it expired."""
        expires = getattr(policy.value, "expire_in_seconds", None)
        fresh = policy.value is not None and (
            expires is None or time.monotonic() - policy.fetched < float(expires) - 30
        )
        if fresh:
            return policy.value
        c = self.c
        provider: Any = c.provider
        spec = provider.upload_policy_request()
        async for attempt in c.retry.idempotent():
            with attempt:
                policy.value = provider.parse_upload_policy(*await c.transport.send(spec))
        policy.fetched = time.monotonic()
        return policy.value

    async def _modellix(self, path: Path) -> str:
        c = self.c
        provider: Any = c.provider
        sha, _ = await asyncio.to_thread(_digest, path)
        cached = c.store.uploaded(c.endpoint, c.transport.account, "modellix-media", sha)
        if cached:
            return cached
        async for attempt in c.retry.idempotent():
            with attempt:
                with path.open("rb") as handle:
                    response = await c.transport.post_form(
                        provider.media_upload_url(),
                        files={"file": (f"{sha[:32]}{_suffix(path)}", handle)},
                        authorize=True,
                    )
                url = provider.parse_media_upload(
                    response.status_code, response.headers, response.content
                )
        c.store.remember_upload(
            c.endpoint,
            c.transport.account,
            "modellix-media",
            sha,
            url,
            time.time() + MODELLIX_UPLOAD_TTL,
        )
        return str(url)


def _suffix(path: Path) -> str:
    """The file's extension as the upload should carry it (from its content if need be)."""
    suffix = path.suffix.lower()
    if suffix in _SUFFIXES.values() or suffix in (".jpeg", ".tiff"):
        return suffix
    try:
        return _SUFFIXES.get(probe_local(path).format, suffix)
    except ProbeError:
        return suffix


_XML_FIELD = re.compile(r"<(Code|Message)>([^<]{1,200})</\1>")


def _http_reason(error: BaseException) -> str:
    """A short reason, with OSS's XML ``Code`` / ``Message`` when the storage host sent them."""
    if isinstance(error, httpx.HTTPStatusError):
        found = dict(_XML_FIELD.findall(error.response.text[:4000]))
        detail = ": ".join(v for v in (found.get("Code"), found.get("Message")) if v)
        return f"HTTP {error.response.status_code}" + (f" {detail}" if detail else "")
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
