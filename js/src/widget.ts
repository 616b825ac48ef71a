// anywidget entry point (Python: `Studio._esm` = static/widget.js, built from this file).
// Reads the synced traits (schema and provider facts, see traits.ts); everything else goes through
// custom messages (messages.ts), so no bytes and no secrets ever sit in widget state.

import type { AnyModel, RenderProps } from "@anywidget/types";
import { h } from "./form/dom";
import { SchemaError } from "./form/schema";
import { createChannel } from "./messages";
import css from "./styles.css?raw";
import { FACT_NAMES, type ProviderFacts, type StudioTraits } from "./traits";
import { createHeader } from "./ui/header";
import { renderStudio, type StudioHandle, type StudioState } from "./ui/studio";
import { createTaskList } from "./ui/tasks";
import tasksCss from "./ui/tasks.css?raw";

export type { StudioTraits } from "./traits";

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

function readFacts(model: AnyModel<StudioTraits>): ProviderFacts {
  return {
    provider: model.get("provider") ?? "",
    region: model.get("region") ?? "",
    endpoint: model.get("endpoint") ?? "",
    simulated: model.get("simulated") === true,
    notice: model.get("notice") ?? "",
    has_key: model.get("has_key") === true,
    price_per_second: model.get("price_per_second") ?? null,
    key_targets: model.get("key_targets") ?? [],
  };
}

function render({ model, el }: RenderProps<StudioTraits>): () => void {
  const started = performance.now();
  const channel = createChannel(model);
  // CSS travels inside the bundle (no separate _css file to keep in sync); a <style> per view also
  // works when the host renders widgets inside a shadow root.
  const style = h("style", {}, css, tasksCss);
  const root = h("div", { class: "vs-root", "data-version": version });
  root.addEventListener("keydown", keepKeysInWidget);
  el.append(style, root);

  const header = createHeader(readFacts(model), channel);
  const onFacts = () => header.update(readFacts(model));
  for (const name of FACT_NAMES) model.on(`change:${name}`, onFacts);

  const formsHost = h("div", { class: "vs-forms-host" });
  let studio: StudioHandle | null = null;
  const tasks = createTaskList({
    channel,
    titleOf: (fn) => studio?.titles.get(fn) ?? fn,
    onEdit: (card) => studio?.edit(card.function, card.request),
  });
  root.append(header.el, formsHost, tasks.el);

  const draw = () => {
    const kept: StudioState = studio?.snapshot() ?? {};
    studio?.destroy();
    studio = null;
    const schema = model.get("schema");
    if (!schema || Object.keys(schema).length === 0) {
      formsHost.replaceChildren(
        h("p", { class: "vs-empty" }, "Waiting for the request schema from Python…"),
      );
      return;
    }
    try {
      studio = renderStudio(formsHost, schema, channel, kept);
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      formsHost.replaceChildren(
        h("p", { class: "vs-error", role: "alert" }, `Cannot build the form: ${error.message}`),
      );
    }
  };
  model.on("change:schema", draw);
  draw();
  // For the benchmark and the browser tests: how long the view took to become usable.
  root.dataset.renderMs = (performance.now() - started).toFixed(1);

  return () => {
    model.off("change:schema", draw);
    for (const name of FACT_NAMES) model.off(`change:${name}`, onFacts);
    studio?.destroy();
    tasks.destroy();
    header.destroy();
    channel.dispose();
    style.remove();
    root.remove();
  };
}

export default { render };
