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
    SCALE_MAX,
    SCALE_MIN,
    ControlCondition,
    Duration,
    EmptyIsNone,
    ExpandMode,
    MaskType,
    NotBool,
    ObjOrBg,
    OptionalMotionCondition,
    OutputSize,
    api_default,
)
from vace_studio.requests.media import ImageRef, VideoRef

_SOURCE_VIDEO = Field(
    title="Source video",
    description="MP4, at least 16 fps, at most 50 MB; only the first 5 s are used.",
)


def _one_reference(description: str) -> object:
    return Field(
        max_length=1,
        title="Reference image",
        description=description,
    )


# Model docstrings become the form's function descriptions: plain sentences, no markup.


def _scale(side: str) -> object:
    return Field(
        ge=SCALE_MIN,
        le=SCALE_MAX,
        title=f"{side.capitalize()} scale",
        description=f"How far to extend the {side} side, as a multiple (1.0 = unchanged, 2.0 = "
        "twice as far).",
        json_schema_extra=api_default(1.0, **{"x-step": 0.05}),
    )


class ImageReference(VaceRequest):
    """Make a video from 1–3 reference images: subjects and at most one background."""

    model_config = ConfigDict(title="Image reference")

    function: Literal["image_reference"] = "image_reference"
    ref_images_url: Annotated[
        list[ImageRef],
        Field(
            min_length=1,
            max_length=3,
            title="Reference images",
            description="1–3 images: JPG/PNG/BMP/TIFF/WEBP, each side 360–2000 px, at most 10 MB.",
        ),
    ]
    obj_or_bg: Annotated[
        list[ObjOrBg] | None,
        Field(
            min_length=1,
            max_length=3,
            title="Object or background",
            description="One entry per reference image: 'obj' (a subject) or 'bg' (the "
            "background; at most one). Needed when there is more than one image.",
            json_schema_extra={"x-pairs-with": "ref_images_url"},
        ),
    ] = None
    size: OutputSize = None
    duration: Duration = None

    MEDIA_FIELDS: ClassVar[tuple[str, ...]] = ("ref_images_url",)

    def rules(self) -> Iterator[Rule]:
        refs, roles = self.ref_images_url, self.obj_or_bg
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
                roles,
                "same_length",
            )
        if roles.count("bg") > 1:
            yield Rule(
                "obj_or_bg",
                "may mark at most one image as the background 'bg'",
                roles,
                "at_most_one_bg",
            )


class VideoRepainting(VaceRequest):
    """Restyle a video while keeping its motion, posture or depth (the control condition)."""

    model_config = ConfigDict(title="Video repainting")

    function: Literal["video_repainting"] = "video_repainting"
    video_url: Annotated[VideoRef, _SOURCE_VIDEO]
    control_condition: Annotated[
        ControlCondition,
        Field(
            title="Control condition",
            description="What to keep from the source: posebodyface (body and face pose), "
            "posebody (body pose), depth (outline and depth), scribble (line drawing).",
        ),
    ]
    strength: Annotated[
        float | None,
        Field(
            ge=0.0,
            le=1.0,
            title="Strength",
            description="How closely to follow the control condition (0 = loosely, 1 = closely).",
            json_schema_extra=api_default(1.0, **{"x-step": 0.05}),
        ),
        NotBool,
    ] = None
    ref_images_url: Annotated[
        list[ImageRef] | None,
        _one_reference("Optional: one image of the subject to put in the video."),
        EmptyIsNone,
    ] = None

    MEDIA_FIELDS: ClassVar[tuple[str, ...]] = ("video_url", "ref_images_url")


