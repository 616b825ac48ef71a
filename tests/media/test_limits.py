"""Every documented media limit, each with a passing and a failing local file made here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vace_studio.media import FIELD_KINDS, FIXES, check_request
from vace_studio.media import fixes as fix_module
from vace_studio.requests import MODELS, validate_request

MiB = 1024 * 1024
Case = Callable[[Any], dict[str, Any]]


def _ref(image: Any) -> dict[str, Any]:
    return {"function": "image_reference", "prompt": "p", "ref_images_url": [str(image)]}


def _edit(gen: Any, **fields: Any) -> dict[str, Any]:
    request = {"function": "video_edit", "prompt": "p", "video_url": str(gen.video("src.mp4"))}
    request["mask_image_url"] = str(gen.mask())
    return {**request, **{k: str(v) if hasattr(v, "suffix") else v for k, v in fields.items()}}


def _video(path: Any) -> dict[str, Any]:
    return {"function": "video_outpainting", "prompt": "p", "video_url": str(path)}


def _extension(first: Any, last: Any = None, motion: Any = None) -> dict[str, Any]:
    request = {"function": "video_extension", "prompt": "p", "first_clip_url": str(first)}
    if last is not None:
        request["last_clip_url"] = str(last)
    if motion is not None:
        request.update(video_url=str(motion), control_condition="depth")
    return request


# (limit, passing case, failing case, the rule the failing one breaks)
LIMITS: list[tuple[str, Case, Case, str]] = [
    (
        "image format",
        lambda g: _ref(g.image("a.webp", fmt="WEBP")),
        lambda g: _ref(g.image("a.gif", fmt="GIF")),
        "image_format",
    ),
    (
        "image sides at least 360 px",
        lambda g: _ref(g.image(size=(360, 360))),
        lambda g: _ref(g.image(size=(359, 400))),
        "image_side",
    ),
    (
        "image sides at most 2000 px",
        lambda g: _ref(g.image(size=(2000, 1200))),
        lambda g: _ref(g.image(size=(2001, 1200))),
        "image_side",
    ),
    (
        "image at most 10 MB",
        lambda g: _ref(g.image("ok.bmp", size=(1860, 1870))),  # 10 435 KB of BMP
        lambda g: _ref(g.image("big.bmp", size=(1880, 1870))),  # 10 547 KB
        "image_bytes",
    ),
    (
        "mask pure black and white",
        lambda g: _edit(g),
        lambda g: _edit(g, mask_image_url=g.mask("soft.png", soft=True)),
        "mask_pure",
    ),
    (
        "mask has something to edit",
        lambda g: _edit(g),
        lambda g: _edit(g, mask_image_url=g.mask("empty.png", empty=True)),
        "mask_empty",
    ),
    (
        "mask exactly the video's resolution",
        lambda g: _edit(g, mask_image_url=g.mask("same.png", size=(320, 240))),
        lambda g: _edit(g, mask_image_url=g.mask("big.png", size=(640, 480))),
        "mask_size",
    ),
    (
        "video is MP4",
        lambda g: _video(g.video("a.mp4")),
        lambda g: _video(g.video("a.mov", container="mov")),
        "video_format",
    ),
    (
        "video at least 16 fps",
        lambda g: _video(g.video(fps=16)),
        lambda g: _video(g.video(fps=15)),
        "video_fps",
    ),
    (
        "video at most 50 MB",
        lambda g: _video(g.pad(g.video(), "ok.mp4", 50 * MiB)),
        lambda g: _video(g.pad(g.video(), "big.mp4", 50 * MiB + 1)),
        "video_bytes",
    ),
    (
        "video at most 5 s (81 frames at 16 fps)",
        lambda g: _video(g.video(seconds=81 / 16, size=(64, 48))),
        lambda g: _video(g.video(seconds=6, size=(64, 48))),
        "video_seconds",
    ),
    (
        "clip at most 3 s",
        lambda g: _extension(g.video("c.mp4", seconds=3, size=(64, 48))),
        lambda g: _extension(g.video("c.mp4", seconds=3.5, size=(64, 48))),
        "video_seconds",
    ),
    (
        "clips together at most 3 s",
        lambda g: _extension(g.video("a.mp4", seconds=1.5), g.video("b.mp4", seconds=1.5)),
        lambda g: _extension(g.video("a.mp4", seconds=2), g.video("b.mp4", seconds=2)),
        "clips_seconds",
    ),
    (
        "clips share a frame rate",
        lambda g: _extension(g.video("a.mp4", fps=24), g.video("b.mp4", fps=24)),
        lambda g: _extension(g.video("a.mp4", fps=16), g.video("b.mp4", fps=24)),
        "clips_fps",
    ),
    (
        "motion video matches the clips",
        lambda g: _extension(g.video("a.mp4"), motion=g.video("m.mp4")),
        lambda g: _extension(g.video("a.mp4"), motion=g.video("m.mp4", size=(384, 288))),
        "motion_match",
    ),
    (
        "mask_frame_id within the video (fps × seconds + 1)",
        lambda g: _edit(g, mask_frame_id=17),
        lambda g: _edit(g, mask_frame_id=18),
        "mask_frame_id",
    ),
    (
        "mask video matches the video",
        lambda g: {**_edit(g), "mask_image_url": None, "mask_video_url": str(g.video("mv.mp4"))},
        lambda g: {
            **_edit(g),
            "mask_image_url": None,
            "mask_video_url": str(g.video("mv.mp4", seconds=2)),
        },
        "mask_video_match",
    ),
]


def _rules(request: dict[str, Any]) -> list[str]:
    clean = {k: v for k, v in request.items() if v is not None}
    return [p.rule for p in check_request(validate_request(clean))]


@pytest.mark.parametrize(
    ("passing", "failing", "rule"),
    [pytest.param(p, f, r, id=name) for name, p, f, r in LIMITS],
)
def test_each_limit_has_a_passing_and_a_failing_file(
    gen: Any, passing: Case, failing: Case, rule: str
) -> None:
    assert _rules(passing(gen)) == []
    assert _rules(failing(gen)) == [rule]


def test_messages_name_the_field_the_rule_the_value_and_the_fix(gen: Any) -> None:
    request = validate_request(_video(gen.video(fps=10, seconds=7, size=(64, 48))))
    messages = {p.rule: p.message for p in check_request(request)}
    assert messages["video_fps"] == (
        "video_url: must be at least 16 fps; vace_studio.media.to_h264_mp4(file) converts it to "
        "16 fps (got 10 fps)"
    )
    assert messages["video_seconds"].startswith("video_url: must be at most 5 s")
    assert "vace_studio.media.trim(file, 5)" in messages["video_seconds"]
    assert messages["video_seconds"].endswith("(got 7 s)")
    edit = validate_request(_edit(gen, mask_frame_id=40))
    (problem,) = check_request(edit)
    assert problem.message == (
        "mask_frame_id: must be between 1 and 17 for this 16 fps, 1 s video (got 40)"
    )


def test_lists_are_indexed_and_unreadable_files_explained(gen: Any, tmp_path: Any) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    request = validate_request(
        {
            "function": "image_reference",
            "prompt": "p",
            "ref_images_url": [str(gen.image()), str(text)],
            "obj_or_bg": ["obj", "bg"],
        }
    )
    (problem,) = check_request(request)
    assert problem.field == "ref_images_url[1]"
    assert problem.rule == "media_unreadable"
    assert "not an image Pillow can read" in problem.message


def test_remote_references_are_left_to_the_async_check(gen: Any) -> None:
    request = validate_request(_video("https://example.com/clip.mp4"))
    assert check_request(request) == []


def test_field_kinds_cover_every_media_field_and_fixes_exist() -> None:
    media_fields = {name for model in MODELS.values() for name in model.MEDIA_FIELDS}
    assert set(FIELD_KINDS) == media_fields
    assert all(callable(getattr(fix_module, name)) for name in FIXES.values())
