// The money path on the cards: an uncertain submit's advice and choices, replaced cards, the
// service's warnings, paused waiting cards, and the held-queue banner.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createChannel } from "../src/messages";
import type { TaskCard } from "../src/traits";
import { createHeldBanner } from "../src/ui/held";
import { createTaskList, type TaskListHandle } from "../src/ui/tasks";
import { card, click, FakeModel, STATUS_TABLE, statuses, type } from "./helpers";

let list: TaskListHandle | undefined;
let model: FakeModel<Record<string, unknown>>;

beforeEach(() => {
  model = new FakeModel({});
});
afterEach(() => {
  list?.destroy();
  list = undefined;
  document.body.replaceChildren();
  vi.useRealTimers();
});

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

async function mount(cards: TaskCard[]): Promise<void> {
  const channel = createChannel(model, { idPrefix: "u" });
  list = createTaskList({
    channel,
    titleOf: (fn) => fn,
    onEdit: () => {},
    statuses: statuses(),
    video: { observer: () => ({ observe() {}, unobserve() {}, disconnect() {} }) },
  });
  document.body.append(list.el);
  const hello = model.sent.find((m) => m.content.kind === "hello");
  model.reply({ id: hello?.content.id, ok: true, now: 1010, cards });
  await flush();
}

const cardEl = (id: string) => document.querySelector<HTMLElement>(`[data-local-id="${id}"]`);
const visible = (el: Element | null | undefined) =>
  el instanceof HTMLElement && !el.closest("[hidden]");

// Statuses picked from the kernel's table by what they allow, never by name.
const [UNCERTAIN] = STATUS_TABLE.adoptable;
const [QUEUED] = STATUS_TABLE.at_provider;
const [WAITING] = STATUS_TABLE.local_queue;
const REPLACED = STATUS_TABLE.terminal.find(
  (s) => !STATUS_TABLE.retryable.includes(s) && !STATUS_TABLE.with_video.includes(s),
);

const lost = (overrides: Partial<TaskCard> = {}) =>
  card({
    local_id: "lost1",
    status: UNCERTAIN,
    error_code: "SubmitOutcomeUnknown",
    error_message: "the submit at 10:42:07 got no answer (connection closed)",
    advice: "Look in https://modellix.ai/: if a task was created then, adopt its id.",
    console_url: "https://modellix.ai/",
    candidates: [],
    ...overrides,
  });

describe("an uncertain card", () => {
  it("says what happened, what to do, where to look, and offers both choices", async () => {
    await mount([lost({ candidates: ["task-aaa", "task-bbb"] })]);
    const el = cardEl("lost1") as HTMLElement;
    expect(el.querySelector(".vs-card-error")?.textContent).toContain("10:42:07");
    expect(el.querySelector(".vs-card-advice")?.textContent).toContain("adopt its id");
    const link = el.querySelector<HTMLAnchorElement>(".vs-console-link");
    expect(link?.href).toBe("https://modellix.ai/");
    expect([...el.querySelectorAll(".vs-candidates code")].map((c) => c.textContent)).toEqual([
      "task-aaa",
      "task-bbb",
    ]);
    expect(visible(el.querySelector(".vs-adopt"))).toBe(true);
    expect(visible(el.querySelector(".vs-resubmit"))).toBe(true);
    expect(el.querySelector(".vs-status-chip")?.getAttribute("data-tone")).toBe("attention");
    // A candidate fills the field; the retry and cancel of other statuses stay hidden.
    click(el.querySelectorAll(".vs-use-candidate")[1]);
    expect(el.querySelector<HTMLInputElement>(".vs-adopt-input")?.value).toBe("task-bbb");
    expect(el.querySelector<HTMLElement>(".vs-retry")?.hidden).toBe(true);
  });

  it("adopts a pasted id through the kernel and shows a refusal verbatim", async () => {
    await mount([lost()]);
    const el = cardEl("lost1") as HTMLElement;
    click(el.querySelector(".vs-adopt"));
    expect(el.querySelector(".vs-uncertain-answer")?.textContent).toContain("Paste the task id");
    expect(model.sent.some((m) => m.content.kind === "adopt")).toBe(false);

    type(el.querySelector(".vs-adopt-input"), "  task-0123  ");
    click(el.querySelector(".vs-adopt"));
    const adopt = model.lastSent().content;
    expect(adopt).toMatchObject({ kind: "adopt", local_id: "lost1", task_id: "task-0123" });
    const refusal = "task id task-0123 already belongs to task 9f2c";
    model.reply({ id: adopt.id, ok: false, error: refusal, code: "refused" });
    await flush();
    expect(el.querySelector(".vs-uncertain-answer")?.textContent).toBe(refusal);

    click(el.querySelector(".vs-adopt"));
    const again = model.lastSent().content;
    model.reply({ id: again.id, ok: true, status: QUEUED, task_id: "task-0123" });
    await flush();
    expect(el.querySelector(".vs-uncertain-answer")?.textContent).toContain("Adopted task-0123");
    model.reply({ kind: "tasks", now: 1011, cards: [{ local_id: "lost1", status: QUEUED }] });
    expect(el.querySelector<HTMLElement>(".vs-card-uncertain")?.hidden).toBe(true);
  });

  it("submits again; the new card names the old, the old card its replacement", async () => {
    await mount([lost()]);
    click(cardEl("lost1")?.querySelector(".vs-resubmit"));
    const resubmit = model.lastSent().content;
    expect(resubmit).toMatchObject({ kind: "resubmit", local_id: "lost1" });
    model.reply({ id: resubmit.id, ok: true, local_id: "new22222", replaces: "lost1" });
    model.reply({
      kind: "tasks",
      now: 1011,
      cards: [
        { local_id: "lost1", status: REPLACED, replaced_by: "new22222", advice: null },
        card({ local_id: "new22222", order: 2, created_at: 1011, replaces: "lost1" }),
      ],
    });
    await flush();
    expect(cardEl("new22222")?.querySelector(".vs-card-lineage")?.textContent).toBe(
      "Submitted again in place of task lost1.",
    );
    const old = cardEl("lost1") as HTMLElement;
    expect(old.querySelector(".vs-card-lineage")?.textContent).toBe("Replaced by task new22222.");
    expect(old.querySelector<HTMLElement>(".vs-card-uncertain")?.hidden).toBe(true);
  });
});

