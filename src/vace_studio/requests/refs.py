"""What a media reference string is: a URL the provider fetches, or a local file to upload.

Plain string facts, with no pydantic: the engine and the providers ask these at run time, and
``import vace_studio`` must not pay for the request models to answer them (the models in
``media.py`` build on the same functions).
"""

from __future__ import annotations

import re
from typing import Literal

MediaKind = Literal["image", "video"]

REMOTE_SCHEMES = ("http", "https", "oss")
"""URL schemes a provider can resolve by itself."""

# The service refuses image and video URLs that contain Chinese characters (reference, sections
# 0 and 1.6). Local paths may have them: uploads are named by content hash.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def has_cjk(text: str) -> bool:
    """True when ``text`` holds Chinese (CJK) characters, which the service refuses in URLs."""
    return _CJK.search(text) is not None


def scheme_of(ref: str) -> str | None:
    """The URL scheme of ``ref``, lower case (``None`` for a plain path)."""
    match = _SCHEME.match(ref)
    return match.group(1).lower() if match else None


def is_remote(ref: str) -> bool:
    """True when ``ref`` is a URL the provider fetches itself (not a local file to upload)."""
    return scheme_of(ref) in REMOTE_SCHEMES


def is_local(ref: str) -> bool:
    """True when ``ref`` names a local file (the engine must upload it first)."""
    return not is_remote(ref)
