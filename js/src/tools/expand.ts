// The mask growth (`expand_mode` × `expand_ratio`), drawn live over the painter: a line-by-line
// port of vace_studio/imaging/masks.py `expand`, which the kernel's preview and the simulator use.
// js/test/tools/expand.test.ts checks it against golden outputs that Python writes
// (tests/imaging/test_mask_golden.py), so the painter shows what the preview will.
//
// - original: the mask unchanged.
// - bbox: the bounding box grown by round_half_up(r·bw) / round_half_up(r·bh) on each side.
// - hull: the convex hull of the mask's pixel corners, dilated by a disc of radius r·√area (a
//   circumscribed 64-gon), filled by pixel centres, united with the mask.

import type { Mask } from "./raster";

export type ExpandMode = "hull" | "bbox" | "original";

const DISC_SIDES = 64;

const roundHalfUp = (x: number): number => Math.floor(x + 0.5);

type Pt = [number, number];

/** Each row's first set column and one past its last (-1, -1 for an empty row). */
function rowSpans(mask: Mask): Int32Array {
  const { width, height, data } = mask;
  const spans = new Int32Array(height * 2).fill(-1);
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * width, (y + 1) * width);
    const left = row.indexOf(1); // native scans: the mask holds only 0 and 1
    if (left < 0) continue;
    spans[2 * y] = left;
    spans[2 * y + 1] = row.lastIndexOf(1) + 1;
  }
  return spans;
}

/** [x0, y0, x1, y1] of the set pixels, exclusive upper bounds; null when none is set. */
export function bbox(mask: Mask, spans = rowSpans(mask)): [number, number, number, number] | null {
  let x0 = mask.width;
  let x1 = -1;
  let y0 = -1;
  let y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    const left = spans[2 * y] as number;
    if (left < 0) continue;
    if (y0 < 0) y0 = y;
    y1 = y + 1;
    x0 = Math.min(x0, left);
    x1 = Math.max(x1, spans[2 * y + 1] as number);
  }
  return y0 < 0 ? null : [x0, y0, x1, y1];
}

/** The outer corners of each row's leftmost and rightmost set pixel (as masks.py). */
function cornerPoints(mask: Mask, spans: Int32Array): Pt[] {
  const pts: Pt[] = [];
  for (let y = 0; y < mask.height; y++) {
    const left = spans[2 * y] as number;
    if (left < 0) continue;
    const right = spans[2 * y + 1] as number;
    pts.push([left, y], [left, y + 1], [right, y], [right, y + 1]);
  }
  return pts;
}

