// The painter's controls (DOM only): tool buttons, mask actions, brush size and mask opacity,
// the legend, the status line, "Use this mask" and "Close". painter.ts wires them.

import { h } from "../form/dom";

export type PaintTool =
  | "brush"
  | "eraser"
  | "rect"
  | "ellipse"
  | "polygon"
  | "lasso"
  | "fill"
  | "pan";

export interface ToolSpec {
  tool: PaintTool;
  label: string;
  /** Its keyboard shortcut (lower case). */
  key: string;
}

/** Every tool, its label and its key. */
export const TOOLS: ToolSpec[] = [
  { tool: "brush", label: "Brush", key: "b" },
  { tool: "eraser", label: "Eraser", key: "e" },
  { tool: "rect", label: "Rectangle", key: "r" },
  { tool: "ellipse", label: "Ellipse", key: "o" },
  { tool: "polygon", label: "Polygon", key: "p" },
  { tool: "lasso", label: "Lasso", key: "l" },
  { tool: "fill", label: "Fill", key: "f" },
  { tool: "pan", label: "Pan", key: "h" },
];

export interface ToolbarOptions {
  tools: ToolSpec[];
  size: number;
  idPrefix: string;
  onTool(tool: PaintTool): void;
  actions: Record<"undo" | "redo" | "invert" | "clear" | "zoomOut" | "fit" | "zoomIn", () => void>;
}

export function createToolbar(options: ToolbarOptions) {
  const { actions: run } = options;
  const toolButtons = new Map<PaintTool, HTMLButtonElement>();
  const toolRow = h("div", {
    class: "vs-paint-tools",
    role: "toolbar",
    "aria-label": "Painting tools",
  });
  for (const t of options.tools) {
    const b = h(
      "button",
      {
        type: "button",
        class: "vs-button vs-tool-button",
        "data-tool": t.tool,
        title: `${t.label} (${t.key.toUpperCase()})`,
        "aria-pressed": "false",
      },
      t.label,
    );
    b.addEventListener("click", () => options.onTool(t.tool));
    toolButtons.set(t.tool, b);
    toolRow.append(b);
  }
  const act = (label: string, title: string, run: () => void, cls: string) => {
    const b = h(
      "button",
      { type: "button", class: `vs-button vs-tool-button ${cls}`, title },
      label,
    );
    b.addEventListener("click", run);
    return b;
  };
  const undoButton = act("Undo", "Undo (Ctrl+Z)", run.undo, "vs-paint-undo");
  const redoButton = act("Redo", "Redo (Ctrl+Shift+Z)", run.redo, "vs-paint-redo");
  const actions = h(
    "div",
    { class: "vs-paint-actions", role: "toolbar", "aria-label": "Mask actions" },
    undoButton,
    redoButton,
    act("Invert", "Invert (I)", run.invert, "vs-paint-invert"),
    act("Clear", "Clear (Shift+Delete)", run.clear, "vs-paint-clear"),
    act("−", "Zoom out (−)", run.zoomOut, "vs-paint-zoom-out"),
    act("Fit", "Fit (0)", run.fit, "vs-paint-fit"),
    act("+", "Zoom in (+)", run.zoomIn, "vs-paint-zoom-in"),
  );
  const sizeInput = h("input", {
    type: "range",
    min: 1,
    max: 256,
    step: 1,
    value: options.size,
    id: `${options.idPrefix}-size`,
    class: "vs-paint-size",
  });
  const sizeOut = h("output", { for: sizeInput.id }, `${options.size} px`);
  const opacityInput = h("input", {
    type: "range",
    min: 0,
    max: 100,
    step: 5,
    value: 55,
    id: `${options.idPrefix}-opacity`,
    class: "vs-paint-opacity",
  });
  const knobs = h(
    "div",
    { class: "vs-paint-knobs" },
    // Each label stays with its slider when the row wraps.
    h(
      "span",
      { class: "vs-paint-knob" },
      h("label", { for: sizeInput.id }, "Brush size"),
      sizeInput,
      sizeOut,
    ),
    h(
      "span",
      { class: "vs-paint-knob" },
      h("label", { for: opacityInput.id }, "Mask opacity"),
      opacityInput,
    ),
  );
  const legend = h("p", { class: "vs-paint-legend" });
  const status = h("p", { class: "vs-tool-status", "aria-live": "polite" });
  const save = h(
    "button",
    { type: "button", class: "vs-button vs-primary vs-paint-save" },
    "Use this mask",
  );
  const close = h(
    "button",
    { type: "button", class: "vs-button vs-tool-button vs-tool-close", title: "Close (Escape)" },
    "Close",
  );

  return {
    toolButtons,
    toolRow,
    actions,
    undoButton,
    redoButton,
    knobs,
    sizeInput,
    sizeOut,
    opacityInput,
    legend,
    status,
    save,
    close,
  };
}
