import { describe, expect, it } from "vitest";
import { area, createMask, invert, rect, stroke } from "../../src/tools/raster";
import { UndoStack } from "../../src/tools/undo";

describe("UndoStack", () => {
  it("undoes and redoes whole operations; a new operation drops the redo list", () => {
    const m = createMask(50, 40);
    const undo = new UndoStack(m);
    undo.begin();
    undo.commit(rect(m, { x: 5, y: 5 }, { x: 15, y: 15 }, 1));
    undo.begin();
    let dirty = stroke(m, { x: 30, y: 20 }, { x: 40, y: 20 }, 3, 1);
    dirty = stroke(m, { x: 40, y: 20 }, { x: 40, y: 30 }, 3, 1) && dirty;
    undo.commit({ x0: 26, y0: 16, x1: 44, y1: 34 });
    const painted = m.data.slice();
    undo.begin();
    undo.commit(invert(m));
    expect(undo.size).toBe(3);
    expect(undo.undo()).not.toBeNull();
    expect(m.data).toEqual(painted);
    expect(undo.undo()).not.toBeNull();
    expect(area(m)).toBe(100);
    expect(undo.redo()).not.toBeNull();
    expect(m.data).toEqual(painted);
    undo.begin();
    undo.commit(rect(m, { x: 0, y: 0 }, { x: 1, y: 1 }, 1));
    expect(undo.canRedo).toBe(false);
    expect(undo.redo()).toBeNull();
  });
  it("an operation that changed nothing is not recorded", () => {
    const m = createMask(10, 10);
    const undo = new UndoStack(m);
    undo.begin();
    undo.commit(stroke(m, { x: 5, y: 5 }, { x: 5, y: 5 }, 2, 0)); // erasing nothing
    expect(undo.canUndo).toBe(false);
    expect(undo.undo()).toBeNull();
  });
  it("drops the oldest patches beyond its byte budget", () => {
    const m = createMask(100, 100);
    const undo = new UndoStack(m, 2 * 100 * 100 * 2 + 1);
    for (let i = 0; i < 5; i++) {
      undo.begin();
      undo.commit(invert(m));
    }
    expect(undo.size).toBe(2);
  });
});
