import { describe, expect, it } from "vitest";
import {
  area,
  clear,
  copyRect,
  createMask,
  ellipse,
  fill,
  invert,
  type Mask,
  packBits,
  pasteRect,
  polygon,
  rect,
  stroke,
  unpackBits,
} from "../../src/tools/raster";

const at = (m: Mask, x: number, y: number) => m.data[y * m.width + x];

describe("rect", () => {
  it("covers the pixels whose centres lie between the corners, in either order", () => {
    const m = createMask(20, 10);
    const box = rect(m, { x: 12, y: 8 }, { x: 2, y: 3 }, 1);
    expect(box).toEqual({ x0: 2, y0: 3, x1: 12, y1: 8 });
    expect(area(m)).toBe(10 * 5);
    expect(at(m, 2, 3)).toBe(1);
    expect(at(m, 11, 7)).toBe(1);
    expect(at(m, 12, 7)).toBe(0);
    expect(at(m, 1, 3)).toBe(0);
  });
  it("is clipped to the mask", () => {
    const m = createMask(10, 10);
    expect(rect(m, { x: -5, y: -5 }, { x: 3, y: 30 }, 1)).toEqual({ x0: 0, y0: 0, x1: 3, y1: 10 });
    expect(area(m)).toBe(30);
    expect(rect(m, { x: 20, y: 20 }, { x: 30, y: 30 }, 1)).toBeNull();
  });
});

describe("stroke", () => {
  it("a point is a disc of pixel centres within the radius", () => {
    const m = createMask(21, 21);
    stroke(m, { x: 10.5, y: 10.5 }, { x: 10.5, y: 10.5 }, 3, 1);
    expect(at(m, 10, 10)).toBe(1);
    expect(at(m, 13, 10)).toBe(1);
    expect(at(m, 14, 10)).toBe(0);
    expect(at(m, 12, 12)).toBe(1); // distance √8 < 3
    expect(at(m, 13, 13)).toBe(0); // √18 > 3
    expect(area(m)).toBe(29);
  });
  it("a segment is a capsule; the eraser clears the same pixels", () => {
    const m = createMask(40, 20);
    stroke(m, { x: 5, y: 10 }, { x: 35, y: 10 }, 2, 1);
    for (let x = 5; x < 35; x++) expect(at(m, x, 10)).toBe(1);
    expect(at(m, 20, 7)).toBe(0);
    expect(at(m, 20, 8)).toBe(1);
    stroke(m, { x: 5, y: 10 }, { x: 35, y: 10 }, 2, 0);
    expect(area(m)).toBe(0);
  });
});

describe("ellipse and polygon", () => {
  it("an ellipse fills its bounding box's inscribed ellipse", () => {
    const m = createMask(40, 40);
    ellipse(m, { x: 0, y: 0 }, { x: 40, y: 20 }, 1);
    expect(at(m, 20, 10)).toBe(1);
    expect(at(m, 0, 0)).toBe(0);
    expect(at(m, 1, 10)).toBe(1);
    expect(at(m, 20, 25)).toBe(0);
    expect(Math.abs(area(m) - Math.PI * 20 * 10)).toBeLessThan(30);
  });
  it("a polygon fills by pixel centres with the even-odd rule", () => {
    const m = createMask(20, 20);
    polygon(
      m,
      [
        { x: 2, y: 2 },
        { x: 12, y: 2 },
        { x: 12, y: 12 },
        { x: 2, y: 12 },
      ],
      1,
    );
    expect(area(m)).toBe(100);
    const t = createMask(20, 20);
    polygon(
      t,
      [
        { x: 0, y: 0 },
        { x: 20, y: 0 },
        { x: 0, y: 20 },
      ],
      1,
    );
    expect(at(t, 0, 0)).toBe(1);
    expect(at(t, 19, 19)).toBe(0);
    expect(Math.abs(area(t) - 200)).toBeLessThanOrEqual(20);
  });
});

describe("fill, invert, clear", () => {
  it("fill takes the 4-connected region of the clicked value", () => {
    const m = createMask(10, 10);
    rect(m, { x: 0, y: 5 }, { x: 10, y: 6 }, 1); // a wall across row 5
    fill(m, { x: 3, y: 2 }, 1);
    expect(area(m)).toBe(60);
    expect(at(m, 3, 8)).toBe(0);
    expect(fill(m, { x: 3, y: 2 }, 1)).toBeNull(); // already that value
  });
  it("fills a large region without overflowing the stack", () => {
    const m = createMask(1280, 720);
    fill(m, { x: 0, y: 0 }, 1);
    expect(area(m)).toBe(1280 * 720);
  });
  it("invert twice is the identity; clear empties", () => {
    const m = createMask(8, 8);
    rect(m, { x: 1, y: 1 }, { x: 4, y: 4 }, 1);
    const before = m.data.slice();
    invert(m);
    expect(area(m)).toBe(64 - 9);
    invert(m);
    expect(m.data).toEqual(before);
    clear(m);
    expect(area(m)).toBe(0);
  });
  it("copyRect and pasteRect round-trip a patch", () => {
    const m = createMask(8, 8);
    rect(m, { x: 2, y: 2 }, { x: 6, y: 5 }, 1);
    const r = { x0: 1, y0: 1, x1: 7, y1: 6 };
    const patch = copyRect(m, r);
    clear(m);
    pasteRect(m, r, patch);
    expect(area(m)).toBe(12);
  });
});

describe("countOnes", () => {
  it("counts set pixels of any range, aligned or not", async () => {
    const { countOnes } = await import("../../src/tools/expand");
    const data = new Uint8Array(103);
    for (let i = 0; i < data.length; i += 3) data[i] = 1;
    for (const [from, to] of [
      [0, 103],
      [1, 102],
      [5, 9],
      [7, 7],
    ] as const) {
      let expected = 0;
      for (let i = from; i < to; i++) expected += data[i] as number;
      expect(countOnes(data, from, to)).toBe(expected);
    }
  });
});

describe("packBits", () => {
  it("packs 8 pixels to a byte, highest bit first, and back", () => {
    const m = createMask(5, 3);
    m.data.set([1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1]);
    const packed = packBits(m);
    expect(Array.from(packed)).toEqual([0b10000001, 0b10000010]);
    expect(unpackBits(packed, 15)).toEqual(m.data);
  });
});
