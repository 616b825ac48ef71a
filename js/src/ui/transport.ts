// The shared transport bar of a SyncPlayer: play/pause, a frame back and forward, a seek slider
// and the time. Used by the gallery (all cells) and the A/B view (two videos).

import { h } from "../form/dom";
import type { SyncPlayer, SyncState } from "./sync";

export interface TransportHandle {
  el: HTMLElement;
  /** Shows the player's state (wire it to SyncOptions.onChange). */
  update(state: SyncState): void;
}

const SLIDER_STEPS = 1000;

function seconds(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)} s` : "–";
}

export function createTransport(player: () => SyncPlayer | null, label: string): TransportHandle {
  const play = h("button", { type: "button", class: "vs-button vs-play" }, "Play");
  const back = h(
    "button",
    { type: "button", class: "vs-button vs-step-back", "aria-label": "One frame back" },
    "◀ frame",
  );
  const forward = h(
    "button",
    { type: "button", class: "vs-button vs-step-forward", "aria-label": "One frame forward" },
    "frame ▶",
  );
  const seek = h("input", {
    type: "range",
    class: "vs-seek",
    min: 0,
    max: SLIDER_STEPS,
    step: 1,
    value: 0,
    "aria-label": `Position (${label})`,
  });
  const time = h("span", { class: "vs-time", "aria-live": "off" }, "0.00 s");
  const el = h(
    "div",
    { class: "vs-transport", role: "group", "aria-label": `Playback of ${label}` },
    play,
    back,
    forward,
    seek,
    time,
  );
  let duration = Number.NaN;
  let dragging = false;

  play.addEventListener("click", () => player()?.toggle());
  back.addEventListener("click", () => player()?.step(-1));
  forward.addEventListener("click", () => player()?.step(1));
  seek.addEventListener("pointerdown", () => {
    dragging = true;
  });
  seek.addEventListener("change", () => {
    dragging = false;
  });
  seek.addEventListener("input", () => {
    if (!Number.isFinite(duration)) return;
    player()?.seek((Number(seek.value) / SLIDER_STEPS) * duration);
  });

  return {
    el,
    update(state) {
      duration = state.duration;
      play.textContent = state.playing ? "Pause" : "Play";
      play.setAttribute("aria-pressed", String(state.playing));
      seek.disabled = !Number.isFinite(duration);
      if (!dragging && Number.isFinite(duration) && duration > 0) {
        seek.value = String(Math.round((state.time / duration) * SLIDER_STEPS));
      }
      seek.setAttribute("aria-valuetext", `${seconds(state.time)} of ${seconds(duration)}`);
      time.textContent = `${seconds(state.time)} / ${seconds(duration)}`;
    },
  };
}
