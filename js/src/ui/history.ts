// The History view: every task of the store as a table, newest first, a page at a time, with
// filters by status, function, provider and (in a class's shared store) person. A row opens its
// details (request JSON, error, usage, local video path); tasks can be re-run, edited as new, and
// exported (with their sweep) as a folder or a zip under the kernel's home. A zip can be
// downloaded through the widget.
//
// Data: `history {status?, function?, provider?, person?, offset, limit}` answers one page and the
// filter choices; nothing is pushed, so a store with thousands of tasks costs one page per look.

import { h } from "../form/dom";
import { type Channel, RequestError } from "../messages";
import { type StatusSets, statusLabel, statusTone } from "../status";
import type { HistoryRow } from "../traits";
import { clock, excerpt, money } from "./format";
import { labelText } from "./gallery";
import { createUsage } from "./usage";
import { fetchChunks } from "./videos";

export interface HistoryOptions {
  channel: Channel;
  onEdit(fn: string, request: Record<string, unknown>): void;
  /** Shows a sweep in the gallery. */
  onOpenSweep(groupId: string): void;
  /** The status table's sets (the `status_table` trait): the chips' colours. */
  statuses: StatusSets;
  pageSize?: number;
}

export interface HistoryHandle {
  el: HTMLElement;
  /** Loads (again) the page at `offset` with the current filters. */
  load(offset?: number): Promise<void>;
  destroy(): void;
}

const FILTERS = ["status", "function", "provider", "person"] as const;
type Filter = (typeof FILTERS)[number];

/** Filters shown only when there is a choice: a class store's people (the kernel lists them in
 * `facets.person`); one person's store has none, a class of one needs no menu. */
const ONLY_WITH_A_CHOICE: ReadonlySet<Filter> = new Set(["person"]);

