// Puts the editing tools beside a form's media fields: "Pick frame…" (or "View frames…" where a
// frame has no use in the form) and "Trim…" next to every video field, "Paint mask…" next to the
// mask image. A tool opens inside the field it was started from (one at a time per form) and
// writes its result into the form like a person would: the file it made (in the kernel's inputs
// folder) or a frame number.
//
// The tools exist for particular API fields — a frame number is only ever a `mask_frame_id`, a
// painted mask only a `mask_image_url` — so the fields they write are named here; an action is
// offered only when the form's schema has its field.

import { nameReference } from "../form/controls/media";
import { h } from "../form/dom";
import type { FormHandle } from "../form/render";
import type { Channel } from "../messages";
import type { ExpandMode } from "./expand";
import { type FrameSource, openFrames } from "./frames";
import { createPainter, type Growth } from "./painter";
import { packBits, unpackBits } from "./raster";
import { createScrubber, type FrameAction, type ToolPanel } from "./scrubber";
import toolsCss from "./tools.css?raw";
import { createTrimmer } from "./trimmer";

const MASK_FRAME = "mask_frame_id";
const MASK_IMAGE = "mask_image_url";
const SOURCE = "video_url";
const FRAME_TARGETS: [field: string, label: string][] = [
  ["first_frame_url", "Use as first frame"],
  ["last_frame_url", "Use as last frame"],
];

export interface ToolsContext {
  channel: Channel;
  form: FormHandle;
  /** Sets fields as if typed (the form validates and previews as after any edit). */
  apply(fields: Record<string, unknown>): void;
  /** Unique per widget view: element ids of the tools start with it. */
  idPrefix: string;
}

