// Pure rasterising of the painter's strokes and shapes into a binary mask (1 = edit, 0 = keep),
// one byte per pixel at the video's resolution. Every function changes `mask.data` in place and
// returns the rectangle it may have changed (for undo patches and partial redraws), or null.
//
// One rule for every shape: a pixel belongs to it when its centre (x + ½, y + ½) lies inside —
// the rule the kernel's imaging/masks.py uses — so a rectangle dragged from (x0, y0) to (x1, y1)
// covers exactly the pixels x0 ≤ x < x1, y0 ≤ y < y1, and no shape is blurred or anti-aliased:
// the mask stays pure black and white.

export interface Mask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** x, y inclusive; x1, y1 exclusive. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Point {
  x: number;
  y: number;
}

export function createMask(width: number, height: number): Mask {
  return { width, height, data: new Uint8Array(width * height) };
}

/** The part of a rectangle inside the mask, or null when nothing is left. */
export function clip(mask: Mask, r: Rect): Rect | null {
  const x0 = Math.max(0, Math.floor(r.x0));
  const y0 = Math.max(0, Math.floor(r.y0));
  const x1 = Math.min(mask.width, Math.ceil(r.x1));
  const y1 = Math.min(mask.height, Math.ceil(r.y1));
  return x1 > x0 && y1 > y0 ? { x0, y0, x1, y1 } : null;
}

export function union(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  return {
    x0: Math.min(a.x0, b.x0),
    y0: Math.min(a.y0, b.y0),
    x1: Math.max(a.x1, b.x1),
    y1: Math.max(a.y1, b.y1),
  };
}

export const full = (mask: Mask): Rect => ({ x0: 0, y0: 0, x1: mask.width, y1: mask.height });

/**
 * A brush segment from `a` to `b` of radius `r` (a capsule): every pixel whose centre is within
 * `r` of the segment. A single point is a segment of length 0 (a disc).
 */
export function stroke(mask: Mask, a: Point, b: Point, r: number, value: 0 | 1): Rect | null {
  const box = clip(mask, {
    x0: Math.min(a.x, b.x) - r,
    y0: Math.min(a.y, b.y) - r,
    x1: Math.max(a.x, b.x) + r + 1,
    y1: Math.max(a.y, b.y) + r + 1,
  });
  if (!box) return null;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const r2 = r * r;
  const { data, width } = mask;
  for (let y = box.y0; y < box.y1; y++) {
    const py = y + 0.5 - a.y;
    const row = y * width;
    for (let x = box.x0; x < box.x1; x++) {
      const px = x + 0.5 - a.x;
      let t = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - t * dx;
      const ey = py - t * dy;
      if (ex * ex + ey * ey <= r2) data[row + x] = value;
    }
  }
  return box;
}

/** A filled rectangle between two corners (in either order). */
export function rect(mask: Mask, a: Point, b: Point, value: 0 | 1): Rect | null {
  // Pixel centres inside [min, max): round both edges the same way.
  const box = clip(mask, {
    x0: Math.round(Math.min(a.x, b.x)),
    y0: Math.round(Math.min(a.y, b.y)),
    x1: Math.round(Math.max(a.x, b.x)),
    y1: Math.round(Math.max(a.y, b.y)),
  });
  if (!box) return null;
  for (let y = box.y0; y < box.y1; y++) {
    mask.data.fill(value, y * mask.width + box.x0, y * mask.width + box.x1);
  }
  return box;
}

/** A filled ellipse inscribed in the rectangle between two corners. */
export function ellipse(mask: Mask, a: Point, b: Point, value: 0 | 1): Rect | null {
  const cx = (a.x + b.x) / 2;
  const cy = (a.y + b.y) / 2;
  const rx = Math.abs(b.x - a.x) / 2;
  const ry = Math.abs(b.y - a.y) / 2;
  if (rx <= 0 || ry <= 0) return null;
  const box = clip(mask, { x0: cx - rx, y0: cy - ry, x1: cx + rx + 1, y1: cy + ry + 1 });
  if (!box) return null;
  for (let y = box.y0; y < box.y1; y++) {
    const ny = (y + 0.5 - cy) / ry;
    const span = 1 - ny * ny;
    if (span < 0) continue;
    const half = rx * Math.sqrt(span);
    // Columns whose centre lies in [cx − half, cx + half].
    const first = Math.max(box.x0, Math.ceil(cx - half - 0.5));
    const last = Math.min(box.x1, Math.floor(cx + half - 0.5) + 1);
    if (last > first) mask.data.fill(value, y * mask.width + first, y * mask.width + last);
  }
  return box;
}

