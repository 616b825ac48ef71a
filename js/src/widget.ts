// anywidget entry point (Python: `Studio._esm` = static/widget.js, built from this file).
// Reads the synced traits (schema and provider facts, see traits.ts); everything else goes through
// custom messages (messages.ts), so no bytes and no secrets ever sit in widget state.
// Three views: Create (forms and task cards), Gallery (a sweep's results) and History (the store);
// the last two are built the first time they are opened, so a studio that never shows them costs
// nothing for them.

import type { AnyModel, RenderProps } from "@anywidget/types";
import { negotiateTransport } from "./comm-transport";
import { h, uniquePrefix } from "./form/dom";
import { SchemaError } from "./form/schema";
import { createChannel } from "./messages";
import { StatusSets } from "./status";
import css from "./styles.css?raw";
import { extendResult } from "./tools/extend";
import { FACT_NAMES, type ProviderFacts, type StudioTraits } from "./traits";
import { createGallery, type GalleryHandle } from "./ui/gallery";
import galleryCss from "./ui/gallery.css?raw";
import { createHeader } from "./ui/header";
import { createHeldBanner } from "./ui/held";
import { createHistory, type HistoryHandle } from "./ui/history";
import playgroundCss from "./ui/playground.css?raw";
import { renderStudio, type StudioHandle, type StudioState } from "./ui/studio";
import { createTabs } from "./ui/tabs";
import { createTaskList } from "./ui/tasks";
import tasksCss from "./ui/tasks.css?raw";
import usageCss from "./ui/usage.css?raw";

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
  // Every element id of this view starts with this: unique on the page (see uniquePrefix).
  const ids = uniquePrefix();
  // Binary buffers, or base64 text where the host drops them (Colab) or re-encodes them.
  const channel = createChannel(model, { transport: negotiateTransport(model) });
  // CSS travels inside the bundle (no separate _css file to keep in sync); a <style> per view also
  // works when the host renders widgets inside a shadow root.
  const style = h("style", {}, css, playgroundCss, tasksCss, galleryCss, usageCss);
  const root = h("div", { class: "vs-root", "data-version": version });
  root.addEventListener("keydown", keepKeysInWidget);
  el.append(style, root);

  const header = createHeader(readFacts(model), channel);
  const onFacts = () => header.update(readFacts(model));
  void channel.ready.then((info) => header.setTransport(info));
  for (const name of FACT_NAMES) model.on(`change:${name}`, onFacts);

  // Which status allows what comes from the kernel's table; the sets update in place.
  const statuses = new StatusSets(model.get("status_table"));
  const onTable = () => statuses.update(model.get("status_table"));
  model.on("change:status_table", onTable);
  const held = createHeldBanner(channel);
  const onHeld = () => held.update(model.get("submissions_held") ?? "");
  model.on("change:submissions_held", onHeld);
  onHeld();

  const formsHost = h("div", { class: "vs-forms-host" });
  let studio: StudioHandle | null = null;
  const edit = (fn: string, request: Record<string, unknown>) => {
    views.select("create");
    studio?.edit(fn, request);
  };
  const tasks = createTaskList({
    channel,
    titleOf: (fn) => studio?.titles.get(fn) ?? fn,
    onEdit: (card) => edit(card.function, card.request),
    onExtend: (card) => extendResult(channel, card, edit),
    statuses,
  });

  const galleryHost = h("div", { class: "vs-gallery-host" });
  const historyHost = h("div", { class: "vs-history-host" });
  let gallery: GalleryHandle | null = null;
  let history: HistoryHandle | null = null;
  let requested = ""; // the sweep last asked for, so a trait change and a push show it once
  const showSweep = (groupId: string) => {
    if (!gallery) {
      gallery = createGallery({ channel, onEdit: edit, statuses });
      galleryHost.append(gallery.el);
    } else if (groupId === requested) return;
    requested = groupId;
    void gallery.show(groupId || undefined);
  };
  const views = createTabs(
    `${ids}-view`,
    [
      { key: "create", label: "Create", panel: h("div", {}, formsHost, tasks.el) },
      { key: "gallery", label: "Gallery", panel: galleryHost },
      { key: "history", label: "History", panel: historyHost },
    ],
    (key) => {
      if (key === "gallery" && !gallery) showSweep(model.get("sweep_id") ?? "");
      if (key === "history") {
        if (!history) {
          history = createHistory({
            channel,
            onEdit: edit,
            statuses,
            onOpenSweep: (groupId) => {
              views.select("gallery");
              showSweep(groupId);
            },
          });
          historyHost.append(history.el);
        }
        void history.load(0);
      }
    },
  );
  views.el.classList.add("vs-views");
  root.append(header.el, held.el, views.el);

  // Python started a sweep (`studio.sweep`): show its gallery.
  const stopShow = channel.onPush("show", (msg) => {
    if (msg.view !== "gallery") return;
    views.select("gallery");
    showSweep(typeof msg.group_id === "string" ? msg.group_id : "");
  });
  const onSweepId = () => {
    if (gallery) showSweep(model.get("sweep_id") ?? "");
  };
  model.on("change:sweep_id", onSweepId);
  // The `view` trait: the tab a view opens on (a push sent before the view existed is lost, a
  // trait is not), and Python setting it switches every view.
  const onView = () => {
    const wanted = model.get("view");
    if (wanted === "create" || wanted === "gallery" || wanted === "history") views.select(wanted);
  };
  model.on("change:view", onView);

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
      studio = renderStudio(formsHost, schema, channel, kept, {
        previewFields: model.get("preview_fields") ?? {},
        idPrefix: `${ids}-forms`,
      });
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      formsHost.replaceChildren(
        h("p", { class: "vs-error", role: "alert" }, `Cannot build the form: ${error.message}`),
      );
    }
  };
  model.on("change:schema", draw);
  draw();
  onView();
  // For the benchmark and the browser tests: how long the view took to become usable.
  root.dataset.renderMs = (performance.now() - started).toFixed(1);

  return () => {
    stopShow();
    model.off("change:sweep_id", onSweepId);
    model.off("change:view", onView);
    model.off("change:status_table", onTable);
    model.off("change:submissions_held", onHeld);
    gallery?.destroy();
    history?.destroy();
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
