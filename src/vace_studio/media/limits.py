"""The documented input limits (reference ``providers.md`` section 1.6) as data, and the rules
that compare probed media facts with them.

Everything here is pure: :func:`media_problems` takes the facts (:mod:`.probe`) of a request's
media and returns :class:`~vace_studio.requests.Problem` objects shaped like every other request
problem — ``field: rule; what to do (got value)``. :mod:`.checks` does the probing.

Where the service refuses (formats, picture sizes, bytes, frame rate under 16 fps, a mask of
another resolution, clips together over 3 s, ``mask_frame_id`` out of range) the problem is an
*error*; where it accepts and trims or ignores (a video over 5 s, a clip over 3 s, clips of
different frame rates, a mask with grey pixels) it is a *warning* (reference ``providers.md``
section 0). Each problem names, in ``fix``, the :mod:`.fixes` helper that repairs it, if any.

Sizes are binary megabytes (10 MB = 10 × 1024 × 1024 bytes); the docs do not say which is meant.
A duration may exceed its limit by one frame: the docs count ``fps × seconds + 1`` frames in a
full-length video (81 frames at 16 fps for 5 s).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vace_studio.media.probe import (
    ImageInfo,
    MaskStats,
    MediaInfo,
    MediaKind,
    VideoInfo,
    fps_text,
    human_bytes,
)
from vace_studio.requests import Problem, Severity

if TYPE_CHECKING:
    from vace_studio.requests import VaceRequest

MB = 1024 * 1024


@dataclass(frozen=True)
class ImageLimits:
    """Limits of an image input: Pillow format names, side lengths in px, bytes."""

    formats: tuple[str, ...] = ("JPEG", "PNG", "BMP", "TIFF", "WEBP")
    min_side: int | None = 360
    max_side: int | None = 2000
    max_bytes: int = 10 * MB


@dataclass(frozen=True)
class VideoLimits:
    """Limits of a video input: container formats, frame rate, bytes, seconds."""

    formats: tuple[str, ...] = ("MP4",)
    min_fps: float = 16.0
    max_bytes: int = 50 * MB
    max_seconds: float = 5.0


IMAGE = ImageLimits()
"""Reference images and first/last frames."""
MASK_IMAGE = ImageLimits(min_side=None, max_side=None)
"""A mask image: any size, as long as it is exactly the video's (checked against the video)."""
VIDEO = VideoLimits()
"""Source and motion videos, and mask videos. Longer ones: the service uses the first 5 s."""
CLIP = VideoLimits(max_seconds=3.0)
"""First and last clips of an extension."""
CLIPS_MAX_SECONDS = 3.0
"""Both clips of an extension together, counting the part of each the service uses."""
USED_SECONDS = 5.0
"""The part of a video the service reads."""

FIELD_LIMITS: dict[str, ImageLimits | VideoLimits] = {
    "ref_images_url": IMAGE,
    "first_frame_url": IMAGE,
    "last_frame_url": IMAGE,
    "mask_image_url": MASK_IMAGE,
    "video_url": VIDEO,
    "mask_video_url": VIDEO,
    "first_clip_url": CLIP,
    "last_clip_url": CLIP,
}
"""The limits of every media field, by API field name."""

FIELD_KINDS: dict[str, MediaKind] = {
    name: "image" if isinstance(limits, ImageLimits) else "video"
    for name, limits in FIELD_LIMITS.items()
}

FIXES: dict[str, str] = {
    "image_format": "resize_image_into_range",
    "image_side": "resize_image_into_range",
    "image_bytes": "resize_image_into_range",
    "mask_pure": "binarize_mask",
    "mask_size": "scale_mask_to_video",
    "video_format": "to_h264_mp4",
    "video_fps": "to_h264_mp4",
    "video_bytes": "to_h264_mp4",
    "video_seconds": "trim",
    "clips_seconds": "trim",
    "clips_fps": "to_h264_mp4",
}
"""``Problem.rule`` → the :mod:`vace_studio.media.fixes` helper that repairs it (for buttons)."""

_FORMAT_NAMES = {"JPEG": "JPG/JPEG", "MPO": "JPEG"}
_FPS_TOLERANCE = 0.01


def _formats(formats: tuple[str, ...]) -> str:
    names = [_FORMAT_NAMES.get(f, f) for f in formats]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _fix(name: str, args: str = "file") -> str:
    return f"vace_studio.media.{name}({args})"


def _problem(
    field: str, rule: str, ref: str, text: str, got: str, severity: Severity = "error"
) -> Problem:
    return Problem(field, rule, ref, f"{field}: {text} (got {got})", severity, FIXES.get(rule))


def _seconds(value: float) -> str:
    return f"{value:.2f} s".replace(".00 s", " s")


def _percent(fraction: float) -> str:
    return f"{fraction:.1%}" if fraction >= 0.001 else "under 0.1 %"


def _over(duration: float, limit: float, fps: float) -> bool:
    return duration > limit + (1.0 / fps if fps > 0 else 0.0) + 1e-3


