"""Each fix helper turns a file that breaks a limit into one that passes — only when called."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from vace_studio import media
from vace_studio.media import VideoInfo, check_request, probe_local
from vace_studio.media.probe import mask_stats
from vace_studio.requests import validate_request


def _problems(function: str, **fields: Any) -> list[str]:
    request: dict[str, Any] = {"function": function, "prompt": "p"}
    request.update(
        {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in fields.items()}
    )
    return [p.rule for p in check_request(validate_request(request))]


def test_to_h264_mp4_converts_a_slow_mov_to_a_16_fps_mp4(gen: Any) -> None:
    source = gen.video("slow.mov", fps=10, seconds=2, codec="mpeg4", container="mov")
    assert _problems("video_outpainting", video_url=source) == ["video_format", "video_fps"]
    fixed = media.to_h264_mp4(source)
    assert fixed == source.with_name("slow.h264.mp4")
    assert source.is_file()
    info = probe_local(fixed)
    assert isinstance(info, VideoInfo)
    assert (info.format, info.codec, info.fps) == ("MP4", "h264", 16)
    assert info.duration == pytest.approx(2.0, abs=0.07)  # duration kept: frames repeated
    assert _problems("video_outpainting", video_url=fixed) == []


def test_to_h264_mp4_can_match_a_clip_frame_rate(gen: Any) -> None:
    first = gen.video("a.mp4", fps=16, seconds=1)
    last = gen.video("b.mp4", fps=24, seconds=1)
    assert _problems("video_extension", first_clip_url=first, last_clip_url=last) == ["clips_fps"]
    matched = media.to_h264_mp4(last, gen.root / "b16.mp4", fps=16)
    assert _problems("video_extension", first_clip_url=first, last_clip_url=matched) == []


def test_trim_cuts_a_long_video_to_5_s_and_a_clip_to_3_s(gen: Any) -> None:
    long = gen.video("long.mp4", seconds=7, size=(64, 48))
    assert _problems("video_outpainting", video_url=long) == ["video_seconds"]
    five = media.trim(long)
    assert five.name == "long.5s.mp4"
    assert probe_local(five).frames == 80  # type: ignore[union-attr]
    assert _problems("video_outpainting", video_url=five) == []
    three = media.trim(long, 3)
    assert _problems("video_extension", first_clip_url=three) == []


@pytest.mark.parametrize("size", [(300, 200), (2400, 1000), (1000, 3000)])
def test_resize_image_into_range(gen: Any, size: tuple[int, int]) -> None:
    source = gen.image("pic.jpg", size=size)
    assert _problems("image_reference", ref_images_url=[source]) == ["image_side"]
    fixed = media.resize_image_into_range(source)
    assert fixed.suffix == ".jpg"
    with Image.open(fixed) as img:
        w, h = img.size
    assert abs(w / h - size[0] / size[1]) < 0.01
    assert _problems("image_reference", ref_images_url=[fixed]) == []


def test_resize_converts_formats_and_shrinks_bytes(gen: Any) -> None:
    gif = gen.image("pic.gif", size=(400, 400), fmt="GIF")
    assert _problems("image_reference", ref_images_url=[gif]) == ["image_format"]
    assert _problems("image_reference", ref_images_url=[media.resize_image_into_range(gif)]) == []
    noisy = gen.image("noise.png", size=(1990, 1990), noise=True)  # ≈ 11.9 MB of PNG
    assert _problems("image_reference", ref_images_url=[noisy]) == ["image_bytes"]
    smaller = media.resize_image_into_range(noisy)
    assert smaller.suffix == ".jpg"
    assert _problems("image_reference", ref_images_url=[smaller]) == []


def test_resize_refuses_what_cannot_fit_and_leaves_good_files_alone(gen: Any) -> None:
    with pytest.raises(ValueError, match="crop it first"):
        media.resize_image_into_range(gen.image("strip.png", size=(2000, 300)))
    good = gen.image("good.png")
    assert media.resize_image_into_range(good) == good
    with pytest.raises(ValueError, match="never overwrites"):
        media.resize_image_into_range(gen.image("tiny.png", size=(100, 100)), gen.root / "tiny.png")


def test_binarize_mask_makes_a_soft_or_jpeg_mask_pure(gen: Any) -> None:
    video = gen.video()
    soft = gen.mask("soft.png", soft=True)
    jpeg = gen.root / "mask.jpg"
    with Image.open(gen.mask()) as img:
        img.save(jpeg, quality=70)
    for mask in (soft, jpeg):
        assert _problems("video_edit", video_url=video, mask_image_url=mask) == ["mask_pure"]
        clean = media.binarize_mask(mask)
        assert clean.suffix == ".png"
        assert mask_stats(clean).impure == 0
        assert _problems("video_edit", video_url=video, mask_image_url=clean) == []


def test_scale_mask_to_video(gen: Any) -> None:
    video = gen.video(size=(320, 240))
    big = gen.mask("big.png", size=(640, 480))
    assert _problems("video_edit", video_url=video, mask_image_url=big) == ["mask_size"]
    scaled = media.scale_mask_to_video(big, video)
    assert scaled.name == "big.320x240.png"
    assert _problems("video_edit", video_url=video, mask_image_url=scaled) == []
    # The white area keeps its place: the centre quarter.
    with Image.open(scaled) as img:
        white = np.argwhere(np.asarray(img) == 255)
    assert white.min(axis=0).tolist() == pytest.approx([90, 120], abs=2)


def test_fixes_explain_bad_inputs(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_text("nope")
    with pytest.raises(ValueError, match=r"junk\.mp4: not a video"):
        media.to_h264_mp4(junk)
    with pytest.raises(ValueError, match="seconds: must be positive"):
        media.trim(junk, 0)
