"""Media references: what a media field of a request may hold.

A media field holds one string: a URL the provider can fetch (``http://``, ``https://``) or has been
given (``oss://`` temporary storage), or a local file that the engine will upload before
submitting. ``file://`` URLs and :class:`os.PathLike` objects (``pathlib.Path``) are normalised to
absolute paths, so the stored request says unambiguously which file was meant.

Custom errors here carry only the rule; ``errors.py`` adds the field name and the value given.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote, urlsplit

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from vace_studio.requests.refs import (
    REMOTE_SCHEMES,
    MediaKind,
    has_cjk,
    is_local,
    is_remote,
    scheme_of,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# "www.example.com/cat.png" or "example.com/cat.png": a web address missing its https://.
_LOOKS_LIKE_HOST = re.compile(r"^(www\.|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.(com|net|org|cn|io)(/|$))")

__all__ = [
    "REMOTE_SCHEMES",
    "ImageRef",
    "MediaKind",
    "VideoRef",
    "has_cjk",
    "is_local",
    "is_remote",
]


def _in_memory_media(value: object) -> bool:
    """A PIL image or a NumPy array (told by module name: this layer imports neither)."""
    return type(value).__module__.split(".", 1)[0] in ("PIL", "numpy")


def _normalise(value: object, kind: MediaKind) -> str:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, bytes | bytearray | memoryview) or _in_memory_media(value):
        raise PydanticCustomError(
            "media_type",
            "must be a URL or a local file path; bytes, PIL images and NumPy arrays are saved "
            "as files by Client.enqueue, or by vace_studio.media.save_media(value)",
        )
    if not isinstance(value, str):
        raise PydanticCustomError(
            "media_type", "must be a URL (http://, https://, oss://) or a local file path"
        )
    ref = value.strip()
    if not ref:
        raise PydanticCustomError("media_empty", "must be a URL or a local file path, not empty")
    scheme = scheme_of(ref)
    if scheme is None:
        return _local_path(ref, kind)
    if scheme == "file":
        parts = urlsplit(ref)
        if parts.netloc not in ("", "localhost"):
            raise PydanticCustomError(
                "media_file_host",
                "a file:// URL must name a file on this computer (file:///path/to/file)",
            )
        return _local_path(unquote(parts.path), kind)
    if scheme not in REMOTE_SCHEMES:
        raise PydanticCustomError(
            "media_scheme",
            "must start with http://, https:// or oss://, or be a local file path",
        )
    rest = ref[len(scheme) + 3 :]
    if (scheme in ("http", "https") and not urlsplit(ref).netloc) or not rest.strip("/"):
        raise PydanticCustomError(
            "media_incomplete", "is not a complete URL: the server or file name is missing"
        )
    if has_cjk(ref):
        raise PydanticCustomError(
            "media_cjk",
            "must not contain Chinese characters (the service refuses {kind} URLs with them); "
            "rename the file using Latin letters, digits, - or _ and use its new URL",
            {"kind": kind},
        )
    return ref


def _printable(text: str) -> str:
    """``text`` with control characters escaped, so a message never carries a raw NUL."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _local_path(raw: str, kind: MediaKind) -> str:
    path = Path(raw).expanduser()
    try:
        is_dir, is_file = path.is_dir(), path.is_file()
    except (OSError, ValueError) as error:
        # A name too long for the file system, a folder we may not read, a NUL byte: pathlib
        # raises instead of answering "no", and a request check must not crash.
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise PydanticCustomError(
            "media_unreadable",
            "cannot use this as a local {kind} file: {reason}",
            {"kind": kind, "reason": reason.lower()},
        ) from None
    if is_dir:
        raise PydanticCustomError(
            "media_not_file",
            "must be a {kind} file, but this local path is a folder",
            {"kind": kind},
        )
    if not is_file:
        hint = "; a web address must start with https://" if _LOOKS_LIKE_HOST.match(raw) else ""
        raise PydanticCustomError(
            "media_missing",
            "no local {kind} file at {path}{hint}",
            {"kind": kind, "path": _printable(str(path.absolute())), "hint": hint},
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
