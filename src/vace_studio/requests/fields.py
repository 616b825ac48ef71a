"""Field types shared by the five request models, with the API's documented limits.

Optional knobs are ``None`` by default, meaning "not sent: the provider's default applies"; the
documented default is recorded as ``x-api-default`` so the form can show it (see ``schema.py``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from vace_studio.requests.layout import group

PROMPT_MAX = 800
"""Characters of the prompt the service reads; a longer prompt is truncated, not refused."""
NEGATIVE_PROMPT_MAX = 500
REFS_USED = 3
"""Reference images image_reference uses; further ones are dropped, not refused."""
SEED_MAX = 2_147_483_647
SCALE_MIN, SCALE_MAX = 1.0, 2.0

BLANK_PROMPT = "must contain some text, not only spaces"

SIZES = ("1280*720", "720*1280", "960*960", "832*1088", "1088*832")
"""Output sizes ``width*height`` accepted where ``size`` applies."""

Size = Literal["1280*720", "720*1280", "960*960", "832*1088", "1088*832"]
ControlCondition = Literal["posebodyface", "posebody", "depth", "scribble"]
MotionCondition = Literal["posebodyface", "depth"]
"""The control conditions video_edit and video_extension accept."""
ObjOrBg = Literal["obj", "bg"]
MaskType = Literal["tracking", "fixed"]
ExpandMode = Literal["hull", "bbox", "original"]


def api_default(value: Any, **extra: Any) -> dict[str, Any]:
    """``json_schema_extra`` for an optional knob whose provider default is ``value``."""
    return {"x-api-default": value, **extra}


def soft_limit(keyword: str, limit: int, warning: str) -> dict[str, Any]:
    """``json_schema_extra`` for a limit the service applies by trimming, not by refusing.

    The standard keyword (``maxLength``, ``maxItems``) is left out of the schema, since a longer
    value is valid; ``x-soft`` says where trimming starts and, in words, what happens then:
    ``{"maxLength": 800, "warning": "only the first 800 characters are used"}``.
    """
    return {"x-soft": {keyword: limit, "warning": warning}}


def _blank_is_none(value: object) -> object:
    # The API documents "" as "no control condition" for video_edit; None says the same thing.
    return None if value == "" else value


def _empty_is_none(value: object) -> object:
    # An optional list left empty (a form with no image added) means "not sent", not "send []".
    return None if isinstance(value, list | tuple) and not value else value


def _not_a_bool(value: object) -> object:
    # pydantic's lax mode reads True as 1; for a seed, a strength or a scale that is a slip.
    if isinstance(value, bool):
        raise PydanticCustomError("number_not_bool", "must be a number, not true or false")
    return value


NotBool = BeforeValidator(_not_a_bool)
"""Rejects ``True``/``False`` where a number is expected."""

EmptyIsNone = BeforeValidator(_empty_is_none)
"""Reads an empty optional list as "not given"."""

PROMPT_TRIMMED = f"only the first {PROMPT_MAX} characters are used; the rest is cut off"

Prompt = Annotated[
    str,
    Field(
        min_length=1,
        # At least one character that is not a space: a blank prompt is no prompt.
        pattern=r"\S",
        title="Prompt",
        description="What the video should show, in Chinese or English (up to 800 characters "
        "are used).",
        json_schema_extra={
            **group("prompt"),
            "x-widget": "textarea",
            # What the form should say when ``pattern`` fails (the regex is no message).
            "x-pattern-message": BLANK_PROMPT,
            **soft_limit("maxLength", PROMPT_MAX, PROMPT_TRIMMED),
        },
    ),
]

NegativePrompt = Annotated[
    str | None,
    Field(
        max_length=NEGATIVE_PROMPT_MAX,
        title="Negative prompt",
        description="What the video should not show (at most 500 characters). MuleRouter only: "
        "DashScope and Modellix do not document it.",
        json_schema_extra=group("advanced", **{"x-widget": "textarea"}),
    ),
]

SafetyFilter = Annotated[
    bool | None,
    Field(
        title="Safety filter",
        description="Let MuleRouter filter unsafe content. MuleRouter only: DashScope and "
        "Modellix do not document it.",
        json_schema_extra=group("advanced", **api_default(True)),
    ),
]

Seed = Annotated[
    int | None,
    Field(
        ge=0,
        le=SEED_MAX,
        title="Seed",
        description="Random seed (0–2147483647); the same seed and inputs give similar results.",
        json_schema_extra=group("advanced"),
    ),
    NotBool,
]

PromptExtend = Annotated[
    bool | None,
    Field(
        title="Extend prompt",
        description="Let the model rewrite the prompt. The docs advise turning it off for video "
        "inputs.",
        json_schema_extra=group("advanced", **api_default(True)),
    ),
]

Watermark = Annotated[
    bool | None,
    Field(
        title="Watermark",
        description="Add an 'AI generated' watermark.",
        json_schema_extra=group("advanced", **api_default(False)),
    ),
]

Duration = Annotated[
    Literal[5] | None,
    Field(
        title="Duration (s)",
        description="Output length in seconds; the service only produces 5 s.",
        json_schema_extra=group("advanced", **api_default(5)),
    ),
]

OutputSize = Annotated[
    Size | None,
    Field(
        title="Size",
        description="Output resolution, width*height.",
        json_schema_extra=group("output", **api_default("1280*720")),
    ),
]

OptionalMotionCondition = Annotated[
    MotionCondition | None,
    BeforeValidator(_blank_is_none),
]

SOURCE_VIDEO = Field(
    title="Source video",
    description="MP4, at least 16 fps, at most 50 MB; only the first 5 s are used.",
    json_schema_extra=group("source"),
)


def one_reference(description: str) -> object:
    return Field(
        max_length=1,
        title="Reference image",
        description=description,
        json_schema_extra=group("reference"),
    )
