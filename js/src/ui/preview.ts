// A form's preview: what the parameters do to the inputs, drawn by the kernel (the mask and its
// expansion over the chosen frame, the outpainting canvas, the control condition over a few frames).
//
// The kernel names the fields each function's preview depends on (`preview_fields`); a new preview
// is asked for only when one of them changed and none of them has a client-side error. Requests
// are debounced, and at most one is in flight per form: changes made meanwhile are folded into one
// request sent when the answer arrives, so dragging a slider never queues a backlog of renders.

import { h } from "../form/dom";
import type { FieldErrors, RequestValue } from "../form/render";
import { type Channel, RequestError } from "../messages";

export interface PreviewOptions {
  channel: Channel;
  /** The fields the preview depends on. */
  fields: string[];
  /** Those of them that hold media: without any of these set there is nothing to draw. */
  mediaFields: string[];
  /** Field name → its title, to say in the form's words what the preview is waiting for. */
  titles?: Record<string, string>;
  debounceMs?: number;
  timeoutMs?: number;
}

export interface PreviewHandle {
  el: HTMLElement;
  /** The form changed; `problems` are its client-side errors by field. */
  changed(value: RequestValue, problems: FieldErrors): void;
  /** Requests sent so far (for tests and the benchmark). */
  readonly asked: number;
  destroy(): void;
}

/** "A", "A and B", "A, B and C". */
const listed = (names: string[]): string =>
  names.length <= 1
    ? (names[0] ?? "")
    : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;

export function createPreview(options: PreviewOptions): PreviewHandle {
  const { channel, fields } = options;
  const titleOf = (name: string) => options.titles?.[name] ?? name;
  const media = () => listed(options.mediaFields.map(titleOf));
  const isAre = (names: unknown[]) => (names.length > 1 ? "are" : "is");
  // What the panel says before it can draw: the inputs it needs, by their titles on the form.
  const HINT = `Choose ${media()} (files on the kernel's machine) to see a preview here.`;
  const debounceMs = options.debounceMs ?? 300;
  const pictures = h("div", { class: "vs-preview-pictures" });
  const note = h("p", { class: "vs-help vs-preview-note", "aria-live": "polite" }, HINT);
  const el = h(
    "aside",
    { class: "vs-preview-panel", "aria-label": "Preview", "data-state": "empty" },
    h("h4", { class: "vs-preview-title" }, "Preview"),
    pictures,
    note,
  );
  let wanted = ""; // key of the latest value (a preview of any other is stale)
  let current: RequestValue = {};
  let shown = ""; // key of what is on screen (or being fetched)
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;
  let next: { key: string; value: RequestValue } | null = null;
  let urls: string[] = [];
  let asked = 0;
  let destroyed = false;

  const setState = (state: string) => {
    el.dataset.state = state;
  };

  const render = (entries: Record<string, unknown>[], buffers: DataView[]) => {
    for (const url of urls) URL.revokeObjectURL(url);
    urls = [];
    pictures.replaceChildren(
      ...entries.map((entry, i) => {
        const part = buffers[i];
        const caption = String(entry.caption ?? "");
        const figure = h("figure", {
          class: "vs-preview-figure",
          "data-preview": String(entry.preview ?? ""),
        });
        figure.dataset.facts = JSON.stringify(entry);
        if (part) {
          const bytes = new Uint8Array(
            part.buffer as ArrayBuffer,
            part.byteOffset,
            part.byteLength,
          );
          const url = URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
          urls.push(url);
          figure.append(
            h("img", {
              src: url,
              alt: caption || "Preview",
              class: "vs-preview-img",
              width: Number(entry.width) || undefined,
              height: Number(entry.height) || undefined,
            }),
          );
        }
        figure.append(h("figcaption", {}, caption));
        return figure;
      }),
    );
    const missing = options.mediaFields.filter((f) => current[f] === undefined).map(titleOf);
    note.textContent =
      entries.length > 0
        ? ""
        : missing.length > 0
          ? `No preview yet: it also needs ${listed(missing)}.`
          : "No preview for these inputs (remote files are not downloaded).";
  };

  /** Nothing on screen but `text`: what is drawn must always be the current inputs. */
  const blank = (text: string, state: string) => {
    if (timer !== undefined) clearTimeout(timer);
    for (const url of urls) URL.revokeObjectURL(url);
    urls = [];
    pictures.replaceChildren();
    note.textContent = text;
    setState(state);
  };

  const ask = async (key: string, value: RequestValue) => {
    if (inFlight) {
      next = { key, value };
      return;
    }
    inFlight = true;
    shown = key;
    asked++;
    setState("loading");
    try {
      const { msg, buffers } = await channel.request(
        "preview",
        { request: value },
        { timeoutMs: options.timeoutMs ?? 30_000 },
      );
      if (destroyed) return;
      if (key === wanted) {
        render(
          Array.isArray(msg.previews) ? (msg.previews as Record<string, unknown>[]) : [],
          buffers,
        );
        setState("shown");
      }
    } catch (error) {
      if (destroyed || key !== wanted) return;
      pictures.replaceChildren();
      note.textContent =
        error instanceof RequestError && Object.keys(error.errors).length > 0
          ? "No preview until the fields marked in red are fixed."
          : `No preview: ${error instanceof Error ? error.message : String(error)}`;
      setState("error");
    } finally {
      inFlight = false;
      const pending = next;
      next = null;
      if (!destroyed && pending && pending.key === wanted && pending.key !== shown) {
        void ask(pending.key, pending.value);
      }
    }
  };

  return {
    el,
    get asked() {
      return asked;
    },
    changed(value, problems) {
      current = value;
      const relevant = Object.fromEntries(fields.map((f) => [f, value[f]]));
      const key = JSON.stringify({ function: value.function, ...relevant });
      if (key === wanted && el.dataset.state !== "invalid") return;
      wanted = key; // an answer still on its way is about older inputs: it is dropped
      if (!options.mediaFields.some((f) => value[f] !== undefined)) {
        // Other inputs may be set (an extension's first frame): say what this preview draws from.
        const others = Object.keys(value).some((f) => f !== "function" && value[f] !== undefined);
        const which = `which ${isAre(options.mediaFields)} not set`;
        blank(others ? `No preview: it is drawn from ${media()}, ${which}.` : HINT, "empty");
        return;
      }
      const invalid = fields.filter((f) => problems[f] !== undefined);
      if (invalid.length > 0) {
        // Not the last valid picture: it would show inputs the form no longer holds. ("valid":
        // also right for a file still uploading, which the form reports as a problem too.)
        const names = listed(invalid.map(titleOf));
        blank(`No preview until ${names} ${isAre(invalid)} valid.`, "invalid");
        return;
      }
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => void ask(key, value), debounceMs);
    },
    destroy() {
      destroyed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const url of urls) URL.revokeObjectURL(url);
      el.remove();
    },
  };
}
