"""Media-test fixtures beyond the shared ones in ``tests/conftest.py``: ``gen`` writes more media
on the fly (PyAV, Pillow, NumPy: no committed binaries), and ``served`` / ``served_plain`` are
loopback file servers that log every request, with and without ``Range`` support.

``pad_mp4`` grows an MP4 to an exact byte size with a ``free`` box (a valid file FFmpeg skips
over), so the 50 MB limit is tested without encoding 50 MB.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vace_studio.simulator.samples import FileServer, make_image, make_mask, make_video


def pad_mp4(src: Path, dst: Path, total_bytes: int) -> Path:
    """A copy of an MP4 grown to exactly ``total_bytes`` by a trailing ``free`` box."""
    data = src.read_bytes()
    extra = total_bytes - len(data)
    assert extra >= 8
    with dst.open("wb") as out:
        out.write(data)
        out.write(extra.to_bytes(4, "big") + b"free")
        out.seek(total_bytes - 1)
        out.write(b"\0")
    return dst


class Gen:
    """Writes test media into one folder; sizes are (width, height)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def video(
        self, name: str = "video.mp4", size: tuple[int, int] = (320, 240), **options: Any
    ) -> Path:
        return make_video(self.root / name, *size, **options)

    def image(
        self, name: str = "image.png", size: tuple[int, int] = (480, 400), **options: Any
    ) -> Path:
        return make_image(self.root / name, *size, **options)

    def mask(
        self, name: str = "mask.png", size: tuple[int, int] = (320, 240), **options: Any
    ) -> Path:
        """A white centre rectangle a quarter of each side (1/16 of the area), like ``media``'s."""
        return make_mask(self.root / name, *size, extent=0.25, **options)

    def pad(self, src: Path, name: str, total_bytes: int) -> Path:
        return pad_mp4(src, self.root / name, total_bytes)


@pytest.fixture
def gen(tmp_path: Path) -> Gen:
    return Gen(tmp_path)


@dataclass
class Served:
    """A file server as the media tests use it: ``f"{url}/{name}"`` for a file put in ``root``."""

    url: str
    root: Path
    requests: list[tuple[str, str, str | None]]


def _serve(root: Path, *, ranges: bool) -> Iterator[Served]:
    with FileServer(root, ranges=ranges) as server:
        yield Served(server.base_url, root, server.requests)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A loopback file server with range support over its own folder."""
    yield from _serve(tmp_path_factory.mktemp("served"), ranges=True)


@pytest.fixture(scope="session")
def served_plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A loopback file server that ignores ``Range`` (always 200 with the whole file)."""
    yield from _serve(tmp_path_factory.mktemp("served-plain"), ranges=False)
