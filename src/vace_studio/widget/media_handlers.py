"""Handlers of the messages that carry bytes: uploads in, videos, stills and zips out.

``upload`` (a chunk of a picked file), ``video`` (a chunk of a result, or of its source video),
``poster`` (a result's still), ``thumbnail`` (a form field's local file), ``preview`` (the
form's mask, canvas or control-condition pictures) and ``file`` (a chunk of an exported zip).
Bytes go as binary buffers, at most ``chunk_bytes()`` per message; the browser names tasks and
download ids, never kernel paths.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from vace_studio.engine import TaskRecord
from vace_studio.widget import previews
from vace_studio.widget.clients import Clients
from vace_studio.widget.commands import Message, Reply, command
from vace_studio.widget.downloads import Downloads
from vace_studio.widget.errors import MessageError
from vace_studio.widget.feed import CardFeed
from vace_studio.widget.file_uploads import FileUploads
from vace_studio.widget.videos import (
    poster_jpeg,
    read_chunk,
    source_path,
    thumbnail_jpeg,
)


def record_of(feed: CardFeed, message: Message) -> TaskRecord:
    """The task the message names: one of the studio's, or any in its store."""
    local_id = message.get("local_id")
    record = feed.record(local_id)
    if record is None:
        raise MessageError(f"no task {local_id!r} in this studio's store", "unknown_task")
    return record


class MediaHandlers:
    """Bytes to and from the browser.

    ``feed`` finds tasks, ``clients`` fetch remote source videos, ``uploads`` receives files,
    ``downloads`` maps download ids to exported zips, ``chunk_bytes()`` is the most bytes of
    one message (the studio's ``video_chunk_bytes``, which tests make small).
    """

    def __init__(
        self,
        *,
        feed: CardFeed,
        clients: Clients,
        uploads: FileUploads,
        downloads: Downloads,
        chunk_bytes: Callable[[], int],
    ) -> None:
        self._feed = feed
        self._clients = clients
        self._uploads = uploads
        self._downloads = downloads
        self._chunk_bytes = chunk_bytes
        self._sources: dict[str, Path] = {}  # source video URL → its copy in the video cache

    @command("upload")
    def upload(self, message: Message) -> Reply:
        """One chunk of a file picked or dropped in the browser; the last answers its ``ref``."""
        return self._uploads.receive(message.content, message.buffers)

    @command("video")
    async def video(self, message: Message) -> Reply:
        """A chunk of a task's result video, or with ``source: true`` of its source video."""
        record = record_of(self._feed, message)
        offset = message.whole("offset")
        path: str | Path | None = record.local_path
        if message.get("source") is True:
            path = await source_path(self._clients.current, record.request, self._sources)
        info, data = read_chunk(path, offset, message.chunk_bytes(self._chunk_bytes()))
        return info, [data]

    @command("poster")
    async def poster(self, message: Message) -> Reply:
        """A still of a task's result as a small JPEG (one buffer): a gallery cell's poster."""
        record = record_of(self._feed, message)
        jpeg, width, height = await asyncio.to_thread(poster_jpeg, record.local_path)
        return {"mime": "image/jpeg", "width": width, "height": height}, [jpeg]

    @command("thumbnail")
    async def thumbnail(self, message: Message) -> Reply:
        """A small JPEG of the local file a form field names (one buffer)."""
        ref = message.text("ref", "a file path")
        jpeg, width, height = await asyncio.to_thread(thumbnail_jpeg, ref)
        return {"mime": "image/jpeg", "width": width, "height": height}, [jpeg]

    @command("preview")
    async def preview(self, message: Message) -> Reply:
        """The form's preview PNGs (one buffer each) and their facts; ``previews: []`` when the
        request's inputs give nothing to show (e.g. remote files, which are not downloaded)."""
        request = message.request()
        entries, pngs = await asyncio.to_thread(previews.previews, request)
        return {"previews": entries}, pngs

    @command("file")
    def file(self, message: Message) -> Reply:
        """A chunk of an exported zip, named by the ``download`` id its export answered."""
        path = self._downloads.path(message.get("download"))
        info, data = read_chunk(
            path, message.whole("offset"), message.chunk_bytes(self._chunk_bytes())
        )
        return info, [data]
