"""What the service makes of a submitted request: the documented rules, applied like the service.

This is the simulator's own reading of the API reference (``providers.md`` sections 0, 1.3, 1.6),
independent of the client's request models, so that a rule the client gets wrong is not mirrored
here. The service is lenient where its documentation says so and strict elsewhere:

- **trimmed**: a prompt over 800 characters is cut to 800; for image_reference only the first 3
  reference images (and ``obj_or_bg`` entries) are kept;
- **ignored**: mask knobs that do not apply (``mask_frame_id`` / ``mask_type`` / ``expand_*``
  with a mask video, ``expand_*`` with ``mask_type="fixed"``, ``control_condition`` of
  video_extension without a motion video), fields another function takes, and — at DashScope
  and Modellix — parameters nobody documents;
- **refused** (400): a missing or ill-typed required field, a value out of its documented range
  or set, ``obj_or_bg`` not matching the references, both or neither mask, a media URL with
  Chinese characters.

Limits that need the media itself (formats, sizes, fps, durations, mask resolution) are checked
once the inputs are fetched (:mod:`.media_checks`, the renderer) and fail the task instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PROMPT_MAX = 800
MAX_REFERENCES = 3
SEED_MAX = 2_147_483_647
SIZES = frozenset({"1280*720", "720*1280", "960*960", "832*1088", "1088*832"})

COMMON = ("function", "prompt", "prompt_extend", "seed", "watermark", "duration")
FIELDS: dict[str, tuple[str, ...]] = {
    "image_reference": ("ref_images_url", "obj_or_bg", "size"),
    "video_repainting": ("video_url", "control_condition", "strength", "ref_images_url"),
    "video_edit": (
        "video_url", "ref_images_url", "mask_image_url", "mask_video_url", "mask_frame_id",
        "mask_type", "expand_ratio", "expand_mode", "control_condition", "size",
    ),
    "video_extension": (
        "first_frame_url", "last_frame_url", "first_clip_url", "last_clip_url", "video_url",
        "control_condition",
    ),
    "video_outpainting": ("video_url", "top_scale", "bottom_scale", "left_scale", "right_scale"),
}  # fmt: skip
"""The fields each function takes besides :data:`COMMON` (reference 1.3)."""

KNOWN = frozenset(COMMON).union(*FIELDS.values())
"""Every documented request field of any function."""

IMAGE_FIELDS = frozenset({"ref_images_url", "mask_image_url", "first_frame_url", "last_frame_url"})
VIDEO_FIELDS = frozenset({"video_url", "mask_video_url", "first_clip_url", "last_clip_url"})
MEDIA_FIELDS = IMAGE_FIELDS | VIDEO_FIELDS

CONDITIONS = {
    "video_repainting": ("posebodyface", "posebody", "depth", "scribble"),
    "video_edit": ("posebodyface", "depth"),
    "video_extension": ("posebodyface", "depth"),
}
# Han ideographs, CJK punctuation and full-width forms: "no Chinese characters in the URL".
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_SHOWN = 80


class Refused(Exception):  # noqa: N818 -- reads as the condition it reports, like ApiError
    """A request the service refuses: ``code`` (DashScope's word) and a message naming the field."""

    def __init__(self, message: str, code: str = "InvalidParameter") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Intake:
    """A request as the service will use it.

    ``fields``: the applicable fields, trimmed (what the task runs with and is rendered from);
    ``media``: its media references by field; ``ignored``: names of fields that were dropped.
    """

    fields: dict[str, Any]
    media: dict[str, list[str]]
    ignored: tuple[str, ...]


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _refuse(field: str, rule: str, value: object) -> Refused:
    return Refused(f"{field}: {rule} (got {_shown(value)})")


def _number(fields: dict[str, Any], name: str, lo: float, hi: float) -> None:
    if name not in fields:
        return
    value = fields[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise _refuse(name, f"must be a number between {lo:g} and {hi:g}", value)


def _choice(fields: dict[str, Any], name: str, options: tuple[str, ...]) -> None:
    if name in fields and fields[name] not in options:
        raise _refuse(name, f"must be one of {', '.join(options)}", fields[name])


def _url(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _refuse(field, "must be a URL", value)
    if _CJK.search(value):
        raise Refused(
            f"{field}: the URL must not contain Chinese characters (got {_shown(value)})",
            code="InvalidURL",
        )
    return value


def _media(fields: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in sorted(MEDIA_FIELDS & fields.keys()):
        value = fields[name]
        if name == "ref_images_url":
            if not isinstance(value, list):
                raise _refuse(name, "must be a list of image URLs", value)
            found[name] = [_url(f"{name}[{i}]", item) for i, item in enumerate(value)]
        else:
            found[name] = [_url(name, value)]
    return found


def _common(fields: dict[str, Any]) -> None:
    prompt = fields.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise _refuse("prompt", "is required: describe the video in words", prompt)
    fields["prompt"] = prompt[:PROMPT_MAX]  # documented: a longer prompt is truncated
    for name in ("prompt_extend", "watermark"):
        if name in fields and not isinstance(fields[name], bool):
            raise _refuse(name, "must be true or false", fields[name])
    seed = fields.get("seed")
    if "seed" in fields and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX
    ):
        raise _refuse("seed", f"must be a whole number between 0 and {SEED_MAX}", seed)
    if "duration" in fields and (isinstance(fields["duration"], bool) or fields["duration"] != 5):
        raise _refuse("duration", "is fixed at 5 seconds", fields["duration"])
    if "size" in fields and fields["size"] not in SIZES:
        raise _refuse("size", f"must be one of {', '.join(sorted(SIZES))}", fields["size"])


def _references(fields: dict[str, Any], function: str) -> None:
    refs = fields.get("ref_images_url")
    if function == "image_reference":
        if not refs:
            raise _refuse("ref_images_url", "is required: 1 to 3 reference images", refs)
        fields["ref_images_url"] = refs[:MAX_REFERENCES]  # documented: extra images are dropped
        _roles(fields)
    elif refs is not None and len(refs) > 1:
        raise _refuse("ref_images_url", f"takes at most one image for {function}", refs)


def _roles(fields: dict[str, Any]) -> None:
    refs: list[str] = fields["ref_images_url"]
    roles = fields.get("obj_or_bg")
    if roles is None:
        if len(refs) > 1:
            raise _refuse("obj_or_bg", "is required with more than one reference image", roles)
        return
    if not isinstance(roles, list) or any(role not in ("obj", "bg") for role in roles):
        raise _refuse("obj_or_bg", 'must be a list of "obj" or "bg"', roles)
    roles = roles[:MAX_REFERENCES]  # kept in step with the references
    if len(roles) != len(refs):
        raise _refuse("obj_or_bg", f"must have one entry per reference image ({len(refs)})", roles)
    if roles.count("bg") > 1:
        raise _refuse("obj_or_bg", 'may mark at most one image "bg"', roles)
    fields["obj_or_bg"] = roles


def _drop(fields: dict[str, Any], names: tuple[str, ...], dropped: list[str]) -> None:
    for name in names:
        if name in fields:
            del fields[name]
            dropped.append(name)


def _mask(fields: dict[str, Any], dropped: list[str]) -> None:
    image, video = fields.get("mask_image_url"), fields.get("mask_video_url")
    if image is None and video is None:
        raise _refuse("mask_image_url", "is required: give a mask image or a mask video", None)
    if image is not None and video is not None:
        raise _refuse("mask_video_url", "give a mask image or a mask video, not both", video)
    if video is not None:
        # Documented as mask-image knobs: with a mask video the service ignores them.
        _drop(fields, ("mask_frame_id", "mask_type", "expand_ratio", "expand_mode"), dropped)
        return
    frame = fields.get("mask_frame_id")
    if "mask_frame_id" in fields and (
        isinstance(frame, bool) or not isinstance(frame, int) or frame < 1
    ):
        raise _refuse("mask_frame_id", "must be a whole number of at least 1", frame)
    _choice(fields, "mask_type", ("tracking", "fixed"))
    if fields.get("mask_type") == "fixed":
        _drop(fields, ("expand_ratio", "expand_mode"), dropped)  # only "when tracking"
        return
    _number(fields, "expand_ratio", 0.0, 1.0)
    _choice(fields, "expand_mode", ("hull", "bbox", "original"))


def _function_rules(fields: dict[str, Any], function: str, dropped: list[str]) -> None:
    if fields.get("control_condition") == "" and function == "video_edit":
        del fields["control_condition"]  # documented: "" means none
    if function in ("video_repainting", "video_edit", "video_outpainting") and not fields.get(
        "video_url"
    ):
        raise _refuse("video_url", f"is required for {function}", fields.get("video_url"))
    if function == "video_repainting" and "control_condition" not in fields:
        raise _refuse("control_condition", "is required for video_repainting", None)
    if function == "video_extension":
        ends = ("first_frame_url", "last_frame_url", "first_clip_url", "last_clip_url")
        if not any(fields.get(end) for end in ends):
            raise _refuse("first_frame_url", f"give at least one of {', '.join(ends)}", None)
        if "video_url" in fields and "control_condition" not in fields:
            raise _refuse("control_condition", "is required with a motion video_url", None)
        if "video_url" not in fields:
            _drop(fields, ("control_condition",), dropped)
    if function in CONDITIONS:
        _choice(fields, "control_condition", CONDITIONS[function])
    _number(fields, "strength", 0.0, 1.0)
    for side in ("top", "bottom", "left", "right"):
        _number(fields, f"{side}_scale", 1.0, 2.0)
    if function == "video_edit":
        _mask(fields, dropped)


def take(
    body: Mapping[str, Any], *, documented: frozenset[str] = KNOWN, strict: bool = False
) -> Intake:
    """Apply the documented rules to a flat request ``body``.

    ``documented`` is every field the provider documents (:data:`KNOWN` by default; a provider's
    own extras, which the caller checks, are left out of the result). Fields of other functions
    are ignored. Undocumented fields are ignored too, unless ``strict`` (then they are refused).
    """
    function = body.get("function")
    if function not in FIELDS:
        raise _refuse("function", f"must be one of {', '.join(FIELDS)}", function)
    unknown = sorted(set(body) - documented)
    if strict and unknown:
        raise _refuse(unknown[0], "is not a field of this API", body[unknown[0]])
    applicable = (set(COMMON) | set(FIELDS[function])) & documented
    # A JSON null is "not given", as the SDK and most clients send optional knobs.
    fields = {k: v for k, v in body.items() if k in applicable and v is not None}
    dropped = sorted((set(body) & KNOWN) - applicable) + unknown
    _common(fields)
    media = _media(fields)
    if "ref_images_url" in media:
        fields["ref_images_url"] = media["ref_images_url"]
    _references(fields, function)
    _function_rules(fields, function, dropped)
    return Intake(fields, _media(fields), tuple(dropped))
