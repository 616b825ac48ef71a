import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createChannel } from "../src/messages";
import type { GalleryCell, GallerySweep, SweepProgress } from "../src/traits";
import { createGallery, type GalleryHandle, labelText } from "../src/ui/gallery";
import { click, FakeModel, last, statuses } from "./helpers";

let model: FakeModel<Record<string, unknown>>;
let gallery: GalleryHandle | undefined;
const edits: [string, Record<string, unknown>][] = [];

beforeEach(() => {
  model = new FakeModel({});
  edits.length = 0;
  vi.spyOn(URL, "createObjectURL").mockImplementation(() => "blob:test/1");
  vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
});
afterEach(() => {
  gallery?.destroy();
  gallery = undefined;
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

const PROGRESS: SweepProgress = {
  total: 4, done: 1, succeeded: 1, failed: 0, active: 2, downloading: 0, waiting: 1,
  elapsed: 12, eta: 30, cost: 0, fraction: 0.25, text: "",
}; // biome-ignore format: a table

function cell(index: number, labels: Record<string, unknown>, extra: Partial<GalleryCell> = {}) {
  return {
    index,
    labels,
    local_id: `l${index}`,
    task_id: `t${index}`,
    status: "succeeded",
    has_video: true,
    has_source: true,
    video_url: null,
    url_expires_at: null,
    request: { function: "video_repainting", prompt: String(labels.prompt), ...labels },
    error_code: null,
    error_message: null,
    cost: 0,
    ...extra,
  } satisfies GalleryCell;
}

const SWEEP: GallerySweep = {
  group_id: "sweep-1",
  name: "styles",
  created_at: 1000,
  fields: ["prompt", "seed"],
  values: { prompt: ["ink", "oil"], seed: [1, 2] },
  estimate: { text: "4 tasks × 5 s" },
  fps: 16,
  progress: PROGRESS,
  now: Date.now() / 1000,
  cells: [
    cell(0, { prompt: "ink", seed: 1 }),
    cell(1, { prompt: "ink", seed: 2 }, { status: "running", has_video: false }),
    cell(2, { prompt: "oil", seed: 1 }),
    cell(3, { prompt: "oil", seed: 2 }, { local_id: null, status: "missing", has_video: false }),
  ],
};

const sent = (kind: string) => model.sent.filter((m) => m.content.kind === kind);
const answer = (kind: string, fields: Record<string, unknown>, buffers: unknown[] = []) => {
  const request = last(sent(kind));
  if (!request) throw new Error(`no ${kind} sent`);
  model.reply({ id: request.content.id, ok: true, ...fields }, buffers);
};

async function mount(): Promise<HTMLElement> {
  const channel = createChannel(model, { idPrefix: "g" });
  gallery = createGallery({
    statuses: statuses(),
    channel,
    onEdit: (fn, request) => edits.push([fn, request]),
    video: { observer: () => ({ observe() {}, unobserve() {}, disconnect() {} }) },
  });
  document.body.append(gallery.el);
  const shown = gallery.show();
  answer("sweeps", {
    sweeps: [{ group_id: "sweep-1", name: "styles", created_at: 1000, fields: ["prompt", "seed"],
               cells: 4, done: 1, succeeded: 1 }], // biome-ignore format: a row
    current: "sweep-1",
  });
  await flush();
  answer("gallery", { sweep: SWEEP });
  await shown;
  return gallery.el;
}

describe("the gallery", () => {
  it("lays a two-field sweep out as a table labelled by the values", async () => {
    const el = await mount();
    expect(sent("gallery")[0]?.content.group_id).toBe("sweep-1");
    expect(el.querySelector(".vs-gallery-title")?.textContent).toBe("styles (sweep-1)");
    const heads = [...el.querySelectorAll(".vs-grid-head")].map((h) => h.textContent);
    expect(heads).toEqual(["seed=1", "seed=2", 'prompt="ink"', 'prompt="oil"']);
    const cells = [...el.querySelectorAll<HTMLElement>(".vs-cell")];
    expect(cells.map((c) => c.dataset.status)).toEqual([
      "succeeded",
      "running",
      "succeeded",
      "missing",
    ]);
    expect(cells[0]?.querySelector(".vs-cell-labels")?.textContent).toBe('prompt="ink" · seed=1');
    expect(cells.map((c) => Boolean(c.querySelector("video")))).toEqual([true, false, true, false]);
    expect(el.querySelector(".vs-sweep-progress")?.textContent).toBe(
      "1/4 done · 2 running · 1 waiting · ETA 0:30",
    );
    expect(gallery?.player.size).toBe(2);
    expect(labelText({ a: "x".repeat(80) }, ["a"])).toMatch(/^a=".{57}\.\.\."$/);
  });

  it("follows task pushes and progress pushes", async () => {
    const el = await mount();
    model.reply({
      kind: "tasks",
      now: 1,
      cards: [{ local_id: "l1", status: "succeeded", has_video: true }],
    });
    const running = el.querySelector<HTMLElement>('.vs-cell[data-local-id="l1"]');
    expect(running?.dataset.status).toBe("succeeded");
    expect(running?.querySelector("video")).not.toBeNull();
    model.reply({
      kind: "sweep_progress",
      group_id: "sweep-1",
      now: Date.now() / 1000,
      progress: {
        ...PROGRESS,
        done: 4,
        succeeded: 3,
        failed: 1,
        active: 0,
        waiting: 0,
        fraction: 1,
      },
    });
    expect(el.querySelector(".vs-sweep-progress")?.textContent).toBe(
      "4/4 done · 1 failed · took 0:12",
    );
    expect(
      el.querySelector<HTMLSelectElement>(".vs-sweep-select")?.selectedOptions[0]?.textContent,
    ).toBe("styles · 4/4 done · prompt × seed");
    model.reply({ kind: "sweep_progress", group_id: "other", now: 1, progress: PROGRESS });
    expect(el.querySelector(".vs-sweep-progress")?.textContent).toContain("4/4 done");
  });

  it("compares two picked results, and a result with its source", async () => {
    const el = await mount();
    const compare = el.querySelector<HTMLButtonElement>(".vs-open-ab");
    expect(compare?.disabled).toBe(true);
    click(el.querySelector('[data-local-id="l0"] .vs-pick-a'));
    click(el.querySelector('[data-local-id="l2"] .vs-pick-b'));
    expect(compare?.disabled).toBe(false);
    expect(el.querySelector('[data-local-id="l2"]')?.getAttribute("data-picked")).toBe("b");
    click(compare);
    const ab = el.querySelector(".vs-compare");
    expect(ab?.querySelector(".vs-ab-tag-a")?.textContent).toBe('A · prompt="ink" · seed=1');
    await flush();
    const asked = sent("video").map((m) => m.content);
    expect(
      asked
        .slice(-2)
        .map((c) => c.local_id)
        .sort(),
    ).toEqual(["l0", "l2"]);

    click(el.querySelector('[data-local-id="l2"] .vs-cell-open'));
    const details = el.querySelector<HTMLElement>(".vs-cell-details");
    expect(details?.hidden).toBe(false);
    expect(details?.querySelector(".vs-request-json")?.textContent).toContain('"prompt": "oil"');
    click(details?.querySelector(".vs-edit"));
    expect(edits).toEqual([["video_repainting", SWEEP.cells[2]?.request]]);
    click(details?.querySelector(".vs-compare-source"));
    await flush();
    expect(el.querySelectorAll(".vs-compare").length).toBe(1); // the new view replaced the old
    expect(last(sent("video"), 2)?.content).toMatchObject({ local_id: "l2", source: true });
    click(el.querySelector(".vs-ab-close"));
    expect(el.querySelector(".vs-compare")).toBeNull();
  });

  it("explains how to start a sweep when there is none", async () => {
    const channel = createChannel(model, { idPrefix: "e" });
    gallery = createGallery({ channel, onEdit: () => {}, statuses: statuses() });
    const shown = gallery.show();
    answer("sweeps", { sweeps: [], current: "" });
    await shown;
    expect(gallery.el.querySelector(".vs-gallery-status")?.textContent).toContain("studio.sweep(");
  });
});
