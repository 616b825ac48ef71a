"""Rendering off the event loop, with a content-addressed cache.

A render's key is a digest of the validated request and of the bytes of each input file, so a
thousand identical soak tasks render once, and concurrent identical tasks wait for the same
render. Renders run in a small thread pool; the event loop keeps answering polls meanwhile.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from vace_studio.simulator.config import Renderer
from vace_studio.simulator.stats import Counters
from vace_studio.simulator.storage import Storage
from vace_studio.simulator.tasks import Outcome

log = logging.getLogger(__name__)

RENDER_FAILED = "InternalError"


def default_renderer() -> Renderer:
    """``vace_studio.simulator.render.render_task``, imported only when first needed (PyAV)."""
    from vace_studio.simulator.render import (
        render_task,
    )  # lazy: heavy (PyAV), needed only to render

    renderer: Renderer = render_task
    return renderer


def probe_size(path: Path) -> tuple[int | None, int | None]:
    """Width and height of an MP4's first video stream (``None`` when it cannot be read)."""
    import av  # lazy: only needed once a video exists

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            return stream.codec_context.width, stream.codec_context.height
    except (OSError, IndexError, av.FFmpegError):
        return None, None


class RenderService:
    """Renders videos for tasks, once per distinct (request, input bytes)."""

    def __init__(
        self, storage: Storage, renderer: Renderer | None, workers: int, counters: Counters
    ) -> None:
        self._storage = storage
        self._renderer = renderer
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vace-sim-render")
        self._counters = counters
        self._inflight: dict[str, asyncio.Future[Outcome]] = {}
        self._done: dict[str, Outcome] = {}
        self._hashes: dict[tuple[str, int, int], str] = {}

    def _file_hash(self, path: str) -> str:
        stat = os.stat(path)
        memo = (path, stat.st_size, stat.st_mtime_ns)
        known = self._hashes.get(memo)
        if known is None:
            digest = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            known = self._hashes[memo] = digest.hexdigest()
        return known

    def _key(self, request: dict[str, Any], inputs: dict[str, str]) -> str:
        material = {
            "request": request,
            "inputs": sorted((ref, self._file_hash(path)) for ref, path in inputs.items()),
        }
        text = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]

    async def render(self, request: dict[str, Any], inputs: dict[str, str]) -> Outcome:
        """The outcome for ``request`` with its inputs resolved to local files."""
        loop = asyncio.get_running_loop()
        # Hashing runs beside the render pool, so a cache hit never waits behind a long render.
        key = await asyncio.to_thread(self._key, request, inputs)
        known = self._done.get(key)
        if known is not None:
            self._counters.add("renders", "cache_hits")
            return known
        pending = self._inflight.get(key)
        if pending is not None:
            self._counters.add("renders", "cache_hits")
            return await asyncio.shield(pending)
        future: asyncio.Future[Outcome] = loop.create_future()
        self._inflight[key] = future
        try:
            outcome = await loop.run_in_executor(self._pool, self._render, key, request, inputs)
        except asyncio.CancelledError:
            future.cancel()  # only on reset or shutdown, which cancel every task's lifecycle
            raise
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # mark retrieved: waiters, if any, see it; no "never retrieved"
            raise
        finally:
            del self._inflight[key]
        future.set_result(outcome)
        return outcome

    def _render(self, key: str, request: dict[str, Any], inputs: dict[str, str]) -> Outcome:
        final = self._storage.result_path(key)
        if final.is_file():  # rendered by an earlier run sharing this data directory
            width, height = probe_size(final)
            outcome = Outcome(video_key=key, width=width, height=height)
            self._done[key] = outcome
            return outcome
        renderer = self._renderer or default_renderer()
        scratch = self._storage.temp_path(".mp4")
        try:
            info = renderer(dict(request), dict(inputs), out_path_or_file=scratch)
        except Exception as error:
            scratch.unlink(missing_ok=True)
            code, message = getattr(error, "code", None), getattr(error, "message", None)
            if isinstance(code, str) and isinstance(message, str):
                # An input the renderer cannot use: the same inputs always fail the same way.
                outcome = Outcome(code=code, message=message)
                self._done[key] = outcome
                return outcome
            log.exception("render of %s failed", key)
            return Outcome(code=RENDER_FAILED, message=f"The video could not be rendered: {error}")
        os.replace(scratch, final)
        self._counters.add("renders", "rendered")
        width, height = getattr(info, "width", None), getattr(info, "height", None)
        if not isinstance(width, int) or not isinstance(height, int):
            width, height = probe_size(final)
        outcome = Outcome(video_key=key, width=width, height=height)
        self._done[key] = outcome
        return outcome

    def forget_failures(self) -> None:
        """Drop cached failures (on reset); rendered videos stay cached."""
        for key in [k for k, v in self._done.items() if v.video_key is None]:
            del self._done[key]

    def close(self) -> None:
        """Stop the render threads (a render in progress finishes first)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
