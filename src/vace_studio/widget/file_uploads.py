"""Files picked or dropped in the browser, received in chunks and saved under the client's home.

The browser sends each file as a series of ``upload`` messages of at most 4 MiB (Jupyter's
websocket drops incoming messages over 10 MiB), each acknowledged before the next, so chunks arrive
in order. A finished file is named by the SHA-256 of its content (the same picture dropped twice
is stored once) and its path becomes the field's value; the engine uploads it to the provider
when the request is submitted. Partial files of uploads that stopped (a closed tab, a restarted
kernel) are deleted once they have been idle for ``ttl`` seconds.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from vace_studio.widget.errors import WidgetError

MAX_FILE_BYTES = 200 * 1024 * 1024
"""Larger than any input the API takes (videos ≤ 50 MB, images ≤ 10 MB), so the engine's checks
give the precise message; this only stops a runaway upload from filling the disk."""

PARTIAL_TTL = 3600.0
"""Seconds an unfinished upload may stay idle before its partial file is deleted."""

MAX_OPEN_UPLOADS = 16
"""Unfinished uploads kept open at once (each holds a file handle): a form sends a few files
at a time, so starting one more drops the least recently touched (it answers "pick the file
again"), and a browser that never sends last chunks cannot exhaust the kernel's file handles."""

_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


class UploadRefusedError(WidgetError):
    """A chunk cannot be accepted; the message says why (shown next to the field)."""

    code = "upload_refused"


@dataclass
class _Partial:
    path: Path
    handle: BinaryIO
    size: int
    suffix: str
    name: str = ""
    written: int = 0
    touched: float = field(default_factory=time.monotonic)
    digest: Any = field(default_factory=hashlib.sha256)


def _suffix(name: str, mime: str) -> str:
    """The saved file's extension: the picked file's, else one for its MIME type."""
    suffix = Path(name).suffix.lower()
    if _SUFFIX.match(suffix):
        return suffix
    guessed = mimetypes.guess_extension(mime or "") or ""
    return guessed if _SUFFIX.match(guessed) else ""


def _int(content: Mapping[str, Any], key: str) -> int:
    value = content.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise UploadRefusedError(
            f"upload: {key} must be a non-negative whole number (got {value!r})"
        )
    return value


class FileUploads:
    """Receives chunked uploads into ``folder`` (finished files) and ``folder/.partial``."""

    def __init__(
        self,
        folder: Path,
        *,
        max_bytes: int = MAX_FILE_BYTES,
        ttl: float = PARTIAL_TTL,
        max_open: int = MAX_OPEN_UPLOADS,
    ) -> None:
        self.folder = folder
        self.partial = folder / ".partial"
        self.max_bytes = max_bytes
        self.ttl = ttl
        self.max_open = max_open
        self._open: dict[str, _Partial] = {}
        self.names: dict[str, str] = {}
        """Saved path → the file's own name as picked in the browser (for what people see)."""

    def receive(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> dict[str, Any]:
        """Take one chunk; returns ``{"received": n}``, or ``{"ref": path}`` after the last."""
        self.expire()
        upload = content.get("upload")
        if not isinstance(upload, str) or not _UPLOAD_ID.match(upload):
            raise UploadRefusedError(f"upload: invalid upload id {upload!r}")
        size, offset = _int(content, "size"), _int(content, "offset")
        if len(buffers) != 1:
            raise UploadRefusedError(f"upload: expected one binary chunk (got {len(buffers)})")
        data = memoryview(buffers[0]).cast("B")
        partial = self._open.get(upload)
        if partial is None:
            if offset != 0:
                raise UploadRefusedError(
                    "upload: this upload is unknown here (the kernel restarted, or it idled "
                    "too long); pick the file again"
                )
            partial = self._start(upload, content, size)
        try:
            if offset != partial.written:
                raise UploadRefusedError(
                    f"upload: chunk at byte {offset}, expected byte {partial.written}"
                )
            if partial.written + len(data) > partial.size:
                raise UploadRefusedError(
                    f"upload: more data than the announced {partial.size} bytes"
                )
            partial.handle.write(data)
            partial.digest.update(data)
            partial.written += len(data)
            partial.touched = time.monotonic()
            if not content.get("last"):
                return {"received": partial.written}
            if partial.written != partial.size:
                raise UploadRefusedError(
                    f"upload: ended after {partial.written} of {partial.size} bytes"
                )
            return {"ref": str(self._finish(upload, partial))}
        except BaseException:
            self._drop(upload)
            raise

    def _start(self, upload: str, content: Mapping[str, Any], size: int) -> _Partial:
        if size > self.max_bytes:
            raise UploadRefusedError(
                f"upload: {size} bytes is more than the {self.max_bytes // (1024 * 1024)} MiB "
                "this widget accepts"
            )
        name = content.get("name")
        mime = content.get("type")
        suffix = _suffix(
            name if isinstance(name, str) else "", mime if isinstance(mime, str) else ""
        )
        while len(self._open) >= self.max_open:
            self._drop(min(self._open, key=lambda u: self._open[u].touched))
        self.partial.mkdir(parents=True, exist_ok=True)
        path = self.partial / f"{upload}.part"
        partial = _Partial(
            path=path,
            handle=path.open("wb"),
            size=size,
            suffix=suffix,
            name=Path(name).name if isinstance(name, str) else "",
        )
        self._open[upload] = partial
        return partial

    def _finish(self, upload: str, partial: _Partial) -> Path:
        partial.handle.close()
        del self._open[upload]
        final = self.folder / f"{partial.digest.hexdigest()}{partial.suffix}"
        if final.is_file():
            partial.path.unlink()  # same content already here: keep one copy
        else:
            os.replace(partial.path, final)
        if partial.name:
            self.names[str(final)] = partial.name
        return final

    def _drop(self, upload: str) -> None:
        partial = self._open.pop(upload, None)
        if partial is not None:
            partial.handle.close()
            partial.path.unlink(missing_ok=True)

    def expire(self) -> None:
        """Delete partial uploads idle for longer than ``ttl`` (also those of earlier kernels)."""
        now = time.monotonic()
        for upload in [u for u, p in self._open.items() if now - p.touched > self.ttl]:
            self._drop(upload)
        if not self.partial.is_dir():
            return
        live = {p.path for p in self._open.values()}
        cutoff = time.time() - self.ttl
        for path in self.partial.iterdir():
            try:
                if path not in live and path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue  # another kernel sharing this home removed it first

    def close(self) -> None:
        for upload in list(self._open):
            self._drop(upload)
