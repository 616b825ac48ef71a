// Free text: a single-line input, or a textarea (`x-widget: textarea`) with a live character count
// against maxLength — or against the soft limit past which the service cuts the text (`x-soft`) —
// counted in code points like Python and the API do.

import { h, ids } from "../dom";
import { charCount } from "../validate";
import type { Control, ControlContext } from "./types";

export function createText(ctx: ControlContext): Control {
  if (ctx.node.kind !== "string") throw new Error("createText needs a string node");
  const { multiline, soft } = ctx.node;
  const hardLimit = ctx.node.maxLength;
  const maxLength = hardLimit ?? soft?.maxLength;
  const countId = `${ctx.id}-count`;
  const counter =
    maxLength !== undefined ? h("span", { class: "vs-count", id: countId }, "") : null;
  const attrs = {
    id: ctx.id,
    class: multiline ? "vs-textarea" : "vs-text",
    "aria-describedby": ids(ctx.describedBy, counter && countId),
    "aria-required": ctx.required ? "true" : undefined,
    spellcheck: multiline ? "true" : "false",
  };
  // No maxlength attribute: the browser would silently cut a pasted prompt; an error is clearer.
  const input = multiline
    ? h("textarea", { ...attrs, rows: 4 })
    : h("input", { ...attrs, type: "text" });

  const updateCount = () => {
    if (!counter || maxLength === undefined) return;
    const n = charCount(input.value);
    counter.textContent = `${n} / ${maxLength}`;
    // Over a hard limit is an error (red); over a soft one the service cuts the text (a warning).
    counter.classList.toggle("vs-over", hardLimit !== undefined && n > hardLimit);
    counter.classList.toggle("vs-over-soft", hardLimit === undefined && n > maxLength);
    counter.title = hardLimit === undefined && n > maxLength ? (soft?.warning ?? "") : "";
  };
  input.addEventListener("input", () => {
    updateCount();
    ctx.onInput(input.value === "" ? undefined : input.value);
  });

  const el = counter ? h("div", { class: "vs-text-wrap" }, input, counter) : input;
  return {
    el,
    labelTarget: true,
    set(value) {
      const shown = value === undefined ? ctx.fallback : value;
      input.value = typeof shown === "string" ? shown : "";
      updateCount();
    },
  };
}
