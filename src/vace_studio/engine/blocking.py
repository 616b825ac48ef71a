"""Run engine coroutines from plain (blocking) code: notebook cells and scripts.

Inside Jupyter an event loop is already running, and ``run_until_complete`` on a running loop is
refused. nest-asyncio lifts that, but it patches asyncio process-wide, so it is applied lazily at
the first blocking call made inside a running loop, never at import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_patched = False
_own_loop: asyncio.AbstractEventLoop | None = None


def _patch(loop: asyncio.AbstractEventLoop) -> None:
    global _patched
    if not _patched:
        import nest_asyncio

        nest_asyncio.apply(loop)
        _patched = True


def background_loop() -> asyncio.AbstractEventLoop:
    """The loop blocking calls run on when no loop is running (kept, so clients stay usable)."""
    global _own_loop
    if _own_loop is None or _own_loop.is_closed():
        _own_loop = asyncio.new_event_loop()
    return _own_loop


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion and return its result, whether or not a loop is running."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return background_loop().run_until_complete(coro)
    _patch(loop)
    return loop.run_until_complete(coro)
