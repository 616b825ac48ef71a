// One cell of the gallery: the result video (loaded lazily by the shared VideoLoader and played by
// the gallery's SyncPlayer), its labels, its status, and buttons to pick it as A or B and to open
// its details.

import { h } from "../form/dom";
import { type StatusSets, statusLabel, statusTone } from "../status";
import type { GalleryCell } from "../traits";
import type { SyncPlayer } from "./sync";
import type { VideoLoader, VideoSource, VideoState } from "./videos";

export interface CellContext {
  loader: VideoLoader;
  player: SyncPlayer;
  /** The status table's sets (the `status_table` trait). */
  statuses: StatusSets;
  /** The cell's labels as text, e.g. `prompt="a cat" · seed=2`. */
  label(cell: GalleryCell): string;
  onPick(cell: GalleryCell, side: "a" | "b"): void;
  onOpen(cell: GalleryCell): void;
}

export interface CellView {
  el: HTMLElement;
  cell(): GalleryCell;
  update(cell: GalleryCell): void;
  setPicked(side: "a" | "b" | null): void;
  destroy(): void;
}

export function videoSourceOf(cell: GalleryCell): VideoSource {
  return {
    localId: cell.local_id ?? "",
    hasVideo: cell.has_video,
    url: cell.video_url,
    expiresAt: cell.url_expires_at,
  };
}

export function createCell(initial: GalleryCell, ctx: CellContext): CellView {
  let cell = initial;
  const chip = h("span", { class: "vs-status-chip" });
  const labels = h("span", { class: "vs-cell-labels" });
  const note = h("span", { class: "vs-cell-note", "aria-live": "polite" });
  const media = h("div", { class: "vs-cell-media" }, note);
  const pickA = h("button", { type: "button", class: "vs-button vs-pick-a" }, "A");
  const pickB = h("button", { type: "button", class: "vs-button vs-pick-b" }, "B");
  const open = h("button", { type: "button", class: "vs-button vs-cell-open" }, "Details");
  const el = h(
    "figure",
    { class: "vs-cell" },
    media,
    h("figcaption", { class: "vs-cell-caption" }, labels, chip),
    h("div", { class: "vs-cell-actions" }, pickA, pickB, open),
  );
  pickA.addEventListener("click", () => ctx.onPick(cell, "a"));
  pickB.addEventListener("click", () => ctx.onPick(cell, "b"));
  open.addEventListener("click", () => ctx.onOpen(cell));
  media.addEventListener("click", () => ctx.onOpen(cell));

  let video: HTMLVideoElement | null = null;
  const onState = (state: VideoState, message?: string) => {
    note.textContent = state === "loading" ? "Loading…" : (message ?? "");
  };
  const ensureVideo = () => {
    if (video || !ctx.statuses.succeeded(cell.status) || !cell.local_id) return;
    if (!cell.has_video && !ctx.loader.directUrl(videoSourceOf(cell))) return;
    // No native controls: the gallery's transport drives every cell together.
    video = h("video", {
      class: "vs-cell-video",
      muted: true,
      loop: true,
      playsinline: true,
      preload: "none",
      "aria-label": `Result: ${ctx.label(cell)}`,
    });
    video.muted = true;
    media.prepend(video);
    ctx.loader.attach(video, videoSourceOf(cell), onState);
    ctx.player.add(video);
  };

  const update = (next: GalleryCell) => {
    cell = next;
    el.dataset.index = String(cell.index);
    el.dataset.status = cell.status;
    if (cell.local_id) el.dataset.localId = cell.local_id;
    labels.textContent = ctx.label(cell);
    chip.textContent = statusLabel(cell.status);
    chip.dataset.status = cell.status;
    const tone = statusTone(ctx.statuses, cell.status, Boolean(cell.error_code));
    if (tone) chip.dataset.tone = tone;
    else delete chip.dataset.tone;
    const succeeded = ctx.statuses.succeeded(cell.status);
    const ready = succeeded && cell.local_id !== null;
    pickA.disabled = !ready;
    pickB.disabled = !ready;
    pickA.setAttribute("aria-label", `Use as A: ${ctx.label(cell)}`);
    pickB.setAttribute("aria-label", `Use as B: ${ctx.label(cell)}`);
    open.setAttribute("aria-label", `Details of ${ctx.label(cell)}`);
    if (!ready && !succeeded) {
      note.textContent = cell.error_code
        ? `${cell.error_code}: ${cell.error_message ?? ""}`
        : cell.status === "missing"
          ? "never queued"
          : "";
    }
    ensureVideo();
    if (video) ctx.loader.update(video, videoSourceOf(cell));
  };

  update(initial);
  return {
    el,
    cell: () => cell,
    update,
    setPicked(side) {
      pickA.setAttribute("aria-pressed", String(side === "a"));
      pickB.setAttribute("aria-pressed", String(side === "b"));
      el.dataset.picked = side ?? "";
    },
    destroy() {
      if (video) {
        ctx.player.remove(video);
        ctx.loader.detach(video);
      }
      el.remove();
    },
  };
}