function when(seconds: number): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function createHistory(options: HistoryOptions): HistoryHandle {
  const { channel } = options;
  const pageSize = options.pageSize ?? 50;
  const selects = new Map<Filter, HTMLSelectElement>();
  const bar = h("div", { class: "vs-history-bar" });
  for (const name of FILTERS) {
    const select = h("select", { class: "vs-select vs-filter", "data-filter": name });
    select.append(h("option", { value: "" }, `any ${name}`));
    select.setAttribute("aria-label", `Filter by ${name}`);
    select.addEventListener("change", () => void load(0));
    select.hidden = ONLY_WITH_A_CHOICE.has(name);
    selects.set(name, select);
    bar.append(select);
  }
  const asZip = h("input", { type: "checkbox", class: "vs-checkbox vs-export-zip" });
  const zipLabel = h("label", { class: "vs-zip-label" }, asZip, " export as zip");
  const refresh = h("button", { type: "button", class: "vs-button vs-refresh" }, "Refresh");
  bar.append(zipLabel, refresh);
  refresh.addEventListener("click", () => {
    void load(offset);
    void usage.load();
  });
  // The teacher's view, in a class's shared store only (usage.ts hides it elsewhere).
  const usage = createUsage(channel);

  const summary = h("p", { class: "vs-help vs-history-summary", "aria-live": "polite" });
  const status = h("p", { class: "vs-status vs-history-status", role: "status" });
  const body = h("tbody");
  const table = h(
    "table",
    { class: "vs-history-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Created", "Function", "Prompt", "Provider", "Status", "Time", "Cost", ""].map((t) =>
          h("th", { scope: "col" }, t),
        ),
      ),
    ),
    body,
  );
  const newer = h("button", { type: "button", class: "vs-button vs-newer" }, "Newer");
  const older = h("button", { type: "button", class: "vs-button vs-older" }, "Older");
  const el = h(
    "section",
    { class: "vs-history", "aria-label": "History" },
    bar,
    usage.el,
    summary,
    status,
    h("div", { class: "vs-history-scroll" }, table),
    h("div", { class: "vs-pager" }, newer, older),
  );
  let offset = 0;
  let total = 0;
  let seq = 0;
  let destroyed = false;
  const urls: string[] = [];

  const run = async (work: () => Promise<string>) => {
    status.textContent = "Working…";
    try {
      status.textContent = await work();
    } catch (error) {
      status.textContent = error instanceof RequestError ? error.message : String(error);
    }
  };

  const exportRun = async (payload: Record<string, unknown>) => {
    status.textContent = "Exporting…";
    try {
      const zip = asZip.checked;
      const { msg } = await channel.request("export", { ...payload, zip }, { timeoutMs: 120_000 });
      status.replaceChildren(`Exported to ${String(msg.path)} (on the kernel's machine).`);
      if (typeof msg.download !== "string") return;
      const link = h("a", { class: "vs-button vs-download-export", href: "#" }, "Download zip");
      link.addEventListener("click", async (event) => {
        if (link.getAttribute("href") !== "#") return; // fetched: the browser follows it
        event.preventDefault();
        const blob = await fetchChunks(channel, "file", { download: msg.download });
        const url = URL.createObjectURL(blob);
        urls.push(url);
        link.href = url;
        link.setAttribute("download", String(msg.path).split(/[\\/]/).pop() ?? "run.zip");
        link.click();
      });
      status.append(" ", link);
    } catch (error) {
      status.textContent = error instanceof RequestError ? error.message : String(error);
    }
  };

  const detailsRow = (row: HistoryRow): HTMLTableRowElement => {
    const facts: [string, string][] = [
      ["Local id", row.local_id],
      ["Provider task id", row.task_id ?? "—"],
      ["Provider", row.region ? `${row.provider} (${row.region})` : row.provider],
      ["Sweep", row.group_id ?? "—"],
      ["Labels", Object.keys(row.labels).length ? JSON.stringify(row.labels) : "—"],
      ["Usage", row.usage ? JSON.stringify(row.usage) : "—"],
      // The kernel's path stays in the kernel: `vace_studio.history()` has it.
      ["Video", row.has_video ? "downloaded (kernel cache)" : "—"],
    ];
    const edit = h("button", { type: "button", class: "vs-button vs-edit" }, "Edit as new");
    edit.addEventListener("click", () => options.onEdit(row.function, row.request));
    const sweep = h("button", { type: "button", class: "vs-button vs-open-sweep" }, "Open sweep");
    sweep.hidden = !row.group_id;
    sweep.addEventListener("click", () => row.group_id && options.onOpenSweep(row.group_id));
    const exportSweep = h(
      "button",
      { type: "button", class: "vs-button vs-export-sweep" },
      "Export sweep",
    );
    exportSweep.hidden = !row.group_id;
    exportSweep.addEventListener("click", () => void exportRun({ group_id: row.group_id }));
    return h(
      "tr",
      { class: "vs-history-details" },
      h(
        "td",
        { colspan: 8 },
        h("dl", {}, ...facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
        row.error_code
          ? h("p", { class: "vs-card-error" }, `${row.error_code}: ${row.error_message ?? ""}`)
          : null,
        h("pre", { class: "vs-request-json" }, JSON.stringify(row.request, null, 2)),
        h("div", { class: "vs-card-actions" }, edit, sweep, exportSweep),
      ),
    );
  };

  const rowOf = (row: HistoryRow): HTMLTableRowElement[] => {
    const rerun = h("button", { type: "button", class: "vs-button vs-rerun" }, "Re-run");
    const exp = h("button", { type: "button", class: "vs-button vs-export" }, "Export");
    const open = h(
      "button",
      { type: "button", class: "vs-link-button vs-row-open", "aria-expanded": "false" },
      excerpt(row.prompt, 60) || "(no prompt)",
    );
    rerun.addEventListener("click", () =>
      run(async () => {
        const { msg } = await channel.request("rerun", { local_id: row.local_id });
        return `Queued again as ${String(msg.local_id)}: its card is in the task list.`;
      }),
    );
    exp.addEventListener("click", () => void exportRun({ local_ids: [row.local_id] }));
    const tone = statusTone(options.statuses, row.status, Boolean(row.error_code));
    const chip = h(
      "span",
      { class: "vs-status-chip", "data-status": row.status, "data-tone": tone },
      statusLabel(row.status),
    );
    const tr = h(
      "tr",
      { class: "vs-history-row", "data-local-id": row.local_id, "data-status": row.status },
      h("td", {}, when(row.created_at)),
      h("td", {}, row.function),
      h(
        "td",
        {},
        open,
        Object.keys(row.labels).length > 0
          ? h("span", { class: "vs-row-labels" }, labelText(row.labels, []))
          : null,
      ),
      h("td", {}, row.provider),
      h("td", {}, chip),
      h("td", {}, row.total_seconds === null ? "" : clock(row.total_seconds)),
      h("td", {}, row.cost === null ? "" : money(row.cost)),
      h("td", { class: "vs-row-actions" }, rerun, exp),
    );
    let details: HTMLTableRowElement | null = null;
    open.addEventListener("click", () => {
      if (details) {
        details.remove();
        details = null;
      } else {
        details = detailsRow(row);
        tr.after(details);
      }
      open.setAttribute("aria-expanded", String(details !== null));
    });
    return [tr];
  };

  const load = async (at = 0): Promise<void> => {
    const mine = ++seq;
    const filters: Record<string, string> = {};
    for (const [name, select] of selects) if (select.value) filters[name] = select.value;
    status.textContent = "Loading…";
    try {
      const { msg } = await channel.request("history", { ...filters, offset: at, limit: pageSize });
      if (destroyed || mine !== seq) return;
      const rows = (msg.rows ?? []) as HistoryRow[];
      offset = at;
      total = Number(msg.total ?? 0);
      const facets = (msg.facets ?? {}) as Record<string, string[]>;
      for (const [name, select] of selects) {
        const chosen = select.value;
        const choices = facets[name] ?? [];
        select.replaceChildren(
          h("option", { value: "" }, `any ${name}`),
          ...choices.map((v) => h("option", { value: v }, v)),
        );
        select.value = chosen;
        if (ONLY_WITH_A_CHOICE.has(name)) select.hidden = choices.length < 2 && !chosen;
      }
      body.replaceChildren(...rows.flatMap(rowOf));
      summary.textContent =
        total === 0
          ? "No tasks match."
          : `Tasks ${offset + 1}–${offset + rows.length} of ${total}, newest first`;
      newer.disabled = offset === 0;
      older.disabled = offset + rows.length >= total;
      status.textContent = "";
    } catch (error) {
      if (mine === seq)
        status.textContent = error instanceof RequestError ? error.message : String(error);
    }
  };
  newer.addEventListener("click", () => void load(Math.max(0, offset - pageSize)));
  older.addEventListener("click", () => void load(offset + pageSize));

  return {
    el,
    // Opening the tab (or a caller's reload) refreshes the teacher's view too; paging and
    // filters do not change it.
    load(at = 0) {
      void usage.load();
      return load(at);
    },
    destroy() {
      destroyed = true;
      for (const url of urls) URL.revokeObjectURL(url);
      el.remove();
    },
  };
}