describe("other cards", () => {
  it("list what the service trims or ignores, in the form's words", async () => {
    await mount([
      card({
        warnings: [
          {
            field: "video_url",
            message: "Source video: only the first 5 s are used (got 6.2 s)",
            fix: "trim",
          },
        ],
      }),
    ]);
    const items = [...document.querySelectorAll(".vs-card-warning")];
    expect(items.map((i) => i.textContent)).toEqual([
      "Source video: only the first 5 s are used (got 6.2 s) (fix: vace_studio.media.trim)",
    ]);
  });

  it("show the fix of a refusal beside the provider's code", async () => {
    const [FAILED] = STATUS_TABLE.retryable;
    await mount([
      card({
        status: FAILED,
        error_code: "PrepaidBillOverdue",
        error_message: "The prepaid bill is overdue.",
        advice: "Top up the account, then resume submissions.",
      }),
    ]);
    const el = cardEl("l1") as HTMLElement;
    expect(el.querySelector(".vs-card-error")?.textContent).toBe(
      "PrepaidBillOverdue: The prepaid bill is overdue.",
    );
    expect(el.querySelector(".vs-card-advice-line")?.textContent).toBe(
      "Top up the account, then resume submissions.",
    );
    expect(el.querySelector<HTMLElement>(".vs-card-uncertain")?.hidden).toBe(true);
  });

  it("say a waiting task is paused while submissions are held", async () => {
    await mount([card({ status: WAITING, paused: "PrepaidBillOverdue: top up" })]);
    expect(cardEl("l1")?.querySelector(".vs-card-time")?.textContent).toContain(
      "paused: submissions are held",
    );
  });
});

describe("the held banner", () => {
  it("shows the reason and resumes through the kernel", async () => {
    const channel = createChannel(model, { idPrefix: "h" });
    const banner = createHeldBanner(channel);
    document.body.append(banner.el);
    banner.update("");
    expect(banner.el.hidden).toBe(true);
    expect(banner.el.getAttribute("role")).toBeNull();
    banner.update("PrepaidBillOverdue: the account is overdue — top up, then resume.");
    expect(banner.el.hidden).toBe(false);
    expect(banner.el.getAttribute("role")).toBe("alert");
    expect(banner.el.textContent).toContain("PrepaidBillOverdue");
    click(banner.el.querySelector(".vs-resume"));
    const resume = model.lastSent().content;
    expect(resume.kind).toBe("resume");
    model.reply({ id: resume.id, ok: false, error: "kernel busy", code: "x" });
    await flush();
    expect(banner.el.querySelector(".vs-held-answer")?.textContent).toBe("kernel busy");
  });
});
