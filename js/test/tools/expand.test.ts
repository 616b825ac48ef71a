// The painter's growth preview against golden outputs of vace_studio.imaging.masks.expand
// (written by tests/imaging/test_mask_golden.py).
import { describe, expect, it } from "vitest";
import { type ExpandMode, expand } from "../../src/tools/expand";
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
