"""Handlers of the editing tools' messages: the frame scrubber, the mask painter, the clip
trimmer and "Extend this result".

``frames`` (a video's frames as small JPEGs, for stepping and playing), ``frame_image`` (one
frame at full resolution), ``save_frame`` (a frame as a PNG for ``first_frame_url`` /
``last_frame_url``), ``trim`` (frames first–last as a clip), ``save_mask`` and ``load_mask``
(a painted mask as a black/white PNG, and back), ``extend`` (a result's last seconds as a clip).

The browser names the video by the form's value — a file on the kernel's machine (an upload's
``ref`` or a typed path) or an ``http(s)`` URL, which is fetched into the video cache once — and
every file made here is written into the same content-hashed inputs folder as an upload, so the
value it answers (``ref``) is what an upload of that file would have answered. ``name`` is what
the person sees: the source's file name and what was taken from it.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vace_studio.media.clips import (
    StripCache,
    cut,
    frame_png,
    last_frames,
    mask_bits,
    mask_png,
    still,
)
from vace_studio.media.inputs import save_bytes
from vace_studio.media.limits import CLIP, FIELD_LIMITS, VideoLimits
from vace_studio.media.probe import MediaKind
from vace_studio.widget.clients import Clients
from vace_studio.widget.commands import Message, Reply, command
from vace_studio.widget.errors import MessageError, WidgetError
from vace_studio.widget.feed import CardFeed
from vace_studio.widget.file_uploads import FileUploads
from vace_studio.widget.media_handlers import record_of
from vace_studio.widget.videos import VideoUnavailableError, source_path, source_ref

MAX_FRAMES_PER_ANSWER = 48
"""JPEGs of one ``frames`` answer: 48 strip frames at 640 px stay well under 4 MiB."""

MAX_MASK_SIDE = 8192

ANSWER_BYTES = 4 * 1024 * 1024 - 64 * 1024
"""Most bytes of pictures in one answer on a binary transport (as a video chunk)."""


class ToolError(WidgetError):
    """A tool cannot do what was asked (a frame past the end, an unreadable file)."""

    code = "unreadable"


class ToolHandlers:
    """Frames, clips and masks for the editing tools; files go where ``uploads`` saves files."""

    def __init__(self, *, feed: CardFeed, clients: Clients, uploads: FileUploads) -> None:
        self._feed = feed
        self._clients = clients
        self._inputs = uploads.folder  # the folder uploads are saved in, by content hash
        self._uploaded: Mapping[str, str] = uploads.names  # saved path → the picked file's name
        self._made: dict[str, str] = {}  # files the tools made → what they are called
        self._strips = StripCache()
        self._fetched: dict[str, Path] = {}

    async def _video(self, message: Message, key: str = "video") -> Path:
        ref = message.text(key, "the field's value (a file or a web address)")
        if source_ref({"video_url": ref}) is None:
            shown = ref if "://" in ref else Path(ref).name  # never a whole kernel path
            raise VideoUnavailableError(
                f"{shown}: not a file on the kernel's machine nor an http(s) address it can fetch",
                "no_source",
            )
        return await source_path(self._clients.current, {"video_url": ref}, self._fetched)

    def _name(self, path: Path) -> str:
        """What people call a file: its own name when picked in the browser or made here (the
        inputs folder names files by content hash)."""
        key = str(path)
        return self._made.get(key) or self._uploaded.get(key) or path.name

    def _stem(self, path: Path) -> str:
        return Path(self._name(path)).stem

    def _remember(self, stored: Path, name: str) -> dict[str, str]:
        self._made[str(stored)] = name
        return {"ref": str(stored), "name": name}

    @staticmethod
    def _frame_number(message: Message, key: str = "frame") -> int:
        frame = message.whole(key, 1)
        if frame < 1:
            raise MessageError(f"{key}: frame numbers start at 1 (got {frame})")
        return frame

    def _store(self, data: bytes, kind: MediaKind) -> Path:
        try:
            return save_bytes(data, kind, cache_dir=self._inputs)
        except ValueError as error:
            raise ToolError(str(error)) from None

    @command("frames")
    async def frames(self, message: Message) -> Reply:
        """Frames ``start``… of a video as JPEGs ``width`` px across, with the video's facts
        (and, given the form ``field`` it came from, the longest clip that field takes)."""
        path = await self._video(message)
        width = message.whole("width", 320, high=1920)
        start = self._frame_number(message, "start")
        count = min(message.whole("count", 16), MAX_FRAMES_PER_ANSWER)
        try:
            strip = await asyncio.to_thread(self._strips.get, path, width)
        except (ValueError, OSError) as error:
            raise ToolError(f"no frames from {path.name}: {error}") from None
        # As many as fit in one message on this transport (a host without binary buffers takes
        # smaller ones); the browser asks again from where this answer stopped.
        budget = message.chunk_bytes(ANSWER_BYTES)
        chosen: list[bytes] = []
        for jpeg in strip.frames[start - 1 : start - 1 + count]:
            if chosen and sum(map(len, chosen)) + len(jpeg) > budget:
                break
            chosen.append(jpeg)
        facts: dict[str, Any] = {**strip.facts(), "start": start, "count": len(chosen)}
        facts["name"] = self._name(path)
        limits = FIELD_LIMITS.get(str(message.get("field", "")))
        if isinstance(limits, VideoLimits):
            facts["max_seconds"] = limits.max_seconds  # what the trimmer may cut for that field
        return facts, chosen

    @command("frame_image")
    async def frame_image(self, message: Message) -> Reply:
        """One frame at the video's full resolution, as a PNG (the painter's background)."""
        path = await self._video(message)
        frame = self._frame_number(message)
        png = await self._png(path, frame)
        data, mime = await asyncio.to_thread(still, png, message.chunk_bytes(ANSWER_BYTES))
        return {"mime": mime, "frame": frame}, [data]

    async def _png(self, path: Path, frame: int) -> bytes:
        try:
            return await asyncio.to_thread(frame_png, path, frame)
        except (ValueError, OSError) as error:
            raise ToolError(f"no frame {frame} from {path.name}: {error}") from None

    @command("save_frame")
    async def save_frame(self, message: Message) -> Reply:
        """Frame ``frame`` as a PNG in the inputs folder: a first or last frame of an extension."""
        path = await self._video(message)
        frame = self._frame_number(message)
        stored = self._store(await self._png(path, frame), "image")
        return self._remember(stored, f"{self._stem(path)} frame {frame}.png")

    @command("trim")
    async def trim(self, message: Message) -> Reply:
        """Frames ``first``–``last`` (inclusive) as an H.264 MP4 in the inputs folder."""
        path = await self._video(message)
        first, last = self._frame_number(message, "first"), self._frame_number(message, "last")
        if last < first:
            raise MessageError(f"the clip ends (frame {last}) before it starts (frame {first})")
        made, frames, seconds = await self._cut(path, first, last)
        named = self._remember(made, f"{self._stem(path)} frames {first}-{last}.mp4")
        return {**named, "frames": frames, "seconds": seconds}

    async def _cut(self, path: Path, first: int, last: int) -> tuple[Path, int, float]:
        with tempfile.TemporaryDirectory(dir=self._staging()) as folder:
            try:
                clip, frames, seconds = await asyncio.to_thread(
                    cut, path, first, last, Path(folder) / "clip.mp4"
                )
                data = clip.read_bytes()
            except (ValueError, OSError) as error:
                raise ToolError(f"could not cut {path.name}: {error}") from None
        return self._store(data, "video"), frames, seconds

    def _staging(self) -> Path:
        folder = self._inputs / ".partial"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @command("save_mask")
    async def save_mask(self, message: Message) -> Reply:
        """A painted mask (one buffer: ``width × height`` pixels, 8 to a byte, 1 = edit) as a
        pure black/white PNG in the inputs folder."""
        width = message.whole("width", 0, high=MAX_MASK_SIDE)
        height = message.whole("height", 0, high=MAX_MASK_SIDE)
        if len(message.buffers) != 1 or width < 1 or height < 1:
            raise MessageError("save_mask: expected width, height and one buffer of pixels")
        bits = bytes(memoryview(message.buffers[0]).cast("B"))
        try:
            png = await asyncio.to_thread(mask_png, bits, width, height)
        except ValueError as error:
            raise MessageError(f"Mask image: {error}") from None
        stored = self._store(png, "image")
        return self._remember(stored, f"mask {width}×{height}.png")

    @command("load_mask")
    async def load_mask(self, message: Message) -> Reply:
        """An existing mask image as ``width × height`` pixels, 8 to a byte (1 = edit)."""
        width = message.whole("width", 0, high=MAX_MASK_SIDE)
        height = message.whole("height", 0, high=MAX_MASK_SIDE)
        path = await self._video(message, "ref")
        try:
            bits = await asyncio.to_thread(mask_bits, path, width, height)
        except (ValueError, OSError) as error:
            raise ToolError(f"Mask image: {error}") from None
        return {"width": width, "height": height}, [bits]

    @command("extend")
    async def extend(self, message: Message) -> Reply:
        """The last ``seconds`` (at most 3, a clip's limit) of a task's result, as a clip."""
        record = record_of(self._feed, message)
        if not record.local_path:
            raise VideoUnavailableError("this task has no downloaded video (yet)", "no_video")
        seconds = message.get("seconds", CLIP.max_seconds)
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds <= 0:
            raise MessageError(f"seconds: expected a positive number (got {seconds!r})")
        path = Path(record.local_path)
        try:
            first, last = await asyncio.to_thread(
                last_frames, path, min(float(seconds), CLIP.max_seconds)
            )
        except (ValueError, OSError) as error:
            raise ToolError(f"could not read the result: {error}") from None
        made, frames, got = await self._cut(path, first, last)
        prompt: Any = record.request.get("prompt")
        named = self._remember(made, f"last {got:.1f} s of {record.task_id or record.id[:8]}.mp4")
        return {
            **named,
            "frames": frames,
            "seconds": got,
            "prompt": prompt if isinstance(prompt, str) else "",
        }
