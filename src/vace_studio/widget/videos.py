"""Result videos sent to the browser on request, in chunks, as binary buffers.

The browser asks ``video {local_id, offset}`` and gets ``{size, offset, last, etag, mime}`` plus
one buffer of at most :data:`CHUNK_BYTES`; it asks again from the next offset until ``last``, then
builds a Blob URL. Pulling chunk by chunk keeps every message under Jupyter's websocket limits
and lets the browser stop half-way (a card scrolled away). Only files the engine recorded for one
of the studio's tasks are ever read: the browser names a task, never a path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHUNK_BYTES = 4 * 1024 * 1024 - 64 * 1024
"""Bytes of video per message: with the JSON header the message stays within 4 MiB."""


class VideoUnavailableError(LookupError):
    """No local video to send; ``code`` says why (the browser may fall back to the URL)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def read_chunk(
    path: str | Path | None, offset: int, chunk_bytes: int = CHUNK_BYTES
) -> tuple[dict[str, Any], bytes]:
    """The answer fields and the bytes of one chunk of the video at ``path``."""
    if not path:
        raise VideoUnavailableError("no_video", "this task has no downloaded video (yet)")
    video = Path(path)
    try:
        size = video.stat().st_size
        if not 0 <= offset <= size:
            raise VideoUnavailableError(
                "bad_offset", f"offset {offset} is outside the video (0 to {size} bytes)"
            )
        with video.open("rb") as handle:
            handle.seek(offset)
            data = handle.read(chunk_bytes)
    except FileNotFoundError:
        raise VideoUnavailableError(
            "video_missing",
            f"the video is no longer in the local cache ({video.name}); its URL may still work",
        ) from None
    info = {
        "size": size,
        "offset": offset,
        "last": offset + len(data) >= size,
        # Cache files are named by content hash: the browser checks every chunk came from the
        # same file, in case the cache replaced it between two requests.
        "etag": video.name,
        "mime": "video/mp4",
    }
    return info, data
