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
- :mod:`.previews` — PNG + facts for the widget: mask growth, outpainting canvas, control maps.
"""

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
