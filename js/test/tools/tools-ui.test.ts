// The tools' wiring in happy-dom, with a stand-in kernel channel: which buttons sit beside which
// fields, what each action writes into the form, and the scrubber's and trimmer's own logic.

import { afterEach, describe, expect, it, vi } from "vitest";
import type { FormHandle } from "../../src/form/render";
import type { Channel, Message } from "../../src/messages";
import { attachTools } from "../../src/tools/attach";
import type { FrameSource } from "../../src/tools/frames";
import { createScrubber } from "../../src/tools/scrubber";
import { clipSeconds, createTrimmer, maxFrames } from "../../src/tools/trimmer";
import { fieldEl, formHarness } from "../form-harness";
import { click } from "../helpers";

const mount = formHarness();
const attached: { destroy(): void }[] = [];
afterEach(() => {
  for (const tools of attached.splice(0)) tools.destroy();
});

function fakeChannel(answers: Record<string, (msg: Message) => Message>) {
  const sent: Message[] = [];
  const channel: Channel = {
    async request(kind, payload = {}) {
      sent.push({ kind, ...payload });
      const answer = answers[kind];
      if (!answer) throw new Error(`unexpected ${kind}`);
      const msg = answer(payload);
      const count = typeof msg.count === "number" ? msg.count : 0;
      return {
        msg: msg as never,
        buffers: Array.from({ length: count }, () => new DataView(new ArrayBuffer(4))),
      };
    },
    onPush: () => () => undefined,
    pending: 0,
    maxBufferBytes: 4 * 1024 * 1024,
    ready: Promise.resolve({ mode: "binary", probeMs: 0, reason: "" }),
    dispose: () => undefined,
  };
  return { channel, sent };
}

const FACTS = {
  name: "clip.mp4",
  fps: 16,
  frames: 64,
  complete: true,
  video_width: 640,
  video_height: 360,
  width: 160,
  height: 90,
};

