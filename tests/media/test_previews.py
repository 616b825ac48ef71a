"""Kernel-side previews: small PNGs that show what the parameters do, plus JSON facts."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest
from PIL import Image

from vace_studio.imaging.canvas import outpaint_geometry
from vace_studio.media import (
    control_preview,
    mask_preview,
    outpaint_preview,
    previews_for,
    thumbnail,
)
from vace_studio.requests import validate_request


def _pixels(png: bytes) -> np.ndarray[Any, Any]:
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG"
        return np.asarray(img.convert("RGB"))


def test_mask_preview_shows_the_growth_of_each_expand_mode(media: Any) -> None:
    areas = {}
    for mode in ("original", "hull", "bbox"):
        preview = mask_preview(
            media.video, media.mask, mask_frame_id=5, expand_ratio=0.3, expand_mode=mode
        )
        facts = preview.facts
        assert preview.width <= 480
        assert len(preview.png) < 200_000
        assert facts["frame_shown"] == 5
        assert facts["frame_id_valid"] is True
        assert facts["mask_matches_video"] is True
        assert facts["video_size"] == [320, 240]
        areas[mode] = facts["expanded_area"]
        json.dumps(preview.to_json())  # plain JSON, no bytes
    assert areas["original"] == pytest.approx(0.0625, abs=0.002)  # the centre quarter's quarter
    assert areas["original"] < areas["hull"] < areas["bbox"]


def test_mask_preview_colours_kept_mask_and_growth_apart(media: Any) -> None:
    preview = mask_preview(media.video, media.mask, expand_ratio=0.5, expand_mode="bbox")
    rgb = _pixels(preview.png).astype(int)
    kept = rgb[5, 5]  # a corner: outside, dimmed
    core = rgb[120, 160]  # the centre: the mask as drawn, tinted red
    growth = rgb[70, 100]  # inside the grown box, outside the mask: amber
    assert core[0] > core[1] + 40
    assert core[0] > core[2] + 40
    assert growth[1] > growth[2] + 20
    assert growth[0] > growth[2] + 40
    assert kept.sum() < min(core.sum(), growth.sum())
    fixed = mask_preview(media.video, media.mask, mask_type="fixed", expand_ratio=0.5)
    assert fixed.facts["expanded_area"] == fixed.facts["mask_area"]


def test_mask_preview_reports_bad_frame_ids_and_sizes(media: Any, gen: Any) -> None:
    big = gen.mask("big.png", size=(640, 480))
    preview = mask_preview(media.video, big, mask_frame_id=40)
    assert preview.facts["frame_id_valid"] is False
    assert preview.facts["max_frame_id"] == 17
    assert preview.facts["mask_matches_video"] is False
    assert preview.facts["mask_size"] == [640, 480]
    with pytest.raises(ValueError, match="expand_mode"):
        mask_preview(media.video, media.mask, expand_mode="blob")  # type: ignore[arg-type]


def test_outpaint_preview_places_the_source_by_the_four_scales(gen: Any) -> None:
    video = gen.video("hd.mp4", size=(1280, 720), seconds=0.25)
    preview = outpaint_preview(video, left_scale=1.5, right_scale=1.2, top_scale=1.1)
    g = outpaint_geometry(1280, 720, 1.1, 1.0, 1.5, 1.2)
    facts = preview.facts
    assert facts["canvas_size"] == [g.canvas_w, g.canvas_h] == [2176, 792]
    assert facts["output_size"] == [g.out_w, g.out_h]
    assert max(g.out_w, g.out_h) <= 1280
    assert min(g.out_w, g.out_h) <= 720
    assert facts["source_box"] == [g.out_src_x, g.out_src_y, g.out_src_w, g.out_src_h]
    assert preview.width == 480
    assert preview.height == round(480 * g.out_h / g.out_w)


def test_control_preview_uses_the_simulators_conditions(media: Any) -> None:
    for kind in ("scribble", "depth", "posebody", "posebodyface"):
        preview = control_preview(media.video, kind, frames=4)
        assert preview.facts["frames_shown"] == [1, 6, 11, 16]
        assert preview.width <= 480
        rgb = _pixels(preview.png)
        half = rgb.shape[0] // 2
        assert rgb[half + 2 :].any()  # the condition row is drawn
    with pytest.raises(ValueError, match="control_condition"):
        control_preview(media.video, "edges")  # type: ignore[arg-type]


def test_thumbnails_carry_the_probe(media: Any) -> None:
    video = thumbnail(media.video, frame_id=3)
    assert video.facts["kind"] == "video"
    assert video.facts["fps"] == 16
    image = thumbnail(media.image, max_width=120)
    assert image.width == 120
    assert image.facts["format"] == "PNG"


def test_previews_for_a_request_pick_the_explaining_preview(media: Any) -> None:
    def kinds(request: dict[str, Any]) -> list[str]:
        model = validate_request({"prompt": "p", **request})
        return [p.facts["preview"] for p in previews_for(model)]

    video = str(media.video)
    edit = {"function": "video_edit", "video_url": video, "mask_image_url": str(media.mask)}
    assert kinds({**edit, "expand_mode": "bbox"}) == ["mask"]
    assert kinds({"function": "video_outpainting", "video_url": video, "top_scale": 1.5}) == [
        "outpainting"
    ]
    repaint = {"function": "video_repainting", "video_url": video, "control_condition": "depth"}
    assert kinds(repaint) == ["control"]
    assert kinds({**repaint, "video_url": "https://example.com/v.mp4"}) == []