/** A filled polygon (even–odd rule; a lasso is a polygon of many points). */
export function polygon(mask: Mask, points: readonly Point[], value: 0 | 1): Rect | null {
  if (points.length < 3) return null;
  let box: Rect | null = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (const p of points) {
    box.x0 = Math.min(box.x0, p.x);
    box.y0 = Math.min(box.y0, p.y);
    box.x1 = Math.max(box.x1, p.x + 1);
    box.y1 = Math.max(box.y1, p.y + 1);
  }
  box = clip(mask, box);
  if (!box) return null;
  const xs: number[] = [];
  for (let y = box.y0; y < box.y1; y++) {
    const yc = y + 0.5;
    xs.length = 0;
    for (let i = 0; i < points.length; i++) {
      const p = points[i] as Point;
      const q = points[(i + 1) % points.length] as Point;
      // Half-open in y so a vertex on the scanline is counted once.
      if (p.y <= yc === q.y <= yc) continue;
      xs.push(p.x + ((yc - p.y) / (q.y - p.y)) * (q.x - p.x));
    }
    xs.sort((m, n) => m - n);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const first = Math.max(box.x0, Math.ceil((xs[k] as number) - 0.5));
      const last = Math.min(box.x1, Math.floor((xs[k + 1] as number) - 0.5) + 1);
      if (last > first) mask.data.fill(value, y * mask.width + first, y * mask.width + last);
    }
  }
  return box;
}

/**
 * Flood fill from a pixel: its 4-connected region of equal value becomes `value` (a click inside
 * an outline fills it). Scanline fill: memory grows with the region's rows, not its pixels.
 */
export function fill(mask: Mask, at: Point, value: 0 | 1): Rect | null {
  const { width, height, data } = mask;
  const sx = Math.floor(at.x);
  const sy = Math.floor(at.y);
  if (sx < 0 || sy < 0 || sx >= width || sy >= height) return null;
  const target = data[sy * width + sx];
  if (target === value) return null;
  let box: Rect | null = null;
  const stack: number[] = [sx, sy];
  while (stack.length > 0) {
    const y = stack.pop() as number;
    let x = stack.pop() as number;
    const row = y * width;
    while (x > 0 && data[row + x - 1] === target) x--;
    const start = x;
    let aboveOpen = false;
    let belowOpen = false;
    for (; x < width && data[row + x] === target; x++) {
      data[row + x] = value;
      if (y > 0) {
        const match = data[row - width + x] === target;
        if (match && !aboveOpen) stack.push(x, y - 1);
        aboveOpen = match;
      }
      if (y + 1 < height) {
        const match = data[row + width + x] === target;
        if (match && !belowOpen) stack.push(x, y + 1);
        belowOpen = match;
      }
    }
    box = union(box, { x0: start, y0: y, x1: x, y1: y + 1 });
  }
  return box;
}

export function invert(mask: Mask): Rect {
  const { data } = mask;
  for (let i = 0; i < data.length; i++) data[i] = data[i] ? 0 : 1;
  return full(mask);
}

export function clear(mask: Mask): Rect {
  mask.data.fill(0);
  return full(mask);
}

/** The pixels of a rectangle, row by row (for undo patches). */
export function copyRect(mask: Mask, r: Rect): Uint8Array {
  const w = r.x1 - r.x0;
  const out = new Uint8Array(w * (r.y1 - r.y0));
  for (let y = r.y0; y < r.y1; y++) {
    const from = y * mask.width + r.x0;
    out.set(mask.data.subarray(from, from + w), (y - r.y0) * w);
  }
  return out;
}

export function pasteRect(mask: Mask, r: Rect, pixels: Uint8Array): void {
  const w = r.x1 - r.x0;
  for (let y = r.y0; y < r.y1; y++) {
    mask.data.set(pixels.subarray((y - r.y0) * w, (y - r.y0 + 1) * w), y * mask.width + r.x0);
  }
}

/** How many pixels are set (1). */
export function area(mask: Mask): number {
  let n = 0;
  for (const v of mask.data) n += v;
  return n;
}

/**
 * The mask 8 pixels to a byte, first pixel in the highest bit, row after row (numpy's packbits):
 * what crosses the comm, an eighth of a byte per pixel (a 1920×1080 mask is 259 KB).
 */
export function packBits(mask: Mask): Uint8Array {
  const { data } = mask;
  const out = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) {
    if (data[i]) out[i >> 3] = (out[i >> 3] as number) | (0x80 >> (i & 7));
  }
  return out;
}

/** The pixels of `packBits`, as one byte each (0 or 1). */
export function unpackBits(packed: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = ((packed[i >> 3] as number) >> (7 - (i & 7))) & 1;
  return out;
}
