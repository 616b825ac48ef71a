"""Kernel-side previews for the widget: small PNGs plus JSON facts, from local inputs.

Each function decodes only the frames it shows and draws with the same code the simulator
renders with (:mod:`vace_studio.imaging`), so a preview shows what the parameters do:

- :func:`mask_preview` — the mask over frame ``mask_frame_id``, with the ``expand_ratio`` /
  ``expand_mode`` growth (red: the mask as drawn; amber: what expansion adds; dimmed: kept).
- :func:`outpaint_preview` — the output canvas with the source placed by the four scales and the
  invented border (blurred, dimmed), the source outlined; the facts give every size.
- :func:`control_preview` — a few frames (top row) over their control condition (bottom row).
- :func:`thumbnail` — a frame of a video or an image, with its probed facts.
- :func:`previews_for` — whichever of these explains a request's parameters.

Every preview is at most ``max_width`` px wide (480 by default). :meth:`Preview.to_json` gives
the facts without the bytes (what a trait may hold); the PNG travels as a binary buffer.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageDraw

from vace_studio.imaging.arrays import U8, Mask
from vace_studio.imaging.canvas import fill_border, fit_720p, outpaint_geometry
from vace_studio.imaging.control import CONTROL_KINDS, ControlKind, control_rgb
from vace_studio.imaging.masks import EXPAND_MODES, ExpandMode, bbox, binarize, expand
from vace_studio.media.frames import read_frames, read_rgb
from vace_studio.media.limits import max_mask_frame_id
from vace_studio.media.probe import VideoInfo, probe_local, probe_video
from vace_studio.requests.refs import is_local

if TYPE_CHECKING:
    from vace_studio.requests import VaceRequest

PathLike = str | os.PathLike[str]
MAX_WIDTH = 480
SCALES = ("top_scale", "bottom_scale", "left_scale", "right_scale")

_DIM = 0.45
_MASK_RGB = np.array([255, 64, 64], dtype=np.float32)
_GROWTH_RGB = np.array([255, 190, 0], dtype=np.float32)
_OUTLINE = (80, 200, 255)


@dataclass(frozen=True)
class Preview:
    """A PNG (``width×height``) and the facts it illustrates (plain JSON values)."""

    png: bytes
    width: int
    height: int
    facts: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Everything but the bytes."""
        return {"width": self.width, "height": self.height, "bytes": len(self.png), **self.facts}


def _encode(image: Image.Image, max_width: int, facts: dict[str, Any]) -> Preview:
    if image.width > max_width:
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return Preview(buffer.getvalue(), image.width, image.height, facts)


def _video_facts(info: VideoInfo) -> dict[str, Any]:
    return {
        "video_size": [info.width, info.height],
        "fps": round(info.fps, 3),
        "duration": round(info.duration, 3),
        "frames": info.frames,
        "output_size": list(fit_720p(info.width, info.height)),
    }


def _edge(mask: Mask) -> Mask:
    """The pixels of ``mask`` with a 4-neighbour outside it."""
    inner = mask.copy()
    inner[1:, :] &= mask[:-1, :]
    inner[:-1, :] &= mask[1:, :]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    return mask & ~inner


