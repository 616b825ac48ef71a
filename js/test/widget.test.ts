import type { AnyModel, RenderProps } from "@anywidget/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PROBE } from "../src/comm-transport";
import widget, { type StudioTraits, version } from "../src/widget";
import { CARD, click, FakeModel, flush, SCHEMA, STATUS_TABLE, type } from "./helpers";

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
  document.body.replaceChildren();
  vi.useRealTimers();
});

const FACTS = {
  provider: "simulator",
  region: "intl",
  endpoint: "http://127.0.0.1:1",
  simulated: true,
  notice: "",
  has_key: false,
  price_per_second: 0.1,
  key_targets: [
    {
      value: "dashscope:intl",
      label: "DashScope",
      provider: "dashscope",
      region: "intl",
      env: "K",
      provider_label: "DashScope",
      region_label: "intl (Singapore)",
    },
  ],
};

function mount(schema: unknown = SCHEMA, traits: Record<string, unknown> = {}) {
  const model = new FakeModel<Record<string, unknown>>({
    schema,
    ...FACTS,
    status_table: STATUS_TABLE,
    submissions_held: "",
    ...traits,
  });
  const el = document.createElement("div");
  document.body.append(el);
  const props: RenderProps<StudioTraits> = {
    model: model as unknown as AnyModel<StudioTraits>,
    el,
    signal: new AbortController().signal,
    // Not used by the widget; present so the props match what anywidget passes.
    host: {
      getWidget: () => Promise.reject(new Error("not in tests")),
      getModel: () => Promise.reject(new Error("not in tests")),
    },
    experimental: { invoke: () => Promise.reject(new Error("not in tests")) },
  };
  cleanup = widget.render(props) as () => void;
  // The kernel answers the transport probe (comm-transport.ts): binary buffers arrive intact.
  const probe = model.sent.findIndex((m) => m.content.kind === "probe");
  const [sent] = model.sent.splice(probe, 1);
  model.reply({ id: sent?.content.id, ok: true, up: true }, [new DataView(PROBE.slice().buffer)]);
  return { model, el };
}

// The function tabs live inside the Create view (itself a tab of the views).
const tabs = (el: Element) => [...el.querySelectorAll<HTMLButtonElement>(".vs-forms [role=tab]")];
const panel = (el: Element) =>
  el.querySelector<HTMLElement>(".vs-forms [role=tabpanel]:not([hidden])");

