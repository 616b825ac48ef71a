// The mask painter: brush, eraser, rectangle, ellipse, polygon, lasso and fill over a frame at the
// video's resolution, with invert, clear, undo/redo, overlay opacity, zoom/pan, keyboard
// shortcuts and the expand_mode × expand_ratio growth drawn live. The mask is one byte per pixel
// (raster.ts) and is handed to `onSave` as is: the kernel writes it as a pure black/white PNG.
//
// A brush stroke's pointer events are queued and rasterised once per animation frame, so a fast
// mouse (or a 1000 Hz one) never makes more than one redraw per frame.

import { h } from "../form/dom";
import { countOnes, type ExpandMode } from "./expand";
import { createToolbar, type PaintTool, TOOLS } from "./painter-toolbar";
import {
  clear,
  createMask,
  ellipse,
  fill,
  invert,
  type Mask,
  type Point,
  polygon,
  type Rect,
  rect,
  stroke,
  union,
} from "./raster";
import { createStage } from "./stage";
import { UndoStack } from "./undo";

export type { PaintTool };

const GROWTH_EVERY_MS = 120;

export interface Growth {
  ratio: number;
  mode: ExpandMode;
}

export interface PainterOptions {
  width: number;
  height: number;
  /** The frame painted on (null: a plain background). */
  background?: CanvasImageSource | null;
  /** An existing mask, `width × height` bytes (non-zero = edit). */
  initial?: Uint8Array | null;
  /** The form's current growth (null: none, e.g. mask_type fixed); asked on every redraw. */
  growth?: () => Growth | null;
  /** What the picture is, e.g. "frame 10 of clip.mp4". */
  caption: string;
  idPrefix: string;
  onSave(mask: Mask): Promise<string | undefined>;
  onClose(): void;
  /**
   * Milliseconds of work: each animation frame that drew brush points ("stroke"), each growth
   * redraw ("growth"). The benchmark listens.
   */
  onFrame?(ms: number, kind: "stroke" | "growth"): void;
}

export interface Painter {
  el: HTMLElement;
  readonly mask: Mask;
  readonly tool: PaintTool;
  setTool(tool: PaintTool): void;
  undo(): void;
  redo(): void;
  invert(): void;
  clear(): void;
  destroy(): void;
}

