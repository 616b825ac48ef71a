// The painter's picture: the frame, the growth and the mask as three canvases at the video's
// resolution, stacked on a stage that zooms and pans with a CSS transform (so zooming never
// resamples the mask), plus an SVG layer for shapes being dragged. Pointer positions map to
// pixels through the mask canvas's on-screen box, which includes the transform.

import { h } from "../form/dom";
import { type ExpandMode, growthSpans, paintGrowth } from "./expand";
import { type Mask, type Point, type Rect, union } from "./raster";

const SVG = "http://www.w3.org/2000/svg";
const MASK_RGBA = [255, 48, 48, 255] as const;
const GROWTH_RGBA = [255, 176, 0, 255] as const;
const MIN_SCALE = 0.05;
const MAX_SCALE = 32;

// Canvas pixels are RGBA bytes; a Uint32 view writes one pixel per store (platform byte order).
const packed = (rgba: readonly [number, number, number, number]): number => {
  const probe = new Uint8ClampedArray(4);
  probe.set(rgba);
  return new Uint32Array(probe.buffer)[0] as number;
};

export interface Stage {
  el: HTMLElement;
  /** The pixel (fractional) under a pointer event. */
  pixel(event: { clientX: number; clientY: number }): Point;
  /** Redraws the mask overlay inside `rect` (all of it when omitted). */
  drawMask(rect?: Rect | null): void;
  /** Recomputes and draws the growth (null: none shown). */
  drawGrowth(growth: { ratio: number; mode: ExpandMode } | null): void;
  /** Outline of a shape being drawn, in pixels (null removes it). */
  preview(shape: { kind: "rect" | "ellipse"; a: Point; b: Point } | Point[] | null): void;
  setBackground(image: CanvasImageSource | null): void;
  setOpacity(value: number): void;
  zoomBy(factor: number, around?: { clientX: number; clientY: number }): void;
  panBy(dx: number, dy: number): void;
  fitToView(): void;
  readonly scale: number;
  destroy(): void;
}

