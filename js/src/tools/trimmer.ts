// The clip trimmer: in and out points on a timeline of the video's frames (as the kernel decodes
// them), the pictures at both ends, the length against the field's limit (3 s for a clip, 5 s
// for a source), and "Use this clip", which has the kernel cut frames in–out into a new MP4.

import { h } from "../form/dom";
import { type FrameSource, frameLabel } from "./frames";
import type { ToolPanel } from "./scrubber";

export interface TrimmerOptions {
  source: FrameSource;
  /** The longest clip the field takes, in seconds. */
  maxSeconds: number;
  idPrefix: string;
  /** Cuts frames first–last (1-based, inclusive); resolves to a line for the status. */
  onUse(first: number, last: number): Promise<string | undefined>;
  onClose(): void;
}

/** Frames in a clip of at most `seconds` at `fps`. */
export const maxFrames = (seconds: number, fps: number): number =>
  Math.max(1, Math.floor(seconds * fps + 1e-6));

/** Seconds a clip of frames first–last lasts. */
export const clipSeconds = (first: number, last: number, fps: number): number =>
  (last - first + 1) / fps;

export function createTrimmer(options: TrimmerOptions): ToolPanel & {
  range(): [number, number];
  set(first: number, last: number): void;
} {
  const { source, idPrefix } = options;
  const { facts } = source;
  const limit = Math.min(facts.frames, maxFrames(options.maxSeconds, facts.fps));
  let first = 1;
  let last = Math.min(facts.frames, limit);

  const range = (cls: string, label: string, value: number) =>
    h("input", {
      type: "range",
      class: `vs-trim-range ${cls}`,
      min: 1,
      max: facts.frames,
      step: 1,
      value,
      "aria-label": label,
      id: `${idPrefix}-${cls}`,
    });
  const inInput = range("vs-trim-in", "In (first frame of the clip)", first);
  const outInput = range("vs-trim-out", "Out (last frame of the clip)", last);
  const selection = h("div", { class: "vs-trim-selection" });
  const timeline = h("div", { class: "vs-trim-timeline" }, selection, inInput, outInput);
  const inPicture = h("img", { class: "vs-trim-frame", alt: "First frame of the clip" });
  const outPicture = h("img", { class: "vs-trim-frame", alt: "Last frame of the clip" });
  const inLabel = h("span", { class: "vs-trim-label" });
  const outLabel = h("span", { class: "vs-trim-label" });
  const length = h("p", { class: "vs-trim-length", "aria-live": "polite" });
  const status = h("p", { class: "vs-tool-status", "aria-live": "polite" });
  const use = h(
    "button",
    { type: "button", class: "vs-button vs-primary vs-trim-use" },
    "Use this clip",
  );
  const close = h(
    "button",
    { type: "button", class: "vs-button vs-tool-button vs-tool-close" },
    "Close",
  );

  // The strip under the timeline: what lies where.
  const strip = h("div", { class: "vs-trim-strip", "aria-hidden": "true" });
  const thumbs = Math.min(10, facts.frames);
  for (let i = 0; i < thumbs; i++) {
    const n = thumbs === 1 ? 1 : Math.round(1 + (i * (facts.frames - 1)) / (thumbs - 1));
    const img = h("img", { alt: "" });
    void source.thumb(n).then(
      (url) => {
        img.src = url;
      },
      () => undefined,
    );
    strip.append(img);
  }

  const picture = async (img: HTMLImageElement, n: number) => {
    try {
      img.src = await source.thumb(n);
    } catch {
      img.removeAttribute("src");
    }
  };

  const render = () => {
    inInput.value = String(first);
    outInput.value = String(last);
    const span = Math.max(1, facts.frames - 1);
    selection.style.left = `${((first - 1) / span) * 100}%`;
    selection.style.width = `${((last - first) / span) * 100}%`;
    inLabel.textContent = `In: ${frameLabel(first, facts)}`;
    outLabel.textContent = `Out: ${frameLabel(last, facts)}`;
    const seconds = clipSeconds(first, last, facts.fps);
    const over = last - first + 1 > limit;
    length.textContent = `${last - first + 1} frames, ${seconds.toFixed(2)} s (at most ${options.maxSeconds} s)`;
    length.classList.toggle("vs-error", over);
    use.disabled = over;
    el.dataset.first = String(first);
    el.dataset.last = String(last);
    void picture(inPicture, first);
    void picture(outPicture, last);
  };

  // Moving one end past the limit drags the other along, so the clip always fits.
  const set = (nextFirst: number, nextLast: number, moved: "in" | "out" = "in") => {
    first = Math.min(Math.max(1, Math.round(nextFirst)), facts.frames);
    last = Math.min(Math.max(1, Math.round(nextLast)), facts.frames);
    if (moved === "in") {
      if (last < first) last = first;
      if (last - first + 1 > limit) last = first + limit - 1;
    } else {
      if (first > last) first = last;
      if (last - first + 1 > limit) first = last - limit + 1;
    }
    render();
  };
  inInput.addEventListener("input", () => set(Number(inInput.value), last, "in"));
  outInput.addEventListener("input", () => set(first, Number(outInput.value), "out"));
  close.addEventListener("click", () => options.onClose());
  use.addEventListener("click", async () => {
    use.disabled = true;
    status.textContent = `Cutting frames ${first}–${last}…`;
    try {
      status.textContent = (await options.onUse(first, last)) ?? "";
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    } finally {
      use.disabled = false;
    }
  });

  const el = h(
    "section",
    { class: "vs-tool vs-trimmer", "aria-label": `Trim ${facts.name}`, tabindex: -1 },
    h("div", { class: "vs-tool-head" }, h("strong", {}, `Trim ${facts.name}`), close),
    h(
      "div",
      { class: "vs-trim-ends" },
      h("figure", {}, inPicture, h("figcaption", {}, inLabel)),
      h("figure", {}, outPicture, h("figcaption", {}, outLabel)),
    ),
    strip,
    timeline,
    length,
    h("div", { class: "vs-tool-actions" }, use),
    status,
  );
  el.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      options.onClose();
    }
  });
  render();
  return {
    el,
    range: () => [first, last],
    set: (a, b) => set(a, b, "in"),
    destroy() {
      el.remove();
    },
  };
}