describe("the studio view", () => {
  it("opens on the tab the `view` trait names, and follows it", () => {
    const selected = (el: Element) =>
      el.querySelector(".vs-views > [role=tablist] > [aria-selected=true]")?.textContent;
    const { el, model } = mount(SCHEMA, { view: "gallery", sweep_id: "" });
    expect(selected(el)).toBe("Gallery");
    expect(model.sent.some((m) => m.content.kind === "sweeps")).toBe(true); // it loads
    model.set("view", "history");
    expect(selected(el)).toBe("History");
    model.set("view", "nonsense");
    expect(selected(el)).toBe("History");
  });

  it("renders a tab per function, styles and a task area", () => {
    const { el } = mount();
    expect(tabs(el).map((t) => t.textContent)).toEqual([
      "Image reference",
      "Video repainting",
      "Video edit",
      "Video extension",
      "Video outpainting",
    ]);
    expect(el.querySelector("style")?.textContent).toContain("--jp-layout-color1");
    expect(el.querySelector(".vs-root")?.getAttribute("data-version")).toBe(version);
    expect(el.querySelector("[data-slot=tasks]")?.textContent).toContain("No tasks yet");
    expect(el.querySelectorAll(".vs-forms [role=tabpanel]").length).toBe(5);
    const views = [...el.querySelectorAll(".vs-views > [role=tablist] > [role=tab]")];
    expect(views.map((t) => t.textContent)).toEqual(["Create", "Gallery", "History"]);
    expect(panel(el)?.querySelector("form")?.dataset.function).toBe("image_reference");
  });

  it("switches tabs with arrow keys, Home and End (roving tabindex)", () => {
    const { el } = mount();
    const list = el.querySelector(".vs-forms [role=tablist]") as HTMLElement;
    const key = (k: string) =>
      list.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    key("ArrowRight");
    expect(panel(el)?.querySelector("form")?.dataset.function).toBe("video_repainting");
    expect(tabs(el).map((t) => t.tabIndex)).toEqual([-1, 0, -1, -1, -1]);
    expect(document.activeElement).toBe(tabs(el)[1]);
    key("End");
    expect(panel(el)?.querySelector("form")?.dataset.function).toBe("video_outpainting");
    key("ArrowRight");
    expect(panel(el)?.querySelector("form")?.dataset.function).toBe("image_reference");
    key("ArrowLeft");
    key("Home");
    expect(tabs(el)[0]?.getAttribute("aria-selected")).toBe("true");
  });

  it("keeps Submit disabled while the form is invalid, and says what is missing", () => {
    const { el, model } = mount();
    const p = panel(el) as HTMLElement;
    const submit = p.querySelector<HTMLButtonElement>(".vs-submit");
    expect(submit?.disabled).toBe(true);
    expect(p.querySelector(".vs-hint")?.textContent).toBe(
      "To submit, complete: Prompt, Reference images.",
    );
    expect(submit?.getAttribute("aria-describedby")).toBe(p.querySelector(".vs-hint")?.id);
    type(p.querySelector("textarea"), "a cat");
    expect(p.querySelector(".vs-hint")?.textContent).toBe("To submit, complete: Reference images.");
    type(p.querySelector("input.vs-media-url"), "https://example.com/cat.png");
    expect(submit?.disabled).toBe(false);
    expect(p.querySelector(".vs-hint")?.textContent).toBe("");
    type(p.querySelector("textarea"), "");
    expect(submit?.disabled).toBe(true);
    expect(model.sent.filter((m) => m.content.kind === "submit")).toEqual([]);
  });

  it("submits the request; kernel errors land on the fields and disable Submit", async () => {
    const { el, model } = mount();
    const p = panel(el) as HTMLElement;
    type(p.querySelector("textarea"), "a cat on a skateboard");
    type(p.querySelector("input.vs-media-url"), "https://example.com/cat.png");
    click(p.querySelector(".vs-submit"));
    const submit = model.lastSent().content;
    expect(submit).toMatchObject({
      kind: "submit",
      request: {
        function: "image_reference",
        prompt: "a cat on a skateboard",
        ref_images_url: ["https://example.com/cat.png"],
      },
    });
    const button = p.querySelector<HTMLButtonElement>(".vs-submit");
    expect(button?.disabled).toBe(true); // no double submit while the first is in flight
    model.reply({
      id: submit.id,
      ok: false,
      error: "invalid request",
      errors: { ref_images_url: "too small" },
    });
    await flush();
    expect(p.querySelector('[data-field="ref_images_url"] .vs-error')?.textContent).toBe(
      "too small",
    );
    expect(p.querySelector(".vs-status")?.textContent).toBe("invalid request");
    expect(button?.disabled).toBe(true);
    expect(p.querySelector(".vs-hint")?.textContent).toBe(
      "To submit, fix the fields marked in red.",
    );

    type(p.querySelector("input.vs-media-url"), "https://example.com/bigger.png");
    expect(button?.disabled).toBe(false);
    click(button);
    const again = model.lastSent().content;
    model.reply({ id: again.id, ok: true, local_id: "l1", task_id: null });
    await flush();
    expect(p.querySelector(".vs-status")?.textContent).toBe(
      "Submitted: its card is at the top of the task list.",
    );
  });

  it("asks the kernel to validate once the form is valid (debounced), showing errors and cost", async () => {
    vi.useFakeTimers();
    const { el, model } = mount();
    const p = panel(el) as HTMLElement;
    const kinds = () => model.sent.map((m) => m.content.kind);
    type(p.querySelector("textarea"), "a cat");
    type(p.querySelector("input.vs-media-url"), "https://example.com/a.png");
    expect(kinds()).toEqual(["hello"]);
    vi.advanceTimersByTime(400);
    const validate = model.lastSent().content;
    expect(validate).toMatchObject({ kind: "validate", request: { prompt: "a cat" } });
    model.reply({
      id: validate.id,
      ok: false,
      error: "invalid",
      errors: { obj_or_bg: "needed for 2 images" },
    });
    await vi.advanceTimersByTimeAsync(1);
    // A role per image is edited in the images' rows: its error shows there.
    expect(p.querySelector('[data-field="ref_images_url"] .vs-error')?.textContent).toBe(
      "needed for 2 images",
    );
    expect(p.querySelector<HTMLButtonElement>(".vs-submit")?.disabled).toBe(true);

    type(p.querySelector("textarea"), "a dog");
    vi.advanceTimersByTime(400);
    const second = model.lastSent().content;
    model.reply({ id: second.id, ok: true, cost: 0.35, simulated: false });
    await vi.advanceTimersByTimeAsync(1);
    expect(p.querySelector(".vs-cost")?.textContent).toBe("Estimated cost: $0.35");
    expect(p.querySelector<HTMLButtonElement>(".vs-submit")?.disabled).toBe(false);
  });

  it("shows the kernel's warnings under their fields, with the helper, and keeps Submit on", async () => {
    vi.useFakeTimers();
    const { el, model } = mount();
    const p = panel(el) as HTMLElement;
    type(p.querySelector("textarea"), "a cat");
    type(p.querySelector("input.vs-media-url"), "/data/kite.png");
    vi.advanceTimersByTime(400);
    const validate = model.lastSent().content;
    model.reply({
      id: validate.id,
      ok: true,
      cost: 0,
      simulated: true,
      warnings: [
        {
          field: "ref_images_url",
          title: "Reference images",
          severity: "warning",
          message: "Reference images, item 1: is 2400 px wide; it is scaled down",
          fix: "resize_image_into_range",
          call: "vace_studio.media.resize_image_into_range('/data/kite.png')",
        },
        { field: "", severity: "warning", message: "the whole request: a note", fix: null },
      ],
    });
    await vi.advanceTimersByTimeAsync(1);
    const field = p.querySelector('[data-field="ref_images_url"]') as HTMLElement;
    expect(field.querySelector(".vs-warning")?.textContent).toBe(
      "Note: Reference images, item 1: is 2400 px wide; it is scaled down",
    );
    expect(field.querySelector(".vs-error")?.textContent).toBe("");
    expect(field.querySelector(".vs-fix-call")?.textContent).toBe(
      "vace_studio.media.resize_image_into_range('/data/kite.png')",
    );
    expect(p.querySelector(".vs-form-warnings")?.textContent).toBe(
      "Note: the whole request: a note",
    );
    expect(p.querySelector<HTMLButtonElement>(".vs-submit")?.disabled).toBe(false);
    // Editing the field drops what the kernel said about its old value.
    type(p.querySelector("input.vs-media-url"), "/data/small.png");
    expect(field.querySelector<HTMLElement>(".vs-warning")?.hidden).toBe(true);
  });

  it("shows the held banner from its trait", () => {
    const { el, model } = mount();
    const banner = el.querySelector(".vs-held-banner") as HTMLElement;
    expect(banner.hidden).toBe(true);
    model.set("submissions_held", "quota_exceeded: spent — wait for tomorrow, then resume.");
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain("quota_exceeded");
    click(banner.querySelector(".vs-resume"));
    expect(model.lastSent().content.kind).toBe("resume");
    model.set("submissions_held", "");
    expect(banner.hidden).toBe(true);
  });

  it("shows the header from the traits and follows their changes", () => {
    const { el, model } = mount();
    const header = el.querySelector(".vs-header") as HTMLElement;
    expect(header.querySelector(".vs-provider")?.textContent).toBe(
      "Built-in simulator · no key needed · $0.10 per second of video (simulated)",
    );
    expect(header.querySelector(".vs-banner")?.textContent).toContain("Simulator in use.");
    model.set("simulated", false);
    model.set("provider", "dashscope");
    model.set("has_key", true);
    expect(header.querySelector(".vs-provider")?.textContent).toBe(
      "DashScope · region intl (Singapore) · key set · $0.10 per second of video",
    );
    expect(header.querySelector<HTMLElement>(".vs-banner")?.hidden).toBe(true);
  });

  it("puts a card's request back into its form ('Edit as new')", async () => {
    const { el, model } = mount();
    model.reply({ id: model.lastSent().content.id, ok: true, now: 1000, cards: [] });
    await flush();
    model.reply({
      kind: "tasks",
      now: 1000,
      cards: [
        {
          ...CARD,
          function: "video_outpainting",
          request: { function: "video_outpainting", prompt: "wider", video_url: "https://x/v.mp4" },
        },
      ],
    });
    click(el.querySelector(".vs-card .vs-edit"));
    const form = panel(el)?.querySelector("form");
    expect(form?.dataset.function).toBe("video_outpainting");
    expect(form?.querySelector("textarea")?.value).toBe("wider");
    expect(document.activeElement).toBe(form?.querySelector("textarea"));
  });

  it("uploads a dropped file through the channel", async () => {
    const { el, model } = mount();
    const media = panel(el)?.querySelector(".vs-media") as HTMLElement;
    const event = new Event("drop", { bubbles: true, cancelable: true });
    const file = new File([new Uint8Array([1, 2])], "cat.png", { type: "image/png" });
    Object.defineProperty(event, "dataTransfer", { value: { files: [file] } });
    media.dispatchEvent(event);
    await flush();
    await flush();
    const upload = model.lastSent();
    expect(upload.content).toMatchObject({
      kind: "upload",
      field: "ref_images_url",
      index: 0,
      name: "cat.png",
      last: true,
    });
    expect(upload.buffers[0]?.byteLength).toBe(2);
    model.reply({ id: upload.content.id, ok: true, ref: "/srv/inputs/5d41402abc4b.png" });
    await flush();
    // The box shows the file's own name; the request carries the kernel's reference.
    expect(media.querySelector<HTMLInputElement>("input.vs-media-url")?.value).toBe("cat.png");
  });

  it("re-renders on a schema change, keeping what the user typed and the selected tab", () => {
    const { el, model } = mount();
    type(panel(el)?.querySelector("textarea") ?? null, "kept");
    click(tabs(el)[0] ?? null);
    model.set("schema", JSON.parse(JSON.stringify(SCHEMA)));
    expect(panel(el)?.querySelector("textarea")?.value).toBe("kept");
  });

  it("waits for a schema, and explains a broken one", () => {
    const { el, model } = mount(null);
    expect(el.textContent).toContain("Waiting for the request schema");
    model.set("schema", { oneOf: [] });
    expect(el.querySelector("[role=alert]")?.textContent).toMatch(
      /Cannot build the form: .*no oneOf/,
    );
  });

  it("keeps plain keys away from JupyterLab's notebook shortcuts", () => {
    const { el } = mount();
    const seen: string[] = [];
    const record = (e: KeyboardEvent) => seen.push(e.key);
    document.addEventListener("keydown", record);
    const radio = el.querySelector("input[type=radio]") as HTMLElement;
    for (const init of [
      { key: "d" },
      { key: "ArrowRight" },
      { key: "s", ctrlKey: true },
      { key: "Enter", shiftKey: true },
      { key: "Escape" },
    ]) {
      radio.dispatchEvent(new KeyboardEvent("keydown", { ...init, bubbles: true }));
    }
    document.removeEventListener("keydown", record);
    expect(seen).toEqual(["s", "Enter", "Escape"]);
  });

  it("opens the gallery when Python starts a sweep, and the history on demand", () => {
    const { el, model } = mount();
    const view = (key: string) =>
      el.querySelector(`.vs-views > [role=tablist] > [data-key="${key}"]`);
    expect(view("create")?.getAttribute("aria-selected")).toBe("true");
    expect(model.sent.map((m) => m.content.kind)).toEqual(["hello"]); // nothing built yet
    model.reply({ kind: "show", view: "gallery", group_id: "sweep-1" });
    expect(view("gallery")?.getAttribute("aria-selected")).toBe("true");
    expect(el.querySelector(".vs-gallery")).not.toBeNull();
    expect(model.lastSent().content.kind).toBe("sweeps");
    click(view("history"));
    expect(model.lastSent().content).toMatchObject({ kind: "history", offset: 0 });
  });

  it("cleans up: listeners removed, DOM emptied", () => {
    const { el, model } = mount();
    expect(model.listeners("msg:custom")).toBe(1);
    expect(model.listeners("change:has_key")).toBe(1);
    cleanup?.();
    cleanup = undefined;
    expect(model.listeners("msg:custom")).toBe(0);
    expect(model.listeners("change:schema")).toBe(0);
    expect(model.listeners("change:has_key")).toBe(0);
    expect(el.children.length).toBe(0);
  });
});
