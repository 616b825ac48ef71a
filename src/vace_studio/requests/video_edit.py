"""The video_edit model: edit a masked region of a video, with its mask rules.

Exactly one of a mask image and a mask video; ``mask_frame_id`` only with a mask image (its range
needs the video, so :mod:`vace_studio.media` checks it); ``mask_type`` and ``expand_*`` are
ignored by the service where they do not apply, so they warn (:meth:`VideoEdit.notices`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field

from vace_studio.requests.base import Rule, VaceRequest
from vace_studio.requests.fields import (
    SOURCE_VIDEO,
    Duration,
    EmptyIsNone,
    ExpandMode,
    MaskType,
    NotBool,
    OptionalMotionCondition,
    OutputSize,
    api_default,
    one_reference,
)
from vace_studio.requests.layout import group
from vace_studio.requests.media import ImageRef, VideoRef


class VideoEdit(VaceRequest):
    """Edit a masked region of a video (white = edit, black = keep), optionally from a reference."""

    model_config = ConfigDict(title="Video edit")

    function: Literal["video_edit"] = "video_edit"
    video_url: Annotated[VideoRef, SOURCE_VIDEO]
    ref_images_url: Annotated[
        list[ImageRef] | None,
        one_reference("Optional: one image of a subject or background to put in the edited area."),
        EmptyIsNone,
    ] = None
    mask_image_url: Annotated[
        ImageRef | None,
        Field(
            title="Mask image",
            description="Exactly the video's resolution; pure white = edit, pure black = keep. "
            "Give this or a mask video, not both.",
            json_schema_extra=group("mask"),
        ),
    ] = None
    mask_video_url: Annotated[
        VideoRef | None,
        Field(
            title="Mask video",
            description="Same fps, resolution and length as the video; white = edit, black = "
            "keep; only the first 5 s are used. Give this or a mask image, not both.",
            json_schema_extra=group("mask"),
        ),
    ] = None
    mask_frame_id: Annotated[
        int | None,
        Field(
            ge=1,
            title="Mask frame",
            description="The frame (1 = first) the mask image is drawn on; at most "
            "fps × seconds + 1 (81 for a 16 fps, 5 s video). Only with a mask image.",
            json_schema_extra=group("mask", **api_default(1)),
        ),
        NotBool,
    ] = None
    mask_type: Annotated[
        MaskType | None,
        Field(
            title="Mask type",
            description="tracking: the mask follows the object as it moves; fixed: the mask "
            "stays put. Only used with a mask image (ignored with a mask video).",
            json_schema_extra=group("mask", **api_default("tracking")),
        ),
    ] = None
    expand_ratio: Annotated[
        float | None,
        Field(
            ge=0.0,
            le=1.0,
            title="Expand ratio",
            description="How far to grow the mask outwards (0–1). Only used when tracking a "
            "mask image (ignored otherwise).",
            json_schema_extra=group("mask", **api_default(0.05, **{"x-step": 0.01})),
        ),
        NotBool,
    ] = None
    expand_mode: Annotated[
        ExpandMode | None,
        Field(
            title="Expand mode",
            description="Shape of the grown mask: hull (convex hull), bbox (bounding box) or "
            "original (the mask's own outline). Only used when tracking a mask image (ignored "
            "otherwise).",
            json_schema_extra=group("mask", **api_default("hull")),
        ),
    ] = None
    control_condition: Annotated[
        OptionalMotionCondition,
        Field(
            title="Control condition",
            description="Optional: keep posebodyface (pose) or depth from the source video.",
            json_schema_extra=group("control"),
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
        if image is None and self.mask_frame_id is not None:
            yield Rule(
                "mask_frame_id",
                "only applies with a mask image (mask_image_url); leave it out",
                self.mask_frame_id,
                "only_with",
            )

    def notices(self) -> Iterator[Rule]:
        yield from super().notices()
        # The service ignores mask knobs that do not apply (reference section 0): warn.
        names: tuple[str, ...]
        if self.mask_image_url is None:
            names, why = ("mask_type", "expand_ratio", "expand_mode"), "a mask image"
            where = "with a mask video" if self.mask_video_url else "without a mask image"
        elif self.mask_type == "fixed":
            names, why = ("expand_ratio", "expand_mode"), "mask_type 'tracking'"
            where = "with mask_type 'fixed'"
        else:
            return
        for name in names:
            value = getattr(self, name)
            if value is not None:
                yield Rule(
                    name,
                    f"is ignored {where}: it only applies with {why}; leave it out",
                    value,
                    "ignored",
                )
