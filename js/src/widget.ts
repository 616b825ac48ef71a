// anywidget entry point (Python: `Studio._esm` = static/widget.js, built from this file).
// Traits read: `schema` (the request JSON Schema, a dict). Everything else goes through custom
// messages (see messages.ts), so no bytes and no secrets ever sit in widget state.

import type { RenderProps } from "@anywidget/types";
import { h } from "./form/dom";
import { SchemaError } from "./form/schema";
import { createChannel } from "./messages";
import css from "./styles.css?raw";
import { renderStudio, type StudioHandle, type StudioState } from "./ui/studio";

/** The Python traits this view reads; mirror of `Studio`'s synced traits. */
export interface StudioTraits {
  /** JSON Schema of the five request models (`oneOf` + `discriminator` + `$defs`). */
  schema: Record<string, unknown> | null;
}

/**
 * JupyterLab handles keydown in the bubble phase for notebook shortcuts; on a focused radio, select
 * or button (not a text field) a plain key would reach them: arrows were swallowed (no keyboard
 * choice of a chip) and "d d" would delete the cell. Plain keys stay inside the widget; shortcuts
 * with Ctrl/Cmd/Alt, Shift+Enter and Escape still reach JupyterLab.
 */
export function keepKeysInWidget(event: KeyboardEvent): void {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "Escape" || (event.shiftKey && event.key === "Enter")) return;
  event.stopPropagation();
}

/** Python package version this bundle was built for (from src/vace_studio/_version.py). */
export const version: string = __VACE_STUDIO_VERSION__;

function render({ model, el }: RenderProps<StudioTraits>): () => void {
  const channel = createChannel(model);
  // CSS travels inside the bundle (no separate _css file to keep in sync); a <style> per view also
  // works when the host renders widgets inside a shadow root.
  const style = h("style", {}, css);
  const root = h("div", { class: "vs-root", "data-version": version });
  root.addEventListener("keydown", keepKeysInWidget);
  el.append(style, root);

  let studio: StudioHandle | null = null;
  const draw = () => {
    const kept: StudioState = studio?.snapshot() ?? {};
    studio?.destroy();
    studio = null;
    const schema = model.get("schema");
    if (!schema || Object.keys(schema).length === 0) {
      root.replaceChildren(
        h("p", { class: "vs-empty" }, "Waiting for the request schema from Python…"),
      );
      return;
    }
    try {
      studio = renderStudio(root, schema, channel, kept);
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      root.replaceChildren(
        h("p", { class: "vs-error", role: "alert" }, `Cannot build the form: ${error.message}`),
      );
    }
  };
  model.on("change:schema", draw);
  draw();

  return () => {
    model.off("change:schema", draw);
    studio?.destroy();
    channel.dispose();
    style.remove();
    root.remove();
  };
}

export default { render };
