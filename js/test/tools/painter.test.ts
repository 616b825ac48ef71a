// The painter's interaction in happy-dom: pointer events become shapes in the mask, keys run
// tools and actions, and "Use this mask" hands over the mask as painted. happy-dom lays nothing
// out (every box is 0 × 0), so the stage maps clientX/clientY ∈ [0, 1) across the whole frame.

import { afterEach, describe, expect, it } from "vitest";
import { createPainter, type Painter } from "../../src/tools/painter";
import { area, type Mask } from "../../src/tools/raster";

const W = 100;
const H = 50;
let painter: Painter | null = null;
afterEach(() => {
  painter?.destroy();
  painter = null;
});

function open(saved: Mask[] = []): Painter {
  painter = createPainter({
    width: W,
    height: H,
    caption: "a test frame",
    idPrefix: "p",
    growth: () => ({ ratio: 0.05, mode: "hull" }),
    onSave: async (mask) => {
      saved.push({ ...mask, data: mask.data.slice() });
      return "saved";
    },
    onClose: () => undefined,
  });
  document.body.append(painter.el);
  return painter;
}

const surface = (p: Painter) => p.el.querySelector(".vs-paint-viewport") as HTMLElement;
const at = (x: number, y: number) => ({
  clientX: x / W,
  clientY: y / H,
  pointerId: 1,
  bubbles: true,
  button: 0,
});
const pointer = (p: Painter, type: string, x: number, y: number, extra: object = {}) =>
  surface(p).dispatchEvent(new PointerEvent(type, { ...at(x, y), ...extra }));
const key = (p: Painter, k: string, extra: object = {}) =>
  p.el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, ...extra }));
const pixel = (p: Painter, x: number, y: number) => p.mask.data[y * W + x];

describe("painter", () => {
  it("draws a rectangle by dragging; Alt-drag takes away", () => {
    const p = open();
    key(p, "r");
    expect(p.tool).toBe("rect");
    pointer(p, "pointerdown", 10, 10);
    pointer(p, "pointermove", 30, 20);
    pointer(p, "pointerup", 30, 20);
    expect(area(p.mask)).toBe(20 * 10);
    pointer(p, "pointerdown", 10, 10, { altKey: true });
    pointer(p, "pointerup", 20, 20, { altKey: true });
    expect(area(p.mask)).toBe(100);
    expect(p.el.dataset.undo).toBe("2");
  });

  it("brush and eraser strokes, undone and redone by keys", () => {
    const p = open();
    pointer(p, "pointerdown", 10, 25);
    pointer(p, "pointermove", 50, 25);
    pointer(p, "pointerup", 90, 25);
    expect(pixel(p, 50, 25)).toBe(1);
    expect(pixel(p, 89, 25)).toBe(1);
    key(p, "e");
    pointer(p, "pointerdown", 50, 25);
    pointer(p, "pointerup", 50, 25);
    expect(pixel(p, 50, 25)).toBe(0);
    key(p, "z", { ctrlKey: true });
    expect(pixel(p, 50, 25)).toBe(1);
    key(p, "z", { ctrlKey: true, shiftKey: true });
    expect(pixel(p, 50, 25)).toBe(0);
  });

  it("a polygon closes with Enter; a lasso with the pointer's release; fill and invert", () => {
    const p = open();
    key(p, "p");
    for (const [x, y] of [
      [10, 10],
      [40, 10],
      [40, 40],
      [10, 40],
    ]) {
      pointer(p, "pointerdown", x as number, y as number);
      pointer(p, "pointerup", x as number, y as number);
    }
    key(p, "Enter");
    expect(area(p.mask)).toBe(30 * 30);
    key(p, "l");
    pointer(p, "pointerdown", 60, 10);
    pointer(p, "pointermove", 90, 10);
    pointer(p, "pointermove", 90, 40);
    pointer(p, "pointerup", 60, 40);
    expect(pixel(p, 80, 15)).toBe(1);
    expect(pixel(p, 62, 38)).toBe(0);
    key(p, "f");
    pointer(p, "pointerdown", 5, 45);
    pointer(p, "pointerup", 5, 45);
    const filled = area(p.mask);
    expect(filled).toBeGreaterThan(W * H - 30 * 30 - 700);
    key(p, "i");
    expect(area(p.mask)).toBe(W * H - filled);
    expect(p.el.dataset.area).toBe(String(W * H - filled));
  });

  it("an ellipse, clear, and the mask handed to onSave as painted", async () => {
    const saved: Mask[] = [];
    const p = open(saved);
    key(p, "o");
    pointer(p, "pointerdown", 0, 0);
    pointer(p, "pointerup", 40, 20);
    expect(Math.abs(area(p.mask) - Math.PI * 20 * 10)).toBeLessThan(20);
    (p.el.querySelector(".vs-paint-save") as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 0));
    expect(saved).toHaveLength(1);
    expect(saved[0]?.data).toEqual(p.mask.data);
    key(p, "Delete", { shiftKey: true });
    expect(area(p.mask)).toBe(0);
    expect(p.el.querySelector(".vs-tool-status")?.textContent).toBe("saved");
  });

  it("opens an existing mask, and says what the growth shows", () => {
    const initial = new Uint8Array(W * H);
    initial.fill(255, 0, W * 5);
    const p = createPainter({
      width: W,
      height: H,
      initial,
      caption: "x",
      idPrefix: "q",
      growth: () => null,
      onSave: async () => undefined,
      onClose: () => undefined,
    });
    expect(area(p.mask)).toBe(W * 5);
    expect(p.el.querySelector(".vs-paint-legend")?.textContent).toContain("fixed: not grown");
    p.destroy();
  });
});