def mask_preview(
    video: PathLike,
    mask: PathLike,
    *,
    mask_frame_id: int = 1,
    mask_type: str = "tracking",
    expand_ratio: float = 0.05,
    expand_mode: ExpandMode = "hull",
    max_width: int = MAX_WIDTH,
) -> Preview:
    """The mask drawn over frame ``mask_frame_id`` (1-based) of ``video``, with its growth.

    With ``mask_type="tracking"`` the mask is expanded by ``expand_ratio`` with ``expand_mode``
    (:func:`vace_studio.imaging.masks.expand`, as the simulator does); ``"fixed"`` shows it as
    drawn. A mask of another size is stretched to the frame for the picture, and the facts say
    ``mask_matches_video: false``. Facts: sizes, the frame shown, the areas (fractions of the
    frame) of the mask and of the grown region, and the grown region's box ``[x0, y0, x1, y1]``.
    """
    if expand_mode not in EXPAND_MODES:
        modes = ", ".join(EXPAND_MODES)
        raise ValueError(f"expand_mode: must be one of {modes} (got {expand_mode!r})")
    info = probe_video(video)
    highest = max_mask_frame_id(info)
    index = min(max(mask_frame_id, 1), max(info.frames, 1)) - 1
    frame = read_frames(video, [index])[index]
    h, w = frame.shape[:2]
    drawn = binarize(read_rgb(mask))
    mask_size = [int(drawn.shape[1]), int(drawn.shape[0])]
    if drawn.shape != (h, w):
        stretched = Image.fromarray(drawn.astype(np.uint8) * 255).resize(
            (w, h), Image.Resampling.NEAREST
        )
        drawn = np.asarray(stretched) >= 128
    tracking = mask_type != "fixed"
    grown = expand(drawn, expand_ratio, expand_mode) if tracking else drawn
    out = frame.astype(np.float32)
    out[~grown] *= _DIM
    growth = grown & ~drawn
    out[drawn] = out[drawn] * 0.5 + _MASK_RGB * 0.5
    out[growth] = out[growth] * 0.55 + _GROWTH_RGB * 0.45
    out[_edge(grown)] = _GROWTH_RGB if tracking else _MASK_RGB
    picture = Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8))
    box = bbox(grown)
    facts = {
        "preview": "mask",
        **_video_facts(info),
        "frame_id": mask_frame_id,
        "frame_shown": index + 1,
        "frame_id_valid": 1 <= mask_frame_id <= highest,
        "max_frame_id": highest,
        "mask_size": mask_size,
        "mask_matches_video": mask_size == [w, h],
        "mask_type": "tracking" if tracking else "fixed",
        "expand_mode": expand_mode if tracking else None,
        "expand_ratio": expand_ratio if tracking else None,
        "mask_area": round(float(drawn.mean()), 5),
        "expanded_area": round(float(grown.mean()), 5),
        "expanded_box": list(box) if box else None,
    }
    return _encode(picture, max_width, facts)


def outpaint_preview(
    video: PathLike,
    *,
    top_scale: float = 1.0,
    bottom_scale: float = 1.0,
    left_scale: float = 1.0,
    right_scale: float = 1.0,
    frame_id: int = 1,
    max_width: int = MAX_WIDTH,
) -> Preview:
    """The outpainted canvas for frame ``frame_id``: the source where the scales put it, the
    border filled as the simulator fills it, the source outlined.

    Facts (:func:`vace_studio.imaging.canvas.outpaint_geometry`): ``canvas_size`` (before the
    720p fit), ``output_size``, ``scale`` and ``source_box`` ``[x, y, w, h]`` in the output.
    """
    info = probe_video(video)
    g = outpaint_geometry(info.width, info.height, top_scale, bottom_scale, left_scale, right_scale)
    index = min(max(frame_id, 1), max(info.frames, 1)) - 1
    frame = read_frames(video, [index])[index]
    src = np.asarray(
        Image.fromarray(frame).resize((g.out_src_w, g.out_src_h), Image.Resampling.BILINEAR)
    )
    canvas: U8 = fill_border(src, g.out_w, g.out_h, g.out_src_x, g.out_src_y, dim_to=0)
    picture = Image.fromarray(canvas)
    stroke = max(1, round(2 * g.out_w / max_width)) if g.out_w > max_width else 1
    ImageDraw.Draw(picture).rectangle(
        (g.out_src_x, g.out_src_y, g.out_src_x + g.out_src_w - 1, g.out_src_y + g.out_src_h - 1),
        outline=_OUTLINE,
        width=stroke,
    )
    facts = {
        "preview": "outpainting",
        **_video_facts(info),
        "scales": {
            "top_scale": top_scale,
            "bottom_scale": bottom_scale,
            "left_scale": left_scale,
            "right_scale": right_scale,
        },
        "canvas_size": [g.canvas_w, g.canvas_h],
        "output_size": [g.out_w, g.out_h],
        "scale": round(g.scale, 6),
        "source_box": [g.out_src_x, g.out_src_y, g.out_src_w, g.out_src_h],
        "frame_shown": index + 1,
    }
    return _encode(picture, max_width, facts)


