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

/** [x0, y0, x1, y1] of the set pixels, exclusive upper bounds; null when none is set. */
export function bbox(mask: Mask): [number, number, number, number] | null {
  const { width, height, data } = mask;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (data[row + x]) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (y0 === height) y0 = y;
    y1 = y;
    x0 = Math.min(x0, first);
    x1 = Math.max(x1, last);
  }
  return y1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}

/** The outer corners of each row's leftmost and rightmost set pixel (as masks.py). */
function cornerPoints(mask: Mask): Pt[] {
  const { width, height, data } = mask;
  const pts: Pt[] = [];
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let left = -1;
    let right = -1;
    for (let x = 0; x < width; x++) {
      if (data[row + x]) {
        if (left < 0) left = x;
        right = x + 1;
      }
    }
    if (left < 0) continue;
    pts.push([left, y], [left, y + 1], [right, y], [right, y + 1]);
  }
  return pts;
}

/** Counter-clockwise convex hull (Andrew's monotone chain), as masks.py `convex_hull`. */
export function convexHull(points: Pt[]): Pt[] {
  const seen = new Set<string>();
  const pts = points
    .filter((p) => {
      const key = `${p[0]},${p[1]}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
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

/** Pixels whose centre lies in a convex polygon (as masks.py `fill_convex`). */
function fillConvex(poly: Pt[], out: Mask): void {
  const { width, height, data } = out;
  if (poly.length < 3) return;
  for (let y = 0; y < height; y++) {
    const yc = y + 0.5;
    let xMin = Infinity;
    let xMax = -Infinity;
    for (let i = 0; i < poly.length; i++) {
      const [ax, ay] = poly[i] as Pt;
      const [bx, by] = poly[(i + 1) % poly.length] as Pt;
      const lo = Math.min(ay, by);
      const hi = Math.max(ay, by);
      if (!(yc >= lo && yc <= hi && hi > lo)) continue;
      const x = ax + ((yc - ay) / (by - ay)) * (bx - ax);
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
    }
    if (!Number.isFinite(xMin)) continue;
    const first = Math.min(width, Math.max(0, Math.ceil(xMin - 0.5)));
    const last = Math.min(width, Math.max(0, Math.floor(xMax - 0.5) + 1));
    if (last > first) data.fill(1, y * width + first, y * width + last);
  }
}

/** The grown mask (a new mask; `mask` is not changed). */
export function expand(mask: Mask, ratio: number, mode: ExpandMode): Mask {
  const out: Mask = { width: mask.width, height: mask.height, data: mask.data.slice() };
  if (mode === "original") return out;
  const box = bbox(mask);
  if (!box) return out;
  const [x0, y0, x1, y1] = box;
  const { width, height } = mask;
  if (mode === "bbox") {
    const mx = roundHalfUp(ratio * (x1 - x0));
    const my = roundHalfUp(ratio * (y1 - y0));
    out.data.fill(0);
    const left = Math.max(0, x0 - mx);
    const right = Math.min(width, x1 + mx);
    for (let y = Math.max(0, y0 - my); y < Math.min(height, y1 + my); y++) {
      out.data.fill(1, y * width + left, y * width + right);
    }
    return out;
  }
  let count = 0;
  for (const v of mask.data) count += v ? 1 : 0;
  const radius = ratio * Math.sqrt(count);
  let hull = convexHull(cornerPoints(mask));
  if (radius > 0) hull = convexHull(dilate(hull, radius));
  fillConvex(hull, out); // out already holds the mask: the union
  return out;
}
