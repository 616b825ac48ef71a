"""Planar YUV 4:2:0 frames — the renderer's working format — and RGB ⇄ YUV conversion.

Why not RGB: H.264 stores ``yuv420p``. Composing frames directly in that layout touches half the
bytes of RGB and skips a per-frame RGB→YUV conversion (≈3 ms per 720p frame on a 2-core machine,
a quarter of the whole 2 s budget). Layers (images, captions) are converted once, up front.

Layout: one C-contiguous ``uint8`` array of shape ``(H * 3 // 2, W)``, exactly PyAV's ``yuv420p``
ndarray layout (``av.VideoFrame.from_ndarray(a, format="yuv420p")``): rows ``[0, H)`` hold Y; the
next ``H // 4`` rows hold the U plane (``H/2 × W/2`` samples, row-major), then V. W and H are even.
:func:`planes` returns the three planes as views.

Colour: BT.601 matrix, limited ("TV") range — the default of swscale, hence of PyAV's
``to_ndarray(format="rgb24")``, so a decoded frame converts back to the RGB that went in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import U8, to_u8

# BT.601 limited range, RGB in 0..255 → Y in 16..235, U/V in 16..240 (offsets added separately).
_RGB_TO_YUV = np.array(
    [
        [65.481, 128.553, 24.966],
        [-37.797, -74.203, 112.0],
        [112.0, -93.786, -18.214],
    ],
    dtype=np.float32,
) / np.float32(255.0)
_YUV_OFFSET = np.array([16.0, 128.0, 128.0], dtype=np.float32)
_YUV_TO_RGB = np.linalg.inv(_RGB_TO_YUV).astype(np.float32)

BLACK = (16, 128, 128)
"""Y, U, V of RGB black."""


def new_frame(width: int, height: int, fill: tuple[int, int, int] = BLACK) -> U8:
    """A new packed 4:2:0 frame of the given even size, filled with one (Y, U, V) colour."""
    if width % 2 or height % 2:
        raise ValueError(f"4:2:0 frames need even sizes (got {width}×{height})")
    frame = np.empty((height * 3 // 2, width), dtype=np.uint8)
    y, u, v = planes(frame)
    y.fill(fill[0])
    u.fill(fill[1])
    v.fill(fill[2])
    return frame


def frame_size(frame: U8) -> tuple[int, int]:
    """(width, height) of a packed frame."""
    return frame.shape[1], frame.shape[0] * 2 // 3


def planes(frame: U8) -> tuple[U8, U8, U8]:
    """Views of the Y (H×W), U and V (H/2 × W/2) planes of a packed frame."""
    width, height = frame_size(frame)
    flat = frame.reshape(-1)
    n_y = width * height
    n_c = n_y // 4
    y = flat[:n_y].reshape(height, width)
    u = flat[n_y : n_y + n_c].reshape(height // 2, width // 2)
    v = flat[n_y + n_c :].reshape(height // 2, width // 2)
    return y, u, v


def rgb_to_yuv444(rgb: U8) -> tuple[U8, U8, U8]:
    """Full-resolution Y, U, V planes of an (H, W, 3) RGB image (any size)."""
    yuv = rgb.astype(np.float32) @ _RGB_TO_YUV.T + _YUV_OFFSET
    return to_u8(yuv[..., 0]), to_u8(yuv[..., 1]), to_u8(yuv[..., 2])


def rgb_to_planes(rgb: U8) -> tuple[U8, U8, U8]:
    """Y (H×W) and 2×2-averaged U, V (H/2 × W/2) planes of an even-sized RGB image."""
    h, w = rgb.shape[:2]
    if w % 2 or h % 2:
        raise ValueError(f"4:2:0 needs even sizes (got {w}×{h})")
    f = rgb.astype(np.float32)
    y = f @ _RGB_TO_YUV[0]
    # Chroma is linear in RGB, so averaging RGB over 2×2 blocks first equals averaging U/V after.
    mean = f.reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))
    uv = mean @ _RGB_TO_YUV[1:].T
    return to_u8(y + 16.0), to_u8(uv[..., 0] + 128.0), to_u8(uv[..., 1] + 128.0)


def rgb_to_frame(rgb: U8) -> U8:
    """Convert an even-sized (H, W, 3) RGB image to a packed 4:2:0 frame."""
    h, w = rgb.shape[:2]
    frame = np.empty((h * 3 // 2, w), dtype=np.uint8)
    for dst, src in zip(planes(frame), rgb_to_planes(rgb), strict=True):
        dst[...] = src
    return frame


def frame_to_rgb(frame: U8) -> U8:
    """Convert a packed 4:2:0 frame to (H, W, 3) RGB (chroma upsampled by repetition)."""
    y, u, v = planes(frame)
    up_u = np.repeat(np.repeat(u, 2, axis=0), 2, axis=1)
    up_v = np.repeat(np.repeat(v, 2, axis=0), 2, axis=1)
    yuv = np.stack([y, up_u, up_v], axis=-1).astype(np.float32) - _YUV_OFFSET
    return to_u8(yuv @ _YUV_TO_RGB.T)


def rgb_to_yuv_colour(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """(Y, U, V) of one RGB colour."""
    yuv = np.asarray(rgb, dtype=np.float32) @ _RGB_TO_YUV.T + _YUV_OFFSET
    return int(to_u8(yuv[0])), int(to_u8(yuv[1])), int(to_u8(yuv[2]))


def lut_rgb_to_yuv(lut: U8) -> tuple[U8, U8, U8]:
    """Turn a 256-entry RGB colour map (256, 3) into three 256-entry Y, U, V lookup tables."""
    y, u, v = rgb_to_yuv444(lut.reshape(1, 256, 3))
    return y[0], u[0], v[0]


def upsample(plane: U8, factor: int = 2, out: U8 | None = None) -> U8:
    """Enlarge a plane ``factor``× by pixel repetition (chroma → luma resolution, half → full).

    Writes into ``out`` (shape ``(h·factor, w·factor)``) when given. Columns are repeated first,
    then rows by a broadcast copy: about 3× faster than two ``np.repeat`` calls.
    """
    h, w = plane.shape
    wide = np.repeat(plane, factor, axis=1)
    if out is None:
        out = np.empty((h * factor, w * factor), dtype=plane.dtype)
    rows = out.reshape(h, factor, w * factor)
    if not np.shares_memory(rows, out):  # a copy would silently drop the writes
        raise ValueError("upsample: out must be reshapeable without a copy")
    rows[...] = wide[:, None, :]
    return out


def upsample2(plane: U8) -> U8:
    """:func:`upsample` by 2."""
    return upsample(plane, 2)


def subsample_alpha(alpha: U8) -> U8:
    """Average an even-sized (H, W) alpha over 2×2 blocks, for compositing chroma planes."""
    h, w = alpha.shape
    blocks = alpha.reshape(h // 2, 2, w // 2, 2).astype(np.uint16)
    out: U8 = (blocks.sum(axis=(1, 3)) // 4).astype(np.uint8)
    return out


def blend(dst: U8, src: U8 | int, alpha: U8 | int) -> None:
    """In place: ``dst ← dst + (src − dst) · alpha / 255`` with 8-bit alpha (0 keeps, 255 replaces).

    Integer maths: the weight ``a + (a >> 7)`` maps 0..255 onto 0..256, so alpha 255 copies ``src``
    exactly and alpha 0 leaves ``dst`` untouched (tests rely on both ends being exact).
    """
    a = np.asarray(alpha, dtype=np.uint16)
    w = a + (a >> 7)
    d = dst.astype(np.uint16)
    s = np.asarray(src, dtype=np.uint16)
    dst[...] = ((d * (256 - w) + s * w + 128) >> 8).astype(np.uint8)


@dataclass(frozen=True)
class Overlay:
    """A pre-converted layer (image, caption, card) to composite onto frames.

    ``y`` is (h, w); ``u``, ``v`` are (h/2, w/2); ``alpha`` / ``alpha_c`` are the matching 8-bit
    alphas, or None for an opaque layer (composited by a plain copy, the cheapest path).
    """

    y: U8
    u: U8
    v: U8
    alpha: U8 | None = None
    alpha_c: U8 | None = None

    @property
    def width(self) -> int:
        return int(self.y.shape[1])

    @property
    def height(self) -> int:
        return int(self.y.shape[0])

    @classmethod
    def from_rgb(cls, rgb: U8, alpha: U8 | None = None) -> Overlay:
        """Build from an even-sized RGB image and optional (H, W) alpha (255 = opaque)."""
        y, u, v = rgb_to_planes(rgb)
        if alpha is None or bool(np.all(alpha == 255)):
            return cls(y, u, v)
        return cls(y, u, v, alpha, subsample_alpha(alpha))

    @classmethod
    def from_rgba(cls, rgba: U8) -> Overlay:
        """Build from an even-sized (H, W, 4) RGBA image."""
        return cls.from_rgb(np.ascontiguousarray(rgba[..., :3]), np.ascontiguousarray(rgba[..., 3]))

    def composite(self, frame: U8, x: int, y: int) -> None:
        """Draw onto ``frame`` with the top-left corner at (x, y); parts outside are clipped.

        ``x`` and ``y`` are rounded down to even so the chroma planes stay aligned.
        """
        x, y = x - x % 2, y - y % 2
        fw, fh = frame_size(frame)
        x0, y0 = max(x, 0), max(y, 0)
        x1, y1 = min(x + self.width, fw), min(y + self.height, fh)
        if x1 <= x0 or y1 <= y0:
            return
        fy, fu, fv = planes(frame)
        sl = (slice(y0 - y, y1 - y), slice(x0 - x, x1 - x))
        slc = (slice((y0 - y) // 2, (y1 - y) // 2), slice((x0 - x) // 2, (x1 - x) // 2))
        dy = (slice(y0, y1), slice(x0, x1))
        dc = (slice(y0 // 2, y1 // 2), slice(x0 // 2, x1 // 2))
        if self.alpha is None or self.alpha_c is None:
            fy[dy] = self.y[sl]
            fu[dc] = self.u[slc]
            fv[dc] = self.v[slc]
            return
        blend(fy[dy], self.y[sl], self.alpha[sl])
        blend(fu[dc], self.u[slc], self.alpha_c[slc])
        blend(fv[dc], self.v[slc], self.alpha_c[slc])