def image_problems(field: str, ref: str, info: ImageInfo, limits: ImageLimits) -> Iterator[Problem]:
    """Format, side lengths and bytes of one image."""
    fmt = "JPEG" if info.format == "MPO" else info.format  # phone JPEGs with a depth map
    if fmt not in limits.formats:
        yield _problem(
            field, "image_format", ref,
            f"must be {_formats(limits.formats)}; "
            f"{_fix('resize_image_into_range')} saves a PNG copy",
            info.format,
        )  # fmt: skip
    low, high = limits.min_side, limits.max_side
    sides = (info.width, info.height)
    if low is not None and high is not None and not all(low <= s <= high for s in sides):
        yield _problem(
            field, "image_side", ref,
            f"each side must be {low}–{high} px; {_fix('resize_image_into_range')} "
            "makes a copy that fits",
            f"{info.width}×{info.height}",
        )  # fmt: skip
    if info.bytes is not None and info.bytes > limits.max_bytes:
        yield _problem(
            field, "image_bytes", ref,
            f"must be at most {human_bytes(limits.max_bytes)}; "
            f"{_fix('resize_image_into_range')} makes a smaller copy",
            human_bytes(info.bytes),
        )  # fmt: skip


def video_problems(field: str, ref: str, info: VideoInfo, limits: VideoLimits) -> Iterator[Problem]:
    """Container, frame rate, bytes and length of one video."""
    if info.format not in limits.formats:
        yield _problem(
            field, "video_format", ref,
            f"must be an {_formats(limits.formats)} file; {_fix('to_h264_mp4')} converts it",
            info.format,
        )  # fmt: skip
    if info.fps < limits.min_fps - _FPS_TOLERANCE:
        yield _problem(
            field, "video_fps", ref,
            f"must be at least {fps_text(limits.min_fps)}; {_fix('to_h264_mp4')} converts it to "
            f"{fps_text(limits.min_fps)}",
            fps_text(info.fps) if info.fps else "an unknown frame rate",
        )  # fmt: skip
    if info.bytes is not None and info.bytes > limits.max_bytes:
        yield _problem(
            field, "video_bytes", ref,
            f"must be at most {human_bytes(limits.max_bytes)}; {_fix('trim')} or "
            f"{_fix('to_h264_mp4')} makes a smaller copy",
            human_bytes(info.bytes),
        )  # fmt: skip
    if _over(info.duration, limits.max_seconds, info.fps):
        # Accepted: the service reads the first seconds and ignores the rest (section 0).
        seconds = f"{limits.max_seconds:g}"
        yield _problem(
            field, "video_seconds", ref,
            f"only the first {seconds} s are used, the rest is ignored; "
            f"{_fix('trim', f'file, {seconds}')} makes a {seconds} s copy",
            _seconds(info.duration), "warning",
        )  # fmt: skip


def _kind_problem(field: str, ref: str, info: MediaInfo, kind: MediaKind) -> Problem:
    return _problem(
        field, "media_kind", ref, f"must be {'an image' if kind == 'image' else 'a video'} file",
        f"a {info.kind}, {info.describe()}",
    )  # fmt: skip


def _used_frames(video: VideoInfo) -> int:
    """Frames the service reads: all, or those of the first 5 s."""
    if video.fps <= 0:
        return video.frames
    return min(video.frames, int(video.fps * USED_SECONDS + 1e-6))


def max_mask_frame_id(video: VideoInfo) -> int:
    """The largest ``mask_frame_id`` for ``video``: the docs' ``fps × seconds + 1``, i.e. one
    past the frames read (81 for a 16 fps, 5 s video; the simulator reads it as the last)."""
    return _used_frames(video) + 1


def _edit_problems(
    request: VaceRequest, infos: Mapping[str, MediaInfo], masks: Mapping[str, MaskStats]
) -> Iterator[Problem]:
    video = infos.get(getattr(request, "video_url", None) or "")
    mask_ref = getattr(request, "mask_image_url", None)
    mask = infos.get(mask_ref or "")
    stats = masks.get(mask_ref or "")
    if mask_ref and stats is not None and stats.impure > 0:
        # Grey is undocumented, not refused; JPG masks always have some (section 0).
        jpeg = " (JPG compression always adds some)" if _is_jpeg(mask) else ""
        yield _problem(
            "mask_image_url", "mask_pure", mask_ref,
            "should be pure black (keep) and pure white (edit); what the service does with "
            f"grey pixels is not documented{jpeg}; {_fix('binarize_mask')} makes a clean copy",
            f"{_percent(stats.impure)} of the pixels grey or coloured", "warning",
        )  # fmt: skip
    if mask_ref and stats is not None and stats.edit == 0:
        yield _problem(
            "mask_image_url", "mask_empty", mask_ref,
            "marks nothing to edit: it is all black (keep everything), so the video would come "
            "back unchanged; paint the region to edit in white",
            "no white pixels", "warning",
        )  # fmt: skip
    if not isinstance(video, VideoInfo):
        return
    if (
        mask_ref
        and isinstance(mask, ImageInfo)
        and (mask.width, mask.height)
        != (
            video.width,
            video.height,
        )
    ):
        yield _problem(
            "mask_image_url", "mask_size", mask_ref,
            f"must be exactly the video's resolution, {video.width}×{video.height}; "
            f"{_fix('scale_mask_to_video', 'mask, video')} makes a matching copy",
            f"{mask.width}×{mask.height}",
        )  # fmt: skip
    frame_id = getattr(request, "mask_frame_id", None)
    highest = max_mask_frame_id(video)
    if mask_ref and frame_id is not None and video.frames > 0 and frame_id > highest:
        yield Problem(
            "mask_frame_id",
            "mask_frame_id",
            frame_id,
            f"mask_frame_id: must be between 1 and {highest} for this {fps_text(video.fps)}, "
            f"{_seconds(min(video.duration, USED_SECONDS))} video (got {frame_id})",
        )
    mask_video_ref = getattr(request, "mask_video_url", None)
    mask_video = infos.get(mask_video_ref or "")
    if mask_video_ref and isinstance(mask_video, VideoInfo):
        want = _video_shape(video)
        got = _video_shape(mask_video)
        if want != got:
            yield _problem(
                "mask_video_url", "mask_video_match", mask_video_ref,
                f"must have the video's frame rate, resolution and length ({want})",
                got,
            )  # fmt: skip


