// The painter's growth preview against golden outputs of vace_studio.imaging.masks.expand
// (written by tests/imaging/test_mask_golden.py).
import { describe, expect, it } from "vitest";
import { type ExpandMode, expand, growthSpans, paintGrowth } from "../../src/tools/expand";
import golden from "../fixtures/tools/expand.json";

const toMask = (bits: string) => ({
  width: golden.width,
  height: golden.height,
  data: Uint8Array.from(bits, (c) => (c === "1" ? 1 : 0)),
});

describe("expand matches the kernel's imaging/masks.py", () => {
  for (const c of golden.cases) {
    it(`${c.name} ${c.mode} ${c.ratio}`, () => {
      const mask = toMask(c.mask);
      const grown = expand(mask, c.ratio, c.mode as ExpandMode);
      const got = Array.from(grown.data, (v) => (v ? "1" : "0")).join("");
      const diff = [...got].filter((ch, i) => ch !== c.expected[i]).length;
      expect(diff).toBe(0);
      expect(mask.data).toEqual(toMask(c.mask).data); // the input is not changed
    });
  }
});

describe("paintGrowth draws exactly what the growth adds", () => {
  for (const c of golden.cases.filter((k) => k.ratio === 0.3)) {
    it(`${c.name} ${c.mode}`, () => {
      const mask = toMask(c.mask);
      const pixels = new Uint32Array(mask.data.length).fill(9);
      const all = { x0: 0, y0: 0, x1: mask.width, y1: mask.height };
      paintGrowth(mask, growthSpans(mask, c.ratio, c.mode as ExpandMode), all, pixels, 7);
      const grown = toMask(c.expected);
      const expected = Array.from(grown.data, (v, i) => (v && !mask.data[i] ? 7 : 0));
      expect(Array.from(pixels)).toEqual(expected);
    });
  }
});
