"""Pixels in and out of files, for fixes and previews: video frames (PyAV) and images (Pillow).

Frames are (H, W, 3) ``uint8`` RGB arrays. Encoding is always H.264 in MP4, ``yuv420p`` (what
players and the service read), which needs even sides: an odd last row or column is cropped.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from vace_studio.imaging.arrays import U8

H264_OPTIONS = {"preset": "veryfast", "crf": "18"}
"""Near-transparent quality: these files are inputs to a model, not deliveries."""


def iter_frames(path: str | os.PathLike[str]) -> Iterator[tuple[float, U8]]:
    """``(seconds since the first frame, RGB frame)`` for every frame, in display order."""
    with av.open(os.fspath(path), mode="r") as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else 30.0
        first: float | None = None
        for index, frame in enumerate(container.decode(stream)):
            t = frame.time if frame.time is not None else index / fps
            if first is None:
                first = t
            rgb = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
            yield t - first, rgb


def read_frames(path: str | os.PathLike[str], indices: Collection[int]) -> dict[int, U8]:
    """The frames at 0-based ``indices`` (decoding stops after the last one asked for).

    An index past the end gets the last frame; the result maps every asked index to a frame.
    """
    wanted = sorted(set(indices))
    if not wanted:
        return {}
    got: dict[int, U8] = {}
    last: U8 | None = None
    for index, (_, frame) in enumerate(iter_frames(path)):
        last = frame
        if index in indices:
            got[index] = frame
        if index >= wanted[-1]:
            break
    if last is None:
        raise ValueError(f"{Path(path).name}: the video contains no decodable frames")
    return {i: got.get(i, last) for i in wanted}


def _even(frame: U8) -> U8:
    h, w = frame.shape[:2]
    return frame[: h - h % 2, : w - w % 2] if (h % 2 or w % 2) else frame


def write_mp4(frames: Iterable[U8], path: str | os.PathLike[str], fps: float) -> Path:
    """Encode RGB ``frames`` as an H.264 MP4 at ``fps`` (written to a temporary name first)."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    rate = Fraction(fps).limit_denominator(1001)
    count = 0
    try:
        with av.open(str(partial), mode="w", format="mp4") as out:
            stream = out.add_stream("libx264", rate=rate)
            stream.pix_fmt = "yuv420p"
            stream.options = dict(H264_OPTIONS)
            for frame in frames:
                rgb = np.ascontiguousarray(_even(frame))
                if count == 0:
                    stream.height, stream.width = rgb.shape[:2]
                video = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                for packet in stream.encode(video):
                    out.mux(packet)
                count += 1
            if count == 0:
                raise ValueError("no frames to write")
            for packet in stream.encode():
                out.mux(packet)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def resample(
    frames: Iterable[tuple[float, U8]],
    src_fps: float,
    out_fps: float,
    max_seconds: float | None = None,
) -> Iterator[U8]:
    """Frames at ``out_fps`` from timed frames: each output instant shows the latest source
    frame at or before it (frames are repeated or dropped). Stops at ``max_seconds``."""
    step = 1.0 / out_fps
    k = 0
    prev: U8 | None = None
    end = 0.0
    for t, frame in frames:
        if max_seconds is not None and t >= max_seconds - 1e-6:
            break
        while prev is not None and k * step < t - 1e-6:
            yield prev
            k += 1
        prev = frame
        end = t + 1.0 / src_fps
    if prev is None:
        return
    if max_seconds is not None:
        end = min(end, max_seconds)
    while k * step < end - 1e-6:
        yield prev
        k += 1


def read_rgb(path: str | os.PathLike[str]) -> U8:
    """An image as (H, W, 3) RGB, transparency composited onto black (for a mask: keep).

    The stored pixel grid, EXIF orientation not applied: a mask must line up with the video's
    pixels as stored.
    """
    try:
        with Image.open(path) as img:
            img.load()
            if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
                rgba = img.convert("RGBA")
                black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
                return np.asarray(Image.alpha_composite(black, rgba).convert("RGB")).copy()
            return np.asarray(img.convert("RGB")).copy()
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValueError(f"{Path(path).name}: not an image Pillow can read ({error})") from None