def _is_jpeg(info: MediaInfo | None) -> bool:
    return isinstance(info, ImageInfo) and info.format in ("JPEG", "MPO")


def _video_shape(video: VideoInfo) -> str:
    return f"{fps_text(video.fps)}, {video.width}×{video.height}, {_used_frames(video)} frames"


def _extension_problems(request: VaceRequest, infos: Mapping[str, MediaInfo]) -> Iterator[Problem]:
    clips = [
        (name, ref, info)
        for name in ("first_clip_url", "last_clip_url")
        if (ref := getattr(request, name, None)) and isinstance(info := infos.get(ref), VideoInfo)
    ]
    if len(clips) == 2:
        (_, _, first), (name, ref, last) = clips
        # Judged on the seconds used: of a clip over 3 s the service reads the first 3 s.
        used = [min(clip.duration, CLIP.max_seconds) for clip in (first, last)]
        total = sum(used)
        if _over(total, CLIPS_MAX_SECONDS, max(first.fps, last.fps)):
            yield _problem(
                name, "clips_seconds", ref,
                f"the first and last clip together must be at most {CLIPS_MAX_SECONDS:g} s "
                f"(counting at most {CLIP.max_seconds:g} s of each); "
                f"{_fix('trim', 'file, seconds')} shortens one",
                f"{_seconds(used[0])} + {_seconds(used[1])} = {_seconds(total)}",
            )  # fmt: skip
        if abs(first.fps - last.fps) > _FPS_TOLERANCE:
            # A recommendation of the docs, not a refusal (section 0).
            yield _problem(
                name, "clips_fps", ref,
                f"should have the first clip's frame rate, {fps_text(first.fps)} (the docs "
                f"recommend equal frame rates); {_fix('to_h264_mp4', f'file, fps={first.fps:g}')} "
                "converts it",
                fps_text(last.fps), "warning",
            )  # fmt: skip
    motion_ref = getattr(request, "video_url", None)
    motion = infos.get(motion_ref or "")
    if clips and motion_ref and isinstance(motion, VideoInfo):
        _, _, clip = clips[0]
        want = f"{fps_text(clip.fps)}, {clip.width}×{clip.height}"
        got = f"{fps_text(motion.fps)}, {motion.width}×{motion.height}"
        if want != got:
            yield _problem(
                "video_url", "motion_match", motion_ref,
                f"a motion video must have the clips' frame rate and resolution ({want})",
                got,
            )  # fmt: skip


def media_problems(
    request: VaceRequest,
    infos: Mapping[str, MediaInfo],
    masks: Mapping[str, MaskStats] | None = None,
) -> list[Problem]:
    """Every documented media limit ``request`` breaks, judged from probed facts.

    ``infos`` maps a media reference to its facts; references without facts (a remote URL not
    probed) are skipped. ``masks`` maps a mask image to its pixel statistics
    (:func:`~vace_studio.media.probe.mask_stats`), where known.
    """
    problems: list[Problem] = []
    for field, refs in request.media().items():
        limits = FIELD_LIMITS.get(field)
        if limits is None:
            continue
        is_list = isinstance(getattr(request, field), list)
        for index, ref in enumerate(refs):
            info = infos.get(ref)
            if info is None:
                continue
            where = f"{field}[{index}]" if is_list else field
            if isinstance(limits, ImageLimits):
                if isinstance(info, ImageInfo):
                    problems += image_problems(where, ref, info, limits)
                else:
                    problems.append(_kind_problem(where, ref, info, "image"))
            elif isinstance(info, VideoInfo):
                problems += video_problems(where, ref, info, limits)
            else:
                problems.append(_kind_problem(where, ref, info, "video"))
    if request.function == "video_edit":
        problems += _edit_problems(request, infos, masks or {})
    if request.function == "video_extension":
        problems += _extension_problems(request, infos)
    return problems
