"""Files the browser may fetch by an opaque id (exported zips), never by path.

The browser never names a kernel path: an export answers a ``download`` id, and the ``file``
message reads chunks of what that id stands for. Ids are random, so one view cannot guess
another's files, and they last as long as the studio.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from vace_studio.widget.errors import MessageError


class Downloads:
    """Download id → the file it stands for."""

    def __init__(self) -> None:
        self._paths: dict[str, Path] = {}

    def offer(self, path: Path) -> str:
        """An id the browser may fetch ``path`` by."""
        download = secrets.token_hex(8)
        self._paths[download] = path
        return download

    def path(self, download: object) -> Path:
        """The file ``download`` stands for; ``unknown_download`` when it stands for none."""
        path = self._paths.get(download) if isinstance(download, str) else None
        if path is None:
            raise MessageError(f"no export {download!r} to download here", "unknown_download")
        return path
