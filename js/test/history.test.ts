import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createChannel } from "../src/messages";
import type { HistoryRow } from "../src/traits";
import { createHistory, type HistoryHandle } from "../src/ui/history";
import { click, FakeModel, HISTORY_ROW, last, statuses } from "./helpers";

let model: FakeModel<Record<string, unknown>>;
let history: HistoryHandle | undefined;
const edits: string[] = [];
const sweeps: string[] = [];

beforeEach(() => {
  model = new FakeModel({});
  edits.length = 0;
  sweeps.length = 0;
  vi.spyOn(URL, "createObjectURL").mockImplementation(() => "blob:test/zip");
  vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
});
afterEach(() => {
  history?.destroy();
  history = undefined;
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
const sent = (kind: string) => model.sent.filter((m) => m.content.kind === kind);
const answer = (kind: string, fields: Record<string, unknown>, buffers: unknown[] = []) => {
  const request = last(sent(kind));
  if (!request) throw new Error(`no ${kind} sent`);
  model.reply({ id: request.content.id, ok: true, ...fields }, buffers);
};

const row = (id: string, extra: Partial<HistoryRow> = {}): HistoryRow => ({
  ...HISTORY_ROW,
  local_id: id,
  task_id: `t-${id}`,
  group_id: null,
  labels: {},
  function: "image_reference",
  prompt: `prompt ${id}`,
  request: { function: "image_reference", prompt: `prompt ${id}` },
  provider: "simulator",
  region: null,
  status: "succeeded",
  error_code: null,
  error_message: null,
  created_at: 1_790_000_000,
  submitted_at: 1_790_000_001,
  finished_at: 1_790_000_009,
  total_seconds: 8,
  usage: { video_duration: 5 },
  cost: 0,
  has_video: true,
  ...extra,
});

async function mount(rows: HistoryRow[], total = rows.length, more: Record<string, string[]> = {}) {
  const channel = createChannel(model, { idPrefix: "h" });
  history = createHistory({
    statuses: statuses(),
    channel,
    onEdit: (fn) => edits.push(fn),
    onOpenSweep: (id) => sweeps.push(id),
    pageSize: 2,
  });
  document.body.append(history.el);
  const loaded = history.load(0);
  answer("history", {
    rows,
    total,
    offset: 0,
    facets: {
      status: ["failed", "succeeded"],
      function: ["image_reference"],
      provider: ["simulator"],
      ...more,
    },
  });
  await loaded;
  return history.el;
}

describe("the history", () => {
  it("shows a page newest first, with filters and paging", async () => {
    const el = await mount([row("b"), row("a", { status: "failed", error_code: "E" })], 5);
    expect(sent("history")[0]?.content).toMatchObject({ offset: 0, limit: 2 });
    const rows = [...el.querySelectorAll<HTMLElement>(".vs-history-row")];
    expect(rows.map((r) => r.dataset.localId)).toEqual(["b", "a"]);
    expect(rows[0]?.textContent).toContain("0:08");
    expect(el.querySelector(".vs-history-summary")?.textContent).toBe(
      "Tasks 1–2 of 5, newest first",
    );
    const status = el.querySelector<HTMLSelectElement>('.vs-filter[data-filter="status"]');
    expect([...(status?.options ?? [])].map((o) => o.value)).toEqual(["", "failed", "succeeded"]);
    expect(el.querySelector<HTMLButtonElement>(".vs-newer")?.disabled).toBe(true);

    click(el.querySelector(".vs-older"));
    expect(last(sent("history"))?.content).toMatchObject({ offset: 2, limit: 2 });
    if (status) {
      status.value = "failed";
      status.dispatchEvent(new Event("change"));
    }
    expect(last(sent("history"))?.content).toMatchObject({ status: "failed", offset: 0 });
  });

  it("filters by person only in a class store with more than one person", async () => {
    const menu = (el: HTMLElement) =>
      el.querySelector<HTMLSelectElement>('.vs-filter[data-filter="person"]');
    // One person's (SQLite) store sends no `facets.person`: no menu.
    let el = await mount([row("a")]);
    expect(menu(el)?.hidden).toBe(true);
    history?.destroy();
    // A class of one: nothing to choose.
    el = await mount([row("a")], 1, { person: ["ann"] });
    expect(menu(el)?.hidden).toBe(true);
    history?.destroy();
    el = await mount([row("b"), row("a")], 2, { person: ["ann", "bob"] });
    const people = menu(el);
    expect(people?.hidden).toBe(false);
    expect(people?.getAttribute("aria-label")).toBe("Filter by person");
    expect([...(people?.options ?? [])].map((o) => o.textContent)).toEqual([
      "any person",
      "ann",
      "bob",
    ]);
    if (people) {
      people.value = "bob";
      people.dispatchEvent(new Event("change"));
    }
    expect(last(sent("history"))?.content).toMatchObject({ person: "bob", offset: 0 });
    // The kernel lists every person whatever the filter: the choice stays, and so does the menu.
    answer("history", {
      rows: [row("b")],
      total: 1,
      offset: 0,
      facets: { person: ["ann", "bob"] },
    });
    await flush();
    expect(people?.value).toBe("bob");
    expect(people?.hidden).toBe(false);
    expect(
      [...el.querySelectorAll<HTMLElement>(".vs-history-row")].map((r) => r.dataset.localId),
    ).toEqual(["b"]);
    // "any person" again: no person in the request.
    if (people) {
      people.value = "";
      people.dispatchEvent(new Event("change"));
    }
    expect(last(sent("history"))?.content).not.toHaveProperty("person");
  });

  it("shows the teacher's view of a class store, and nothing in one person's store", async () => {
    let el = await mount([row("a")]);
    const table = () => el.querySelector<HTMLElement>(".vs-usage");
    expect(sent("usage")).toHaveLength(1); // opening the tab asks once
    answer("usage", {
      people: [
        {
          person: "ann",
          tasks: 3,
          waiting: 1,
          in_flight: 1,
          with_video: 1,
          cost: 0.35,
          spend_cap: null,
        },
        {
          person: "bob",
          tasks: 9,
          waiting: 0,
          in_flight: 0,
          with_video: 8,
          cost: 2.5,
          spend_cap: 2.5,
        },
      ],
    });
    await flush();
    expect(table()?.hidden).toBe(false);
    const rows = [...el.querySelectorAll<HTMLElement>(".vs-usage-row")];
    expect(rows.map((r) => r.dataset.person)).toEqual(["ann", "bob"]);
    expect([...(rows[0]?.children ?? [])].map((c) => c.textContent)).toEqual([
      "ann",
      "3",
      "1",
      "1",
      "1",
      "$0.35",
      "no cap",
    ]);
    expect(rows[1]?.dataset.capped).toBe("true"); // bob reached his cap
    click(el.querySelector(".vs-refresh"));
    expect(sent("usage")).toHaveLength(2);
    history?.destroy();
    model.sent.length = 0;

    // One person's store: no table, and no more questions after the first answer.
    el = await mount([row("a")]);
    answer("usage", { people: null });
    await flush();
    expect(table()?.hidden).toBe(true);
    click(el.querySelector(".vs-refresh"));
    void history?.load(0);
    expect(sent("usage")).toHaveLength(1);
  });

  it("opens a row's details, re-runs, edits and exports", async () => {
    const el = await mount([row("b", { group_id: "sweep-9", labels: { seed: 2 } })]);
    click(el.querySelector(".vs-row-open"));
    const details = el.querySelector(".vs-history-details");
    expect(details?.textContent).toContain("downloaded (kernel cache)");
    expect(details?.textContent).toContain('{"seed":2}');
    click(details?.querySelector(".vs-edit"));
    expect(edits).toEqual(["image_reference"]);
    click(details?.querySelector(".vs-open-sweep"));
    expect(sweeps).toEqual(["sweep-9"]);

    click(el.querySelector(".vs-rerun"));
    expect(sent("rerun")[0]?.content.local_id).toBe("b");
    answer("rerun", { local_id: "new" });
    await flush();
    expect(el.querySelector(".vs-history-status")?.textContent).toContain("Queued again as new");

    const zip = el.querySelector<HTMLInputElement>(".vs-export-zip");
    if (zip) zip.checked = true;
    click(details?.querySelector(".vs-export-sweep"));
    expect(sent("export")[0]?.content).toMatchObject({ group_id: "sweep-9", zip: true });
    answer("export", { path: "/home/exports/sweep-9.zip", zip: true, download: "d1" });
    await flush();
    const status = el.querySelector(".vs-history-status");
    expect(status?.textContent).toContain("Exported to /home/exports/sweep-9.zip");
    const link = status?.querySelector<HTMLAnchorElement>(".vs-download-export");
    link?.dispatchEvent(new MouseEvent("click", { cancelable: true }));
    await flush();
    expect(sent("file")[0]?.content).toMatchObject({ download: "d1", offset: 0 });
    answer("file", { size: 2, offset: 0, last: true, etag: "x", mime: "application/zip" }, [
      new DataView(new Uint8Array([80, 75]).buffer),
    ]);
    await flush();
    expect(link?.getAttribute("href")).toBe("blob:test/zip");
    expect(link?.getAttribute("download")).toBe("sweep-9.zip");
  });

  it("shows the kernel's refusal", async () => {
    const channel = createChannel(model, { idPrefix: "x" });
    history = createHistory({
      channel,
      onEdit: () => {},
      onOpenSweep: () => {},
      statuses: statuses(),
    });
    const loaded = history.load(0);
    const request = last(sent("history"));
    model.reply({ id: request?.content.id, ok: false, error: "limit: expected a whole number" });
    await loaded;
    expect(history.el.querySelector(".vs-history-status")?.textContent).toContain("limit:");
  });
});
