import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createChannel } from "../src/messages";
import { createPreview, type PreviewHandle } from "../src/ui/preview";
import { FakeModel } from "./helpers";

let model: FakeModel<Record<string, unknown>>;
let preview: PreviewHandle;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  vi.spyOn(URL, "createObjectURL").mockImplementation(() => "blob:test/png");
  vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
  model = new FakeModel({});
  preview = createPreview({
    channel: createChannel(model, { idPrefix: "p" }),
    fields: ["video_url", "mask_image_url", "expand_ratio"],
    mediaFields: ["video_url", "mask_image_url"],
    titles: {
      video_url: "Source video",
      mask_image_url: "Mask image",
      expand_ratio: "Expand ratio",
    },
    debounceMs: 300,
  });
  document.body.append(preview.el);
});
afterEach(() => {
  preview.destroy();
  vi.restoreAllMocks();
  vi.useRealTimers();
  document.body.replaceChildren();
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
const asks = () => model.sent.filter((m) => m.content.kind === "preview");
const edit = (fields: Record<string, unknown>) => ({ function: "video_edit", ...fields });
const PNG = new DataView(new Uint8Array([137, 80, 78, 71]).buffer);

describe("the form preview", () => {
  it("waits for the media, then asks once per pause in typing", () => {
    preview.changed(edit({ prompt: "x" }), {});
    vi.advanceTimersByTime(1000);
    expect(asks()).toEqual([]);
    expect(preview.el.dataset.state).toBe("empty");
    for (const ratio of [0.1, 0.2, 0.3]) {
      preview.changed(edit({ video_url: "/v.mp4", expand_ratio: ratio }), {});
      vi.advanceTimersByTime(100);
    }
    vi.advanceTimersByTime(300);
    expect(asks().map((m) => m.content.request)).toEqual([
      edit({ video_url: "/v.mp4", expand_ratio: 0.3 }),
    ]);
  });

  it("ignores changes to other fields and values with errors", () => {
    preview.changed(edit({ video_url: "/v.mp4" }), {});
    vi.advanceTimersByTime(300);
    preview.changed(edit({ video_url: "/v.mp4", prompt: "a new prompt" }), {});
    preview.changed(edit({ video_url: "/v.mp4", expand_ratio: 3 }), {
      expand_ratio: "Expand ratio must be between 0 and 1 (got 3)",
    });
    vi.advanceTimersByTime(1000);
    expect(asks().length).toBe(1);
  });

  it("keeps one request in flight and sends the latest value after it", async () => {
    preview.changed(edit({ video_url: "/v.mp4", expand_ratio: 0.1 }), {});
    vi.advanceTimersByTime(300);
    preview.changed(edit({ video_url: "/v.mp4", expand_ratio: 0.2 }), {});
    vi.advanceTimersByTime(300);
    preview.changed(edit({ video_url: "/v.mp4", expand_ratio: 0.4 }), {});
    vi.advanceTimersByTime(300);
    expect(asks().length).toBe(1);
    const first = asks()[0]?.content;
    model.reply({ id: first?.id, ok: true, previews: [{ preview: "mask", caption: "old" }] }, [
      PNG,
    ]);
    await flush();
    expect(asks().length).toBe(2);
    expect(asks()[1]?.content.request).toEqual(edit({ video_url: "/v.mp4", expand_ratio: 0.4 }));
    expect(preview.el.querySelector("figcaption")).toBeNull(); // a stale answer is not shown
    model.reply(
      { id: asks()[1]?.content.id, ok: true,
        previews: [{ preview: "mask", caption: "Frame 1: mask 6 %", width: 320, height: 240 }] },
      [PNG],
    ); // biome-ignore format: compact
    await flush();
    const figure = preview.el.querySelector<HTMLElement>(".vs-preview-figure");
    expect(figure?.dataset.preview).toBe("mask");
    expect(figure?.querySelector("img")?.getAttribute("src")).toBe("blob:test/png");
    expect(figure?.querySelector("figcaption")?.textContent).toBe("Frame 1: mask 6 %");
    expect(JSON.parse(figure?.dataset.facts ?? "{}").width).toBe(320);
    expect(preview.el.dataset.state).toBe("shown");
    expect(preview.asked).toBe(2);
  });

  it("says why there is no picture", async () => {
    const note = () => preview.el.querySelector(".vs-preview-note")?.textContent;
    preview.changed(edit({ video_url: "https://x/v.mp4" }), {});
    vi.advanceTimersByTime(300);
    model.reply({ id: asks()[0]?.content.id, ok: true, previews: [] });
    await flush();
    expect(note()).toBe("No preview yet: it also needs Mask image.");
    preview.changed(edit({ video_url: "https://x/v.mp4", mask_image_url: "https://x/m.png" }), {});
    vi.advanceTimersByTime(300);
    model.reply({ id: asks()[1]?.content.id, ok: true, previews: [] });
    await flush();
    expect(note()).toContain("remote files");
    preview.changed(edit({ video_url: "/missing.mp4" }), {});
    vi.advanceTimersByTime(300);
    model.reply({
      id: asks()[2]?.content.id,
      ok: false,
      error: "invalid",
      errors: { video_url: "does not exist" },
    });
    await flush();
    expect(preview.el.dataset.state).toBe("error");
    expect(preview.el.querySelector(".vs-preview-note")?.textContent).toContain("marked in red");
  });

  it("names what it draws from, in the form's words, whatever else is set", () => {
    const note = () => preview.el.querySelector(".vs-preview-note")?.textContent;
    expect(note()).toBe(
      "Choose Source video and Mask image (files on the kernel's machine) to see a preview here.",
    );
    // Another input (an extension's first frame, a prompt): not "choose the source files".
    preview.changed(edit({ first_frame_url: "/frame.png" }), {});
    expect(note()).toBe(
      "No preview: it is drawn from Source video and Mask image, which are not set.",
    );
    expect(preview.el.dataset.state).toBe("empty");
  });

  it("never keeps a picture of inputs the form no longer holds", async () => {
    const good = edit({ video_url: "/v.mp4", mask_image_url: "/m.png", expand_ratio: 0.2 });
    preview.changed(good, {});
    vi.advanceTimersByTime(300);
    model.reply({ id: asks()[0]?.content.id, ok: true, previews: [{ caption: "0.2" }] }, [PNG]);
    await flush();
    expect(preview.el.querySelectorAll("img").length).toBe(1);
    // An invalid value: the last valid canvas goes, and the panel says why.
    preview.changed(
      { ...good, expand_ratio: 3 },
      { expand_ratio: "Expand ratio must be between 0 and 1 (got 3)" },
    );
    expect(preview.el.querySelectorAll("img").length).toBe(0);
    expect(preview.el.dataset.state).toBe("invalid");
    expect(preview.el.querySelector(".vs-preview-note")?.textContent).toBe(
      "No preview until Expand ratio is valid.",
    );
    // Back to the valid value: drawn again (the picture was dropped, so it is asked for again).
    preview.changed(good, {});
    vi.advanceTimersByTime(300);
    expect(asks().length).toBe(2);
  });

  it("drops an answer about inputs that changed while it was on its way", async () => {
    const first = edit({ video_url: "/v.mp4", mask_image_url: "/m.png" });
    preview.changed(first, {});
    vi.advanceTimersByTime(300);
    preview.changed(edit({ first_frame_url: "/f.png" }), {}); // the media went away meanwhile
    model.reply({ id: asks()[0]?.content.id, ok: true, previews: [{ caption: "old" }] }, [PNG]);
    await flush();
    expect(preview.el.querySelectorAll("img").length).toBe(0);
    expect(preview.el.dataset.state).toBe("empty");
  });
});
