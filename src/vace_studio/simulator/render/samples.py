"""Synthetic sample media and output checks, for tests, benchmarks and offline demos.

Nothing here is used by :func:`~vace_studio.simulator.render.render_task`; it makes inputs
(a gradient with a textured square that can move, images, masks) and reads outputs back, so the
renderer's tests, its benchmark and the simulator's own tests share one definition of "a sample
video" and of "an output that meets the contract".
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

import av
import numpy as np
from PIL import Image

from vace_studio.imaging.arrays import U8, Mask, to_u8
from vace_studio.imaging.yuv import frame_to_rgb, planes

from . import RenderInfo, render_task


def write_video(path: str | os.PathLike[str], frames: list[U8], fps: int = 30, crf: int = 8) -> str:
    """Encode (H, W, 3) RGB frames to a near-lossless H.264 MP4; returns the path as a string."""
    h, w = frames[0].shape[:2]
    with av.open(os.fspath(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": str(crf)}
        for f in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        container.mux(stream.encode(None))
    return os.fspath(path)


def write_image(path: str | os.PathLike[str], image: U8) -> str:
    """Save an RGB, RGBA or grey array with Pillow (format from the suffix); returns the path."""
    Image.fromarray(image).save(path)
    return os.fspath(path)


def gradient(width: int, height: int) -> U8:
    """A smooth two-axis gradient, (H, W, 3) RGB — no edges of its own."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    rgb = np.stack([40 + 60 * xx / width, 60 + 50 * yy / height, 110 + 0 * xx], axis=-1)
    return rgb.astype(np.uint8)


def texture(size: int) -> U8:
    """A smooth, trackable size×size texture: crossed sinusoids over an orange base."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    t = 0.5 + 0.25 * np.sin(xx / 3.1) + 0.25 * np.cos(yy / 4.3 + xx / 7.0)
    base = np.array([230, 120, 40], dtype=np.float32)
    return to_u8(base * (0.5 + 0.6 * t[..., None]))


def moving_square(
    width: int, height: int, n: int, *, x0: int, y0: int, size: int, dx: int = 0, dy: int = 0
) -> list[U8]:
    """``n`` RGB frames: :func:`gradient` with a :func:`texture` square moving (dx, dy) a frame."""
    bg = gradient(width, height)
    tex = texture(size)
    frames = []
    for i in range(n):
        f = bg.copy()
        x, y = x0 + i * dx, y0 + i * dy
        f[y : y + size, x : x + size] = tex
        frames.append(f)
    return frames


@dataclass(frozen=True)
class DecodedVideo:
    """An MP4 read back: packed 4:2:0 frames and the stream's properties."""

    frames: list[U8]
    width: int
    height: int
    fps: float
    codec: str
    pix_fmt: str

    def y(self, i: int) -> U8:
        """Y plane of frame ``i``."""
        return planes(self.frames[i])[0]

    def rgb(self, i: int) -> U8:
        """Frame ``i`` as (H, W, 3) RGB (BT.601, the renderer's matrix)."""
        return frame_to_rgb(self.frames[i])


def decode_video(source: str | os.PathLike[str] | bytes) -> DecodedVideo:
    """Decode every frame of an MP4 file (or its bytes) to packed 4:2:0 arrays."""
    target = io.BytesIO(source) if isinstance(source, bytes) else os.fspath(source)
    with av.open(target, mode="r") as container:
        stream = container.streams.video[0]
        frames = [
            np.asarray(f.to_ndarray(format="yuv420p"), dtype=np.uint8)
            for f in container.decode(stream)
        ]
        cc = stream.codec_context
        fps = float(stream.average_rate or 0)
        return DecodedVideo(frames, cc.width, cc.height, fps, cc.name, cc.pix_fmt or "")


def contract_problems(info: RenderInfo, video: DecodedVideo, width: int, height: int) -> list[str]:
    """How a rendered video breaks the output contract (empty when it does not)."""
    found = []
    if (video.width, video.height) != (width, height) or (info.width, info.height) != (
        width,
        height,
    ):
        found.append(
            f"size {video.width}×{video.height} (info {info.width}×{info.height}), "
            f"want {width}×{height}"
        )
    if video.codec != "h264":
        found.append(f"codec {video.codec}")
    if video.pix_fmt != "yuv420p":
        found.append(f"pix_fmt {video.pix_fmt}")
    if video.fps != 30 or info.fps != 30:
        found.append(f"fps {video.fps}")
    if len(video.frames) != 150 or info.frame_count != 150:
        found.append(f"{len(video.frames)} frames")
    return found


def render_and_decode(
    request: dict[str, object], inputs: dict[str, str], out: str | os.PathLike[str]
) -> tuple[RenderInfo, DecodedVideo]:
    """Render ``request`` to ``out`` and decode the result."""
    info = render_task(request, inputs, out_path_or_file=out)
    return info, decode_video(out)


def outside_box(shape: tuple[int, int], box: tuple[int, int, int, int], pad: int = 6) -> Mask:
    """Boolean (H, W): True away from ``box`` (x0, y0, x1, y1) grown by ``pad`` (codec bleed)."""
    keep = np.ones(shape, dtype=bool)
    x0, y0, x1, y1 = box
    keep[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad] = False
    return keep