def control_preview(
    video: PathLike,
    control_condition: ControlKind,
    *,
    frames: int = 4,
    max_width: int = MAX_WIDTH,
) -> Preview:
    """``frames`` evenly spaced frames of ``video`` (top row) over their control condition
    (bottom row), extracted by :func:`vace_studio.imaging.control.control_rgb` at the size
    the simulator renders at (the 720p rule). Facts: the frames shown (1-based) and their times.
    """
    if control_condition not in CONTROL_KINDS:
        raise ValueError(
            f"control_condition: must be one of {', '.join(CONTROL_KINDS)} "
            f"(got {control_condition!r})"
        )
    if frames < 1:
        raise ValueError(f"frames: must be at least 1 (got {frames})")
    info = probe_video(video)
    used = max(1, min(info.frames, int(info.fps * 5 + 1e-6)) if info.fps else info.frames)
    indices = sorted({round(i * (used - 1) / max(1, frames - 1)) for i in range(frames)})
    decoded = read_frames(video, indices)
    render_w, render_h = fit_720p(info.width, info.height)
    gap = 4
    cell_w = max(16, (max_width - gap * (len(indices) - 1)) // len(indices))
    cell_h = max(9, round(cell_w * render_h / render_w))
    sheet = Image.new("RGB", (cell_w * len(indices) + gap * (len(indices) - 1), cell_h * 2 + gap))
    for column, index in enumerate(indices):
        full = Image.fromarray(decoded[index]).resize(
            (render_w, render_h), Image.Resampling.BILINEAR
        )
        condition = Image.fromarray(control_rgb(control_condition, np.asarray(full)))
        x = column * (cell_w + gap)
        sheet.paste(full.resize((cell_w, cell_h), Image.Resampling.LANCZOS), (x, 0))
        sheet.paste(condition.resize((cell_w, cell_h), Image.Resampling.LANCZOS), (x, cell_h + gap))
    facts = {
        "preview": "control",
        **_video_facts(info),
        "control_condition": control_condition,
        "frames_shown": [i + 1 for i in indices],
        "times": [round(i / info.fps, 3) if info.fps else None for i in indices],
    }
    return _encode(sheet, max_width, facts)


def thumbnail(path: PathLike, *, frame_id: int = 1, max_width: int = MAX_WIDTH) -> Preview:
    """An image, or frame ``frame_id`` of a video, scaled to ``max_width``; facts = its probe."""
    info = probe_local(path)
    if isinstance(info, VideoInfo):
        index = min(max(frame_id, 1), max(info.frames, 1)) - 1
        rgb = read_frames(path, [index])[index]
    else:
        with Image.open(path) as img:
            rgb = np.asarray(img.convert("RGB")).copy()
    facts = {"preview": "thumbnail", **info.to_json()}
    return _encode(Image.fromarray(rgb), max_width, facts)


def previews_for(request: VaceRequest, *, max_width: int = MAX_WIDTH) -> list[Preview]:
    """The previews that explain ``request``'s parameters, from its local files.

    video_edit with a mask image → :func:`mask_preview`; video_outpainting →
    :func:`outpaint_preview`; video_repainting, and video_extension with a motion video →
    :func:`control_preview`. Remote inputs are not downloaded: their previews are left out.
    """
    data = request.api_fields()
    video = data.get("video_url")
    if not isinstance(video, str) or not is_local(video):
        return []
    function = request.function
    mask = data.get("mask_image_url")
    condition = data.get("control_condition")
    if function == "video_edit" and isinstance(mask, str) and is_local(mask):
        return [
            mask_preview(
                video,
                mask,
                mask_frame_id=data.get("mask_frame_id", 1),
                mask_type=data.get("mask_type", "tracking"),
                expand_ratio=data.get("expand_ratio", 0.05),
                expand_mode=data.get("expand_mode", "hull"),
                max_width=max_width,
            )
        ]
    if function == "video_outpainting":
        scales = {k: data[k] for k in SCALES if k in data}
        return [outpaint_preview(video, **scales, max_width=max_width)]
    if function in ("video_repainting", "video_extension") and condition in CONTROL_KINDS:
        return [control_preview(video, condition, max_width=max_width)]
    return []
