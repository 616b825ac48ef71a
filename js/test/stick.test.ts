import { describe, expect, it } from "vitest";
import { stickOffset } from "../src/ui/stick";

describe("keeping the preview in view", () => {
  it("stays put while the playground's top is visible", () => {
    expect(stickOffset(0, 100, 2000, 400)).toBe(0);
  });
  it("follows the visible top once the playground's top has scrolled above it", () => {
    // The notebook panel's top at 50 px, the playground's top scrolled to -300 px.
    expect(stickOffset(50, -300, 2000, 400)).toBe(358);
  });
  it("never runs past the bottom of its playground", () => {
    expect(stickOffset(50, -1900, 2000, 400)).toBe(1600);
  });
});
