"""The documented hard limits of a task's media files, checked once the inputs are fetched.

The service downloads inputs while the task runs, so a file that breaks a hard limit fails the
task (``InvalidParameter``) rather than the submit (reference 1.6 and section 0):

- images (reference images, first/last frames): JPG/JPEG/PNG/BMP/TIFF/WEBP, each side
  360–2000 px, at most 10 MB; a mask image: the same formats and size cap (its resolution must
  equal the video's, which the renderer checks);
- videos (source, mask, motion, clips): MP4, at least 16 fps, at most 50 MB.

What the service trims instead (a video over 5 s, a clip over 3 s) is not an error here; the
renderer uses the first 5 s or 3 s.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from vace_studio.simulator.intake import IMAGE_FIELDS, VIDEO_FIELDS

MB = 1024 * 1024
IMAGE_MAX_BYTES = 10 * MB
VIDEO_MAX_BYTES = 50 * MB
IMAGE_SIDES = (360, 2000)
MIN_FPS = 16.0
IMAGE_FORMATS = frozenset({"JPEG", "MPO", "PNG", "BMP", "TIFF", "WEBP"})
"""Pillow's names for the documented image formats (MPO is how Pillow reads many camera JPEGs)."""


class MediaRefused(Exception):  # noqa: N818 -- reads as the condition it reports
    """A media file that breaks a documented limit; the task fails with ``message``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.code = "InvalidParameter"
        self.message = message


def _image(field: str, path: str) -> None:
    from PIL import Image, UnidentifiedImageError  # lazy: only tasks with images need Pillow

    size = os.path.getsize(path)
    if size > IMAGE_MAX_BYTES:
        raise MediaRefused(f"{field}: the image is {size / MB:.1f} MB; at most 10 MB is allowed")
    try:
        with Image.open(path) as img:
            fmt, (width, height) = img.format, img.size
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        raise MediaRefused(f"{field}: the file is not an image") from None
    if fmt not in IMAGE_FORMATS:
        raise MediaRefused(
            f"{field}: the image format {fmt} is not supported (JPG, PNG, BMP, TIFF or WEBP)"
        )
    lo, hi = IMAGE_SIDES
    if field != "mask_image_url" and not (lo <= width <= hi and lo <= height <= hi):
        raise MediaRefused(
            f"{field}: the image is {width}×{height}; each side must be {lo}–{hi} pixels"
        )


def _brand(path: str) -> bytes:
    with open(path, "rb") as f:
        head = f.read(12)
    return head[8:12] if head[4:8] == b"ftyp" else b""


def _video(field: str, path: str) -> None:
    import av  # lazy: PyAV is heavy and only needed once there is a video

    size = os.path.getsize(path)
    if size > VIDEO_MAX_BYTES:
        raise MediaRefused(f"{field}: the video is {size / MB:.1f} MB; at most 50 MB is allowed")
    try:
        with av.open(path) as container:
            name = container.format.name
            stream = container.streams.video[0] if container.streams.video else None
            rate = None if stream is None else (stream.average_rate or stream.guessed_rate)
    except (av.FFmpegError, OSError, ValueError):
        raise MediaRefused(f"{field}: the file is not a video") from None
    # FFmpeg reads MP4 and QuickTime with one demuxer; the ftyp brand tells them apart.
    brand = _brand(path)
    if "mp4" not in name.split(",") or not brand or brand == b"qt  ":
        raise MediaRefused(f"{field}: the video must be an MP4 file")
    if stream is None:
        raise MediaRefused(f"{field}: the file has no video stream")
    if rate is not None and float(rate) < MIN_FPS - 0.01:
        raise MediaRefused(f"{field}: the video has {float(rate):g} fps; at least 16 are needed")


def check_media(request: Mapping[str, Any], inputs: Mapping[str, str]) -> None:
    """Raise :class:`MediaRefused` for the first input of ``request`` that breaks a limit."""
    for field in sorted((IMAGE_FIELDS | VIDEO_FIELDS) & request.keys()):
        value = request[field]
        for ref in value if isinstance(value, list) else [value]:
            path = inputs.get(ref)
            if path is None:
                continue  # unresolved inputs already failed the task
            if field in IMAGE_FIELDS:
                _image(field, path)
            else:
                _video(field, path)
