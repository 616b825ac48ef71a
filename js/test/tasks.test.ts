import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createChannel } from "../src/messages";
import type { TaskCard } from "../src/traits";
import { clock, money } from "../src/ui/format";
import { createTaskList, type TaskListHandle } from "../src/ui/tasks";
import { card, click, FakeModel, statuses } from "./helpers";

let list: TaskListHandle | undefined;
let model: FakeModel<Record<string, unknown>>;
const edits: TaskCard[] = [];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
  vi.setSystemTime(1_010_000); // 1010 s: ten seconds after the cards' created_at
  model = new FakeModel({});
  edits.length = 0;
});
afterEach(() => {
  list?.destroy();
  list = undefined;
  document.body.replaceChildren();
  vi.useRealTimers();
});

function mount(): TaskListHandle {
  const channel = createChannel(model, { idPrefix: "t" });
  list = createTaskList({
    channel,
    titleOf: (fn) => (fn === "image_reference" ? "Image reference" : fn),
    onEdit: (c) => edits.push(c),
    statuses: statuses(),
    video: { observer: () => ({ observe() {}, unobserve() {}, disconnect() {} }) },
  });
  document.body.append(list.el);
  return list;
}

/** Answers the view's `hello` with a snapshot. */
function snapshot(cards: TaskCard[], now = 1010) {
  const hello = model.sent.find((m) => m.content.kind === "hello");
  if (!hello) throw new Error("no hello sent");
  model.reply({ id: hello.content.id, ok: true, now, cards });
}

/** Lets resolved promises run (setTimeout is faked here, so the shared `flush` would hang). */
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const push = (cards: Partial<TaskCard>[], now = 1010) => model.reply({ kind: "tasks", now, cards });
const cardEl = (id: string) => document.querySelector<HTMLElement>(`[data-local-id="${id}"]`);
const text = (id: string, selector: string) => cardEl(id)?.querySelector(selector)?.textContent;