function fakeSource(frames = 64, fps = 16): FrameSource {
  return {
    video: "/k/clip.mp4",
    facts: {
      name: "clip.mp4",
      fps,
      frames,
      complete: true,
      videoWidth: 640,
      videoHeight: 360,
      width: 160,
      height: 90,
    },
    thumb: async (n) => `blob:frame-${n}`,
    full: async () => new Image(),
    dispose: () => undefined,
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

function withTools(fn: string, value: Record<string, unknown>) {
  const form: FormHandle = mount(fn, { value });
  const applied: Record<string, unknown>[] = [];
  const { channel, sent } = fakeChannel({
    frames: (m) => ({
      ...FACTS,
      start: m.start,
      count: 2,
      max_seconds: m.field === "first_clip_url" ? 3 : 5,
    }),
    save_frame: (m) => ({ ref: `/k/inputs/f${m.frame}.png`, name: `clip frame ${m.frame}.png` }),
    trim: (m) => ({
      ref: "/k/inputs/c.mp4",
      name: `clip frames ${m.first}-${m.last}.mp4`,
      seconds: 2,
    }),
  });
  const tools = attachTools({
    channel,
    form,
    idPrefix: "t",
    apply(fields) {
      applied.push(fields);
      form.setValue({ ...form.getValue(), ...fields });
    },
  });
  attached.push(tools);
  return { form, applied, sent };
}

describe("attachTools", () => {
  it("puts frame, trim and paint buttons beside the fields they serve", () => {
    const { form } = withTools("video_edit", {});
    const names = (field: string) =>
      [...fieldEl(form, field).querySelectorAll(".vs-tool-open")].map((b) => b.textContent);
    expect(names("video_url")).toEqual(["Pick frame…", "Trim…"]);
    expect(names("mask_image_url")).toEqual(["Paint mask…"]);
    expect(names("mask_video_url")).toEqual(["View frames…", "Trim…"]);
    expect(names("prompt")).toEqual([]);
  });

  it("offers frames only to look at where the form has no use for one", () => {
    const { form } = withTools("video_outpainting", {});
    const buttons = [...fieldEl(form, "video_url").querySelectorAll(".vs-tool-open")];
    expect(buttons.map((b) => b.textContent)).toEqual(["View frames…", "Trim…"]);
  });

  it("says what is missing when there is no video yet", async () => {
    const { form, sent } = withTools("video_edit", {});
    click(fieldEl(form, "video_url").querySelector(".vs-open-scrubber"));
    await settle();
    expect(fieldEl(form, "video_url").querySelector(".vs-tool-note")?.textContent).toBe(
      "Choose a video for Video first.".replace("Video", fieldTitle(form, "video_url")),
    );
    expect(sent).toEqual([]);
  });

  it("the scrubber of an extension's clip exports frames as first or last frame", async () => {
    const { form, applied, sent } = withTools("video_extension", {
      prompt: "p",
      first_clip_url: "/k/clip.mp4",
    });
    const field = fieldEl(form, "first_clip_url");
    click(field.querySelector(".vs-open-scrubber"));
    await vi.waitFor(() => expect(field.querySelector(".vs-scrubber")).not.toBeNull());
    const actions = [...field.querySelectorAll(".vs-tool-action")];
    expect(actions.map((b) => b.textContent)).toEqual(["Use as first frame", "Use as last frame"]);
    click(field.querySelector(".vs-scrub-last"));
    click(actions[1]);
    await vi.waitFor(() => expect(applied).toEqual([{ last_frame_url: "/k/inputs/f64.png" }]));
    expect(sent[sent.length - 1]).toMatchObject({
      kind: "save_frame",
      video: "/k/clip.mp4",
      frame: 64,
    });
    expect(form.getValue().last_frame_url).toBe("/k/inputs/f64.png");
  });

  it("the trimmer cuts within the field's limit and puts the clip in the field", async () => {
    const { form, applied, sent } = withTools("video_extension", {
      prompt: "p",
      first_clip_url: "/k/long.mp4",
    });
    const field = fieldEl(form, "first_clip_url");
    click(field.querySelector(".vs-open-trimmer"));
    await vi.waitFor(() => expect(field.querySelector(".vs-trimmer")).not.toBeNull());
    expect(field.querySelector(".vs-trim-length")?.textContent).toContain("48 frames, 3.00 s");
    click(field.querySelector(".vs-trim-use"));
    await vi.waitFor(() => expect(applied).toEqual([{ first_clip_url: "/k/inputs/c.mp4" }]));
    expect(sent[sent.length - 1]).toMatchObject({ kind: "trim", first: 1, last: 48 });
    expect(field.querySelector(".vs-trimmer")).toBeNull();
    expect(field.querySelector(".vs-tool-note")?.textContent).toContain("clip frames 1-48.mp4");
    // The box names the clip; the form's value is the kernel's reference.
    expect(field.querySelector<HTMLInputElement>("input.vs-media-url")?.value).toBe(
      "clip frames 1-48.mp4",
    );
    expect(form.getValue().first_clip_url).toBe("/k/inputs/c.mp4");
  });

  it("video_edit's source scrubber sets the mask frame", async () => {
    const { form, applied } = withTools("video_edit", { prompt: "p", video_url: "/k/clip.mp4" });
    const field = fieldEl(form, "video_url");
    click(field.querySelector(".vs-open-scrubber"));
    await vi.waitFor(() => expect(field.querySelector(".vs-scrubber")).not.toBeNull());
    const use = [...field.querySelectorAll(".vs-tool-action")].find(
      (b) => b.textContent === "Use as mask frame",
    );
    click(field.querySelector(".vs-scrub-next"));
    click(field.querySelector(".vs-scrub-next"));
    click(use);
    await vi.waitFor(() => expect(applied).toEqual([{ mask_frame_id: 3 }]));
  });
});

function fieldTitle(form: FormHandle, name: string): string {
  return form.spec.fields.find((f) => f.name === name)?.title ?? name;
}

describe("scrubber", () => {
  it("steps, seeks by key and never leaves the video", async () => {
    const panel = createScrubber({
      source: fakeSource(10),
      actions: [],
      idPrefix: "s",
      onClose: () => undefined,
    });
    document.body.append(panel.el);
    expect(panel.frame()).toBe(1);
    click(panel.el.querySelector(".vs-scrub-back"));
    expect(panel.frame()).toBe(1);
    panel.el.dispatchEvent(new KeyboardEvent("keydown", { key: "End", bubbles: true }));
    expect(panel.frame()).toBe(10);
    click(panel.el.querySelector(".vs-scrub-next"));
    expect(panel.frame()).toBe(10);
    panel.el.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }));
    expect(panel.frame()).toBe(9);
    await settle();
    expect(panel.el.querySelector(".vs-scrub-label")?.textContent).toBe(
      "Frame 9 of 10 · 0.50 s at 16 fps",
    );
    expect(panel.el.querySelectorAll(".vs-scrub-thumb")).toHaveLength(10);
    panel.destroy();
  });

  it("plays at the video's frame rate and stops at the end", async () => {
    vi.useFakeTimers();
    try {
      const panel = createScrubber({
        source: fakeSource(5),
        actions: [],
        idPrefix: "s",
        onClose: () => undefined,
      });
      click(panel.el.querySelector(".vs-scrub-play"));
      vi.advanceTimersByTime(1000 / 16 + 1);
      expect(panel.frame()).toBe(2);
      vi.advanceTimersByTime(1000);
      expect(panel.frame()).toBe(5);
      expect(panel.el.querySelector(".vs-scrub-play")?.textContent).toBe("Play");
      panel.destroy();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("trimmer", () => {
  it("counts frames and seconds as the service does", () => {
    expect(maxFrames(3, 16)).toBe(48);
    expect(maxFrames(3, 30)).toBe(90);
    expect(maxFrames(5, 23.976)).toBe(119);
    expect(clipSeconds(9, 40, 16)).toBe(2);
  });

  it("keeps the clip within the limit by dragging the other end along", () => {
    const panel = createTrimmer({
      source: fakeSource(64),
      maxSeconds: 3,
      idPrefix: "t",
      onUse: async () => undefined,
      onClose: () => undefined,
    });
    expect(panel.range()).toEqual([1, 48]);
    panel.set(30, 40);
    expect(panel.range()).toEqual([30, 40]);
    panel.set(10, 64);
    expect(panel.range()).toEqual([10, 57]);
    panel.set(50, 20);
    expect(panel.range()).toEqual([50, 50]);
    panel.destroy();
  });
});
