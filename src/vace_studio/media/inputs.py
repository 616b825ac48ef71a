"""In-memory media (bytes, a PIL image, a NumPy array) turned into files a request can name.

A request's media fields hold strings: URLs or local paths. Everything else a person may have in
a notebook — the bytes of a file dropped in the widget, a ``PIL.Image``, a NumPy array — is
written once to a cache folder, named by the SHA-256 of its content (so the same picture is one
file, and the engine's upload cache recognises it), and the path takes its place.
``Client.enqueue`` does this for you (:func:`materialize_request`).

Images are written as PNG (lossless; a mask stays pure black and white). Arrays must be
``uint8`` or ``bool``, shaped (H, W), (H, W, 3) or (H, W, 4); ``bool`` is a mask (True = edit =
white). Bytes keep their format; it is recognised from the content (or ``name``'s suffix).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vace_studio.media.limits import FIELD_KINDS
from vace_studio.media.probe import MediaKind, sniff_kind
from vace_studio.requests import InvalidRequest, Problem
from vace_studio.requests.problems import describe_value

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

_IMAGE_SUFFIX = {
    "JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "BMP": ".bmp", "TIFF": ".tif",
    "WEBP": ".webp", "GIF": ".gif",
}  # fmt: skip
_KNOWN_SUFFIXES = {
    ".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".mp4", ".mov",
    ".webm", ".mkv", ".avi",
}  # fmt: skip


def default_inputs_dir() -> Path:
    """Where in-memory media is written when no folder is given (the user cache folder)."""
    import platformdirs  # imported where used: ``import vace_studio`` stays light

    return Path(platformdirs.user_cache_dir("vace-studio")) / "inputs"


def _write_once(folder: Path, digest: str, suffix: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest[:32]}{suffix}"
    if not target.is_file() or target.stat().st_size != len(data):
        partial = folder / f".{target.name}.{os.getpid()}.partial"
        partial.write_bytes(data)
        partial.replace(target)
    return target


def _suffix_for(data: bytes, kind: MediaKind | None, name: str | None) -> str:
    sniffed = sniff_kind(data[:16])
    if sniffed == "image" or (sniffed is None and kind == "image"):
        try:
            from PIL import Image

            with Image.open(io.BytesIO(data)) as img:
                if img.format in _IMAGE_SUFFIX:
                    return _IMAGE_SUFFIX[img.format]
        except (OSError, ValueError, SyntaxError):
            pass
    if sniffed == "video" or kind == "video":
        if data[4:8] == b"ftyp":
            return ".mov" if data[8:12] == b"qt  " else ".mp4"
        import av

        try:
            with av.open(io.BytesIO(data), mode="r") as container:
                names = str(container.format.name).split(",")
            if "matroska" in names or "webm" in names:
                return ".webm" if "webm" in (name or "").lower() else ".mkv"
            if "avi" in names:
                return ".avi"
        except (av.FFmpegError, OSError, ValueError):
            pass
    suffix = Path(name).suffix.lower() if name else ""
    return suffix if suffix in _KNOWN_SUFFIXES else ".bin"


def save_bytes(
    data: bytes | bytearray | memoryview,
    kind: MediaKind | None = None,
    *,
    name: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Write a file's bytes (e.g. a file dropped in the widget) once, named by content hash.

    The suffix comes from the content (PNG, JPEG…, MP4/MOV) or else from ``name``; the file is
    not checked here (:func:`~vace_studio.media.check_request` does that, naming the field).
    """
    raw = bytes(data)
    if not raw:
        raise ValueError("the file is empty (0 bytes)")
    folder = Path(cache_dir) if cache_dir is not None else default_inputs_dir()
    digest = hashlib.sha256(raw).hexdigest()
    return _write_once(folder, digest, _suffix_for(raw, kind, name), raw)


def plain_named(path: Path, digest: str, folder: Path) -> Path:
    """``path`` itself when its name is plain ASCII, else the same content under a generated
    name (``<digest[:32]><suffix>``, a hard link or a copy in ``folder``).

    An uploader that keeps the file's name would otherwise put Chinese characters in the URL,
    which the service refuses.
    """
    if path.name.isascii():
        return path
    suffix = path.suffix.lower() if path.suffix.isascii() else ""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest[:32]}{suffix}"
    if not target.is_file():
        try:
            os.link(path, target)
        except OSError:  # another file system, or links not allowed
            shutil.copyfile(path, target)
    return target