describe("the task list", () => {
  it("asks for a snapshot, then shows the cards newest first", async () => {
    mount();
    expect(model.sent.map((m) => m.content.kind)).toEqual(["hello"]);
    expect(document.querySelector(".vs-empty")?.textContent).toContain("No tasks yet");
    snapshot([card({ local_id: "old", created_at: 900 }), card({ local_id: "new", order: 2 })]);
    await flush();
    const ids = [...document.querySelectorAll<HTMLElement>(".vs-card")].map(
      (e) => e.dataset.localId,
    );
    expect(ids).toEqual(["new", "old"]);
    expect(document.querySelector<HTMLElement>(".vs-empty")?.hidden).toBe(true);
  });

  it("ignores pushes until the snapshot, then applies deltas", async () => {
    mount();
    push([card({ local_id: "early" })]); // covered by the snapshot, which the kernel sends after
    expect(cardEl("early")).toBeNull();
    snapshot([card()]);
    await flush();
    push([{ local_id: "l1", status: "queued", task_id: "prov-1", submitted_at: 1005 }]);
    expect(cardEl("l1")?.dataset.status).toBe("queued");
    expect(text("l1", ".vs-status-chip")).toBe("queued");
    expect(text("l1", ".vs-task-id")).toBe("prov-1");
    expect(text("l1", ".vs-card-title")).toBe("Image reference");
    expect(text("l1", ".vs-card-prompt")).toBe("a red kite");
  });

  it("ranks waiting cards by order: the local queue position needs no message per card", async () => {
    mount();
    snapshot([
      card({ local_id: "a", order: 1, created_at: 1001 }),
      card({ local_id: "b", order: 2, created_at: 1002 }),
      card({ local_id: "c", order: 3, created_at: 1003 }),
    ]);
    await flush();
    expect(text("c", ".vs-card-time")).toBe("#3 in local queue · 0:07 elapsed");
    push([{ local_id: "a", status: "submitting" }]); // one delta; b and c move up
    expect(text("b", ".vs-card-time")).toBe("#1 in local queue · 0:08 elapsed");
    expect(text("c", ".vs-card-time")).toBe("#2 in local queue · 0:07 elapsed");
    expect(text("a", ".vs-card-time")).toBe("0:09 elapsed");
  });

  it("shows a class card's place and ETA in the account's queue, as the kernel counts them", async () => {
    mount();
    // A class: the kernel sends each card's place in the account's fair queue, which interleaves
    // classmates' tasks with these (so `order` cannot tell it).
    snapshot([
      card({ local_id: "a", order: 1, created_at: 1001, position: 1, eta: 0 }),
      card({ local_id: "b", order: 2, created_at: 1002, position: 3, eta: 130 }),
    ]);
    await flush();
    expect(text("a", ".vs-card-time")).toBe("1st in the class queue · up next · 0:09 elapsed");
    expect(text("b", ".vs-card-time")).toBe("3rd in the class queue · about 2 min · 0:08 elapsed");
    // A classmate's task ahead left the line: one delta for b, none for a.
    push([{ local_id: "b", position: 2, eta: 45 }]);
    expect(text("b", ".vs-card-time")).toBe(
      "2nd in the class queue · under a minute · 0:08 elapsed",
    );
    push([{ local_id: "a", status: "submitting", position: null, eta: null }]);
    expect(text("a", ".vs-card-time")).toBe("0:09 elapsed");
    // Held submissions say so instead of a place that is not moving.
    push([{ local_id: "b", paused: "Billing: top up" }]);
    expect(text("b", ".vs-card-time")).toBe("paused: submissions are held · 0:08 elapsed");
  });

  it("shows elapsed time and an ETA that move with the clock, on the kernel's clock", async () => {
    mount();
    // The kernel's clock is 100 s ahead of the browser's: times must still read right.
    snapshot(
      [card({ status: "running", created_at: 1100, submitted_at: 1102, expected_seconds: 60 })],
      1110,
    );
    await flush();
    expect(text("l1", ".vs-card-time")).toBe("0:10 elapsed · about 0:52 left");
    vi.advanceTimersByTime(5000);
    expect(text("l1", ".vs-card-time")).toBe("0:15 elapsed · about 0:47 left");
    vi.advanceTimersByTime(60_000);
    expect(text("l1", ".vs-card-time")).toBe("1:15 elapsed · finishing soon");
    push([{ local_id: "l1", status: "succeeded", finished_at: 1170 }], 1170);
    expect(text("l1", ".vs-card-time")).toBe("took 1:10");
  });

  it("shows the provider's error code and message verbatim", async () => {
    mount();
    snapshot([
      card({
        status: "failed",
        error_code: "DataInspectionFailed",
        error_message: "Output data may contain inappropriate content.",
      }),
    ]);
    await flush();
    const error = cardEl("l1")?.querySelector(".vs-card-error");
    expect(error?.textContent).toBe(
      "DataInspectionFailed: Output data may contain inappropriate content.",
    );
    expect(error?.getAttribute("role")).toBe("alert");
    expect(cardEl("l1")?.querySelector<HTMLElement>(".vs-retry")?.hidden).toBe(false);
    expect(cardEl("l1")?.querySelector<HTMLElement>(".vs-cancel")?.hidden).toBe(true);
  });

  it("cancels, retries and edits through the channel", async () => {
    mount();
    snapshot([card({ status: "queued", task_id: "p1" })]);
    await flush();
    const el = cardEl("l1") as HTMLElement;
    click(el.querySelector(".vs-cancel"));
    const cancel = model.lastSent().content;
    expect(cancel).toMatchObject({ kind: "cancel", local_id: "l1" });
    model.reply({ id: cancel.id, ok: true, stopped: false, status: "running" });
    await flush();
    expect(el.querySelector(".vs-card-note:not(.vs-card-trouble)")?.textContent).toBe(
      "Not canceled: the task is running.",
    );
    push([{ local_id: "l1", status: "failed", error_code: "X" }]);
    click(el.querySelector(".vs-retry"));
    expect(model.lastSent().content).toMatchObject({ kind: "retry", local_id: "l1" });
    click(el.querySelector(".vs-edit"));
    expect(edits.map((c) => c.local_id)).toEqual(["l1"]);
  });

  it("copies the provider's task id", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    mount();
    snapshot([card({ status: "queued", task_id: "prov-42" })]);
    await flush();
    const copy = cardEl("l1")?.querySelector<HTMLButtonElement>(".vs-copy");
    expect(copy?.textContent).toBe("Copy task id");
    click(copy);
    await flush();
    expect(writeText).toHaveBeenCalledWith("prov-42");
    expect(copy?.textContent).toBe("Copied");
  });

  it("asks again for a snapshot when a delta names a card it never saw", async () => {
    mount();
    snapshot([card()]);
    await flush();
    push([{ local_id: "ghost", status: "queued" }]);
    expect(model.sent.filter((m) => m.content.kind === "hello").length).toBe(2);
  });

  it("retries hello when the kernel does not answer (busy with a long cell)", async () => {
    mount();
    model.reply({ id: model.lastSent().content.id, ok: false, error: "busy" });
    await flush();
    vi.advanceTimersByTime(1000);
    expect(model.sent.filter((m) => m.content.kind === "hello").length).toBe(2);
  });

  it("labels every card and button for assistive technology", async () => {
    mount();
    snapshot([card({ status: "succeeded", task_id: "p", has_video: true, cost: 0.5 })]);
    await flush();
    const el = cardEl("l1") as HTMLElement;
    expect(el.getAttribute("aria-label")).toBe("Image reference task, succeeded");
    expect(el.querySelector("video")?.getAttribute("aria-label")).toBe("Result video: a red kite");
    for (const button of el.querySelectorAll("button:not([hidden]), a")) {
      expect(button.textContent?.trim()).not.toBe("");
    }
    expect(text("l1", ".vs-card-cost")).toBe(" · simulated, nothing paid");
  });
});

