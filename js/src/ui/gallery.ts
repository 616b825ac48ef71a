// The Gallery view: a sweep's results in a grid labelled by the fields that vary, one transport
// for all of them (play, pause, seek, frame step, in sync), the sweep's progress and ETA, a
// details panel per cell ("Edit as new", compare with the source), and an A/B wipe view.
//
// Data: `sweeps` lists the store's sweeps; `gallery {group_id}` gives one sweep's cells. Cells
// change through the ordinary `tasks` pushes (matched by local_id) and the overall progress
// through `sweep_progress` pushes. Videos load lazily through a VideoLoader: with 200 cells only
// the few on screen hold a source.

import { h } from "../form/dom";
import { describe } from "../form/validate";
import { type Channel, RequestError } from "../messages";
import type { StatusSets } from "../status";
import type { GalleryCell, GallerySweep, SweepProgress, SweepRow } from "../traits";
import { type CellView, createCell, videoSourceOf } from "./cell";
import { type CompareHandle, type CompareSide, createCompare } from "./compare";
import { clock } from "./format";
import { SyncPlayer } from "./sync";
import { createTransport } from "./transport";
import { fetchVideo, VideoLoader, type VideoLoaderOptions } from "./videos";

export interface GalleryOptions {
  channel: Channel;
  /** "Edit as new": put a cell's request into its function's form. */
  onEdit(fn: string, request: Record<string, unknown>): void;
  /** The status table's sets (the `status_table` trait). */
  statuses: StatusSets;
  video?: VideoLoaderOptions;
}

export interface GalleryHandle {
  el: HTMLElement;
  loader: VideoLoader;
  player: SyncPlayer;
  /** Lists the sweeps again and shows `groupId` (default: the one shown, else the newest). */
  show(groupId?: string): Promise<void>;
  /** Opens the A/B view of two results, or of a result against its source video. */
  compare(a: CompareSide, b: CompareSide): CompareHandle;
  destroy(): void;
}

/** Beyond this many values of the second field, cells flow instead of forming a table. */
const MAX_TABLE_COLUMNS = 4;

/** `prompt="a cat" · seed=2`: a cell's labels, short. */
export function labelText(labels: Record<string, unknown>, fields: string[]): string {
  const names = fields.length > 0 ? fields : Object.keys(labels);
  return names.map((name) => `${name}=${describe(labels[name])}`).join(" · ") || "no varied fields";
}

function rowLabel(row: SweepRow, done: number): string {
  return `${row.name ?? row.group_id} · ${done}/${row.cells ?? "?"} done · ${row.fields.join(" × ")}`;
}

function progressText(p: SweepProgress, etaLeft: number | null): string {
  const parts = [`${p.done}/${p.total} done`];
  if (p.failed) parts.push(`${p.failed} failed`);
  if (p.active) parts.push(`${p.active} running`);
  if (p.downloading) parts.push(`${p.downloading} downloading`);
  if (p.waiting) parts.push(`${p.waiting} waiting`);
  if (p.done < p.total) {
    parts.push(etaLeft === null ? "ETA unknown" : `ETA ${clock(Math.max(0, Math.ceil(etaLeft)))}`);
  } else parts.push(`took ${clock(p.elapsed)}`);
  return parts.join(" · ");
}

