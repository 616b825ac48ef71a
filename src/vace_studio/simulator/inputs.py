"""Media references → local files, the way a provider fetches a task's inputs.

Resolved: the simulator's own temporary uploads (``oss://``, DashScope only, only when the submit
asked for OSS resolution), its own Modellix media files and result videos, ``file://`` URLs and
local paths (when allowed, and only inside the folders the owner named in
``SimulatorConfig.input_roots``), and http(s) URLs on loopback (fetched once and kept). Anything
else — above all a public URL, since the simulator is offline — fails the task with the error the
service gives for an input it cannot download.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from vace_studio.simulator.config import SimulatorConfig
from vace_studio.simulator.storage import Storage
from vace_studio.simulator.tasks import Task

DOWNLOAD_FAILED = "InvalidParameter.DataInspection"
"""The code DashScope gives a task whose input URL it could not download."""
_DOWNLOAD_MESSAGE = "Unable to download the media resource during the data inspection process"
_MEDIA_PATH = re.compile(r"^/media/(file-[0-9a-f]{24})/([^/]+)$")
_RESULT_PATH = re.compile(r"^/results/([0-9a-f]{40})/([^/]+)\.mp4$")


class InputError(Exception):
    """An input that cannot be resolved; the task fails with ``code`` and ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def download_failed(ref: str, why: str) -> InputError:
    """The error for an input the simulator cannot get, naming the reference and the reason."""
    return InputError(DOWNLOAD_FAILED, f"{_DOWNLOAD_MESSAGE} ({ref}: {why}).")


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class InputResolver:
    """Resolves a task's media references; ``own_port`` is the simulator's listening port."""

    def __init__(self, storage: Storage, config: SimulatorConfig, own_port: int) -> None:
        self._storage = storage
        self._config = config
        self.own_port = own_port
        self._fetched: dict[str, Path] = {}
        self._client: httpx.AsyncClient | None = None

    async def resolve(self, task: Task) -> dict[str, str]:
        """``{reference: local path}`` for every media reference of ``task``."""
        return {ref: str(await self._one(task, ref)) for ref in dict.fromkeys(task.media)}

    async def _one(self, task: Task, ref: str) -> Path:
        scheme = ref.split("://", 1)[0].lower() if "://" in ref else ""
        if scheme == "oss":
            return self._oss(task, ref)
        if scheme in ("http", "https"):
            return await self._http(ref)
        if scheme == "file":
            parts = urlsplit(ref)
            if parts.netloc not in ("", "localhost"):
                raise download_failed(ref, "a file:// URL must name a file on this computer")
            return self._local(unquote(parts.path))
        if scheme:
            raise download_failed(ref, f"{scheme}:// URLs are not supported")
        return self._local(ref)

    def _oss(self, task: Task, ref: str) -> Path:
        if task.provider != "dashscope":
            raise download_failed(ref, "oss:// URLs only work on DashScope")
        if not task.oss_resolve:
            raise download_failed(ref, "oss:// URLs need X-DashScope-OssResourceResolve: enable")
        record = self._storage.oss_object(ref[len("oss://") :])
        if record is None or record.account != task.account:
            raise download_failed(ref, "no such temporary file for this account (expired?)")
        if record.model != task.model:
            raise download_failed(ref, f"the file was uploaded for model {record.model}")
        return record.path

    def _local(self, ref: str) -> Path:
        if not self._config.allow_local_files:
            raise download_failed(ref, "local files are not allowed by this simulator")
        # One answer whether the file is missing or outside the roots: a refusal must not tell
        # a caller which of the owner's files exist.
        refused = download_failed(ref, "not a file in a folder this simulator may read")
        path = Path(ref).expanduser()
        if not path.is_absolute():
            raise refused
        try:
            # Resolve first (symlinks, ``..``), then check containment: a link inside a root
            # that points outside it must not open the file it points at.
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise refused from None
        if not real.is_file() or not any(real.is_relative_to(r) for r in self._roots()):
            raise refused
        return real

    def _roots(self) -> list[Path]:
        """The folders local inputs may come from, resolved now (one may be made after start)."""
        return [Path(root).expanduser().resolve() for root in self._config.input_roots]

    def _own(self, ref: str) -> Path | None:
        """A URL on this simulator, resolved from storage without a request to itself."""
        parts = urlsplit(ref)
        if not is_loopback_host(parts.hostname) or parts.port != self.own_port:
            return None
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        media = _MEDIA_PATH.match(parts.path)
        if media:
            why = self._storage.check_media(
                media.group(1),
                unquote(media.group(2)),
                query.get("Expires", ""),
                query.get("Signature", ""),
            )
            record = self._storage.media(media.group(1))
            if why or record is None:
                raise download_failed(ref, f"the media URL is not valid ({why or 'missing'})")
            return record.path
        result = _RESULT_PATH.match(parts.path)
        if result:
            why = self._storage.check_result(
                result.group(1),
                result.group(2),
                query.get("Expires", ""),
                query.get("Signature", ""),
            )
            path = self._storage.result_path(result.group(1))
            if why or not path.is_file():
                raise download_failed(ref, f"the result URL is not valid ({why or 'missing'})")
            return path
        return None

    async def _http(self, ref: str) -> Path:
        own = self._own(ref)
        if own is not None:
            return own
        host = urlsplit(ref).hostname
        if not is_loopback_host(host) and not self._config.allow_remote_fetch:
            raise download_failed(ref, "the simulator is offline and fetches loopback URLs only")
        cached = self._fetched.get(ref)
        if cached is not None and cached.is_file():
            return cached
        path = await self._fetch(ref)
        self._fetched[ref] = path
        return path

    async def _fetch(self, ref: str) -> Path:
        if self._client is None:
            # No redirects: one could lead from loopback to a host the rules above refuse.
            self._client = httpx.AsyncClient(
                timeout=self._config.fetch_timeout, follow_redirects=False, trust_env=False
            )
        cap = self._config.max_upload_bytes
        scratch = self._storage.temp_path()
        try:
            async with self._client.stream("GET", ref) as response:
                if response.status_code != 200:
                    raise download_failed(ref, f"HTTP {response.status_code}")
                size = 0
                with scratch.open("wb") as out:
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > cap:
                            raise download_failed(ref, f"larger than {cap} bytes")
                        out.write(chunk)
        except httpx.HTTPError as error:
            scratch.unlink(missing_ok=True)
            raise download_failed(ref, type(error).__name__) from None
        except InputError:
            scratch.unlink(missing_ok=True)
            raise
        final = self._storage.fetched_path(ref)
        os.replace(scratch, final)
        return final

    def forget(self) -> None:
        """Drop the memory of fetched URLs (on reset)."""
        self._fetched.clear()

    async def aclose(self) -> None:
        """Close the http client, if one was opened."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
