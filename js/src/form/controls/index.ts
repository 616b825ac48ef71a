// Picks the control for a schema node. The mapping is by JSON Schema keyword, never by field name.

import { createArray } from "./array";
import { createCheckbox, createChoice } from "./choice";
import { createMedia } from "./media";
import { createNumber } from "./number";
import { createText } from "./text";
import type { Control, ControlContext } from "./types";

export function createControl(ctx: ControlContext): Control {
  const node = ctx.node;
  switch (node.kind) {
    case "enum":
      return createChoice(ctx);
    case "boolean":
      return createCheckbox(ctx);
    case "number":
      return createNumber(ctx);
    case "string":
      return node.media ? createMedia(ctx) : createText(ctx);
    case "array":
      return createArray(ctx, createControl);
    case "unsupported": {
      // Shown, not hidden: a field the form cannot edit should be visible so someone reports it.
      const el = document.createElement("p");
      el.id = ctx.id;
      el.className = "vs-unsupported";
      el.textContent = `This field (${node.type}) cannot be edited here; set it from Python.`;
      return { el, labelTarget: false, set() {} };
    }
  }
}
