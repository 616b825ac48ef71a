"""Explicit repairs for media that break a documented limit — never applied silently.

Each helper reads a local file, writes a *new* file (by default beside the source, named after
it: ``clip.h264.mp4``, ``photo.fit.png``…; never over the source) and returns its path, which is
then what the request should name. :data:`~vace_studio.media.limits.FIXES` says which helper
repairs which ``Problem.rule``.

- :func:`to_h264_mp4` — any video → H.264 MP4 at ≥ 16 fps (or the fps you ask for).
- :func:`trim` — the first ``seconds`` of a video, as H.264 MP4.
- :func:`resize_image_into_range` — an image scaled so each side is 360–2000 px, in an accepted
  format and at most 10 MB.
- :func:`binarize_mask` — a mask made pure black / pure white.
- :func:`scale_mask_to_video` — a mask scaled to exactly a video's resolution.

Video fixes re-encode (audio is dropped: the service makes silent videos) and crop an odd last
row or column (H.264 ``yuv420p`` needs even sides).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from vace_studio.imaging.arrays import U8, Mask
from vace_studio.imaging.masks import binarize
from vace_studio.media.frames import iter_frames, read_rgb, resample, write_mp4
from vace_studio.media.limits import IMAGE, VIDEO
from vace_studio.media.probe import ProbeError, probe_image, probe_video

PathLike = str | os.PathLike[str]

_SUFFIX = {"JPEG": ".jpg", "PNG": ".png", "BMP": ".bmp", "TIFF": ".tif", "WEBP": ".webp"}
_BY_SUFFIX = {
    ".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".bmp": "BMP", ".tif": "TIFF",
    ".tiff": "TIFF", ".webp": "WEBP",
}  # fmt: skip


def _target(src: Path, dst: PathLike | None, tag: str, suffix: str) -> Path:
    out = Path(dst) if dst is not None else src.with_name(f"{src.stem}.{tag}{suffix}")
    if out.resolve() == src.resolve():
        raise ValueError(f"{out}: a fix never overwrites its source; choose another dst")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _video(src: PathLike) -> tuple[Path, float]:
    path = Path(src)
    try:
        info = probe_video(path)
    except ProbeError as error:
        raise ValueError(f"{path.name}: {error.reason}") from None
    return path, info.fps


def to_h264_mp4(src: PathLike, dst: PathLike | None = None, *, fps: float | None = None) -> Path:
    """Re-encode a video as H.264 MP4 (default ``<name>.h264.mp4`` beside it).

    ``fps``: the output frame rate; default the source's, raised to 16 when lower (frames are
    repeated, the duration is kept). Returns the new file's path.
    """
    path, src_fps = _video(src)
    out_fps = fps if fps is not None else max(src_fps or VIDEO.min_fps, VIDEO.min_fps)
    if out_fps <= 0:
        raise ValueError(f"fps: must be positive (got {out_fps})")
    target = _target(path, dst, "h264", ".mp4")
    return write_mp4(resample(iter_frames(path), src_fps or out_fps, out_fps), target, out_fps)


def _from(frames: Iterable[tuple[float, U8]], start: float) -> Iterator[tuple[float, U8]]:
    """The timed frames from ``start`` seconds on, with their times counted from there."""
    for t, frame in frames:
        if t >= start - 1e-6:
            yield t - start, frame


def trim(
    src: PathLike,
    seconds: float = VIDEO.max_seconds,
    dst: PathLike | None = None,
    *,
    start: float = 0.0,
) -> Path:
    """``seconds`` (default 5) of a video from ``start`` (default 0: its first frame) as H.264
    MP4 (default ``<name>.<seconds>s.mp4`` beside it, ``<name>.<start>-<end>s.mp4`` with a
    ``start``), at the source's frame rate (at least 16 fps). The widget's clip trimmer cuts
    with it."""
    if seconds <= 0:
        raise ValueError(f"seconds: must be positive (got {seconds})")
    if start < 0:
        raise ValueError(f"start: must be 0 or more (got {start})")
    path, src_fps = _video(src)
    out_fps = max(src_fps or VIDEO.min_fps, VIDEO.min_fps)
    tag = f"{seconds:g}s" if start == 0 else f"{start:g}-{start + seconds:g}s"
    target = _target(path, dst, tag, ".mp4")
    timed = _from(iter_frames(path), start)
    frames = resample(timed, src_fps or out_fps, out_fps, max_seconds=seconds)
    return write_mp4(frames, target, out_fps)


def _fitting_size(width: int, height: int, low: int, high: int) -> tuple[int, int]:
    short, long = min(width, height), max(width, height)
    if long * low > high * short:
        raise ValueError(
            f"a {width}×{height} image cannot be scaled so both sides are {low}–{high} px: its "
            f"aspect ratio {long / short:.2f}:1 is more than {high / low:.2f}:1; crop it first"
        )
    scale = 1.0
    if short < low:
        scale = low / short
    if long * scale > high:
        scale = high / long

    def side(n: int) -> int:
        return min(high, max(low, round(n * scale)))

    return side(width), side(height)


def _encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=quality)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=quality)
    elif fmt == "BMP" and image.mode not in ("1", "L", "P", "RGB", "RGBA"):
        image.convert("RGB").save(buffer, "BMP")
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def resize_image_into_range(
    src: PathLike,
    dst: PathLike | None = None,
    *,
    min_side: int = 360,
    max_side: int = 2000,
    max_bytes: int = IMAGE.max_bytes,
) -> Path:
    """Scale an image so each side is ``min_side``–``max_side`` px, keeping its aspect ratio.

    Also converts a format the service does not take (GIF, …) to PNG, and applies the EXIF
    orientation (so the copy looks as the original does in a viewer). The format is ``dst``'s
    suffix when given, else the source's (PNG for other formats); with no ``dst``, a copy that
    would exceed ``max_bytes`` is saved as JPEG at the highest quality that fits. Default name:
    ``<name>.fit.<ext>`` beside the source. Returns ``src`` itself when it already meets every
    limit. Raises ``ValueError`` when the aspect ratio cannot fit (crop first).
    """
    path = Path(src)
    try:
        info = probe_image(path, size=path.stat().st_size)
    except (ProbeError, OSError) as error:
        raise ValueError(f"{path.name}: {getattr(error, 'reason', error)}") from None
    fmt = "JPEG" if info.format == "MPO" else info.format
    width, height = _fitting_size(info.width, info.height, min_side, max_side)
    fits = (width, height) == (info.width, info.height) and fmt in IMAGE.formats
    if fits and (info.bytes or 0) <= max_bytes and dst is None:
        return path
    if dst is not None:
        out_fmt = _BY_SUFFIX.get(Path(dst).suffix.lower())
        if out_fmt is None:
            raise ValueError(f"dst: must end in .jpg, .png, .bmp, .tif or .webp (got {dst})")
    else:
        out_fmt = fmt if fmt in IMAGE.formats else "PNG"
    with Image.open(path) as opened:
        upright = ImageOps.exif_transpose(opened)
        if upright.size != (width, height):
            # exif_transpose may swap the sides; the range is the same for both.
            w, h = _fitting_size(upright.width, upright.height, min_side, max_side)
            upright = upright.resize((w, h), Image.Resampling.LANCZOS)
        data = _encode(upright, out_fmt, 95)
        if len(data) > max_bytes and out_fmt != "JPEG" and dst is None:
            out_fmt = "JPEG"
        for quality in (95, 90, 85, 80, 70, 60):
            if len(data) <= max_bytes:
                break
            if out_fmt not in ("JPEG", "WEBP"):
                break
            data = _encode(upright, out_fmt, quality)
    if len(data) > max_bytes:
        raise ValueError(
            f"{path.name}: even scaled to {width}×{height} the {out_fmt} copy is "
            f"{len(data) / 1024 / 1024:.1f} MB; save it as .jpg (a dst ending in .jpg)"
        )
    target = _target(path, dst, "fit", _SUFFIX[out_fmt])
    target.write_bytes(data)
    return target


def _save_mask(mask: Mask, target: Path) -> Path:
    Image.fromarray(np.where(mask, 255, 0).astype(np.uint8), mode="L").save(target, "PNG")
    return target


def binarize_mask(src: PathLike, dst: PathLike | None = None, *, threshold: int = 128) -> Path:
    """A pure black/white PNG copy of a mask (default ``<name>.bw.png`` beside it).

    A pixel becomes white (edit) when its luma is ≥ ``threshold`` — the rule the simulator uses
    (:func:`vace_studio.imaging.masks.binarize`); transparent pixels count as black (keep).
    """
    path = Path(src)
    rgb = read_rgb(path)
    target = _target(path, dst, "bw", ".png")
    return _save_mask(binarize(rgb, threshold), target)


def scale_mask_to_video(
    mask: PathLike, video: PathLike, dst: PathLike | None = None, *, threshold: int = 128
) -> Path:
    """A copy of ``mask`` scaled to exactly ``video``'s resolution, pure black/white (PNG,
    default ``<name>.<W>x<H>.png`` beside the mask).

    The mask is stretched to the video's frame (a different aspect ratio distorts it: the
    mask covers the same relative area); smooth scaling, then the ``threshold`` of
    :func:`binarize_mask`.
    """
    path = Path(mask)
    try:
        info = probe_video(video)
    except ProbeError as error:
        raise ValueError(f"{Path(video).name}: {error.reason}") from None
    rgb = Image.fromarray(read_rgb(path))
    scaled = np.asarray(rgb.resize((info.width, info.height), Image.Resampling.BILINEAR))
    target = _target(path, dst, f"{info.width}x{info.height}", ".png")
    return _save_mask(binarize(scaled, threshold), target)
