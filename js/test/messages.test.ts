import { afterEach, describe, expect, it, vi } from "vitest";
import { createChannel, RequestError, toDataView } from "../src/messages";
import { FakeModel } from "./helpers";

afterEach(() => {
  vi.useRealTimers();
});

const bytes = (view: DataView) => [
  ...new Uint8Array(view.buffer, view.byteOffset, view.byteLength),
];

describe("createChannel", () => {
  it("sends {id, kind, ...payload} with buffers as anywidget's third argument", () => {
    const model = new FakeModel({});
    const channel = createChannel(model, { idPrefix: "t" });
    void channel.request("upload", { name: "a.png" }, { buffers: [new Uint8Array([1, 2, 3])] });
    const { content, buffers } = model.lastSent();
    expect(content).toEqual({ name: "a.png", id: "t-1", kind: "upload" });
    expect(buffers.map(bytes)).toEqual([[1, 2, 3]]);
  });

  it("matches answers by id, whatever their order", async () => {
    const model = new FakeModel({});
    const channel = createChannel(model, { idPrefix: "t" });
    const first = channel.request("a");
    const second = channel.request("b");
    expect(channel.pending).toBe(2);
    model.reply({ id: "t-2", ok: true, value: "two" });
    model.reply({ id: "t-1", ok: true, value: "one" });
    expect((await first).msg.value).toBe("one");
    expect((await second).msg.value).toBe("two");
    expect(channel.pending).toBe(0);
  });

  it("ignores answers meant for another view and duplicates", async () => {
    const model = new FakeModel({});
    const mine = createChannel(model, { idPrefix: "mine" });
    const theirs = createChannel(model, { idPrefix: "theirs" });
    const a = mine.request("x");
    const b = theirs.request("x");
    model.reply({ id: "theirs-1", ok: true, who: "theirs" });
    expect(mine.pending).toBe(1);
    model.reply({ id: "mine-1", ok: true, who: "mine" });
    model.reply({ id: "mine-1", ok: true, who: "late duplicate" });
    expect((await a).msg.who).toBe("mine");
    expect((await b).msg.who).toBe("theirs");
  });

  it("passes answer buffers through as DataViews, whatever anywidget delivers", async () => {
    const model = new FakeModel({});
    const channel = createChannel(model, { idPrefix: "t" });
    const pending = channel.request("video");
    const raw = new Uint8Array([9, 8, 7, 6]);
    model.reply({ id: "t-1", ok: true }, [
      new DataView(raw.buffer),
      raw.buffer,
      raw.subarray(1, 3),
    ]);
    const { buffers } = await pending;
    expect(buffers.every((b) => b instanceof DataView)).toBe(true);
    expect(buffers.map(bytes)).toEqual([
      [9, 8, 7, 6],
      [9, 8, 7, 6],
      [8, 7],
    ]);
  });

  it("rejects with the kernel's message, field errors and code", async () => {
    const model = new FakeModel({});
    const channel = createChannel(model, { idPrefix: "t" });
    const pending = channel.request("submit");
    model.reply({
      id: "t-1",
      ok: false,
      error: "invalid request",
      errors: { prompt: "too long" },
      code: "InvalidParameter",
    });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({
      message: "invalid request",
      kind: "submit",
      reason: "error",
      errors: { prompt: "too long" },
      code: "InvalidParameter",
    });
  });

  it("times out instead of hanging, and drops the late answer", async () => {
    vi.useFakeTimers();
    const model = new FakeModel({});
    const channel = createChannel(model, { idPrefix: "t", timeoutMs: 1000 });
    const pending = channel.request("submit");
    const outcome = pending.catch((e: unknown) => e);
    vi.advanceTimersByTime(999);
    expect(channel.pending).toBe(1);
    vi.advanceTimersByTime(1);
    const error = await outcome;
    expect(error).toMatchObject({ reason: "timeout", kind: "submit" });
    expect((error as Error).message).toMatch(/no answer from the kernel within 1 s/);
    expect(channel.pending).toBe(0);
    model.reply({ id: "t-1", ok: true }); // too late: ignored, no throw
  });

  it("honours a per-request timeout and an abort signal", async () => {
    vi.useFakeTimers();
    const model = new FakeModel({});
    const channel = createChannel(model, { idPrefix: "t", timeoutMs: 10 });
    const slow = channel.request("video", {}, { timeoutMs: 5000 }).catch((e: unknown) => e);
    vi.advanceTimersByTime(100);
    expect(channel.pending).toBe(1);
    model.reply({ id: "t-1", ok: true });
    expect(await slow).toMatchObject({ msg: { ok: true } });

    const controller = new AbortController();
    const aborted = channel
      .request("x", {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    controller.abort();
    expect(await aborted).toMatchObject({ reason: "aborted" });
  });

  it("dispose rejects what is pending and stops listening", async () => {
    const model = new FakeModel({});
    const channel = createChannel(model);
    expect(model.listeners("msg:custom")).toBe(1);
    const pending = channel.request("x").catch((e: unknown) => e);
    channel.dispose();
    expect(await pending).toMatchObject({ reason: "closed" });
    expect(model.listeners("msg:custom")).toBe(0);
    expect(await channel.request("y").catch((e: unknown) => e)).toMatchObject({ reason: "closed" });
  });

  it("rejects when send throws (e.g. the comm is closed)", async () => {
    const model = new FakeModel({});
    model.send = () => {
      throw new Error("comm closed");
    };
    const channel = createChannel(model);
    expect(await channel.request("x").catch((e: unknown) => e)).toMatchObject({
      reason: "error",
      message: "x: could not send (comm closed)",
    });
    expect(channel.pending).toBe(0);
  });

  it("delivers id-less messages to push handlers by kind", () => {
    const model = new FakeModel({});
    const channel = createChannel(model);
    const seen: unknown[] = [];
    const off = channel.onPush("task", (msg) => seen.push(msg.task_id));
    model.reply({ kind: "task", task_id: "a" });
    model.reply({ kind: "other" });
    off();
    model.reply({ kind: "task", task_id: "b" });
    expect(seen).toEqual(["a"]);
  });
});

it("toDataView refuses non-binary values", () => {
  expect(() => toDataView("nope")).toThrow(TypeError);
});
