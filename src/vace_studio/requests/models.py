"""The five wan2.1-vace-plus functions as pydantic models, field names exactly the API's.

Each model encodes the documented rules of its function (reference: ``providers.md`` section 1.3
and 1.6). Fields a function does not take are rejected (``extra="forbid"``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field

from vace_studio.requests.base import Rule, VaceRequest
from vace_studio.requests.fields import (
    REFS_USED,
    SCALE_MAX,
    SCALE_MIN,
    SOURCE_VIDEO,
    ControlCondition,
    Duration,
    EmptyIsNone,
    NotBool,
    ObjOrBg,
    OptionalMotionCondition,
    OutputSize,
    api_default,
    one_reference,
    soft_limit,
)
from vace_studio.requests.layout import group
from vace_studio.requests.media import ImageRef, VideoRef
from vace_studio.requests.video_edit import VideoEdit

_REFS_DROPPED = f"only the first {REFS_USED} reference images are used"

# Model docstrings become the form's function descriptions: plain sentences, no markup.


def _scale(side: str) -> object:
    return Field(
        ge=SCALE_MIN,
        le=SCALE_MAX,
        title=f"{side.capitalize()} scale",
        description=f"How far to extend the {side} side, as a multiple (1.0 = unchanged, 2.0 = "
        "twice as far).",
        json_schema_extra=group("canvas", **api_default(1.0, **{"x-step": 0.05})),
    )


class ImageReference(VaceRequest):
    """Make a video from 1–3 reference images: subjects and at most one background."""

    model_config = ConfigDict(title="Image reference")

    function: Literal["image_reference"] = "image_reference"
    ref_images_url: Annotated[
        list[ImageRef],
        Field(
            min_length=1,
            title="Reference images",
            description="1–3 images: JPG/PNG/BMP/TIFF/WEBP, each side 360–2000 px, at most 10 MB. "
            "Only the first 3 are used.",
            json_schema_extra=group(
                "references", **soft_limit("maxItems", REFS_USED, _REFS_DROPPED)
            ),
        ),
    ]
    obj_or_bg: Annotated[
        list[ObjOrBg] | None,
        Field(
            min_length=1,
            title="Object or background",
            description="One entry per reference image: 'obj' (a subject) or 'bg' (the "
            "background; at most one). Needed when there is more than one image.",
            json_schema_extra={
                **group("references"),
                "x-pairs-with": "ref_images_url",
                **soft_limit("maxItems", REFS_USED, _REFS_DROPPED),
            },
        ),
    ] = None
    size: OutputSize = None
    duration: Duration = None

    MEDIA_FIELDS: ClassVar[tuple[str, ...]] = ("ref_images_url",)

    def rules(self) -> Iterator[Rule]:
        # Judged on what the service uses: the first 3 images and their first 3 roles.
        refs = self.ref_images_url[:REFS_USED]
        roles = None if self.obj_or_bg is None else self.obj_or_bg[:REFS_USED]
        if roles is None:
            if len(refs) > 1:
                yield Rule(
                    "obj_or_bg",
                    f"is required when there are {len(refs)} reference images: give 'obj' "
                    "(subject) or 'bg' (background) for each, in the same order",
                    roles,
                    "required",
                )
            return
        if len(roles) != len(refs):
            yield Rule(
                "obj_or_bg",
                f"must have one entry per reference image: {len(refs)} "
                f"{'entry' if len(refs) == 1 else 'entries'}",
                self.obj_or_bg,
                "same_length",
            )
        if roles.count("bg") > 1:
            yield Rule(
                "obj_or_bg",
                "may mark at most one image as the background 'bg'",
                self.obj_or_bg,
                "at_most_one_bg",
            )

    def notices(self) -> Iterator[Rule]:
        yield from super().notices()
        for name in ("ref_images_url", "obj_or_bg"):
            items = getattr(self, name)
            if items is not None and len(items) > REFS_USED:
                extra = len(items) - REFS_USED
                which = f"entry {REFS_USED + 1} is" if extra == 1 else f"the last {extra} are"
                yield Rule(
                    name,
                    f"{_REFS_DROPPED}; {which} ignored",
                    items,
                    "extra_refs",
                    f"{len(items)} items",
                )


class VideoRepainting(VaceRequest):
    """Restyle a video while keeping its motion, posture or depth (the control condition)."""

    model_config = ConfigDict(title="Video repainting")

    function: Literal["video_repainting"] = "video_repainting"
    video_url: Annotated[VideoRef, SOURCE_VIDEO]
    control_condition: Annotated[
        ControlCondition,
        Field(
            title="Control condition",
            description="What to keep from the source: posebodyface (body and face pose), "
            "posebody (body pose), depth (outline and depth), scribble (line drawing).",
            json_schema_extra=group("control"),
        ),
    ]
    strength: Annotated[
        float | None,
        Field(
            ge=0.0,
            le=1.0,
            title="Strength",
            description="How closely to follow the control condition (0 = loosely, 1 = closely).",
            json_schema_extra=group("control", **api_default(1.0, **{"x-step": 0.05})),
        ),
        NotBool,
    ] = None
    ref_images_url: Annotated[
        list[ImageRef] | None,
        one_reference("Optional: one image of the subject to put in the video."),
        EmptyIsNone,
    ] = None

    MEDIA_FIELDS: ClassVar[tuple[str, ...]] = ("video_url", "ref_images_url")


class VideoExtension(VaceRequest):
    """Grow a 5 s video from a first or last frame or clip, optionally following a motion video."""

    model_config = ConfigDict(title="Video extension")

    function: Literal["video_extension"] = "video_extension"
    first_frame_url: Annotated[
        ImageRef | None,
        Field(
            title="First frame",
            description="Image the video starts from.",
            json_schema_extra=group("ends"),
        ),
    ] = None
    last_frame_url: Annotated[
        ImageRef | None,
        Field(
            title="Last frame",
            description="Image the video ends on.",
            json_schema_extra=group("ends"),
        ),
    ] = None
    first_clip_url: Annotated[
        VideoRef | None,
        Field(
            title="First clip",
            description="MP4 the video continues (its first 3 s are used; both clips together "
            "at most 3 s).",
            json_schema_extra=group("ends"),
        ),
    ] = None
    last_clip_url: Annotated[
        VideoRef | None,
        Field(
            title="Last clip",
            description="MP4 the video leads into (its first 3 s are used; both clips together "
            "at most 3 s).",
            json_schema_extra=group("ends"),
        ),
    ] = None
    video_url: Annotated[
        VideoRef | None,
        Field(
            title="Motion video",
            description="Optional: a video whose motion the result follows (same fps and "
            "resolution as the clips). Needs a control condition.",
            json_schema_extra=group("motion"),
        ),
    ] = None
    control_condition: Annotated[
        OptionalMotionCondition,
        Field(
            title="Control condition",
            description="What to take from the motion video: posebodyface or depth. Required "
            "with a motion video.",
            json_schema_extra=group("motion"),
        ),
    ] = None
    duration: Duration = None

    MEDIA_FIELDS: ClassVar[tuple[str, ...]] = (
        "first_frame_url",
        "last_frame_url",
        "first_clip_url",
        "last_clip_url",
        "video_url",
    )

    def rules(self) -> Iterator[Rule]:
        ends = (self.first_frame_url, self.last_frame_url, self.first_clip_url, self.last_clip_url)
        if all(end is None for end in ends):
            yield Rule(
                "first_frame_url",
                "is required unless another start or end is given: give at least one of "
                "first_frame_url, last_frame_url, first_clip_url, last_clip_url",
                None,
                "at_least_one_of",
            )
        if self.video_url is not None and self.control_condition is None:
            yield Rule(
                "control_condition",
                "is required with a motion video (video_url): 'posebodyface' or 'depth'",
                None,
                "required",
            )
        if self.video_url is None and self.control_condition is not None:
            yield Rule(
                "control_condition",
                "only applies with a motion video (video_url); leave it out",
                self.control_condition,
                "only_with",
            )


class VideoOutpainting(VaceRequest):
    """Widen a video's canvas by a scale per side (1.0–2.0) and fill the new area."""

    model_config = ConfigDict(title="Video outpainting")

    function: Literal["video_outpainting"] = "video_outpainting"
    video_url: Annotated[VideoRef, SOURCE_VIDEO]
    top_scale: Annotated[float | None, _scale("top"), NotBool] = None
    bottom_scale: Annotated[float | None, _scale("bottom"), NotBool] = None
    left_scale: Annotated[float | None, _scale("left"), NotBool] = None
    right_scale: Annotated[float | None, _scale("right"), NotBool] = None
    duration: Duration = None

    MEDIA_FIELDS: ClassVar[tuple[str, ...]] = ("video_url",)


Request = Annotated[
    ImageReference | VideoRepainting | VideoEdit | VideoExtension | VideoOutpainting,
    Field(discriminator="function"),
]
"""Any of the five requests, told apart by ``function``."""

MODELS: dict[str, type[VaceRequest]] = {
    "image_reference": ImageReference,
    "video_repainting": VideoRepainting,
    "video_edit": VideoEdit,
    "video_extension": VideoExtension,
    "video_outpainting": VideoOutpainting,
}
"""Request model by function name, in the order the form shows them."""

FUNCTIONS = tuple(MODELS)
