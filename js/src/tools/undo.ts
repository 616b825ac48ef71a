// Undo/redo for the mask painter. Each operation (a whole brush stroke, a shape, a fill, invert,
// clear) becomes one patch: the rectangle it changed with the pixels before and after, so 50
// small strokes on a 1280×720 mask cost kilobytes, not 50 copies of the frame. The stack drops
// its oldest patches beyond `maxBytes`.

import { copyRect, type Mask, pasteRect, type Rect } from "./raster";

interface Patch {
  rect: Rect;
  before: Uint8Array;
  after: Uint8Array;
}

export const DEFAULT_UNDO_BYTES = 64 * 1024 * 1024;

export class UndoStack {
  private done: Patch[] = [];
  private undone: Patch[] = [];
  private bytes = 0;
  private snapshot: Uint8Array | null = null;

  constructor(
    private readonly mask: Mask,
    private readonly maxBytes = DEFAULT_UNDO_BYTES,
  ) {}

  /** Call before an operation changes the mask (one copy of the mask, a memcpy). */
  begin(): void {
    this.snapshot = this.mask.data.slice();
  }

  /** Call after it: records what changed inside `dirty` (null: nothing changed). */
  commit(dirty: Rect | null): void {
    const before = this.snapshot;
    this.snapshot = null;
    if (!before || !dirty) return;
    const old: Mask = { width: this.mask.width, height: this.mask.height, data: before };
    const patch = { rect: dirty, before: copyRect(old, dirty), after: copyRect(this.mask, dirty) };
    if (patch.before.every((v, i) => v === patch.after[i])) return; // e.g. erasing nothing
    this.done.push(patch);
    this.bytes += patch.before.length * 2;
    for (const p of this.undone) this.bytes -= p.before.length * 2;
    this.undone = [];
    while (this.bytes > this.maxBytes && this.done.length > 1) {
      const dropped = this.done.shift() as Patch;
      this.bytes -= dropped.before.length * 2;
    }
  }

  /** Reverts the last operation; returns the rectangle to redraw, or null when there is none. */
  undo(): Rect | null {
    const patch = this.done.pop();
    if (!patch) return null;
    pasteRect(this.mask, patch.rect, patch.before);
    this.undone.push(patch);
    return patch.rect;
  }

  redo(): Rect | null {
    const patch = this.undone.pop();
    if (!patch) return null;
    pasteRect(this.mask, patch.rect, patch.after);
    this.done.push(patch);
    return patch.rect;
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  get size(): number {
    return this.done.length;
  }
}
