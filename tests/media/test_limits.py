"""Every documented media limit, each with a passing and a failing local file made here.

Hard limits (the service refuses) are errors; what the service accepts and trims or ignores
(reference ``providers.md`` section 0) is a warning naming the field, the rule, the value and the
fix helper.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vace_studio.media import FIELD_KINDS, FIXES, check_request
from vace_studio.media import fixes as fix_module
from vace_studio.requests import MODELS, Problem, validate_request

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


# (limit, passing case, failing case, the rule the failing one breaks): errors.
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
        "clips together at most 3 s",
        lambda g: _extension(g.video("a.mp4", seconds=1.5), g.video("b.mp4", seconds=1.5)),
        lambda g: _extension(g.video("a.mp4", seconds=2), g.video("b.mp4", seconds=2)),
        "clips_seconds",
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
        "clips together at most 3 s, counting the seconds used",
        lambda g: _extension(g.video("a.mp4", seconds=2.5), g.video("b.mp4", seconds=0.5)),
        lambda g: _extension(g.video("a.mp4", seconds=2.5), g.video("b.mp4", seconds=1)),
        "clips_seconds",
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


# (what, accepted case without warning, case with one warning, its rule): the service accepts
# these and trims or ignores (section 0), so they warn and name the fix helper.
SOFT: list[tuple[str, Case, Case, str]] = [
    (
        "mask pure black and white",
        lambda g: _edit(g),
        lambda g: _edit(g, mask_image_url=g.mask("soft.png", soft=True)),
        "mask_pure",
    ),
    (
        "JPG mask (compression greys its edges)",
        lambda g: _edit(g),
        lambda g: _edit(g, mask_image_url=g.mask("mask.jpg")),
        "mask_pure",
    ),
    (
        "mask has something to edit",
        lambda g: _edit(g),
        lambda g: _edit(g, mask_image_url=g.mask("empty.png", empty=True)),
        "mask_empty",
    ),
    (
        "source video: first 5 s used (81 frames at 16 fps)",
        lambda g: _video(g.video(seconds=81 / 16, size=(64, 48))),
        lambda g: _video(g.video(seconds=6, size=(64, 48))),
        "video_seconds",
    ),
    (
        "mask video: first 5 s used",
        lambda g: {
            **_edit(g, video_url=g.video("s.mp4", seconds=5, size=(64, 48))),
            "mask_image_url": None,
            "mask_video_url": str(g.video("mv.mp4", seconds=5, size=(64, 48))),
        },
        lambda g: {
            **_edit(g, video_url=g.video("s.mp4", seconds=5, size=(64, 48))),
            "mask_image_url": None,
            "mask_video_url": str(g.video("mv.mp4", seconds=6, size=(64, 48))),
        },
        "video_seconds",
    ),
    (
        "motion video: first 5 s used",
        lambda g: _extension(
            g.video("a.mp4", size=(64, 48)), motion=g.video("m.mp4", seconds=5, size=(64, 48))
        ),
        lambda g: _extension(
            g.video("a.mp4", size=(64, 48)), motion=g.video("m.mp4", seconds=6, size=(64, 48))
        ),
        "video_seconds",
    ),
    (
        "clip: first 3 s used",
        lambda g: _extension(g.video("c.mp4", seconds=3, size=(64, 48))),
        lambda g: _extension(g.video("c.mp4", seconds=3.5, size=(64, 48))),
        "video_seconds",
    ),
    (
        "clips share a frame rate (recommended)",
        lambda g: _extension(g.video("a.mp4", fps=24), g.video("b.mp4", fps=24)),
        lambda g: _extension(g.video("a.mp4", fps=16), g.video("b.mp4", fps=24)),
        "clips_fps",
    ),
]


def _problems(request: dict[str, Any]) -> list[Problem]:
    clean = {k: v for k, v in request.items() if v is not None}
    return check_request(validate_request(clean))


def _rules(request: dict[str, Any]) -> list[str]:
    return [p.rule for p in _problems(request)]


@pytest.mark.parametrize(
    ("passing", "failing", "rule"),
    [pytest.param(p, f, r, id=name) for name, p, f, r in LIMITS],
)
def test_each_limit_has_a_passing_and_a_failing_file(
    gen: Any, passing: Case, failing: Case, rule: str
) -> None:
    assert _rules(passing(gen)) == []
    (problem,) = _problems(failing(gen))
    assert (problem.rule, problem.severity) == (rule, "error")
    assert problem.fix == FIXES.get(rule)


@pytest.mark.parametrize(
    ("plain", "warned", "rule"),
    [pytest.param(p, w, r, id=name) for name, p, w, r in SOFT],
)
def test_what_the_service_trims_is_a_warning_with_its_fix(
    gen: Any, plain: Case, warned: Case, rule: str
) -> None:
    assert _rules(plain(gen)) == []
    request = warned(gen)
    (problem,) = _problems(request)
    assert (problem.rule, problem.severity) == (rule, "warning")
    assert problem.fix == FIXES.get(rule)
    assert problem.message.startswith(f"{problem.field}: ")
    if problem.fix is not None:
        assert f"vace_studio.media.{problem.fix}(" in problem.message
    assert problem.to_json()["fix"] == problem.fix
    assert problem.to_json()["severity"] == "warning"


def test_a_clip_over_3_s_counts_3_s_towards_both_clips(gen: Any) -> None:
    # 3.5 s (3 s used) + 0.5 s = 3.5 s used: the combined rule stays an error.
    request = _extension(gen.video("a.mp4", seconds=3.5), gen.video("b.mp4", seconds=0.5))
    found = {(p.field, p.rule, p.severity) for p in _problems(request)}
    assert found == {
        ("first_clip_url", "video_seconds", "warning"),
        ("last_clip_url", "clips_seconds", "error"),
    }
    (error,) = [p for p in _problems(request) if p.is_error]
    assert error.message.endswith("(got 3 s + 0.50 s = 3.50 s)")


def test_messages_name_the_field_the_rule_the_value_and_the_fix(gen: Any) -> None:
    request = validate_request(_video(gen.video(fps=10, seconds=7, size=(64, 48))))
    found = {p.rule: p for p in check_request(request)}
    assert found["video_fps"].message == (
        "video_url: must be at least 16 fps; vace_studio.media.to_h264_mp4(file) converts it to "
        "16 fps (got 10 fps)"
    )
    assert (found["video_fps"].severity, found["video_fps"].fix) == ("error", "to_h264_mp4")
    assert found["video_seconds"].message == (
        "video_url: only the first 5 s are used, the rest is ignored; "
        "vace_studio.media.trim(file, 5) makes a 5 s copy (got 7 s)"
    )
    assert (found["video_seconds"].severity, found["video_seconds"].fix) == ("warning", "trim")
    # Errors come first, then warnings.
    assert [p.severity for p in check_request(request)] == ["error", "warning"]
    edit = validate_request(_edit(gen, mask_frame_id=40))
    (problem,) = check_request(edit)
    assert problem.message == (
        "mask_frame_id: must be between 1 and 17 for this 16 fps, 1 s video (got 40)"
    )


def test_mask_frame_id_is_judged_on_the_first_5_s(gen: Any) -> None:
    video = gen.video("s.mp4", seconds=7, size=(320, 240))  # 16 fps: 81 frames are used
    used = _edit(gen, video_url=video, mask_frame_id=81)
    assert [(p.rule, p.severity) for p in _problems(used)] == [("video_seconds", "warning")]
    (error, _) = _problems(_edit(gen, video_url=video, mask_frame_id=82))
    assert (error.rule, error.severity) == ("mask_frame_id", "error")
    assert error.message == (
        "mask_frame_id: must be between 1 and 81 for this 16 fps, 5 s video (got 82)"
    )


def test_a_jpg_mask_warns_about_compression(gen: Any) -> None:
    (problem,) = _problems(_edit(gen, mask_image_url=gen.mask("mask.jpg")))
    assert problem.message.startswith(
        "mask_image_url: should be pure black (keep) and pure white (edit); what the service "
        "does with grey pixels is not documented (JPG compression always adds some); "
        "vace_studio.media.binarize_mask(file) makes a clean copy (got "
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