class VideoEdit(VaceRequest):
    """Edit a masked region of a video (white = edit, black = keep), optionally from a reference."""

    model_config = ConfigDict(title="Video edit")

    function: Literal["video_edit"] = "video_edit"
    video_url: Annotated[VideoRef, _SOURCE_VIDEO]
    ref_images_url: Annotated[
        list[ImageRef] | None,
        _one_reference("Optional: one image of a subject or background to put in the edited area."),
        EmptyIsNone,
    ] = None
    mask_image_url: Annotated[
        ImageRef | None,
        Field(
            title="Mask image",
            description="Exactly the video's resolution; pure white = edit, pure black = keep. "
            "Give this or a mask video, not both.",
        ),
    ] = None
    mask_video_url: Annotated[
        VideoRef | None,
        Field(
            title="Mask video",
            description="Same fps, resolution and length as the video; white = edit, black = "
            "keep. Give this or a mask image, not both.",
        ),
    ] = None
    mask_frame_id: Annotated[
        int | None,
        Field(
            ge=1,
            title="Mask frame",
            description="The frame (1 = first) the mask image is drawn on; at most "
            "fps × seconds + 1 (81 for a 16 fps, 5 s video). Only with a mask image.",
            json_schema_extra=api_default(1),
        ),
        NotBool,
    ] = None
    mask_type: Annotated[
        MaskType | None,
        Field(
            title="Mask type",
            description="tracking: the mask follows the object as it moves; fixed: the mask "
            "stays put. Only with a mask image.",
            json_schema_extra=api_default("tracking"),
        ),
    ] = None
    expand_ratio: Annotated[
        float | None,
        Field(
            ge=0.0,
            le=1.0,
            title="Expand ratio",
            description="How far to grow the mask outwards (0–1). Only when tracking.",
            json_schema_extra=api_default(0.05, **{"x-step": 0.01}),
        ),
        NotBool,
    ] = None
    expand_mode: Annotated[
        ExpandMode | None,
        Field(
            title="Expand mode",
            description="Shape of the grown mask: hull (convex hull), bbox (bounding box) or "
            "original (the mask's own outline). Only when tracking.",
            json_schema_extra=api_default("hull"),
        ),
    ] = None
    control_condition: Annotated[
        OptionalMotionCondition,
        Field(
            title="Control condition",
            description="Optional: keep posebodyface (pose) or depth from the source video.",
        ),
    ] = None
    size: OutputSize = None
    duration: Duration = None

    MEDIA_FIELDS: ClassVar[tuple[str, ...]] = (
        "video_url",
        "ref_images_url",
        "mask_image_url",
        "mask_video_url",
    )

    def rules(self) -> Iterator[Rule]:
        image, video = self.mask_image_url, self.mask_video_url
        if image is None and video is None:
            yield Rule(
                "mask_image_url",
                "is required: give a mask image (mask_image_url) or a mask video (mask_video_url)",
                None,
                "required",
            )
        elif image is not None and video is not None:
            yield Rule(
                "mask_video_url",
                "give a mask image or a mask video, not both (mask_image_url is also set)",
                video,
                "not_both",
            )
        if image is None:
            for name in ("mask_frame_id", "mask_type"):
                if getattr(self, name) is not None:
                    yield Rule(
                        name,
                        "only applies with a mask image (mask_image_url); leave it out",
                        getattr(self, name),
                        "only_with",
                    )
        if image is None or self.mask_type == "fixed":
            why = (
                "a mask image (mask_image_url)"
                if image is None
                else "mask_type 'tracking', and mask_type is 'fixed'"
            )
            for name in ("expand_ratio", "expand_mode"):
                if getattr(self, name) is not None:
                    yield Rule(
                        name,
                        f"only applies with {why}; leave it out",
                        getattr(self, name),
                        "only_with",
                    )


class VideoExtension(VaceRequest):
    """Grow a 5 s video from a first or last frame or clip, optionally following a motion video."""

    model_config = ConfigDict(title="Video extension")

    function: Literal["video_extension"] = "video_extension"
    first_frame_url: Annotated[
        ImageRef | None, Field(title="First frame", description="Image the video starts from.")
    ] = None
    last_frame_url: Annotated[
        ImageRef | None, Field(title="Last frame", description="Image the video ends on.")
    ] = None
    first_clip_url: Annotated[
        VideoRef | None,
        Field(
            title="First clip",
            description="MP4 the video continues (at most 3 s; both clips together at most 3 s).",
        ),
    ] = None
    last_clip_url: Annotated[
        VideoRef | None,
        Field(
            title="Last clip",
            description="MP4 the video leads into (at most 3 s; both clips together at most 3 s).",
        ),
    ] = None
    video_url: Annotated[
        VideoRef | None,
        Field(
            title="Motion video",
            description="Optional: a video whose motion the result follows (same fps and "
            "resolution as the clips). Needs a control condition.",
        ),
    ] = None
    control_condition: Annotated[
        OptionalMotionCondition,
        Field(
            title="Control condition",
            description="What to take from the motion video: posebodyface or depth. Required "
            "with a motion video.",
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
    video_url: Annotated[VideoRef, _SOURCE_VIDEO]
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