export interface ToolsHandle {
  destroy(): void;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The kernel's answer for a file it made: its reference, named for the field's box. */
function madeFile(msg: Record<string, unknown>): string {
  const ref = String(msg.ref);
  if (typeof msg.name === "string") nameReference(ref, msg.name);
  return ref;
}

export function attachTools(ctx: ToolsContext): ToolsHandle {
  const { channel, form } = ctx;
  const names = new Set(form.spec.fields.map((f) => f.name));
  const fieldOf = (name: string) => form.spec.fields.find((f) => f.name === name);
  const titleOf = (name: string) => fieldOf(name)?.title ?? name;
  let ids = 0;
  const nextId = () => `${ctx.idPrefix}-${++ids}`;
  let open: { panel: ToolPanel; source?: FrameSource } | null = null;
  const rows: HTMLElement[] = [];

  const close = () => {
    open?.panel.destroy();
    open?.source?.dispose();
    open = null;
  };
  const value = (name: string): string | undefined => {
    const v = form.getValue()[name];
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const show = (host: HTMLElement, panel: ToolPanel, source?: FrameSource) => {
    close();
    open = { panel, source };
    host.append(panel.el);
    panel.el.setAttribute("data-lm-suppress-shortcuts", "true");
    panel.el.focus({ preventScroll: true });
    panel.el.scrollIntoView?.({ block: "nearest" });
  };

  const growth = (): Growth | null => {
    const v = form.getValue();
    const pick = (name: string) => v[name] ?? fieldOf(name)?.default;
    if (pick("mask_type") === "fixed") return null;
    const ratio = Number(pick("expand_ratio") ?? 0);
    const mode = String(pick("expand_mode") ?? "original") as ExpandMode;
    return { ratio: Number.isFinite(ratio) ? ratio : 0, mode };
  };

  const openPainter = async (host: HTMLElement, note: HTMLElement, frame: number) => {
    const video = value(SOURCE);
    if (!video) throw new Error(`Choose the ${titleOf(SOURCE)} first: the mask is painted on it.`);
    note.textContent = `Loading frame ${frame}…`;
    const source = await openFrames(channel, video, 160);
    try {
      const { videoWidth: width, videoHeight: height } = source.facts;
      const background = await source.full(frame);
      const existing = value(MASK_IMAGE);
      let initial: Uint8Array | null = null;
      if (existing) {
        const { buffers } = await channel.request(
          "load_mask",
          { ref: existing, width, height },
          { timeoutMs: 60_000 },
        );
        const part = buffers[0];
        if (part) {
          const packed = new Uint8Array(
            part.buffer as ArrayBuffer,
            part.byteOffset,
            part.byteLength,
          );
          initial = unpackBits(packed, width * height);
        }
      }
      const painter = createPainter({
        width,
        height,
        background,
        initial,
        growth,
        caption: `frame ${frame} of ${source.facts.name} (${width}×${height})`,
        idPrefix: nextId(),
        onClose: close,
        async onSave(mask) {
          const { msg } = await channel.request(
            "save_mask",
            { width, height },
            { buffers: [packBits(mask)], timeoutMs: 60_000 },
          );
          const fields: Record<string, unknown> = { [MASK_IMAGE]: madeFile(msg) };
          if (names.has(MASK_FRAME)) fields[MASK_FRAME] = frame;
          ctx.apply(fields);
          return `${titleOf(MASK_IMAGE)}: ${String(msg.name)}, painted on frame ${frame}.`;
        },
      });
      painter.el.dataset.frame = String(frame);
      note.textContent = "";
      show(host, painter, source);
    } catch (error) {
      source.dispose();
      throw error;
    }
  };

  // Whether a frame of `field`'s video can be used for something in this form (else the
  // scrubber only shows the frames).
  const framesUsable = (field: string) =>
    (field === SOURCE && (names.has(MASK_FRAME) || names.has(MASK_IMAGE))) ||
    FRAME_TARGETS.some(([target]) => names.has(target));

  const frameActions = (
    field: string,
    host: HTMLElement,
    note: HTMLElement,
    source: FrameSource,
  ): FrameAction[] => {
    const actions: FrameAction[] = [];
    if (field === SOURCE && names.has(MASK_FRAME)) {
      actions.push({
        label: "Use as mask frame",
        run: (n) => {
          ctx.apply({ [MASK_FRAME]: n });
          return `${titleOf(MASK_FRAME)} set to ${n}.`;
        },
      });
    }
    if (field === SOURCE && names.has(MASK_IMAGE)) {
      actions.push({
        label: "Paint mask on this frame",
        run: async (n) => {
          await openPainter(host, note, n);
          return undefined;
        },
      });
    }
    for (const [target, label] of FRAME_TARGETS) {
      if (!names.has(target)) continue;
      actions.push({
        label,
        run: async (n) => {
          const { msg } = await channel.request(
            "save_frame",
            { video: source.video, frame: n },
            { timeoutMs: 60_000 },
          );
          ctx.apply({ [target]: madeFile(msg) });
          return `${titleOf(target)}: ${String(msg.name)}.`;
        },
      });
    }
    return actions;
  };

  const openScrubber = async (field: string, host: HTMLElement, note: HTMLElement) => {
    const video = value(field);
    if (!video) throw new Error(`Choose a video for ${titleOf(field)} first.`);
    note.textContent = "Decoding frames…";
    const source = await openFrames(channel, video);
    note.textContent = "";
    const start = field === SOURCE ? Number(form.getValue()[MASK_FRAME] ?? 1) : 1;
    const panel = createScrubber({
      source,
      start,
      idPrefix: nextId(),
      actions: frameActions(field, host, note, source),
      onClose: close,
    });
    show(host, panel, source);
  };

  const openTrimmer = async (field: string, host: HTMLElement, note: HTMLElement) => {
    const video = value(field);
    if (!video) throw new Error(`Choose a video for ${titleOf(field)} first.`);
    note.textContent = "Decoding frames…";
    const source = await openFrames(channel, video, 160, field);
    note.textContent = "";
    const maxSeconds = source.facts.maxSeconds ?? source.facts.frames / source.facts.fps;
    const panel = createTrimmer({
      source,
      maxSeconds,
      idPrefix: nextId(),
      onClose: close,
      async onUse(first, last) {
        const answer = await channel.request(
          "trim",
          { video, first, last },
          { timeoutMs: 120_000 },
        );
        const got = answer.msg;
        close();
        ctx.apply({ [field]: madeFile(got) });
        note.textContent = `${titleOf(field)}: ${String(got.name)} (${Number(got.seconds).toFixed(2)} s).`;
        return undefined;
      },
    });
    show(host, panel, source);
  };

  const button = (
    label: string,
    cls: string,
    run: (note: HTMLElement) => Promise<void>,
    row: HTMLElement,
    note: HTMLElement,
  ) => {
    const b = h("button", { type: "button", class: `vs-button vs-tool-open ${cls}` }, label);
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await run(note);
      } catch (error) {
        note.textContent = message(error);
      } finally {
        b.disabled = false;
      }
    });
    row.insertBefore(b, note);
  };

  for (const field of form.spec.fields) {
    const node = field.node;
    const media = node.kind === "string" ? node.media : undefined;
    const isVideo = media === "video";
    const isMask = field.name === MASK_IMAGE && names.has(SOURCE);
    if (!isVideo && !isMask) continue;
    const host = form.el.querySelector<HTMLElement>(`.vs-field[data-field="${field.name}"]`);
    if (!host) continue;
    const note = h("span", { class: "vs-tool-note", "aria-live": "polite" });
    const row = h("div", { class: "vs-tool-row", "data-field": field.name }, note);
    if (isVideo) {
      button(
        framesUsable(field.name) ? "Pick frame…" : "View frames…",
        "vs-open-scrubber",
        (n) => openScrubber(field.name, host, n),
        row,
        note,
      );
      button("Trim…", "vs-open-trimmer", (n) => openTrimmer(field.name, host, n), row, note);
    }
    if (isMask) {
      button(
        "Paint mask…",
        "vs-open-painter",
        (n) => openPainter(host, n, Math.max(1, Number(form.getValue()[MASK_FRAME] ?? 1))),
        row,
        note,
      );
    }
    host.append(row);
    rows.push(row);
  }
  const style = h("style", {}, toolsCss);
  if (rows.length > 0) form.el.append(style);

  return {
    destroy() {
      close();
      for (const row of rows) row.remove();
      style.remove();
    },
  };
}