def image_from_array(array: np.ndarray[Any, Any]) -> Image.Image:
    """A PIL image from a ``uint8`` / ``bool`` array shaped (H, W), (H, W, 3) or (H, W, 4)."""
    import numpy as np
    from PIL import Image

    a = np.asarray(array)
    if a.dtype == np.bool_:
        if a.ndim != 2:
            raise ValueError(f"a bool mask must be (H, W) (got shape {a.shape})")
        return Image.fromarray(np.where(a, 255, 0).astype(np.uint8), mode="L")
    if a.dtype != np.uint8:
        hint = ""
        if a.dtype.kind == "f":
            hint = " (values 0–1: use (a * 255).round().astype(np.uint8))"
        raise ValueError(f"an image array must be uint8 or bool, not {a.dtype}{hint}")
    if a.ndim == 2:
        return Image.fromarray(np.ascontiguousarray(a), mode="L")
    if a.ndim == 3 and a.shape[2] in (3, 4):
        return Image.fromarray(np.ascontiguousarray(a), mode="RGB" if a.shape[2] == 3 else "RGBA")
    raise ValueError(f"an image array must be (H, W), (H, W, 3) or (H, W, 4) (got {a.shape})")


def save_image(
    image: Image.Image | np.ndarray[Any, Any],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Write a PIL image or an image array once as PNG, named by the hash of its pixels."""
    from PIL import Image

    img = image if isinstance(image, Image.Image) else image_from_array(image)
    if img.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
        img = img.convert("RGBA" if "A" in img.mode else "RGB")
    digest = hashlib.sha256(
        f"{img.mode}:{img.width}x{img.height}:".encode() + img.tobytes()
    ).hexdigest()
    folder = Path(cache_dir) if cache_dir is not None else default_inputs_dir()
    existing = folder / f"{digest[:32]}.png"
    if existing.is_file():
        return existing
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    return _write_once(folder, digest, ".png", buffer.getvalue())


def _is_pil(value: object) -> bool:
    # A PIL image can only exist once Pillow was imported: no need to import it to ask.
    pil = sys.modules.get("PIL.Image")
    return pil is not None and isinstance(value, pil.Image)


def _is_array(value: object) -> bool:
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.ndarray)


def is_in_memory(value: object) -> bool:
    """True for what :func:`save_media` turns into a file (bytes, PIL images, arrays)."""
    return isinstance(value, bytes | bytearray | memoryview) or _is_pil(value) or _is_array(value)


def save_media(
    value: Any,
    kind: MediaKind | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Any:
    """A path string for in-memory media; any other value (a URL, a path) is returned as is."""
    if isinstance(value, bytes | bytearray | memoryview):
        return str(save_bytes(value, kind, cache_dir=cache_dir))
    if _is_pil(value) or _is_array(value):
        if kind == "video":
            raise ValueError("a video must be a file or its bytes, not an image or array")
        return str(save_image(value, cache_dir=cache_dir))
    return value


def materialize_request(
    request: Mapping[str, Any], cache_dir: str | os.PathLike[str] | None = None
) -> Mapping[str, Any]:
    """``request`` with in-memory media in its media fields replaced by file paths.

    Returns ``request`` itself when there is nothing to convert. Raises
    :class:`~vace_studio.requests.InvalidRequest` naming each field whose value cannot be
    turned into a file (an array of the wrong type, an image given for a video…).
    """
    if not any(
        is_in_memory(v) or (isinstance(v, list | tuple) and any(is_in_memory(i) for i in v))
        for name, v in request.items()
        if name in FIELD_KINDS
    ):
        return request
    out = dict(request)
    problems: list[Problem] = []

    def convert(where: str, value: Any, kind: MediaKind) -> Any:
        try:
            return save_media(value, kind, cache_dir=cache_dir)
        except (ValueError, OSError) as error:
            shown = (
                f"{value.dtype} array of shape {value.shape}"
                if _is_array(value)
                else describe_value(value)
                if not _is_pil(value)
                else f"a {value.mode} image"
            )
            problems.append(Problem(where, "media_input", None, f"{where}: {error} (got {shown})"))
            return value

    for name, kind in FIELD_KINDS.items():
        value = request.get(name)
        if isinstance(value, list | tuple):
            out[name] = [convert(f"{name}[{i}]", v, kind) for i, v in enumerate(value)]
        elif value is not None:
            out[name] = convert(name, value, kind)
    if problems:
        function = request.get("function")
        raise InvalidRequest(function if isinstance(function, str) else None, problems)
    return out