export function createPainter(options: PainterOptions): Painter {
  const mask = createMask(options.width, options.height);
  if (options.initial)
    for (let i = 0; i < mask.data.length; i++) mask.data[i] = options.initial[i] ? 1 : 0;
  const undo = new UndoStack(mask);
  const stage = createStage(mask);
  stage.setBackground(options.background ?? null);
  let tool: PaintTool = "brush";
  let size = Math.max(4, Math.round(Math.min(mask.width, mask.height) / 20));
  const growthOf = () => options.growth?.() ?? null;

  // -- toolbar ----------------------------------------------------------------------------
  const bar = createToolbar({
    tools: TOOLS,
    size,
    idPrefix: options.idPrefix,
    onTool: (t) => setTool(t),
    actions: {
      undo: () => doUndo(),
      redo: () => doRedo(),
      invert: () => doInvert(),
      clear: () => doClear(),
      zoomOut: () => stage.zoomBy(1 / 1.25),
      fit: () => stage.fitToView(),
      zoomIn: () => stage.zoomBy(1.25),
    },
  });
  const { toolButtons, toolRow, actions, undoButton, redoButton, knobs, sizeInput, sizeOut } = bar;
  const { opacityInput, legend, status, save, close } = bar;

  const setSize = (value: number) => {
    size = Math.min(256, Math.max(1, Math.round(value)));
    sizeInput.value = String(size);
    sizeOut.textContent = `${size} px`;
  };
  sizeInput.addEventListener("input", () => setSize(Number(sizeInput.value)));
  opacityInput.addEventListener("input", () => stage.setOpacity(Number(opacityInput.value) / 100));
  stage.setOpacity(0.55);

  // -- drawing ------------------------------------------------------------------------------
  let growthTimer: ReturnType<typeof setTimeout> | undefined;
  const redrawGrowth = () => {
    if (growthTimer !== undefined) clearTimeout(growthTimer);
    growthTimer = undefined;
    const g = growthOf();
    const started = performance.now();
    stage.drawGrowth(g);
    options.onFrame?.(performance.now() - started, "growth");
    legend.textContent = g
      ? `Red: the mask. Amber: what expand mode ${g.mode} × ${g.ratio} adds (as the service grows it).`
      : "Red: the mask (fixed: not grown).";
  };
  const soonGrowth = () => {
    if (growthTimer === undefined) growthTimer = setTimeout(redrawGrowth, GROWTH_EVERY_MS);
  };
  const refreshButtons = () => {
    undoButton.disabled = !undo.canUndo;
    redoButton.disabled = !undo.canRedo;
    el.dataset.undo = String(undo.size);
    el.dataset.area = String(countOnes(mask.data, 0, mask.data.length)); // for tests and people
  };
  /** One whole operation: undoable, redrawn, growth updated. */
  const operation = (run: () => Rect | null) => {
    undo.begin();
    const dirty = run();
    undo.commit(dirty);
    stage.drawMask(dirty);
    redrawGrowth();
    refreshButtons();
  };
  const doUndo = () => {
    stage.drawMask(undo.undo());
    redrawGrowth();
    refreshButtons();
  };
  const doRedo = () => {
    stage.drawMask(undo.redo());
    redrawGrowth();
    refreshButtons();
  };
  const doInvert = () => operation(() => invert(mask));
  const doClear = () => operation(() => clear(mask));

  // Brush strokes: points queued by pointer events, rasterised once per animation frame.
  let queue: Point[] = [];
  let last: Point | null = null;
  let strokeDirty: Rect | null = null;
  let frameRequested = false;
  let strokeValue: 0 | 1 = 1;
  const paintQueued = () => {
    frameRequested = false;
    if (queue.length === 0 || last === null) return;
    const started = performance.now();
    let dirty: Rect | null = null;
    for (const p of queue) {
      dirty = union(dirty, stroke(mask, last, p, size / 2, strokeValue));
      last = p;
    }
    queue = [];
    stage.drawMask(dirty);
    strokeDirty = union(strokeDirty, dirty);
    soonGrowth();
    options.onFrame?.(performance.now() - started, "stroke");
  };
  const queuePoint = (p: Point) => {
    queue.push(p);
    if (!frameRequested) {
      frameRequested = true;
      requestAnimationFrame(paintQueued);
    }
  };

  let drag: { start: Point; pointer: number; panFrom?: { x: number; y: number } } | null = null;
  let poly: Point[] = [];
  let lasso: Point[] = [];
  const paintValue = (event: { altKey: boolean }): 0 | 1 => (event.altKey ? 0 : 1);
  const finishPolygon = () => {
    const points = poly;
    poly = [];
    stage.preview(null);
    if (points.length >= 3) operation(() => polygon(mask, points, 1));
  };

  const surface = stage.el;
  surface.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 && event.button !== 1) return;
    event.preventDefault();
    el.focus({ preventScroll: true });
    const p = stage.pixel(event);
    const panning = tool === "pan" || event.button === 1 || spaceHeld;
    surface.setPointerCapture?.(event.pointerId);
    drag = { start: p, pointer: event.pointerId };
    if (panning) {
      drag.panFrom = { x: event.clientX, y: event.clientY };
      return;
    }
    if (tool === "brush" || tool === "eraser") {
      strokeValue = tool === "eraser" || event.altKey ? 0 : 1;
      undo.begin();
      strokeDirty = null;
      last = p;
      queuePoint(p);
    } else if (tool === "lasso") {
      lasso = [p];
    } else if (tool === "polygon") {
      const first = poly[0];
      const near = first && Math.hypot(first.x - p.x, first.y - p.y) * stage.scale < 8;
      if (near && poly.length >= 3) finishPolygon();
      else {
        poly.push(p);
        stage.preview(poly);
      }
      drag = null;
    } else if (tool === "fill") {
      operation(() => fill(mask, p, paintValue(event)));
      drag = null;
    }
  });
  surface.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointer) {
      if (tool === "polygon" && poly.length > 0) stage.preview([...poly, stage.pixel(event)]);
      return;
    }
    if (drag.panFrom) {
      stage.panBy(event.clientX - drag.panFrom.x, event.clientY - drag.panFrom.y);
      drag.panFrom = { x: event.clientX, y: event.clientY };
      return;
    }
    const p = stage.pixel(event);
    if (tool === "brush" || tool === "eraser") {
      const events = event.getCoalescedEvents?.() ?? [];
      for (const e of events.length > 0 ? events : [event]) queuePoint(stage.pixel(e));
    } else if (tool === "rect" || tool === "ellipse") {
      stage.preview({ kind: tool, a: drag.start, b: p });
    } else if (tool === "lasso") {
      lasso.push(p);
      stage.preview(lasso);
    }
  });
  const end = (event: PointerEvent) => {
    if (!drag || event.pointerId !== drag.pointer) return;
    const start = drag.start;
    const panned = drag.panFrom !== undefined;
    drag = null;
    if (panned) return;
    const p = stage.pixel(event);
    if (tool === "brush" || tool === "eraser") {
      queue.push(p); // where the button came up, even without a move there first
      paintQueued();
      undo.commit(strokeDirty);
      last = null;
      redrawGrowth();
      refreshButtons();
    } else if (tool === "rect" || tool === "ellipse") {
      stage.preview(null);
      const shape = tool === "rect" ? rect : ellipse;
      operation(() => shape(mask, start, p, paintValue(event)));
    } else if (tool === "lasso") {
      const points = lasso;
      lasso = [];
      stage.preview(null);
      operation(() => polygon(mask, points, paintValue(event)));
    }
  };
  surface.addEventListener("pointerup", end);
  surface.addEventListener("pointercancel", end);
  surface.addEventListener("dblclick", () => tool === "polygon" && finishPolygon());
  surface.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      if (event.ctrlKey || event.metaKey || tool === "pan")
        stage.zoomBy(event.deltaY < 0 ? 1.15 : 1 / 1.15, event);
      else stage.panBy(-event.deltaX, -event.deltaY);
    },
    { passive: false },
  );

  // -- keyboard ------------------------------------------------------------------------------
  let spaceHeld = false;
  const keys = (event: KeyboardEvent): (() => void) | undefined => {
    const k = event.key.toLowerCase();
    const mod = event.ctrlKey || event.metaKey;
    if (mod && k === "z") return event.shiftKey ? doRedo : doUndo;
    if (mod && k === "y") return doRedo;
    if (mod) return undefined;
    const picked = TOOLS.find((t) => t.key === k);
    if (picked) return () => setTool(picked.tool);
    const table: Record<string, () => void> = {
      i: doInvert,
      "[": () => setSize(size / 1.25),
      "]": () => setSize(size * 1.25 + 1),
      "+": () => stage.zoomBy(1.25),
      "=": () => stage.zoomBy(1.25),
      "-": () => stage.zoomBy(1 / 1.25),
      "0": () => stage.fitToView(),
      enter: finishPolygon,
      escape: () => {
        if (poly.length === 0) return options.onClose();
        poly = [];
        stage.preview(null);
      },
    };
    if (k === "delete" && event.shiftKey) return doClear;
    return table[k];
  };

  const setTool = (next: PaintTool) => {
    if (tool === "polygon" && next !== "polygon") finishPolygon();
    tool = next;
    el.dataset.tool = next;
    for (const [t, b] of toolButtons) b.setAttribute("aria-pressed", String(t === next));
  };

  const el = h(
    "section",
    { class: "vs-tool vs-painter", "aria-label": "Mask painter", tabindex: -1 },
    h(
      "div",
      { class: "vs-tool-head" },
      h("strong", {}, `Paint the mask on ${options.caption}`),
      close,
    ),
    toolRow,
    actions,
    knobs,
    stage.el,
    legend,
    h("div", { class: "vs-tool-actions" }, save),
    status,
  );
  el.addEventListener("keydown", (event) => {
    if ((event.target as HTMLElement).tagName === "INPUT" && event.key !== "Escape") return;
    if (event.key === " ") spaceHeld = true;
    const run = keys(event);
    if (!run) return;
    event.preventDefault();
    event.stopPropagation(); // JupyterLab's own shortcuts (Z, I, 0…) must not fire as well
    run();
  });
  el.addEventListener("keyup", (event) => {
    if (event.key === " ") spaceHeld = false;
  });
  close.addEventListener("click", () => options.onClose());
  save.addEventListener("click", async () => {
    save.disabled = true;
    status.textContent = "Saving the mask…";
    try {
      status.textContent = (await options.onSave(mask)) ?? "";
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    } finally {
      save.disabled = false;
    }
  });

  setTool("brush");
  stage.drawMask();
  redrawGrowth();
  refreshButtons();

  return {
    el,
    mask,
    get tool() {
      return tool;
    },
    setTool,
    undo: doUndo,
    redo: doRedo,
    invert: doInvert,
    clear: doClear,
    destroy() {
      if (growthTimer !== undefined) clearTimeout(growthTimer);
      stage.destroy();
      el.remove();
    },
  };
}