describe("source vs result", () => {
  it("offers an A/B view of a result against its source video", async () => {
    vi.spyOn(URL, "createObjectURL").mockImplementation(() => "blob:test/v");
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    mount();
    const done = { status: "succeeded", has_video: true, finished_at: 1005 };
    snapshot([
      card({ local_id: "a", ...done, has_source: true }),
      card({ local_id: "b", ...done }),
    ]);
    await flush();
    const button = (id: string) =>
      cardEl(id)?.querySelector<HTMLButtonElement>(".vs-compare-source");
    expect(button("b")?.hidden).toBe(true); // nothing to compare with
    expect(button("a")?.hidden).toBe(false);
    click(button("a"));
    expect(cardEl("a")?.querySelector(".vs-compare .vs-ab-tag-a")?.textContent).toBe(
      "A · source video",
    );
    const asked = model.sent.filter((m) => m.content.kind === "video").map((m) => m.content);
    expect(asked.map((c) => [c.local_id, c.source ?? false])).toEqual([
      ["a", true],
      ["a", false],
    ]);
    expect(button("a")?.textContent).toBe("Close A/B");
    click(button("a"));
    expect(cardEl("a")?.querySelector(".vs-compare")).toBeNull();
    vi.restoreAllMocks();
  });
});

describe("formatting", () => {
  it("formats clocks and money", () => {
    expect([clock(7), clock(83), clock(3723), clock(-2)]).toEqual([
      "0:07",
      "1:23",
      "1:02:03",
      "0:00",
    ]);
    expect([money(0.5), money(0.035), money(0), money(12)]).toEqual([
      "$0.50",
      "$0.035",
      "$0",
      "$12.00",
    ]);
  });
});