export function createStage(mask: Mask): Stage {
  const { width: W, height: H } = mask;
  const canvas = (cls: string) =>
    h("canvas", { class: `vs-paint-layer ${cls}`, width: W, height: H });
  const background = canvas("vs-paint-frame");
  const growth = canvas("vs-paint-growth");
  const overlay = canvas("vs-paint-mask");
  const shapes = document.createElementNS(SVG, "svg");
  shapes.setAttribute("class", "vs-paint-layer vs-paint-shapes");
  shapes.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const stage = h("div", { class: "vs-paint-stage" }, background, growth, overlay);
  stage.append(shapes);
  stage.style.width = `${W}px`;
  stage.style.height = `${H}px`;
  const el = h("div", { class: "vs-paint-viewport" }, stage);
  el.style.aspectRatio = `${W} / ${H}`;

  const ctx = overlay.getContext("2d");
  const image = ctx?.createImageData(W, H);
  const pixels = image ? new Uint32Array(image.data.buffer) : new Uint32Array(0);
  const on = packed(MASK_RGBA);
  const gctx = growth.getContext("2d");
  const gimage = gctx?.createImageData(W, H);
  const gpixels = gimage ? new Uint32Array(gimage.data.buffer) : new Uint32Array(0);
  const amber = packed(GROWTH_RGBA);

  let scale = 1;
  let tx = 0;
  let ty = 0;
  let fitted = false;
  const apply = () => {
    stage.style.transform = `translate(${tx}px, ${ty}px) scale(${scale})`;
    el.classList.toggle("vs-zoomed-in", scale > 2);
    el.dataset.zoom = scale.toFixed(3);
  };
  const fitView = () => {
    const w = el.clientWidth;
    const hh = el.clientHeight;
    if (w === 0 || hh === 0) return;
    scale = Math.min(w / W, hh / H);
    tx = (w - W * scale) / 2;
    ty = (hh - H * scale) / 2;
    fitted = true;
    apply();
  };
  // Fit when first laid out and whenever the viewport resizes, until the person zooms.
  const observer =
    typeof ResizeObserver === "function"
      ? new ResizeObserver(() => {
          if (!fitted || el.dataset.userZoom !== "1") fitView();
        })
      : null;
  observer?.observe(el);
  apply();

  const drawMask = (rect?: Rect | null) => {
    if (!ctx || !image) return;
    const r = rect ?? { x0: 0, y0: 0, x1: W, y1: H };
    const { data } = mask;
    for (let y = r.y0; y < r.y1; y++) {
      const row = y * W;
      for (let x = r.x0; x < r.x1; x++) pixels[row + x] = data[row + x] ? on : 0;
    }
    ctx.putImageData(image, 0, 0, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
  };

  // Only the rows the growth covers now or covered last time are rewritten and uploaded, each
  // with native fills (the growth's span, then the mask's runs cleared): a per-pixel loop over
  // a 1280×720 frame would cost more than the growth itself.
  let grownBox: Rect | null = null;
  const drawGrowth = (g: { ratio: number; mode: ExpandMode } | null) => {
    if (!gctx || !gimage) return;
    const spans = g === null ? null : growthSpans(mask, g.ratio, g.mode);
    let now: Rect | null = null;
    if (spans) {
      for (let y = 0; y < H; y++) {
        const first = spans[2 * y] as number;
        const last = spans[2 * y + 1] as number;
        if (last > first) now = union(now, { x0: first, y0: y, x1: last, y1: y + 1 });
      }
    }
    const dirty = union(grownBox, now);
    grownBox = now;
    if (!dirty) return;
    paintGrowth(mask, spans, dirty, gpixels, amber);
    gctx.putImageData(gimage, 0, 0, dirty.x0, dirty.y0, dirty.x1 - dirty.x0, dirty.y1 - dirty.y0);
  };

  const preview: Stage["preview"] = (shape) => {
    shapes.replaceChildren();
    if (!shape) return;
    const line = 2 / scale;
    let node: SVGElement;
    if (Array.isArray(shape)) {
      node = document.createElementNS(SVG, "polyline");
      node.setAttribute("points", shape.map((p) => `${p.x},${p.y}`).join(" "));
    } else if (shape.kind === "rect") {
      node = document.createElementNS(SVG, "rect");
      node.setAttribute("x", String(Math.min(shape.a.x, shape.b.x)));
      node.setAttribute("y", String(Math.min(shape.a.y, shape.b.y)));
      node.setAttribute("width", String(Math.abs(shape.b.x - shape.a.x)));
      node.setAttribute("height", String(Math.abs(shape.b.y - shape.a.y)));
    } else {
      node = document.createElementNS(SVG, "ellipse");
      node.setAttribute("cx", String((shape.a.x + shape.b.x) / 2));
      node.setAttribute("cy", String((shape.a.y + shape.b.y) / 2));
      node.setAttribute("rx", String(Math.abs(shape.b.x - shape.a.x) / 2));
      node.setAttribute("ry", String(Math.abs(shape.b.y - shape.a.y) / 2));
    }
    node.setAttribute("stroke-width", String(line));
    node.setAttribute("class", "vs-paint-outline");
    shapes.append(node);
  };

  return {
    el,
    pixel(event) {
      const r = overlay.getBoundingClientRect();
      return {
        x: ((event.clientX - r.left) / (r.width || 1)) * W,
        y: ((event.clientY - r.top) / (r.height || 1)) * H,
      };
    },
    drawMask,
    drawGrowth,
    preview,
    setBackground(picture) {
      const bctx = background.getContext("2d");
      if (!bctx) return;
      bctx.clearRect(0, 0, W, H);
      if (picture) bctx.drawImage(picture, 0, 0, W, H);
    },
    setOpacity(value) {
      overlay.style.opacity = String(value);
    },
    zoomBy(factor, around) {
      const box = el.getBoundingClientRect();
      const cx = around ? around.clientX - box.left : el.clientWidth / 2;
      const cy = around ? around.clientY - box.top : el.clientHeight / 2;
      const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * factor));
      // Keep the point under the cursor where it is.
      tx = cx - ((cx - tx) * next) / scale;
      ty = cy - ((cy - ty) * next) / scale;
      scale = next;
      el.dataset.userZoom = "1";
      apply();
    },
    panBy(dx, dy) {
      tx += dx;
      ty += dy;
      el.dataset.userZoom = "1";
      apply();
    },
    fitToView() {
      delete el.dataset.userZoom;
      fitView();
    },
    get scale() {
      return scale;
    },
    destroy() {
      observer?.disconnect();
      el.remove();
    },
  };
}
