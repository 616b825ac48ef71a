"""What a media file is: format, picture size, fps, duration, frame count and bytes.

Probes read headers, never whole files: images with Pillow (``Image.open`` parses the header
only), videos with PyAV (container metadata: the MP4 ``moov`` box gives the frame rate, the
duration and the frame count of the stream without decoding a frame). The one exception is
:func:`mask_stats`, which has to look at every pixel of a mask image.

Remote files are probed by :mod:`vace_studio.media.remote`, which feeds the same functions the
few bytes it fetched.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, Literal

# PyAV, NumPy and Pillow load on the first probe, not on import: the engine imports this module
# for its dataclasses, and ``import vace_studio`` must stay light.

MediaKind = Literal["image", "video"]

_MIB = 1024 * 1024


class ProbeError(ValueError):
    """A file that cannot be read as the kind of media expected; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def human_bytes(n: int) -> str:
    """``12.3 MB`` (binary megabytes, as the limits are), ``540 KB``, ``812 bytes``."""
    if n >= _MIB:
        return f"{n / _MIB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


@dataclass(frozen=True)
class ImageInfo:
    """An image's header facts.

    ``format`` is Pillow's name (``JPEG``, ``PNG``, ``BMP``, ``TIFF``, ``WEBP``, ``GIF``…;
    phone JPEGs with a depth map read as ``MPO``); ``bytes`` is the file size (``None`` when a
    remote server did not say); ``mode`` is Pillow's pixel mode (``RGB``, ``L``, ``RGBA``…).
    """

    kind: ClassVar[MediaKind] = "image"
    format: str
    width: int
    height: int
    bytes: int | None
    mode: str = ""
    source: str = ""

    def describe(self) -> str:
        size = f", {human_bytes(self.bytes)}" if self.bytes is not None else ""
        return f"{self.format} {self.width}×{self.height}{size}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True)
class VideoInfo:
    """A video's container facts.

    ``format`` is ``MP4``, ``MOV``, ``3GP``, ``MKV/WEBM``, ``AVI``… (for the MP4 family, read
    from the ``ftyp`` brand: ``qt`` is QuickTime MOV); ``codec`` is FFmpeg's name (``h264``…);
    ``fps`` the average frame rate; ``duration`` seconds; ``frames`` the stream's frame count —
    from the container's index when ``frames_counted`` is true, else ``round(duration × fps)``.
    """

    kind: ClassVar[MediaKind] = "video"
    format: str
    codec: str
    width: int
    height: int
    fps: float
    duration: float
    frames: int
    bytes: int | None
    frames_counted: bool = True
    source: str = ""

    def describe(self) -> str:
        size = f", {human_bytes(self.bytes)}" if self.bytes is not None else ""
        return (
            f"{self.format} {self.codec} {self.width}×{self.height}, {fps_text(self.fps)}, "
            f"{self.duration:.2f} s, {self.frames} frames{size}"
        )

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


MediaInfo = ImageInfo | VideoInfo


def fps_text(fps: float) -> str:
    """``16 fps``, ``23.98 fps``."""
    return f"{fps:.0f} fps" if abs(fps - round(fps)) < 0.005 else f"{fps:.2f} fps"


def sniff_kind(head: bytes) -> MediaKind | None:
    """``video`` for an ISO-BMFF (MP4/MOV) or Matroska/WebM/AVI start, ``image`` for a known
    image signature, ``None`` otherwise."""
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        return "video"
    if head.startswith(b"\x1a\x45\xdf\xa3") or (head[:4] == b"RIFF" and head[8:12] == b"AVI "):
        return "video"
    image_magic = (
        b"\xff\xd8\xff",  # JPEG
        b"\x89PNG\r\n\x1a\n",
        b"BM",
        b"II*\x00",  # TIFF, little-endian
        b"MM\x00*",  # TIFF, big-endian
        b"GIF8",
    )
    if head.startswith(image_magic) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    return None


def probe_image(
    source: str | os.PathLike[str] | BinaryIO, *, size: int | None = None, name: str = ""
) -> ImageInfo:
    """Header facts of an image file or file object (``size`` = its byte count, if known)."""
    from PIL import Image

    try:
        with Image.open(source) as img:
            fmt, (width, height), mode = img.format or "?", img.size, img.mode
    except Image.DecompressionBombError as error:
        raise ProbeError(f"the image is far too large to open safely ({error})") from None
    except (OSError, ValueError, SyntaxError) as error:
        raise ProbeError(f"not an image Pillow can read ({_short(error)})") from None
    return ImageInfo(fmt, int(width), int(height), size, mode, name)


_FORMAT_NAMES = {"matroska": "MKV/WEBM", "avi": "AVI", "flv": "FLV", "mpegts": "MPEG-TS"}


