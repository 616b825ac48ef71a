"""Every documented rule of the five request models, each with a passing and a failing case.

Rules come from ``reference/providers.md`` sections 1.3 (fields per function) and 1.6 (limits),
as corrected by section 0 (what the service trims or ignores is accepted, with a warning).
A failing case checks that exactly one problem is reported, that it names the broken field, and
that its message shows the offending value. A warned case checks that the request is valid and
that exactly one warning names the field and shows the value.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest

from vace_studio.requests import (
    FUNCTIONS,
    MODELS,
    ImageReference,
    InvalidRequest,
    VaceRequest,
    VideoEdit,
    VideoExtension,
    VideoOutpainting,
    VideoRepainting,
    is_local,
    is_remote,
    validate_request,
)
from vace_studio.requests.fields import SEED_MAX, SIZES

IMG = "https://example.com/cat.png"
IMG2 = "https://example.com/dog.png"
IMG3 = "oss://dashscope-instant/abc/bg.jpg"
VID = "https://example.com/clip.mp4"
MASK = "https://example.com/mask.png"
MASK_VID = "https://example.com/mask.mp4"

VALID: dict[str, dict[str, Any]] = {
    "image_reference": {
        "function": "image_reference",
        "prompt": "a cat surfing",
        "ref_images_url": [IMG],
    },
    "video_repainting": {
        "function": "video_repainting",
        "prompt": "in the style of a watercolour",
        "video_url": VID,
        "control_condition": "depth",
    },
    "video_edit": {
        "function": "video_edit",
        "prompt": "replace the car with a horse",
        "video_url": VID,
        "mask_image_url": MASK,
    },
    "video_extension": {
        "function": "video_extension",
        "prompt": "the dog runs on",
        "first_frame_url": IMG,
    },
    "video_outpainting": {
        "function": "video_outpainting",
        "prompt": "a wider beach",
        "video_url": VID,
    },
}

DROP = object()
"""A change that removes the field."""


def build(function: str, changes: dict[str, Any]) -> dict[str, Any]:
    data = dict(VALID[function])
    for key, value in changes.items():
        if value is DROP:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def ok(function: str, name: str, /, **changes: Any) -> Any:
    """A case that must pass: ``VALID[function]`` with ``changes``."""
    return pytest.param(function, changes, id=f"{function}-{name}")


def bad(function: str, name: str, field: str, got: str, /, **changes: Any) -> Any:
    """A case that must fail with one problem on ``field`` whose message contains ``got``."""
    return pytest.param(function, changes, field, got, id=f"{function}-{name}")


def warn(function: str, name: str, field: str, got: str, /, **changes: Any) -> Any:
    """A case the service accepts but trims or ignores: valid, one warning on ``field``."""
    return pytest.param(function, changes, field, got, id=f"{function}-{name}")


def top(field: str) -> str:
    return field.split("[", 1)[0]


# --- prompt: at least 1 character, every function; over 800 are cut off (a warning) ------------
WARNED = [
    *(warn(f, "prompt-801", "prompt", "801 characters", prompt="x" * 801) for f in FUNCTIONS),
    warn("image_reference", "prompt-5000", "prompt", "5000 characters", prompt="猫" * 5000),
]
PASSING = [
    *(ok(f, "prompt-1-char", prompt="a") for f in FUNCTIONS),
    *(ok(f, "prompt-800-chars", prompt="x" * 800) for f in FUNCTIONS),
    ok("image_reference", "prompt-800-chinese-chars", prompt="猫" * 800),
    ok("video_edit", "prompt-with-spaces-around", prompt="  a horse  "),
]
FAILING = [
    *(bad(f, "prompt-empty", "prompt", "(got '')", prompt="") for f in FUNCTIONS),
    bad("image_reference", "prompt-blank", "prompt", "'   '", prompt="   "),
    bad("video_edit", "prompt-missing", "prompt", "nothing", prompt=DROP),
    bad("video_outpainting", "prompt-not-text", "prompt", "42", prompt=42),
]

# --- ref_images_url: 1–3 for image_reference, at most 1 for repainting and edit ---------------
PASSING += [
    ok("image_reference", "refs-1", ref_images_url=[IMG]),
    ok("image_reference", "refs-2", ref_images_url=[IMG, IMG2], obj_or_bg=["obj", "obj"]),
    ok("image_reference", "refs-3", ref_images_url=[IMG, IMG2, IMG3], obj_or_bg=["obj"] * 3),
    ok("video_repainting", "refs-1", ref_images_url=[IMG]),
    ok("video_repainting", "refs-none", ref_images_url=None),
    ok("video_repainting", "refs-empty-list", ref_images_url=[]),
    ok("video_edit", "refs-1", ref_images_url=[IMG]),
    ok("video_edit", "refs-empty-list", ref_images_url=[]),
]
FAILING += [
    bad("image_reference", "refs-0", "ref_images_url", "0 items", ref_images_url=[]),
    bad("image_reference", "refs-missing", "ref_images_url", "nothing", ref_images_url=DROP),
    bad("image_reference", "refs-not-a-list", "ref_images_url", repr(IMG), ref_images_url=IMG),
    bad("video_repainting", "refs-2", "ref_images_url", "2 items", ref_images_url=[IMG, IMG2]),
    bad("video_edit", "refs-2", "ref_images_url", "2 items", ref_images_url=[IMG, IMG2]),
    *(
        bad(f, "refs-not-taken", "ref_images_url", repr(IMG), ref_images_url=[IMG])
        for f in ("video_extension", "video_outpainting")
    ),
]

# image_reference keeps the first 3 reference images (section 0): more are a warning.
WARNED += [
    warn(
        "image_reference",
        "refs-4",
        "ref_images_url",
        "4 items",
        ref_images_url=[IMG] * 4,
        obj_or_bg=["obj"] * 3,
    ),
    warn(
        "image_reference",
        "refs-5-one-bg-in-the-first-3",
        "ref_images_url",
        "5 items",
        ref_images_url=[IMG] * 5,
        obj_or_bg=["obj", "bg", "obj"],
    ),
]

# --- obj_or_bg: same length as refs, at most one bg, required for more than one ref -----------
PASSING += [
    ok("image_reference", "roles-omitted-for-1-ref", obj_or_bg=DROP),
    ok("image_reference", "roles-1-obj", obj_or_bg=["obj"]),
    ok("image_reference", "roles-1-bg", obj_or_bg=["bg"]),
    ok(
        "image_reference",
        "roles-one-bg-of-3",
        ref_images_url=[IMG, IMG2, IMG3],
        obj_or_bg=["obj", "obj", "bg"],
    ),
]
FAILING += [
    bad(
        "image_reference",
        "roles-shorter-than-refs",
        "obj_or_bg",
        "(got ['obj'])",
        ref_images_url=[IMG, IMG2],
        obj_or_bg=["obj"],
    ),
    bad(
        "image_reference",
        "roles-longer-than-refs",
        "obj_or_bg",
        "(got ['obj', 'bg'])",
        obj_or_bg=["obj", "bg"],
    ),
    bad(
        "image_reference",
        "roles-two-bg",
        "obj_or_bg",
        "(got ['bg', 'bg'])",
        ref_images_url=[IMG, IMG2],
        obj_or_bg=["bg", "bg"],
    ),
    bad(
        "image_reference",
        "roles-missing-for-2-refs",
        "obj_or_bg",
        "(got nothing)",
        ref_images_url=[IMG, IMG2],
    ),
    bad("image_reference", "roles-bad-value", "obj_or_bg[0]", "'object'", obj_or_bg=["object"]),
    bad("image_reference", "roles-4-for-1-ref", "obj_or_bg", "4 items", obj_or_bg=["obj"] * 4),
    bad(
        "image_reference",
        "roles-two-bg-in-the-first-3",
        "obj_or_bg",
        "['bg', 'obj', 'bg']",
        ref_images_url=[IMG] * 4,
        obj_or_bg=["bg", "obj", "bg"],
    ),
    *(
        bad(f, "roles-not-taken", "obj_or_bg", "['obj']", obj_or_bg=["obj"])
        for f in FUNCTIONS
        if f != "image_reference"
    ),
]
WARNED += [
    # The 4th entry belongs to an image the service drops: it is ignored with it.
    warn(
        "image_reference",
        "roles-4-for-4-refs",
        "ref_images_url",
        "4 items",
        ref_images_url=[IMG] * 4,
        obj_or_bg=["obj", "bg", "obj", "bg"],
    ),
]

# --- video_url: required for repainting, edit, outpainting; optional for extension ------------
PASSING += [
    ok("video_extension", "motion-video", video_url=VID, control_condition="depth"),
    ok("video_extension", "no-motion-video", video_url=DROP),
]
FAILING += [
    *(
        bad(f, "video-missing", "video_url", "nothing", video_url=DROP)
        for f in ("video_repainting", "video_edit", "video_outpainting")
    ),
    bad("image_reference", "video-not-taken", "video_url", repr(VID), video_url=VID),
]

# --- control_condition: per-function values; required for repainting and motion extension -----
PASSING += [
    *(
        ok("video_repainting", f"control-{c}", control_condition=c)
        for c in ("posebodyface", "posebody", "depth", "scribble")
    ),
    *(ok("video_edit", f"control-{c}", control_condition=c) for c in ("posebodyface", "depth")),
    ok("video_edit", "control-blank-means-none", control_condition=""),
    ok("video_edit", "control-omitted", control_condition=DROP),
    *(
        ok("video_extension", f"control-{c}", video_url=VID, control_condition=c)
        for c in ("posebodyface", "depth")
    ),
]
FAILING += [
    bad(
        "video_repainting",
        "control-missing",
        "control_condition",
        "nothing",
        control_condition=DROP,
    ),
    bad(
        "video_repainting",
        "control-canny",
        "control_condition",
        "'canny'",
        control_condition="canny",
    ),
    bad(
        "video_repainting",
        "control-case",
        "control_condition",
        "'Depth'",
        control_condition="Depth",
    ),
    *(
        bad("video_edit", f"control-{c}", "control_condition", repr(c), control_condition=c)
        for c in ("posebody", "scribble")
    ),
    *(
        bad(
            "video_extension",
            f"control-{c}",
            "control_condition",
            repr(c),
            video_url=VID,
            control_condition=c,
        )
        for c in ("posebody", "scribble")
    ),
    bad(
        "video_extension",
        "motion-video-without-control",
        "control_condition",
        "nothing",
        video_url=VID,
    ),
    bad(
        "video_extension",
        "control-without-motion-video",
        "control_condition",
        "'depth'",
        control_condition="depth",
    ),
    *(
        bad(f, "control-not-taken", "control_condition", "'depth'", control_condition="depth")
        for f in ("image_reference", "video_outpainting")
    ),
]

# --- strength: 0–1, repainting only -----------------------------------------------------------
PASSING += [ok("video_repainting", f"strength-{s}", strength=s) for s in (0, 0.0, 0.5, 1, 1.0)]
FAILING += [
    bad("video_repainting", "strength-negative", "strength", "-0.01", strength=-0.01),
    bad("video_repainting", "strength-over-1", "strength", "1.01", strength=1.01),
    bad("video_repainting", "strength-nan", "strength", "nan", strength=math.nan),
    bad("video_repainting", "strength-inf", "strength", "inf", strength=math.inf),
    bad("video_repainting", "strength-bool", "strength", "true", strength=True),
    bad("video_repainting", "strength-text", "strength", "'strong'", strength="strong"),
    *(
        bad(f, "strength-not-taken", "strength", "0.5", strength=0.5)
        for f in FUNCTIONS
        if f != "video_repainting"
    ),
]

# --- mask: exactly one of mask_image_url / mask_video_url (edit only) ------------------------
PASSING += [
    ok("video_edit", "mask-image", mask_image_url=MASK),
    ok("video_edit", "mask-video", mask_image_url=DROP, mask_video_url=MASK_VID),
]
FAILING += [
    bad("video_edit", "mask-neither", "mask_image_url", "nothing", mask_image_url=DROP),
    bad("video_edit", "mask-both", "mask_video_url", repr(MASK_VID), mask_video_url=MASK_VID),
    bad("video_repainting", "mask-not-taken", "mask_image_url", repr(MASK), mask_image_url=MASK),
]

# --- mask_frame_id: >= 1, only with a mask image ----------------------------------------------
PASSING += [ok("video_edit", f"frame-{n}", mask_frame_id=n) for n in (1, 81, 1000)]
FAILING += [
    bad("video_edit", "frame-0", "mask_frame_id", "(got 0)", mask_frame_id=0),
    bad("video_edit", "frame-negative", "mask_frame_id", "-3", mask_frame_id=-3),
    bad("video_edit", "frame-fraction", "mask_frame_id", "1.5", mask_frame_id=1.5),
    bad("video_edit", "frame-bool", "mask_frame_id", "true", mask_frame_id=True),
    bad(
        "video_edit",
        "frame-with-mask-video",
        "mask_frame_id",
        "(got 5)",
        mask_image_url=DROP,
        mask_video_url=MASK_VID,
        mask_frame_id=5,
    ),
    bad("video_outpainting", "frame-not-taken", "mask_frame_id", "(got 1)", mask_frame_id=1),
]

# --- mask_type: tracking | fixed, only with a mask image --------------------------------------
PASSING += [ok("video_edit", f"mask-type-{t}", mask_type=t) for t in ("tracking", "fixed")]
FAILING += [
    bad("video_edit", "mask-type-bad", "mask_type", "'moving'", mask_type="moving"),
    bad(
        "video_edit",
        "mask-type-with-mask-video-and-image",
        "mask_video_url",
        repr(MASK_VID),
        mask_video_url=MASK_VID,
        mask_type="fixed",
    ),
]
# The service ignores mask knobs that do not apply (section 0): a warning, not a refusal.
WARNED += [
    warn(
        "video_edit",
        "mask-type-with-mask-video",
        "mask_type",
        "'fixed'",
        mask_image_url=DROP,
        mask_video_url=MASK_VID,
        mask_type="fixed",
    ),
]

# --- expand_ratio 0–1 and expand_mode: only with a mask image that is tracked -----------------
PASSING += [
    *(ok("video_edit", f"expand-ratio-{r}", expand_ratio=r) for r in (0, 0.05, 1.0)),
    ok("video_edit", "expand-ratio-tracking", mask_type="tracking", expand_ratio=0.2),
    *(ok("video_edit", f"expand-mode-{m}", expand_mode=m) for m in ("hull", "bbox", "original")),
    ok("video_edit", "expand-mode-tracking", mask_type="tracking", expand_mode="bbox"),
]
FAILING += [
    bad("video_edit", "expand-ratio-over-1", "expand_ratio", "1.5", expand_ratio=1.5),
    bad("video_edit", "expand-ratio-negative", "expand_ratio", "-0.1", expand_ratio=-0.1),
    bad("video_edit", "expand-mode-typo", "expand_mode", "'orginal'", expand_mode="orginal"),
]
WARNED += [
    warn(
        "video_edit",
        "expand-ratio-fixed",
        "expand_ratio",
        "0.1",
        mask_type="fixed",
        expand_ratio=0.1,
    ),
    warn(
        "video_edit",
        "expand-ratio-mask-video",
        "expand_ratio",
        "0.1",
        mask_image_url=DROP,
        mask_video_url=MASK_VID,
        expand_ratio=0.1,
    ),
    warn(
        "video_edit",
        "expand-mode-fixed",
        "expand_mode",
        "'hull'",
        mask_type="fixed",
        expand_mode="hull",
    ),
    warn(
        "video_edit",
        "expand-mode-mask-video",
        "expand_mode",
        "'bbox'",
        mask_image_url=DROP,
        mask_video_url=MASK_VID,
        expand_mode="bbox",
    ),
]

# --- video_extension: at least one first/last frame or clip -----------------------------------
_ENDS = ("first_frame_url", "last_frame_url", "first_clip_url", "last_clip_url")
PASSING += [
    *(
        ok(
            "video_extension",
            f"only-{end}",
            **{**dict.fromkeys(_ENDS, DROP), end: VID if "clip" in end else IMG},
        )
        for end in _ENDS
    ),
    ok(
        "video_extension",
        "all-ends",
        first_frame_url=IMG,
        last_frame_url=IMG2,
        first_clip_url=VID,
        last_clip_url=VID,
    ),
]
FAILING += [
    bad("video_extension", "no-ends", "first_frame_url", "nothing", first_frame_url=DROP),
    bad(
        "video_extension",
        "motion-video-only",
        "first_frame_url",
        "nothing",
        first_frame_url=DROP,
        video_url=VID,
        control_condition="depth",
    ),
]

# --- outpainting scales: 1.0–2.0 per side -----------------------------------------------------
_SIDES = ("top_scale", "bottom_scale", "left_scale", "right_scale")
PASSING += [
    *(
        ok("video_outpainting", f"{side}-{v}", **{side: v})
        for side in _SIDES
        for v in (1, 1.5, 2.0)
    ),
]
FAILING += [
    *(bad("video_outpainting", f"{side}-0.99", side, "0.99", **{side: 0.99}) for side in _SIDES),
    *(bad("video_outpainting", f"{side}-2.01", side, "2.01", **{side: 2.01}) for side in _SIDES),
    bad("video_outpainting", "scale-bool", "top_scale", "true", top_scale=True),
    bad("video_edit", "scale-not-taken", "left_scale", "1.5", left_scale=1.5),
]

# --- size: enum, image_reference and video_edit only ------------------------------------------
PASSING += [ok(f, f"size-{s}", size=s) for f in ("image_reference", "video_edit") for s in SIZES]
FAILING += [
    bad("image_reference", "size-x", "size", "'1280x720'", size="1280x720"),
    bad("video_edit", "size-unknown", "size", "'1920*1080'", size="1920*1080"),
    *(
        bad(f, "size-not-taken", "size", "'1280*720'", size="1280*720")
        for f in ("video_repainting", "video_extension", "video_outpainting")
    ),
]

# --- duration: fixed 5, not taken by repainting -----------------------------------------------
_DURATION = ("image_reference", "video_edit", "video_extension", "video_outpainting")
PASSING += [ok(f, "duration-5", duration=5) for f in _DURATION]
FAILING += [
    *(bad(f, "duration-10", "duration", "(got 10)", duration=10) for f in _DURATION),
    bad("image_reference", "duration-4", "duration", "(got 4)", duration=4),
    bad("video_repainting", "duration-not-taken", "duration", "(got 5)", duration=5),
]

# --- seed, prompt_extend, watermark: every function -------------------------------------------
PASSING += [
    *(ok(f, "seed-0", seed=0) for f in FUNCTIONS),
    *(ok(f, "seed-max", seed=SEED_MAX) for f in FUNCTIONS),
    *(
        ok(f, f"{knob}-{v}", **{knob: v})
        for f in FUNCTIONS
        for knob in ("prompt_extend", "watermark")
        for v in (True, False)
    ),
]
FAILING += [
    *(bad(f, "seed-negative", "seed", "(got -1)", seed=-1) for f in FUNCTIONS),
    *(bad(f, "seed-too-big", "seed", str(SEED_MAX + 1), seed=SEED_MAX + 1) for f in FUNCTIONS),
    bad("image_reference", "seed-fraction", "seed", "0.5", seed=0.5),
    bad("image_reference", "seed-bool", "seed", "true", seed=True),
    bad("video_edit", "prompt_extend-bad", "prompt_extend", "'maybe'", prompt_extend="maybe"),
    bad("video_edit", "watermark-bad", "watermark", "(got 2)", watermark=2),
]

# --- negative_prompt (at most 500 characters) and safety_filter: every function ----------------
PASSING += [
    *(ok(f, "negative-prompt", negative_prompt="blurry") for f in FUNCTIONS),
    *(ok(f, "negative-prompt-500", negative_prompt="x" * 500) for f in FUNCTIONS),
    *(ok(f, f"safety-filter-{v}", safety_filter=v) for f in FUNCTIONS for v in (True, False)),
]
FAILING += [
    *(
        bad(
            f, "negative-prompt-501", "negative_prompt", "501 characters", negative_prompt="x" * 501
        )
        for f in FUNCTIONS
    ),
    bad("video_edit", "negative-prompt-number", "negative_prompt", "(got 3)", negative_prompt=3),
    bad("video_edit", "safety-filter-bad", "safety_filter", "'maybe'", safety_filter="maybe"),
]

# --- function, and fields no function takes ---------------------------------------------------
FAILING += [
    bad("video_edit", "function-unknown", "function", "'video_magic'", function="video_magic"),
    bad("video_edit", "function-missing", "function", "nothing", function=DROP),
    bad("video_edit", "function-none", "function", "nothing", function=None),
    bad("video_outpainting", "typo", "promt", "'a'", promt="a"),
    bad(
        "video_outpainting", "model-field", "model", "'wan2.1-vace-plus'", model="wan2.1-vace-plus"
    ),
]

# --- media references: URL schemes ------------------------------------------------------------
PASSING += [
    ok("video_outpainting", "video-http", video_url="http://example.com/a.mp4"),
    ok(
        "video_outpainting",
        "video-https-query",
        video_url="https://x.oss.aliyuncs.com/a.mp4?Expires=1",
    ),
    ok("video_outpainting", "video-oss", video_url="oss://dashscope-instant/abc/a.mp4"),
    ok("video_outpainting", "video-upper-scheme", video_url="HTTPS://EXAMPLE.COM/A.MP4"),
    ok("image_reference", "image-oss", ref_images_url=["oss://dashscope-instant/x/cat.png"]),
]
FAILING += [
    bad(
        "video_outpainting", "video-ftp", "video_url", "'ftp://h/a.mp4'", video_url="ftp://h/a.mp4"
    ),
    bad("video_outpainting", "video-s3", "video_url", "'s3://b/a.mp4'", video_url="s3://b/a.mp4"),
    bad("video_outpainting", "video-no-host", "video_url", "'https://'", video_url="https://"),
    bad("video_outpainting", "video-no-key", "video_url", "'oss://'", video_url="oss://"),
    bad("video_outpainting", "video-empty", "video_url", "''", video_url=""),
    bad("video_outpainting", "video-number", "video_url", "42", video_url=42),
    bad(
        "image_reference",
        "image-chinese-url",
        "ref_images_url[0]",
        "'https://example.com/猫.png'",
        ref_images_url=["https://example.com/猫.png"],
    ),
    bad(
        "video_extension",
        "frame-chinese-url",
        "first_frame_url",
        "图",
        first_frame_url="https://example.com/图.png",
    ),
    # The service refuses Chinese characters in every media URL, images and videos alike.
    bad(
        "video_outpainting",
        "video-chinese-url",
        "video_url",
        "视频",
        video_url="https://example.com/视频.mp4",
    ),
    bad(
        "video_edit",
        "mask-video-chinese-url",
        "mask_video_url",
        "遮罩",
        mask_image_url=DROP,
        mask_video_url="https://example.com/遮罩.mp4",
    ),
    bad(
        "video_edit",
        "mask-image-chinese-url",
        "mask_image_url",
        "遮罩",
        mask_image_url="oss://dashscope-instant/x/遮罩.png",
    ),
    bad(
        "video_repainting",
        "ref-chinese-url",
        "ref_images_url[0]",
        "参考",
        ref_images_url=["https://example.com/参考.png"],
    ),
    *(
        bad(
            "video_extension",
            f"{end}-chinese-url",
            end,
            "片段",
            **{end: f"https://example.com/片段.{'mp4' if 'clip' in end else 'png'}"},
        )
        for end in ("first_clip_url", "last_clip_url", "last_frame_url")
    ),
    bad(
        "video_extension",
        "motion-video-chinese-url",
        "video_url",
        "动作",
        video_url="https://example.com/动作.mp4",
        control_condition="depth",
    ),
    bad(
        "video_edit",
        "mask-image-ftp",
        "mask_image_url",
        "'ftp://h/m.png'",
        mask_image_url="ftp://h/m.png",
    ),
    bad(
        "image_reference",
        "second-ref-bad",
        "ref_images_url[1]",
        "'gs://b/x.png'",
        ref_images_url=[IMG, "gs://b/x.png"],
        obj_or_bg=["obj", "bg"],
    ),
]


@pytest.mark.parametrize(("function", "changes"), PASSING)
def test_rule_accepts(function: str, changes: dict[str, Any]) -> None:
    request = validate_request(build(function, changes))
    assert type(request) is MODELS[function]
    assert request.function == function


@pytest.mark.parametrize(("function", "changes", "field", "got"), FAILING)
def test_rule_rejects(function: str, changes: dict[str, Any], field: str, got: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_request(build(function, changes))
    problems = caught.value.problems
    assert [p.field for p in problems] == [field], caught.value
    message = problems[0].message
    assert message.startswith(f"{field}: ")
    assert got in message, message
    assert caught.value.by_field().keys() == {top(field)}


@pytest.mark.parametrize(("function", "changes", "field", "got"), WARNED)
def test_rule_warns(function: str, changes: dict[str, Any], field: str, got: str) -> None:
    request = validate_request(build(function, changes))
    warnings = [w for w in request.warnings() if w.field == field]
    assert len(warnings) == 1, request.warnings()
    warning = warnings[0]
    assert warning.severity == "warning"
    assert not warning.is_error
    assert warning.message.startswith(f"{field}: ")
    assert got in warning.message, warning.message
    assert warning.to_json()["severity"] == "warning"


@pytest.mark.parametrize(("function", "changes"), PASSING)
def test_passing_cases_warn_about_nothing(function: str, changes: dict[str, Any]) -> None:
    assert validate_request(build(function, changes)).warnings() == []


def test_every_function_has_passing_and_failing_cases() -> None:
    passing = {p.values[0] for p in PASSING}
    failing = {p.values[0] for p in FAILING}
    assert passing == failing == set(FUNCTIONS)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_fields_of_other_functions_are_rejected(function: str) -> None:
    """No function takes a field it does not document, even one another function takes."""
    own = set(MODELS[function].model_fields)
    others = {name for model in MODELS.values() for name in model.model_fields} - own
    assert others, function
    for name in sorted(others):
        with pytest.raises(InvalidRequest) as caught:
            validate_request({**VALID[function], name: "x"})
        assert [p.field for p in caught.value.problems] == [name]
        assert f"{function} does not take this field" in caught.value.problems[0].message


def test_field_names_are_the_apis() -> None:
    """Field names exactly as in the API reference, section 1.3."""
    common = {
        "function",
        "prompt",
        "prompt_extend",
        "seed",
        "watermark",
        "negative_prompt",
        "safety_filter",
    }
    expected = {
        "image_reference": {"ref_images_url", "obj_or_bg", "size", "duration"},
        "video_repainting": {"video_url", "control_condition", "strength", "ref_images_url"},
        "video_edit": {
            "video_url",
            "ref_images_url",
            "mask_image_url",
            "mask_video_url",
            "mask_frame_id",
            "mask_type",
            "expand_ratio",
            "expand_mode",
            "control_condition",
            "size",
            "duration",
        },
        "video_extension": {
            "first_frame_url",
            "last_frame_url",
            "first_clip_url",
            "last_clip_url",
            "video_url",
            "control_condition",
            "duration",
        },
        "video_outpainting": {
            "video_url",
            "top_scale",
            "bottom_scale",
            "left_scale",
            "right_scale",
            "duration",
        },
    }
    for function, model in MODELS.items():
        assert set(model.model_fields) == common | expected[function], function


def test_several_problems_are_reported_together() -> None:
    data = {**VALID["video_outpainting"], "top_scale": 3, "seed": -1, "size": "960*960"}
    with pytest.raises(InvalidRequest) as caught:
        validate_request(data)
    assert {p.field for p in caught.value.problems} == {"top_scale", "seed", "size"}


def test_cross_field_problems_are_reported_together() -> None:
    data = {
        **VALID["video_edit"],
        "mask_image_url": None,
        "mask_video_url": MASK_VID,
        "mask_frame_id": 3,
        "mask_type": "fixed",
        "expand_ratio": 0.5,
    }
    with pytest.raises(InvalidRequest) as caught:
        validate_request(data)
    # mask_type and expand_ratio are ignored with a mask video (warnings, see test_rule_warns).
    assert [p.field for p in caught.value.problems] == ["mask_frame_id"]


def test_warnings_are_reported_together() -> None:
    data = {
        **VALID["video_edit"],
        "prompt": "p" * 900,
        "mask_image_url": None,
        "mask_video_url": MASK_VID,
        "mask_type": "fixed",
        "expand_ratio": 0.5,
        "expand_mode": "bbox",
    }
    warnings = validate_request(data).warnings()
    assert [w.field for w in warnings] == ["prompt", "mask_type", "expand_ratio", "expand_mode"]
    assert [w.rule for w in warnings] == ["prompt_truncated", "ignored", "ignored", "ignored"]
    assert all(w.severity == "warning" and w.fix is None for w in warnings)


# --- the models' own API ----------------------------------------------------------------------


def test_models_can_be_built_directly_without_function() -> None:
    request = VideoOutpainting(prompt="wider", video_url=VID, left_scale=1.5)
    assert request.function == "video_outpainting"
    assert validate_request(request) is request
    assert request.api_fields() == {
        "function": "video_outpainting",
        "prompt": "wider",
        "video_url": VID,
        "left_scale": 1.5,
    }


def test_api_fields_leave_out_unset_fields() -> None:
    request = validate_request({**VALID["video_repainting"], "strength": 1, "seed": None})
    assert request.api_fields() == {**VALID["video_repainting"], "strength": 1.0}


def test_blank_edit_control_condition_is_not_sent() -> None:
    request = validate_request({**VALID["video_edit"], "control_condition": ""})
    assert isinstance(request, VideoEdit)
    assert request.control_condition is None
    assert "control_condition" not in request.api_fields()


def test_empty_optional_reference_list_is_not_sent() -> None:
    request = validate_request({**VALID["video_edit"], "ref_images_url": []})
    assert "ref_images_url" not in request.api_fields()


def test_numbers_from_text_are_read_and_sent_as_numbers() -> None:
    request = validate_request({**VALID["video_repainting"], "seed": "42", "strength": "0.5"})
    assert request.api_fields()["seed"] == 42
    assert request.api_fields()["strength"] == 0.5


def test_requests_are_frozen() -> None:
    request = validate_request(VALID["video_outpainting"])
    with pytest.raises(ValueError, match="frozen"):
        request.prompt = "changed"  # type: ignore[misc]


def test_media_lists_every_reference_by_field() -> None:
    request = validate_request(
        {
            **VALID["video_extension"],
            "last_clip_url": VID,
            "video_url": MASK_VID,
            "control_condition": "posebodyface",
        }
    )
    assert isinstance(request, VideoExtension)
    assert request.media() == {
        "first_frame_url": [IMG],
        "last_clip_url": [VID],
        "video_url": [MASK_VID],
    }
    assert request.local_media() == []


@pytest.mark.parametrize("function", FUNCTIONS)
def test_media_fields_are_the_url_fields(function: str) -> None:
    model = MODELS[function]
    url_fields = {name for name in model.model_fields if name.endswith("_url")}
    assert set(model.MEDIA_FIELDS) == url_fields


def test_model_classes_are_exported() -> None:
    assert [MODELS[f] for f in FUNCTIONS] == [
        ImageReference,
        VideoRepainting,
        VideoEdit,
        VideoExtension,
        VideoOutpainting,
    ]
    assert all(issubclass(m, VaceRequest) for m in MODELS.values())


# --- local files ------------------------------------------------------------------------------


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    return path


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    path = tmp_path / "my pictures" / "cat.png"
    path.parent.mkdir()
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    return path


def test_existing_local_path_is_accepted_as_absolute(clip: Path) -> None:
    request = validate_request({**VALID["video_outpainting"], "video_url": str(clip)})
    assert isinstance(request, VideoOutpainting)
    assert request.video_url == str(clip.resolve())
    assert request.local_media() == [str(clip.resolve())]


def test_relative_local_path_is_made_absolute(clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(clip.parent)
    request = validate_request({**VALID["video_outpainting"], "video_url": "clip.mp4"})
    assert isinstance(request, VideoOutpainting)
    assert os.path.isabs(request.video_url)
    assert request.video_url == str(clip.resolve())


def test_home_relative_path_is_expanded(clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(clip.parent))
    request = validate_request({**VALID["video_outpainting"], "video_url": "~/clip.mp4"})
    assert isinstance(request, VideoOutpainting)
    assert request.video_url == str(clip.resolve())


def test_pathlib_path_is_accepted(picture: Path) -> None:
    request = validate_request({**VALID["image_reference"], "ref_images_url": [picture]})
    assert isinstance(request, ImageReference)
    assert request.ref_images_url == [str(picture.resolve())]
    assert request.api_fields()["ref_images_url"] == [str(picture.resolve())]


def test_file_url_is_accepted(picture: Path) -> None:
    uri = picture.as_uri()
    assert "%20" in uri  # the folder name has a space: the URL must be unquoted
    request = validate_request({**VALID["video_edit"], "mask_image_url": uri})
    assert isinstance(request, VideoEdit)
    assert request.mask_image_url == str(picture.resolve())
    assert request.local_media() == [str(picture.resolve())]


def test_file_url_with_localhost_is_accepted(clip: Path) -> None:
    url = f"file://localhost{clip}"
    request = validate_request({**VALID["video_outpainting"], "video_url": url})
    assert isinstance(request, VideoOutpainting)
    assert request.video_url == str(clip.resolve())


def test_missing_local_path_is_rejected_with_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "clip.mp4"
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**VALID["video_outpainting"], "video_url": str(missing)})
    (problem,) = caught.value.problems
    assert problem.field == "video_url"
    assert problem.rule == "media_missing"
    assert str(missing) in problem.message
    assert "no local video file" in problem.message


def test_missing_relative_path_shows_where_it_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**VALID["image_reference"], "ref_images_url": ["cats/cat.png"]})
    (problem,) = caught.value.problems
    assert problem.field == "ref_images_url[0]"
    assert "'cats/cat.png'" in problem.message
    assert str(tmp_path / "cats" / "cat.png") in problem.message


def test_missing_file_url_is_rejected_with_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "gone.png"
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**VALID["video_extension"], "first_frame_url": missing.as_uri()})
    (problem,) = caught.value.problems
    assert problem.field == "first_frame_url"
    assert str(missing) in problem.message


def test_missing_path_object_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**VALID["video_outpainting"], "video_url": tmp_path / "gone.mp4"})
    assert str(tmp_path / "gone.mp4") in caught.value.problems[0].message


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**VALID["video_outpainting"], "video_url": str(tmp_path)})
    (problem,) = caught.value.problems
    assert problem.field == "video_url"
    assert "folder" in problem.message
    assert str(tmp_path) in problem.message


@pytest.mark.parametrize("name", ["x" * 5000, "/tmp/" + "y" * 300 + ".mp4", "a\x00b.mp4"])
def test_impossible_local_path_is_rejected_not_crashed(name: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**VALID["video_outpainting"], "video_url": name})
    (problem,) = caught.value.problems
    assert problem.field == "video_url"
    assert problem.rule in ("media_unreadable", "media_missing")
    assert repr(name) in problem.message


def test_file_url_on_another_host_is_rejected() -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**VALID["video_outpainting"], "video_url": "file://server/share/a.mp4"})
    (problem,) = caught.value.problems
    assert problem.field == "video_url"
    assert "this computer" in problem.message


def test_web_address_without_scheme_gets_a_hint() -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**VALID["video_outpainting"], "video_url": "www.example.com/a.mp4"})
    assert "must start with https://" in caught.value.problems[0].message


def test_local_image_named_in_chinese_is_accepted(tmp_path: Path) -> None:
    # Only URLs the service fetches itself are barred from Chinese characters.
    path = tmp_path / "猫.png"
    path.write_bytes(b"png")
    request = validate_request({**VALID["image_reference"], "ref_images_url": [str(path)]})
    assert request.local_media() == [str(path.resolve())]


def test_surrounding_spaces_are_trimmed_from_media() -> None:
    request = validate_request({**VALID["video_outpainting"], "video_url": f"  {VID}\n"})
    assert isinstance(request, VideoOutpainting)
    assert request.video_url == VID


@pytest.mark.parametrize(
    ("ref", "remote"),
    [
        ("https://a.com/x.png", True),
        ("http://a.com/x.png", True),
        ("OSS://bucket/x.png", True),
        ("/tmp/x.png", False),
        ("x.png", False),
        ("file:///tmp/x.png", False),
        ("C:\\videos\\x.mp4", False),
    ],
)
def test_remote_or_local(ref: str, remote: bool) -> None:
    assert is_remote(ref) is remote
    assert is_local(ref) is not remote
