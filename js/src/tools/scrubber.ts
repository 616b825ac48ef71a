// The frame scrubber: a video's frames as the kernel decodes them, with play/pause, step, a
// slider and a thumbnail strip; its actions ("Use as mask frame", "Use as first frame"…) receive
// the frame number in the service's 1-based numbering.

import { h } from "../form/dom";
import { type FrameSource, frameLabel } from "./frames";

export interface FrameAction {
  label: string;
  /** Runs with the shown frame; resolves to a line for the status (or throws its error). */
  run(frame: number): Promise<string | undefined> | string | undefined;
}

export interface ScrubberOptions {
  source: FrameSource;
  actions: FrameAction[];
  /** The frame shown first (e.g. the form's mask_frame_id). */
  start?: number;
  /** Element ids for this view (unique per widget view). */
  idPrefix: string;
  onClose(): void;
}

export interface ToolPanel {
  el: HTMLElement;
  destroy(): void;
}

const STRIP_THUMBS = 12;

export function createScrubber(options: ScrubberOptions): ToolPanel & { frame(): number } {
  const { source, idPrefix } = options;
  const { facts } = source;
  let current = Math.min(Math.max(1, options.start ?? 1), facts.frames);
  let playing: ReturnType<typeof setInterval> | undefined;
  let shownSeq = 0;

  const picture = h("img", {
    class: "vs-scrub-frame",
    alt: `Frame of ${facts.name}`,
    width: facts.width,
    height: facts.height,
  });
  const label = h("output", { class: "vs-scrub-label", id: `${idPrefix}-label` });
  const slider = h("input", {
    type: "range",
    class: "vs-scrub-slider",
    min: 1,
    max: facts.frames,
    step: 1,
    value: current,
    "aria-label": "Frame",
    "aria-describedby": label.id,
  });
  const button = (text: string, title: string, cls = "") =>
    h("button", { type: "button", class: `vs-button vs-tool-button ${cls}`, title }, text);
  const first = button("|◀", "First frame (Home)", "vs-scrub-first");
  const back = button("◀", "Previous frame (←)", "vs-scrub-back");
  const play = button("Play", "Play or pause (Space)", "vs-scrub-play");
  const next = button("▶", "Next frame (→)", "vs-scrub-next");
  const last = button("▶|", "Last frame (End)", "vs-scrub-last");
  for (const [el, name] of [
    [first, "First frame"],
    [back, "Previous frame"],
    [next, "Next frame"],
    [last, "Last frame"],
  ] as const) {
    el.setAttribute("aria-label", name);
  }
  const strip = h("div", { class: "vs-scrub-strip", role: "group", "aria-label": "Frames" });
  const status = h("p", { class: "vs-tool-status", "aria-live": "polite" });
  const actionRow = h("div", { class: "vs-tool-actions" });
  const close = button("Close", "Close the scrubber (Escape)", "vs-tool-close");

  const show = async (n: number) => {
    current = Math.min(Math.max(1, Math.round(n)), facts.frames);
    slider.value = String(current);
    label.textContent = `${frameLabel(current, facts)} at ${facts.fps.toFixed(2).replace(/\.?0+$/, "")} fps`;
    el.dataset.frame = String(current);
    for (const thumb of strip.children) {
      const at = Number((thumb as HTMLElement).dataset.frame);
      thumb.setAttribute("aria-current", at === current ? "true" : "false");
    }
    const seq = ++shownSeq;
    try {
      const url = await source.thumb(current);
      if (seq === shownSeq) picture.src = url;
    } catch (error) {
      if (seq === shownSeq)
        status.textContent = error instanceof Error ? error.message : String(error);
    }
  };

  const stop = () => {
    if (playing !== undefined) clearInterval(playing);
    playing = undefined;
    play.textContent = "Play";
    play.setAttribute("aria-pressed", "false");
  };
  const start = () => {
    if (current >= facts.frames) void show(1);
    play.textContent = "Pause";
    play.setAttribute("aria-pressed", "true");
    playing = setInterval(() => {
      if (current >= facts.frames) stop();
      else void show(current + 1);
    }, 1000 / facts.fps);
  };

  const seek = (n: number) => {
    stop();
    void show(n);
  };
  const toggle = () => (playing === undefined ? start() : stop());
  play.addEventListener("click", toggle);
  first.addEventListener("click", () => seek(1));
  back.addEventListener("click", () => seek(current - 1));
  next.addEventListener("click", () => seek(current + 1));
  last.addEventListener("click", () => seek(facts.frames));
  slider.addEventListener("input", () => seek(Number(slider.value)));
  close.addEventListener("click", () => options.onClose());

  // An evenly spaced strip: first and last frame included.
  const count = Math.min(STRIP_THUMBS, facts.frames);
  for (let i = 0; i < count; i++) {
    const n = count === 1 ? 1 : Math.round(1 + (i * (facts.frames - 1)) / (count - 1));
    const img = h("img", { alt: "", class: "vs-scrub-thumb-img" });
    const thumb = h(
      "button",
      { type: "button", class: "vs-scrub-thumb", "data-frame": n, "aria-label": `Frame ${n}` },
      img,
    );
    thumb.addEventListener("click", () => seek(n));
    void source.thumb(n).then(
      (url) => {
        img.src = url;
      },
      () => undefined,
    );
    strip.append(thumb);
  }

  for (const action of options.actions) {
    const b = h("button", { type: "button", class: "vs-button vs-tool-action" }, action.label);
    b.addEventListener("click", async () => {
      stop();
      b.disabled = true;
      status.textContent = `${action.label}: frame ${current}…`;
      try {
        status.textContent = (await action.run(current)) ?? "";
      } catch (error) {
        status.textContent = error instanceof Error ? error.message : String(error);
      } finally {
        b.disabled = false;
      }
    });
    actionRow.append(b);
  }

  const el = h(
    "section",
    { class: "vs-tool vs-scrubber", "aria-label": `Frames of ${facts.name}`, tabindex: -1 },
    h("div", { class: "vs-tool-head" }, h("strong", {}, `Frames of ${facts.name}`), close),
    h("div", { class: "vs-scrub-view" }, picture),
    h("div", { class: "vs-scrub-controls" }, first, back, play, next, last, slider, label),
    strip,
    actionRow,
    status,
  );
  el.addEventListener("keydown", (event) => {
    const target = event.target as HTMLElement;
    if (target.tagName === "INPUT" && target !== slider) return;
    const keys: Record<string, () => void> = {
      ArrowLeft: () => seek(current - 1),
      ArrowRight: () => seek(current + 1),
      Home: () => seek(1),
      End: () => seek(facts.frames),
      " ": toggle,
      Escape: () => options.onClose(),
    };
    const run = keys[event.key];
    if (!run || (target === slider && event.key !== " " && event.key !== "Escape")) return;
    event.preventDefault();
    run();
  });
  void show(current);

  return {
    el,
    frame: () => current,
    destroy() {
      stop();
      el.remove();
    },
  };
}
