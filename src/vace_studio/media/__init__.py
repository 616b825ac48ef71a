"""Local and remote media inputs: probe them, check them against the documented limits, fix
them on request, turn in-memory media into files, and draw previews.

Imports only :mod:`vace_studio.requests` and :mod:`vace_studio.imaging`; the engine calls it.
Modules:

- :mod:`.probe`    — :class:`ImageInfo` / :class:`VideoInfo` from file headers (Pillow, PyAV).
- :mod:`.remote`   — the same facts for http(s) URLs, from a few range GETs.
- :mod:`.limits`   — the documented limits as data, and the rules over probed facts.
- :mod:`.checks`   — :func:`check_request` (local files) and :func:`check_media` (plus URLs):
  errors (the service refuses) and warnings (it trims or ignores), each a
  :class:`~vace_studio.requests.Problem` with ``severity`` and the ``fix`` helper's name.
- :mod:`.fixes`    — explicit repairs: :func:`to_h264_mp4`, :func:`trim`,
  :func:`resize_image_into_range`, :func:`binarize_mask`, :func:`scale_mask_to_video`.
- :mod:`.inputs`   — bytes / PIL images / NumPy arrays → files named by content hash.
- :mod:`.frames`   — decoding and encoding frames (used by fixes and previews).
- :mod:`.clips`    — frames, clips and masks for the widget's editing tools (1-based frames).
- :mod:`.previews` — PNG + facts for the widget: mask growth, outpainting canvas, control maps.
"""

from typing import TYPE_CHECKING

from vace_studio._lazy import lazy_attributes

if TYPE_CHECKING:
    from vace_studio.media.checks import MediaReport, check_media, check_request
    from vace_studio.media.fixes import (
        binarize_mask,
        resize_image_into_range,
        scale_mask_to_video,
        to_h264_mp4,
        trim,
    )
    from vace_studio.media.inputs import (
        default_inputs_dir,
        materialize_request,
        save_bytes,
        save_image,
        save_media,
    )
    from vace_studio.media.limits import (
        CLIP,
        FIELD_KINDS,
        FIELD_LIMITS,
        FIXES,
        IMAGE,
        MASK_IMAGE,
        VIDEO,
        ImageLimits,
        VideoLimits,
        media_problems,
    )
    from vace_studio.media.previews import (
        Preview,
        control_preview,
        mask_preview,
        outpaint_preview,
        previews_for,
        thumbnail,
    )
    from vace_studio.media.probe import (
        ImageInfo,
        MediaInfo,
        ProbeError,
        VideoInfo,
        probe_local,
    )
    from vace_studio.media.remote import Unreachable, probe_remote


# Each name from its module, imported on first use: the probes and fixes need PyAV, NumPy and
# Pillow, which ``import vace_studio`` must not load (PEP 562).
_HOMES = {
    "MediaReport": "vace_studio.media.checks",
    "check_media": "vace_studio.media.checks",
    "check_request": "vace_studio.media.checks",
    "binarize_mask": "vace_studio.media.fixes",
    "resize_image_into_range": "vace_studio.media.fixes",
    "scale_mask_to_video": "vace_studio.media.fixes",
    "to_h264_mp4": "vace_studio.media.fixes",
    "trim": "vace_studio.media.fixes",
    "default_inputs_dir": "vace_studio.media.inputs",
    "materialize_request": "vace_studio.media.inputs",
    "save_bytes": "vace_studio.media.inputs",
    "save_image": "vace_studio.media.inputs",
    "save_media": "vace_studio.media.inputs",
    "CLIP": "vace_studio.media.limits",
    "FIELD_KINDS": "vace_studio.media.limits",
    "FIELD_LIMITS": "vace_studio.media.limits",
    "FIXES": "vace_studio.media.limits",
    "IMAGE": "vace_studio.media.limits",
    "MASK_IMAGE": "vace_studio.media.limits",
    "VIDEO": "vace_studio.media.limits",
    "ImageLimits": "vace_studio.media.limits",
    "VideoLimits": "vace_studio.media.limits",
    "media_problems": "vace_studio.media.limits",
    "Preview": "vace_studio.media.previews",
    "control_preview": "vace_studio.media.previews",
    "mask_preview": "vace_studio.media.previews",
    "outpaint_preview": "vace_studio.media.previews",
    "previews_for": "vace_studio.media.previews",
    "thumbnail": "vace_studio.media.previews",
    "ImageInfo": "vace_studio.media.probe",
    "MediaInfo": "vace_studio.media.probe",
    "ProbeError": "vace_studio.media.probe",
    "VideoInfo": "vace_studio.media.probe",
    "probe_local": "vace_studio.media.probe",
    "Unreachable": "vace_studio.media.remote",
    "probe_remote": "vace_studio.media.remote",
}


__getattr__ = lazy_attributes(__name__, _HOMES)


__all__ = [
    "CLIP",
    "FIELD_KINDS",
    "FIELD_LIMITS",
    "FIXES",
    "IMAGE",
    "MASK_IMAGE",
    "VIDEO",
    "ImageInfo",
    "ImageLimits",
    "MediaInfo",
    "MediaReport",
    "Preview",
    "ProbeError",
    "Unreachable",
    "VideoInfo",
    "VideoLimits",
    "binarize_mask",
    "check_media",
    "check_request",
    "control_preview",
    "default_inputs_dir",
    "mask_preview",
    "materialize_request",
    "media_problems",
    "outpaint_preview",
    "previews_for",
    "probe_local",
    "probe_remote",
    "resize_image_into_range",
    "save_bytes",
    "save_image",
    "save_media",
    "scale_mask_to_video",
    "thumbnail",
    "to_h264_mp4",
    "trim",
]
