"""image_reference: 1–3 reference images composed into a scene with a slow camera move.

What is drawn (``size`` W×H, default 1280×720):

- **Background**: the ``bg`` reference cover-scaled (no bars) to W×H plus an 8 % margin
  (4 % each side) for the camera to move in; without a ``bg``, a seeded gradient with soft
  coloured blobs (hue from the prompt and seed).
- **Objects**: each ``obj`` reference scaled to one third of H (narrower when three would not fit),
  as a card with a white border (or cut out along its alpha channel when the file has one), with a
  soft shadow; object j of k is centred at ``x = W·(j+1)/(k+1)``, ``y = H/2``.
- **Camera**: a straight pan across the margin in a seeded direction with ease-in/out over 5 s,
  moving by whole even pixels (4:2:0). Objects move 1.6× as far the other way (parallax: they are
  nearer) and bob gently (±1 % of H, period 2.5 s).

``obj_or_bg`` defaults to ``["obj"]`` for one reference; with more it must be given, one entry per
reference, at most one ``bg``. References beyond three are dropped, as the service does.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from vace_studio.imaging.arrays import U8, even, even_floor
from vace_studio.imaging.canvas import cover_resize
from vace_studio.imaging.yuv import Overlay, planes, rgb_to_frame

from .context import DEFAULT_SIZE, FRAME_COUNT, FramePlan, RenderContext, hsv_rgb, time_of
from .errors import invalid
from .media_io import LoadedImage

MARGIN = 0.04
PARALLAX = 1.6
BOB = 0.01
BOB_PERIOD = 2.5


def ref_kinds(ctx: RenderContext, n_refs: int) -> list[str]:
    """``obj_or_bg`` checked against the references (see the module docstring)."""
    kinds = ctx.urls("obj_or_bg")
    if not kinds:
        if n_refs == 1:
            return ["obj"]
        raise invalid(
            f"obj_or_bg: is required with {n_refs} reference images (one entry per image)"
        )
    kinds = kinds[:3]
    if len(kinds) != n_refs:
        raise invalid(
            f"obj_or_bg: must have one entry per reference image ({n_refs}), got {len(kinds)}"
        )
    bad = [k for k in kinds if k not in ("obj", "bg")]
    if bad:
        raise invalid(f'obj_or_bg: entries must be "obj" or "bg" (got {bad[0]!r})')
    if kinds.count("bg") > 1:
        raise invalid('obj_or_bg: at most one reference can be "bg"')
    return kinds


def gradient_background(ctx: RenderContext, width: int, height: int) -> U8:
    """A seeded diagonal gradient with soft blobs, (height, width, 3) RGB."""
    rng = ctx.rng
    c0 = np.array(hsv_rgb(ctx.hue, 0.55, 0.35), dtype=np.float32)
    c1 = np.array(hsv_rgb(ctx.hue + 0.12 + 0.2 * rng.random(), 0.6, 0.85), dtype=np.float32)
    # Drawn at 1/4 size and scaled up: the picture is all low frequencies anyway.
    sw, sh = max(2, width // 4), max(2, height // 4)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    t = (xx / sw + yy / sh) / 2
    base = c0 * (1 - t[..., None]) + c1 * t[..., None]
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(7):
        r = float(rng.uniform(0.08, 0.22)) * min(sw, sh) * 2
        cx, cy = float(rng.uniform(0, sw)), float(rng.uniform(0, sh))
        colour = hsv_rgb(
            ctx.hue + float(rng.uniform(-0.15, 0.3)), 0.5, float(rng.uniform(0.6, 1.0))
        )
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    img = img.filter(ImageFilter.GaussianBlur(min(sw, sh) / 12))
    return np.asarray(img.resize((width, height), Image.Resampling.BILINEAR), dtype=np.uint8).copy()


def card_layers(image: LoadedImage, box_w: int, box_h: int) -> tuple[Overlay, Overlay, int]:
    """(card, shadow, shadow offset) for one object image fitted into box_w × box_h."""
    scale = min(box_w / image.width, box_h / image.height)
    w, h = even(image.width * scale), even(image.height * scale)
    rgb = np.asarray(
        Image.fromarray(image.rgb).resize((w, h), Image.Resampling.BILINEAR), dtype=np.uint8
    )
    border = even(h * 0.03)
    if image.alpha is None:
        card = np.full((h + 2 * border, w + 2 * border, 3), 255, dtype=np.uint8)
        card[border : border + h, border : border + w] = rgb
        alpha = np.full(card.shape[:2], 255, dtype=np.uint8)
    else:
        card = rgb.copy()
        alpha = np.asarray(
            Image.fromarray(image.alpha).resize((w, h), Image.Resampling.BILINEAR), dtype=np.uint8
        ).copy()
    pad = 2 * border + 4
    shadow_a = np.zeros((alpha.shape[0] + 2 * pad, alpha.shape[1] + 2 * pad), dtype=np.uint8)
    shadow_a[pad:-pad, pad:-pad] = alpha // 2
    blurred = Image.fromarray(shadow_a).filter(ImageFilter.GaussianBlur(max(1, border)))
    shadow = Overlay.from_rgb(
        np.zeros((*shadow_a.shape, 3), dtype=np.uint8), np.asarray(blurred, dtype=np.uint8).copy()
    )
    return Overlay.from_rgb(card, alpha), shadow, pad


def plan(ctx: RenderContext) -> FramePlan:
    """Prepare the image_reference render."""
    width, height = ctx.size() or DEFAULT_SIZE
    refs = ctx.urls("ref_images_url")[:3]
    if not refs:
        raise invalid("ref_images_url: image_reference needs 1 to 3 reference images")
    kinds = ref_kinds(ctx, len(refs))
    images = [ctx.image(url, f"ref_images_url[{i}]") for i, url in enumerate(refs)]

    mx, my = even(width * MARGIN, 0), even(height * MARGIN, 0)
    bw, bh = width + 2 * mx, height + 2 * my
    bg_images = [img for img, kind in zip(images, kinds, strict=True) if kind == "bg"]
    bg_rgb = (
        cover_resize(bg_images[0].rgb, bw, bh) if bg_images else gradient_background(ctx, bw, bh)
    )
    background = rgb_to_frame(bg_rgb)
    by, bu, bv = planes(background)

    objs = [img for img, kind in zip(images, kinds, strict=True) if kind == "obj"]
    k = len(objs)
    box_h = even(height / 3)
    box_w = even(min(width / (k + 0.5), width * 0.6)) if k else 2
    cards = [card_layers(img, box_w, box_h) for img in objs]
    drop = max(2, even(height / 120))
    phases = [float(ctx.rng.uniform(0, 2 * math.pi)) for _ in objs]
    angle = float(ctx.rng.uniform(0, 2 * math.pi))
    ux, uy = math.cos(angle), math.sin(angle)

    def draw(i: int, out: U8) -> None:
        t = time_of(i)
        s = i / (FRAME_COUNT - 1)
        ease = s * s * (3 - 2 * s) * 2 - 1  # −1 … 1, smooth at both ends
        px, py = ease * ux * mx, ease * uy * my
        ox, oy = even_floor(mx + px), even_floor(my + py)
        oy_, ou_, ov_ = planes(out)
        oy_[...] = by[oy : oy + height, ox : ox + width]
        ou_[...] = bu[oy // 2 : oy // 2 + height // 2, ox // 2 : ox // 2 + width // 2]
        ov_[...] = bv[oy // 2 : oy // 2 + height // 2, ox // 2 : ox // 2 + width // 2]
        for j, ((card, shadow, off), phase) in enumerate(zip(cards, phases, strict=True)):
            cx = width * (j + 1) / (k + 1) - PARALLAX * px
            cy = (
                height / 2
                - PARALLAX * py
                + BOB * height * math.sin(2 * math.pi * t / BOB_PERIOD + phase)
            )
            x, y = round(cx - card.width / 2), round(cy - card.height / 2)
            shadow.composite(out, x - off + drop, y - off + drop)
            card.composite(out, x, y)

    names = "+".join(kinds)
    return FramePlan(width, height, f"image_reference · {names} · seed {ctx.seed}", draw)