export function createGallery(options: GalleryOptions): GalleryHandle {
  const { channel, statuses } = options;
  let offset = 0; // kernel clock minus browser clock
  const kernelNow = () => Date.now() / 1000 + offset;
  // settleMs: a cell must stay on screen a moment before its video loads, so scrolling past 200
  // cells does not fetch and decode each one (the benchmark's scroll hitches came from that).
  const loader = new VideoLoader(channel, {
    now: kernelNow,
    settleMs: 200,
    // Stills for the visible cells beyond the cap of loaded videos.
    poster: async (source, signal) => {
      const { msg, buffers } = await channel.request(
        "poster",
        { local_id: source.localId },
        { signal, timeoutMs: 30_000 },
      );
      const part = buffers[0];
      if (!part) return null;
      const bytes = new Uint8Array(part.buffer as ArrayBuffer, part.byteOffset, part.byteLength);
      return URL.createObjectURL(new Blob([bytes], { type: String(msg.mime ?? "image/jpeg") }));
    },
    ...options.video,
  });
  let player = new SyncPlayer({ onChange: (s) => transport.update(s) });
  const transport = createTransport(() => player, "every result in the gallery");

  const select = h("select", { class: "vs-select vs-sweep-select", "aria-label": "Sweep" });
  const refresh = h("button", { type: "button", class: "vs-button vs-refresh" }, "Refresh");
  const compareButton = h(
    "button",
    { type: "button", class: "vs-button vs-primary vs-open-ab", disabled: true },
    "Compare A/B",
  );
  const title = h("h3", { class: "vs-gallery-title" });
  const estimate = h("p", { class: "vs-help vs-estimate" });
  const bar = h("progress", { class: "vs-sweep-bar", max: 1, value: 0 });
  const barText = h("span", { class: "vs-sweep-progress", "aria-live": "polite" });
  const status = h("p", { class: "vs-status vs-gallery-status", role: "status" });
  const compareHost = h("div", { class: "vs-compare-host" });
  const details = h("section", { class: "vs-cell-details", hidden: true, "aria-label": "Details" });
  const grid = h("div", { class: "vs-gallery-grid", role: "list" });
  const el = h(
    "section",
    { class: "vs-gallery", "aria-label": "Gallery" },
    h("div", { class: "vs-gallery-bar" }, select, refresh, compareButton),
    title,
    estimate,
    h("div", { class: "vs-sweep-status" }, bar, barText),
    status,
    compareHost,
    transport.el,
    details,
    grid,
  );

  let sweep: GallerySweep | null = null;
  let progress: { value: SweepProgress; at: number } | null = null;
  const views = new Map<string, CellView>(); // by local id
  const allViews: CellView[] = [];
  const picked: { a: GalleryCell | null; b: GalleryCell | null } = { a: null, b: null };
  let compareView: CompareHandle | null = null;
  let destroyed = false;

  const label = (cell: GalleryCell) => labelText(cell.labels, sweep?.fields ?? []);

  const showProgress = () => {
    if (!progress) return;
    const p = progress.value;
    // The sweep list was read once: keep the shown sweep's entry current.
    const option = select.selectedOptions[0];
    if (option?.dataset.row) option.textContent = rowLabel(JSON.parse(option.dataset.row), p.done);
    const left = p.eta === null ? null : p.eta - (kernelNow() - progress.at);
    bar.value = p.fraction;
    barText.textContent = progressText(p, left);
    el.dataset.done = String(p.done);
  };

  const setPicked = (side: "a" | "b", cell: GalleryCell) => {
    picked[side] = picked[side]?.local_id === cell.local_id ? null : cell;
    for (const view of allViews) {
      const id = view.cell().local_id;
      view.setPicked(
        id && id === picked.a?.local_id ? "a" : id && id === picked.b?.local_id ? "b" : null,
      );
    }
    compareButton.disabled = !(picked.a && picked.b);
  };

  const resultSide = (cell: GalleryCell): CompareSide => ({
    label: label(cell),
    async load(signal) {
      const direct = loader.directUrl(videoSourceOf(cell));
      if (!cell.has_video && direct) return direct;
      return URL.createObjectURL(await fetchVideo(channel, cell.local_id ?? "", { signal }));
    },
  });
  const sourceSide = (cell: GalleryCell): CompareSide => ({
    label: "source video",
    async load(signal) {
      const blob = await fetchVideo(channel, cell.local_id ?? "", { signal, source: true });
      return URL.createObjectURL(blob);
    },
  });

  const compare = (a: CompareSide, b: CompareSide): CompareHandle => {
    compareView?.destroy();
    player.pause();
    compareView = createCompare({
      a,
      b,
      frameRate: sweep?.fps,
      onClose: () => {
        compareView?.destroy();
        compareView = null;
      },
    });
    compareHost.replaceChildren(compareView.el);
    compareView.el.scrollIntoView?.({ block: "nearest" });
    return compareView;
  };
  compareButton.addEventListener("click", () => {
    if (picked.a && picked.b) compare(resultSide(picked.a), resultSide(picked.b));
  });

  const openDetails = (cell: GalleryCell) => {
    const edit = h("button", { type: "button", class: "vs-button vs-edit" }, "Edit as new");
    const source = h(
      "button",
      { type: "button", class: "vs-button vs-compare-source" },
      "Compare with source",
    );
    const close = h("button", { type: "button", class: "vs-button vs-close" }, "Close");
    source.hidden = !(cell.has_source && statuses.succeeded(cell.status));
    edit.addEventListener("click", () =>
      options.onEdit(String(cell.request.function ?? ""), cell.request),
    );
    source.addEventListener("click", () => compare(sourceSide(cell), resultSide(cell)));
    close.addEventListener("click", () => {
      details.hidden = true;
    });
    const error = cell.error_code ? `${cell.error_code}: ${cell.error_message ?? ""}` : "";
    details.replaceChildren(
      h("h4", {}, `Cell ${cell.index + 1}: ${label(cell)}`),
      h("p", { class: "vs-card-error", hidden: !error }, error),
      h("pre", { class: "vs-request-json" }, JSON.stringify(cell.request, null, 2)),
      h("div", { class: "vs-card-actions" }, edit, source, close),
    );
    details.hidden = false;
    details.dataset.index = String(cell.index);
  };

  const layout = (s: GallerySweep) => {
    // Two varied fields read best as a table: rows by the first, columns by the second; with
    // more than a few columns a table would be wider than a notebook, so cells just flow.
    const [rowField, colField] = s.fields;
    const across = s.fields.length === 2 && colField ? (s.values[colField]?.length ?? 0) : 0;
    const columns = across <= MAX_TABLE_COLUMNS ? across : 0;
    grid.replaceChildren();
    grid.classList.toggle("vs-gallery-table", columns > 0);
    grid.style.setProperty("--columns", String(columns || 1));
    if (columns > 0 && rowField && colField) {
      grid.append(h("div", { class: "vs-grid-corner" }, `${rowField} \\ ${colField}`));
      for (const value of s.values[colField] ?? []) {
        grid.append(h("div", { class: "vs-grid-head" }, `${colField}=${describe(value)}`));
      }
    }
    for (const cell of s.cells) {
      if (columns > 0 && rowField && cell.index % columns === 0) {
        grid.append(
          h(
            "div",
            { class: "vs-grid-head vs-row-head" },
            `${rowField}=${describe(cell.labels[rowField])}`,
          ),
        );
      }
      const view = createCell(cell, {
        loader,
        player,
        statuses,
        label,
        onPick: (c, side) => setPicked(side, c),
        onOpen: openDetails,
      });
      view.el.setAttribute("role", "listitem");
      allViews.push(view);
      if (cell.local_id) views.set(cell.local_id, view);
      grid.append(view.el);
    }
  };

  const clear = () => {
    compareView?.destroy();
    compareView = null;
    for (const view of allViews) view.destroy();
    allViews.length = 0;
    views.clear();
    picked.a = picked.b = null;
    compareButton.disabled = true;
    details.hidden = true;
    player.destroy();
    player = new SyncPlayer({ onChange: (s) => transport.update(s) });
  };

  const load = async (groupId: string) => {
    status.textContent = "Loading the sweep…";
    const { msg } = await channel.request("gallery", { group_id: groupId });
    if (destroyed) return;
    const s = msg.sweep as GallerySweep;
    clear();
    sweep = s;
    offset = s.now - Date.now() / 1000;
    player = new SyncPlayer({ frameRate: s.fps, onChange: (st) => transport.update(st) });
    el.dataset.groupId = s.group_id;
    title.textContent = s.name ? `${s.name} (${s.group_id})` : s.group_id;
    estimate.textContent = s.estimate?.text ?? "";
    progress = { value: s.progress, at: s.now };
    showProgress();
    layout(s);
    status.textContent = "";
  };

  const show = async (groupId?: string) => {
    try {
      const { msg } = await channel.request("sweeps");
      if (destroyed) return;
      const rows = (msg.sweeps ?? []) as SweepRow[];
      const current = typeof msg.current === "string" ? msg.current : "";
      select.replaceChildren(
        ...rows.map((row) => {
          const option = h("option", { value: row.group_id });
          option.textContent = rowLabel(row, row.done);
          option.dataset.row = JSON.stringify(row);
          return option;
        }),
      );
      const wanted = groupId || sweep?.group_id || current || rows[0]?.group_id;
      if (!wanted) {
        status.textContent =
          "No sweeps yet. Start one from Python: studio.sweep(base, prompt=[…], seed=[…]).";
        return;
      }
      select.value = wanted;
      await load(wanted);
    } catch (error) {
      status.textContent = error instanceof RequestError ? error.message : String(error);
    }
  };
  select.addEventListener("change", () => void show(select.value));
  refresh.addEventListener("click", () => void show(sweep?.group_id));

  const stopTasks = channel.onPush("tasks", (msg) => {
    const deltas = Array.isArray(msg.cards) ? (msg.cards as Record<string, unknown>[]) : [];
    for (const delta of deltas) {
      const view = views.get(String(delta.local_id));
      if (!view) continue;
      const next = { ...view.cell() } as unknown as Record<string, unknown>;
      for (const key of [
        "status",
        "has_video",
        "video_url",
        "url_expires_at",
        "error_code",
        "error_message",
        "cost",
        "task_id",
      ]) {
        if (key in delta) next[key] = delta[key];
      }
      view.update(next as unknown as GalleryCell);
    }
  });
  const stopProgress = channel.onPush("sweep_progress", (msg) => {
    if (!sweep || msg.group_id !== sweep.group_id || typeof msg.now !== "number") return;
    progress = { value: msg.progress as SweepProgress, at: msg.now };
    showProgress();
  });
  const timer = setInterval(showProgress, 1000);

  return {
    el,
    loader,
    get player() {
      return player;
    },
    show,
    compare,
    destroy() {
      destroyed = true;
      clearInterval(timer);
      stopTasks();
      stopProgress();
      clear();
      player.destroy();
      loader.destroy();
      el.remove();
    },
  };
}
