// The A/B view: two videos on top of each other, A shown left of a wipe line and B right of it,
// played in sync. A and B are two results, or a result and the source video it was made from.
// The wipe is a slider (keyboard and screen reader friendly) and can be dragged on the picture.
// Each side is loaded once when the view opens (two Blob URLs, revoked on close).

import { h } from "../form/dom";
import { SyncPlayer } from "./sync";
import { createTransport } from "./transport";

export interface CompareSide {
  /** Shown on the picture and in the heading, e.g. "prompt=a cat, seed=2" or "source". */
  label: string;
  /** Resolves to a URL the video can play (a Blob URL it then owns, or a public https URL). */
  load(signal: AbortSignal): Promise<string>;
}

export interface CompareOptions {
  a: CompareSide;
  b: CompareSide;
  frameRate?: number;
  onClose?: () => void;
}

export interface CompareHandle {
  el: HTMLElement;
  player: SyncPlayer;
  /** Resolves when both sides have a source (or one failed: the message is shown). */
  ready: Promise<void>;
  setWipe(percent: number): void;
  destroy(): void;
}

/**
 * What to say when A and B differ in length: the transport runs to the longer one's end and the
 * shorter one holds its last frame meanwhile (a 5 s result beside its 3 s source). "" when alike.
 */
export function lengthNote(a: number, b: number, frameRate = 30): string {
  if (!(a > 0 && b > 0) || Math.abs(a - b) < 1 / frameRate) return "";
  const [short, long] = a < b ? ["A", "B"] : ["B", "A"];
  const s = (x: number) => `${x.toFixed(2)} s`;
  return `${short} is ${s(Math.min(a, b))}, ${long} ${s(Math.max(a, b))}: ${short} holds its last frame after its end.`;
}

export function createCompare(options: CompareOptions): CompareHandle {
  const video = (side: "a" | "b", label: string) => {
    const el = h("video", {
      class: `vs-ab-video vs-ab-${side}`,
      muted: true,
      loop: true,
      playsinline: true,
      preload: "auto",
      "aria-label": `${side.toUpperCase()}: ${label}`,
    });
    el.muted = true;
    return el;
  };
  const a = video("a", options.a.label);
  const b = video("b", options.b.label);
  const line = h("div", { class: "vs-ab-line", "aria-hidden": "true" });
  const stage = h(
    "div",
    { class: "vs-ab-stage" },
    b,
    a,
    line,
    h("span", { class: "vs-ab-tag vs-ab-tag-a" }, `A · ${options.a.label}`),
    h("span", { class: "vs-ab-tag vs-ab-tag-b" }, `B · ${options.b.label}`),
  );
  const wipe = h("input", {
    type: "range",
    class: "vs-wipe",
    min: 0,
    max: 100,
    step: 1,
    value: 50,
    "aria-label": "Wipe position: A on the left, B on the right",
  });
  const status = h("p", { class: "vs-video-status", "aria-live": "polite" }, "Loading A and B…");
  const lengths = h("p", { class: "vs-help vs-ab-lengths" });
  const showLengths = () => {
    lengths.textContent = lengthNote(a.duration, b.duration, options.frameRate);
  };
  a.addEventListener("loadedmetadata", showLengths);
  b.addEventListener("loadedmetadata", showLengths);
  const close = h("button", { type: "button", class: "vs-button vs-ab-close" }, "Close A/B");
  const player = new SyncPlayer({
    frameRate: options.frameRate,
    onChange: (state) => transport.update(state),
  });
  const transport = createTransport(() => player, "A/B");
  const el = h(
    "section",
    { class: "vs-compare", "aria-label": "A/B comparison" },
    h(
      "div",
      { class: "vs-compare-head" },
      h("strong", {}, "A/B"),
      h("span", { class: "vs-compare-labels" }, `A: ${options.a.label} · B: ${options.b.label}`),
      close,
    ),
    stage,
    h("label", { class: "vs-wipe-label" }, "Wipe ", wipe),
    transport.el,
    lengths,
    status,
  );

  const setWipe = (percent: number) => {
    const p = Math.min(100, Math.max(0, percent));
    stage.style.setProperty("--wipe", `${p}%`);
    wipe.value = String(Math.round(p));
    el.dataset.wipe = String(Math.round(p));
  };
  setWipe(50);
  wipe.addEventListener("input", () => setWipe(Number(wipe.value)));
  let dragging = false;
  const fromPointer = (event: PointerEvent) => {
    const box = stage.getBoundingClientRect();
    if (box.width > 0) setWipe(((event.clientX - box.left) / box.width) * 100);
  };
  stage.addEventListener("pointerdown", (event) => {
    dragging = true;
    stage.setPointerCapture?.(event.pointerId);
    fromPointer(event);
  });
  stage.addEventListener("pointermove", (event) => dragging && fromPointer(event));
  stage.addEventListener("pointerup", () => {
    dragging = false;
  });
  close.addEventListener("click", () => options.onClose?.());

  const abort = new AbortController();
  const owned: string[] = [];
  const attach = async (el: HTMLVideoElement, side: CompareSide) => {
    const url = await side.load(abort.signal);
    if (url.startsWith("blob:")) owned.push(url);
    if (abort.signal.aborted) return;
    el.src = url;
    player.add(el);
  };
  const ready = Promise.all([attach(a, options.a), attach(b, options.b)]).then(
    () => {
      status.textContent = "";
    },
    (error: unknown) => {
      if (abort.signal.aborted) return;
      status.textContent = `Could not load the videos: ${error instanceof Error ? error.message : String(error)}`;
    },
  );

  return {
    el,
    player,
    ready,
    setWipe,
    destroy() {
      abort.abort();
      player.destroy();
      for (const v of [a, b]) {
        v.pause();
        v.removeAttribute("src");
        v.load?.();
      }
      for (const url of owned) URL.revokeObjectURL(url);
      el.remove();
    },
  };
}
