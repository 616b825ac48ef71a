// Numbers. A bounded real number gets a slider for feel plus a number box for exact values, kept in
// sync; integers (seeds, frame ids) get a number box only, as a slider over 2^31 values is useless.

import { h } from "../dom";
import type { Control, ControlContext } from "./types";

/** A slider step giving about 100 positions, rounded to 1, 2 or 5 × 10^n. */
export function niceStep(span: number): number {
  const raw = span / 100;
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].find((u) => u * power >= raw) ?? 10;
  return unit * power;
}

export function createNumber(ctx: ControlContext): Control {
  if (ctx.node.kind !== "number") throw new Error("createNumber needs a number node");
  const node = ctx.node;
  const lo = node.minimum ?? node.exclusiveMinimum;
  const hi = node.maximum ?? node.exclusiveMaximum;
  const box = h("input", {
    type: "number",
    id: ctx.id,
    class: "vs-number",
    min: lo,
    max: hi,
    step: node.step ?? node.multipleOf ?? (node.integer ? 1 : "any"),
    inputmode: node.integer ? "numeric" : "decimal",
    "aria-describedby": ctx.describedBy,
    "aria-required": ctx.required ? "true" : undefined,
  });
  const ranged = !node.integer && lo !== undefined && hi !== undefined;
  const slider = ranged
    ? h("input", {
        type: "range",
        id: `${ctx.id}-range`,
        class: "vs-range",
        min: lo,
        max: hi,
        step: node.step ?? node.multipleOf ?? niceStep(hi - lo),
        "aria-describedby": ctx.describedBy,
      })
    : null;
  const wrap = h("div", { class: "vs-number-wrap" });
  if (slider) {
    // The number box carries the field label; the slider needs its own for screen readers.
    wrap.append(
      h("label", { for: slider.id, class: "vs-sr-only" }, `${ctx.label} (slider)`),
      slider,
    );
  }
  wrap.append(box);

  box.addEventListener("input", () => {
    if (box.value === "") {
      // "1e" or "-" mid-typing also reads as ""; only a truly empty box clears the value.
      if (!box.validity?.badInput) ctx.onInput(undefined);
      return;
    }
    const value = Number(box.value);
    if (slider) slider.value = box.value;
    wrap.classList.remove("vs-unset");
    ctx.onInput(value);
  });
  slider?.addEventListener("input", () => {
    box.value = slider.value;
    wrap.classList.remove("vs-unset");
    ctx.onInput(Number(slider.value));
  });

  return {
    el: wrap,
    labelTarget: true,
    set(value) {
      const shown = value === undefined ? ctx.fallback : value;
      const text = typeof shown === "number" ? String(shown) : "";
      box.value = text;
      if (slider) slider.value = text === "" ? String(lo) : text;
      // A slider always shows some position; dim it when no value is set and no default exists.
      wrap.classList.toggle("vs-unset", text === "");
    },
  };
}