/** Counter-clockwise convex hull (Andrew's monotone chain), as masks.py `convex_hull`. */
export function convexHull(points: Pt[]): Pt[] {
  // Sorted by x, then y, duplicates dropped (np.unique(points, axis=0)).
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const pts = sorted.filter((p, i) => {
    const q = sorted[i - 1];
    return !q || q[0] !== p[0] || q[1] !== p[1];
  });
  if (pts.length <= 2) return pts;
  const half = (seq: Pt[]): Pt[] => {
    const out: Pt[] = [];
    for (const p of seq) {
      while (out.length >= 2) {
        const [ax, ay] = out[out.length - 2] as Pt;
        const [bx, by] = out[out.length - 1] as Pt;
        if ((bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) > 0) break;
        out.pop();
      }
      out.push(p);
    }
    return out;
  };
  const lower = half(pts);
  const upper = half([...pts].reverse());
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

function dilate(hull: Pt[], radius: number): Pt[] {
  const rr = radius / Math.cos(Math.PI / DISC_SIDES);
  const out: Pt[] = [];
  for (const [x, y] of hull) {
    for (let k = 0; k < DISC_SIDES; k++) {
      const a = k * ((2 * Math.PI) / DISC_SIDES); // numpy linspace: k · step
      out.push([x + Math.cos(a) * rr, y + Math.sin(a) * rr]);
    }
  }
  return out;
}

/**
 * Each row's span [first, last) of the pixels whose centre lies in a convex polygon (as masks.py
 * `fill_convex`): from the smallest to the largest x where an edge crosses the row's centre line.
 * Each edge visits only the rows it spans (masks.py tests every edge on every row; the result is
 * the same). Rows it misses get (0, 0).
 */
function convexSpans(poly: Pt[], width: number, height: number): Int32Array {
  const spans = new Int32Array(height * 2);
  if (poly.length < 3) return spans;
  const xMin = new Float64Array(height).fill(Infinity);
  const xMax = new Float64Array(height).fill(-Infinity);
  for (let i = 0; i < poly.length; i++) {
    const [ax, ay] = poly[i] as Pt;
    const [bx, by] = poly[(i + 1) % poly.length] as Pt;
    const lo = Math.min(ay, by);
    const hi = Math.max(ay, by);
    // As in imaging/masks.py: an edge under a billionth of a pixel tall is horizontal here.
    if (!(hi - lo > 1e-9)) continue;
    const first = Math.max(0, Math.floor(lo - 0.5));
    const last = Math.min(height - 1, Math.ceil(hi - 0.5));
    for (let y = first; y <= last; y++) {
      const yc = y + 0.5;
      if (!(yc >= lo && yc <= hi)) continue;
      const x = ax + ((yc - ay) / (by - ay)) * (bx - ax);
      if (x < (xMin[y] as number)) xMin[y] = x;
      if (x > (xMax[y] as number)) xMax[y] = x;
    }
  }
  for (let y = 0; y < height; y++) {
    const lo = xMin[y] as number;
    if (!Number.isFinite(lo)) continue;
    const first = Math.min(width, Math.max(0, Math.ceil(lo - 0.5)));
    const last = Math.min(width, Math.max(0, Math.floor((xMax[y] as number) - 0.5) + 1));
    if (last > first) {
      spans[2 * y] = first;
      spans[2 * y + 1] = last;
    }
  }
  return spans;
}

/** Set pixels in data[from, to): four at a time (each byte is 0 or 1, so a word's byte sum is
 * its product with 0x01010101, shifted down). */
export function countOnes(data: Uint8Array, from: number, to: number): number {
  let n = 0;
  let i = from;
  for (; i < to && (data.byteOffset + i) % 4 !== 0; i++) n += data[i] as number;
  if (i >= to) return n;
  const words = new Uint32Array(data.buffer, data.byteOffset + i, Math.floor((to - i) / 4));
  for (let k = 0; k < words.length; k++) n += Math.imul(words[k] as number, 0x01010101) >>> 24;
  for (i += words.length * 4; i < to; i++) n += data[i] as number;
  return n;
}

/**
 * What the growth adds to the mask, as one span [first, last) per row (the grown region is the
 * mask plus these spans: a rectangle for bbox, the dilated hull for hull); null for original or
 * an empty mask. The painter draws the growth from these directly.
 */
export function growthSpans(mask: Mask, ratio: number, mode: ExpandMode): Int32Array | null {
  if (mode === "original") return null;
  const spans = rowSpans(mask);
  const box = bbox(mask, spans);
  if (!box) return null;
  const [x0, y0, x1, y1] = box;
  const { width, height } = mask;
  if (mode === "bbox") {
    const mx = roundHalfUp(ratio * (x1 - x0));
    const my = roundHalfUp(ratio * (y1 - y0));
    const out = new Int32Array(height * 2);
    const left = Math.max(0, x0 - mx);
    const right = Math.min(width, x1 + mx);
    for (let y = Math.max(0, y0 - my); y < Math.min(height, y1 + my); y++) {
      out[2 * y] = left;
      out[2 * y + 1] = right;
    }
    return out;
  }
  const radius = ratio * Math.sqrt(countOnes(mask.data, y0 * width, y1 * width));
  let hull = convexHull(cornerPoints(mask, spans));
  if (radius > 0) hull = convexHull(dilate(hull, radius));
  return convexSpans(hull, width, height);
}

/** The grown mask (a new mask; `mask` is not changed). */
export function expand(mask: Mask, ratio: number, mode: ExpandMode): Mask {
  const { width, height } = mask;
  const out: Mask = { width, height, data: mask.data.slice() };
  const spans = growthSpans(mask, ratio, mode);
  if (!spans) return out;
  if (mode === "bbox") out.data.fill(0); // the rectangle contains the whole mask
  for (let y = 0; y < height; y++) {
    const first = spans[2 * y] as number;
    const last = spans[2 * y + 1] as number;
    if (last > first) out.data.fill(1, y * width + first, y * width + last);
  }
  return out;
}

/**
 * Writes `colour` where the growth adds to the mask (inside `spans`, outside the mask) and 0
 * elsewhere, for the rows and columns of `dirty`, into `pixels` (one entry per mask pixel). Native
 * fills only: the growth's span, then each run of mask pixels in it cleared.
 */
export function paintGrowth(
  mask: Mask,
  spans: Int32Array | null,
  dirty: { x0: number; y0: number; x1: number; y1: number },
  pixels: Uint32Array,
  colour: number,
): void {
  const { width, data } = mask;
  for (let y = dirty.y0; y < dirty.y1; y++) {
    const row = y * width;
    pixels.fill(0, row + dirty.x0, row + dirty.x1);
    const first = spans ? (spans[2 * y] as number) : 0;
    const last = spans ? (spans[2 * y + 1] as number) : 0;
    if (last <= first) continue;
    pixels.fill(colour, row + first, row + last);
    const line = data.subarray(row, row + width);
    for (let x = line.indexOf(1, first); x >= 0 && x < last; ) {
      const end = line.indexOf(0, x);
      const stop = end < 0 || end > last ? last : end;
      pixels.fill(0, row + x, row + stop);
      x = stop >= last ? -1 : line.indexOf(1, stop);
    }
  }
}