def _video_format(container: Any) -> str:
    names = str(container.format.name).split(",")
    if "mov" in names or "mp4" in names:
        brand = str(container.metadata.get("major_brand", "")).strip().lower()
        if not brand or brand == "qt":
            return "MOV"
        if brand.startswith("3g"):
            return "3GP"
        return "MP4"
    for name in names:
        if name in _FORMAT_NAMES:
            return _FORMAT_NAMES[name]
    return names[0].upper()


def probe_video(
    source: str | os.PathLike[str] | BinaryIO, *, size: int | None = None, name: str = ""
) -> VideoInfo:
    """Container facts of a video file or file object, without decoding any frame."""
    target: str | BinaryIO = os.fspath(source) if isinstance(source, str | os.PathLike) else source
    import av

    try:
        container = av.open(target, mode="r")
    except (av.FFmpegError, OSError, ValueError) as error:
        raise ProbeError(f"not a video PyAV can read ({_short(error)})") from None
    with container:
        fmt = str(container.format.name)
        # FFmpeg opens a lone PNG or JPEG as a one-frame "video".
        if fmt == "image2" or fmt.endswith("_pipe"):
            raise ProbeError("this is an image, not a video")
        if not container.streams.video:
            raise ProbeError("the file has no video stream")
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        duration = 0.0
        if stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        elif container.duration:
            duration = container.duration / 1_000_000
        counted = bool(stream.frames)
        frames = int(stream.frames) if counted else round(duration * fps)
        if not duration and frames and fps:
            duration = frames / fps
        return VideoInfo(
            format=_video_format(container),
            codec=str(stream.codec_context.name),
            width=int(stream.codec_context.width),
            height=int(stream.codec_context.height),
            fps=fps,
            duration=duration,
            frames=frames,
            bytes=size,
            frames_counted=counted,
            source=name,
        )


def probe_local(path: str | os.PathLike[str], kind: MediaKind | None = None) -> MediaInfo:
    """Probe a local file; ``kind`` says what it must be (``None``: whatever it is).

    Raises :class:`ProbeError` when the file cannot be read, or is not of ``kind``.
    """
    file = Path(path)
    try:
        size = file.stat().st_size
        with file.open("rb") as handle:
            head = handle.read(16)
    except OSError as error:
        raise ProbeError(f"cannot read the file ({error.strerror or error})") from None
    found = sniff_kind(head)
    if kind == "image" and found == "video":
        raise ProbeError("this is a video, not an image")
    if kind == "video" and found == "image":
        raise ProbeError("this is an image, not a video")
    want = kind or found
    if want == "image":
        return probe_image(file, size=size, name=str(file))
    if want == "video":
        return probe_video(file, size=size, name=str(file))
    # Neither signature matched: let Pillow, then FFmpeg, try (e.g. an odd TIFF or a TS file).
    try:
        return probe_image(file, size=size, name=str(file))
    except ProbeError:
        return probe_video(file, size=size, name=str(file))


def probe_bytes(
    data: bytes, kind: MediaKind | None = None, *, size: int | None = None
) -> MediaInfo:
    """Probe in-memory bytes (a whole file, or for MP4 its ``ftyp`` + ``moov`` boxes)."""
    want = kind or sniff_kind(data[:16])
    total = len(data) if size is None else size
    if want == "image":
        return probe_image(io.BytesIO(data), size=total)
    if want == "video":
        return probe_video(io.BytesIO(data), size=total)
    try:
        return probe_image(io.BytesIO(data), size=total)
    except ProbeError:
        return probe_video(io.BytesIO(data), size=total)


@dataclass(frozen=True)
class MaskStats:
    """A mask image's pixels: the fraction neither pure black nor pure white (``impure``) and
    the fraction white or light enough to count as *edit* (luma ≥ 128, ``edit``)."""

    impure: float
    edit: float


def mask_stats(path: str | os.PathLike[str]) -> MaskStats:
    """Look at every pixel of a mask image (the one probe that decodes a whole file).

    Pure means (0, 0, 0) or (255, 255, 255) in RGB (0 or 255 in greyscale); alpha is ignored.
    """
    import numpy as np
    from PIL import Image

    try:
        with Image.open(path) as img:
            img.load()
            grey = np.asarray(img.convert("L"))
            if img.mode == "1":
                pure = np.ones(grey.shape, dtype=bool)
            elif img.mode in ("L", "LA"):
                own = np.asarray(img.getchannel(0))
                pure = (own == 0) | (own == 255)
            else:
                rgb = np.asarray(img.convert("RGB"))
                pure = (rgb == 0).all(axis=-1) | (rgb == 255).all(axis=-1)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ProbeError(f"not an image Pillow can read ({_short(error)})") from None
    n = max(1, pure.size)
    return MaskStats(1.0 - np.count_nonzero(pure) / n, np.count_nonzero(grey >= 128) / n)


def _short(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def info_json(infos: Mapping[str, MediaInfo]) -> dict[str, dict[str, Any]]:
    """``{reference: facts}`` as plain JSON (what the widget shows next to each input)."""
    return {ref: info.to_json() for ref, info in infos.items()}
