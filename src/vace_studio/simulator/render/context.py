"""What every function's renderer needs: typed access to the request, media, and the task's colours.

The request is a plain dict with the API's field names (flat; a DashScope-shaped body with
``input`` / ``parameters`` objects is flattened). The renderer re-checks only what it needs to
draw — the request models do the full validation — and raises :class:`RenderError` with the
field's name when a value is unusable.

Determinism: everything random comes from ``rng``, a NumPy Generator seeded with
``[seed, first 8 bytes of sha256(prompt)]`` (``seed`` defaults to 0), so the same request renders
the same frames; different prompts get different colours even with the same seed.
"""

from __future__ import annotations

import colorsys
import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from vace_studio.imaging.arrays import U8

from .errors import invalid
from .media_io import FPS, LoadedImage, VideoClip, load_image

FRAME_COUNT = 150
DEFAULT_SIZE = (1280, 720)
_MIN_SIDE, _MAX_SIDE = 16, 2048
S = TypeVar("S", bound=str)


@dataclass(frozen=True)
class FramePlan:
    """A function's prepared render: output size, a caption detail line, and a frame painter.

    ``draw(i, out)`` paints output frame ``i`` (0-based, 30 fps) into the packed 4:2:0 ``out``.
    """

    width: int
    height: int
    detail: str
    draw: Callable[[int, U8], None]


def flatten_request(request: Mapping[str, Any]) -> dict[str, Any]:
    """A flat copy of the request (DashScope's nested ``input`` / ``parameters`` merged in)."""
    flat = {k: v for k, v in request.items() if k not in ("input", "parameters")}
    for part in ("input", "parameters"):
        sub = request.get(part)
        if isinstance(sub, Mapping):
            flat.update(sub)
    return flat


def time_of(index: int) -> float:
    """Presentation time (s) of output frame ``index``."""
    return index / FPS


class RenderContext:
    """Request fields, media loading and seeded colours for one render."""

    def __init__(
        self,
        request: Mapping[str, Any],
        inputs: Mapping[str, str | os.PathLike[str]],
        stack: ExitStack,
    ) -> None:
        self.request = flatten_request(request)
        self.inputs = inputs
        self._stack = stack
        self.function = str(self.request.get("function", ""))
        prompt = self.request.get("prompt", "")
        self.prompt = prompt if isinstance(prompt, str) else str(prompt)
        self.seed = self.integer("seed", 0, 0, 2_147_483_647)
        key = int.from_bytes(hashlib.sha256(self.prompt.encode("utf-8")).digest()[:8], "big")
        self.rng = np.random.default_rng([self.seed, key])
        self.hue = float(self.rng.random())
        self.accent = hsv_rgb(self.hue, 0.75, 0.95)

    # -- scalar fields ---------------------------------------------------------------------
    def has(self, name: str) -> bool:
        value = self.request.get(name)
        return value is not None and value != "" and value != []

    def number(self, name: str, default: float, lo: float, hi: float) -> float:
        value = self.request.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise invalid(f"{name}: must be a number between {lo} and {hi} (got {value!r})")
        try:
            num = float(value)
        except ValueError:
            raise invalid(
                f"{name}: must be a number between {lo} and {hi} (got {value!r})"
            ) from None
        if not lo <= num <= hi:
            raise invalid(f"{name}: must be between {lo} and {hi} (got {num})")
        return num

    def integer(self, name: str, default: int, lo: int, hi: int) -> int:
        value = self.request.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise invalid(f"{name}: must be a whole number between {lo} and {hi} (got {value!r})")
        try:
            num = float(value)
        except ValueError:
            raise invalid(
                f"{name}: must be a whole number between {lo} and {hi} (got {value!r})"
            ) from None
        if num != int(num) or not lo <= num <= hi:
            raise invalid(f"{name}: must be a whole number between {lo} and {hi} (got {value!r})")
        return int(num)

    def choice(self, name: str, options: Sequence[S], default: S | None) -> S | None:
        value = self.request.get(name)
        if value is None or value == "":
            return default
        for option in options:
            if value == option:
                return option
        raise invalid(f"{name}: must be one of {', '.join(options)} (got {value!r})")

    def size(self) -> tuple[int, int] | None:
        """The ``size`` field as (width, height): ``"1280*720"`` (``x`` also accepted), or None."""
        value = self.request.get("size")
        if value is None or value == "":
            return None
        text = str(value).lower().replace("x", "*")
        parts = text.split("*")
        try:
            w, h = (int(p) for p in parts)
        except ValueError:
            raise invalid(f'size: must look like "1280*720" (got {value!r})') from None
        if not (_MIN_SIDE <= w <= _MAX_SIDE and _MIN_SIDE <= h <= _MAX_SIDE) or w % 2 or h % 2:
            raise invalid(
                f"size: width and height must be even and between {_MIN_SIDE} and "
                f"{_MAX_SIDE} (got {value!r})"
            )
        return w, h

    # -- media -----------------------------------------------------------------------------
    def urls(self, name: str) -> list[str]:
        value = self.request.get(name)
        if value is None or value == "":
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(u, str) for u in items):
            raise invalid(f"{name}: must be a URL or a list of URLs (got {value!r})")
        return [str(u) for u in items]

    def url(self, name: str) -> str | None:
        found = self.urls(name)
        return found[0] if found else None

    def _path(self, url: str, field: str) -> str | os.PathLike[str]:
        path = self.inputs.get(url)
        if path is None:
            raise invalid(f"{field}: the file at {url!r} could not be downloaded")
        return path

    def image(self, url: str, field: str) -> LoadedImage:
        return load_image(self._path(url, field), field)

    def video(self, url: str, field: str, size: tuple[int, int] | None = None) -> VideoClip:
        clip = VideoClip(self._path(url, field), field, size)
        self._stack.callback(clip.close)
        return clip

    def required_video(self, field: str = "video_url") -> VideoClip:
        url = self.url(field)
        if url is None:
            raise invalid(f"{field}: is required for {self.function}")
        return self.video(url, field)


def hsv_rgb(h: float, s: float, v: float) -> tuple[int, int, int]:
    """An RGB 0..255 colour from HSV in 0..1."""
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
    return round(r * 255), round(g * 255), round(b * 255)
