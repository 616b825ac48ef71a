"""Media references: what a media field of a request may hold.

A media field holds one string. It is either a URL the provider can fetch (``http://``, ``https://``)
or has been given (``oss://`` temporary storage), or a local file that the engine will upload before
submitting. ``file://`` URLs and :class:`pathlib.Path` objects are normalised to absolute paths, so the
stored request says unambiguously which file was meant.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

MediaKind = Literal["image", "video"]

REMOTE_SCHEMES = ("http", "https", "oss")
"""URL schemes a provider can resolve by itself."""

# The service rejects image URLs that contain Chinese characters (reference, section 1.6).
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def is_remote(ref: str) -> bool:
    """True when ``ref`` is a URL the provider fetches itself (not a local file to upload)."""
    match = _SCHEME.match(ref)
    return bool(match) and match.group(1).lower() in REMOTE_SCHEMES


def is_local(ref: str) -> bool:
    """True when ``ref`` names a local file (the engine must upload it first)."""
    return not is_remote(ref)


def _normalise(value: object, kind: MediaKind) -> str:
    if isinstance(value, Path):
        value = str(value)
    if not isinstance(value, str):
        raise PydanticCustomError(
            "media_type",
            "must be a URL (http://, https://, oss://) or a local file path (got {got})",
            {"got": type(value).__name__},
        )
    ref = value.strip()
    if not ref:
        raise PydanticCustomError(
            "media_empty", "must be a URL or a local file path (got an empty string)", {}
        )
    match = _SCHEME.match(ref)
    if match:
        scheme = match.group(1).lower()
        if scheme == "file":
            return _local_path(unquote(urlsplit(ref).path), kind)
        if scheme not in REMOTE_SCHEMES:
            raise PydanticCustomError(
                "media_scheme",
                "must start with http://, https:// or oss://, or be a local file path "
                "(got a {scheme}:// URL)",
                {"scheme": scheme},
            )
        if kind == "image" and _CJK.search(ref):
            raise PydanticCustomError(
                "media_cjk",
                "image URLs must not contain Chinese characters; rename the file or upload it "
                "(got {url})",
                {"url": ref},
            )
        return ref
    return _local_path(ref, kind)


def _local_path(raw: str, kind: MediaKind) -> str:
    path = Path(raw).expanduser()
    if not path.is_file():
        raise PydanticCustomError(
            "media_missing",
            "local {kind} file not found: {path}",
            {"kind": kind, "path": str(path)},
        )
    return str(path.resolve())


def _media(kind: MediaKind) -> BeforeValidator:
    return BeforeValidator(lambda value: _normalise(value, kind))


ImageRef = Annotated[
    str,
    _media("image"),
    Field(json_schema_extra={"x-media": "image"}),
]
"""An image: JPG/JPEG/PNG/BMP/TIFF/WEBP, each side 360–2000 px, at most 10 MB."""

VideoRef = Annotated[
    str,
    _media("video"),
    Field(json_schema_extra={"x-media": "video"}),
]
"""A video: MP4, at least 16 fps, at most 50 MB; only its first 5 s are used."""
