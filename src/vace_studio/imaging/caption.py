"""The caption drawn over every simulated frame: the prompt, and a smaller line of parameters.

Rendered once per task with Pillow (the default FreeType font), returned as a small RGBA box plus
its position, so a renderer composites only that box on each frame.

Layout (exact): font size ``max(10, round(H / 26))`` for the prompt and ``max(8, round(H / 36))``
for the detail line; a dark translucent (alpha 170) rounded box, horizontally centred, its bottom
edge ``round(H / 30)`` px above the frame's bottom; box width at most ``W − 2·margin``. Text that
does not fit one line is cut at the widest prefix that fits and ends with "…". Whitespace
(including newlines) collapses to single spaces. Box position and size are even (4:2:0 chroma).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .arrays import U8, even, even_floor, round_half_up

ELLIPSIS = "…"
_BOX_ALPHA = 170

FontT = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Caption:
    """An RGBA caption box and where it goes: ``rgba`` is (h, w, 4), top-left at (x, y)."""

    rgba: U8
    x: int
    y: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the area the caption covers (x1, y1 exclusive)."""
        h, w = self.rgba.shape[:2]
        return self.x, self.y, self.x + w, self.y + h


def _font(size: int) -> FontT:
    return ImageFont.load_default(size=size)


def _text_width(font: FontT, text: str) -> float:
    return float(font.getlength(text))


def fit_text(text: str, font: FontT, max_width: float) -> str:
    """``text``, whitespace collapsed, cut with "…" to the widest prefix within ``max_width``."""
    text = " ".join(text.split())
    if _text_width(font, text) <= max_width:
        return text
    lo, hi = 0, len(text)
    # Binary search on the prefix length: width is monotone in the prefix for left-to-right text.
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _text_width(font, text[:mid].rstrip() + ELLIPSIS) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS


def render_caption(prompt: str, width: int, height: int, detail: str = "") -> Caption:
    """Draw ``prompt`` (and an optional smaller ``detail`` line) for a ``width×height`` frame."""
    margin = max(2, round_half_up(height / 30))
    pad = max(2, round_half_up(height / 90))
    font = _font(max(10, round_half_up(height / 26)))
    small = _font(max(8, round_half_up(height / 36)))
    max_text = max(1, width - 2 * margin - 2 * pad)
    lines: list[tuple[str, FontT]] = []
    if prompt.strip():
        lines.append((fit_text(prompt, font, max_text), font))
    if detail.strip():
        lines.append((fit_text(detail, small, max_text), small))
    if not lines:
        lines.append((ELLIPSIS, small))

    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    boxes = [probe.textbbox((0, 0), text, font=f) for text, f in lines]
    line_h = [
        max(b[3], round_half_up(getattr(f, "size", 10) * 1.15))
        for b, (_, f) in zip(boxes, lines, strict=True)
    ]
    text_w = max(b[2] for b in boxes)
    box_w = min(even(text_w + 2 * pad), even_floor(width - 2 * margin) or 2)
    box_h = even(sum(line_h) + 2 * pad)
    x = even_floor((width - box_w) / 2)
    y = max(0, even_floor(height - margin - box_h))

    img = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle(
        (0, 0, box_w - 1, box_h - 1), radius=max(1, pad), fill=(0, 0, 0, _BOX_ALPHA)
    )
    ty = float(pad)
    for (text, f), lh, colour in zip(
        lines, line_h, [(255, 255, 255, 255), (200, 210, 220, 255)], strict=False
    ):
        tw = _text_width(f, text)
        draw.text(((box_w - tw) / 2, ty), text, font=f, fill=colour)
        ty += lh
    return Caption(np.asarray(img, dtype=np.uint8).copy(), x, y)
