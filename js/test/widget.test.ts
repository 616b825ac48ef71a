import type { AnyModel, RenderProps } from "@anywidget/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import widget, { type StudioTraits, version } from "../src/widget";
import { click, FakeModel, flush, SCHEMA, type } from "./helpers";

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
  document.body.replaceChildren();
  vi.useRealTimers();
});

function mount(schema: unknown = SCHEMA) {
  const model = new FakeModel<Record<string, unknown>>({ schema });
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
  return { model, el };
}

const tabs = (el: Element) => [...el.querySelectorAll<HTMLButtonElement>("[role=tab]")];
const panel = (el: Element) => el.querySelector<HTMLElement>("[role=tabpanel]:not([hidden])");

describe("the studio view", () => {
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
    expect(el.querySelectorAll("[role=tabpanel]").length).toBe(5);
    expect(panel(el)?.querySelector("form")?.dataset.function).toBe("image_reference");
  });

  it("switches tabs with arrow keys, Home and End (roving tabindex)", () => {
    const { el } = mount();
    const list = el.querySelector("[role=tablist]") as HTMLElement;
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

  it("does not submit an invalid form, and says why", () => {
    const { el, model } = mount();
    click(panel(el)?.querySelector(".vs-submit") ?? null);
    expect(model.sent.filter((m) => m.content.kind === "submit")).toEqual([]);
    expect(panel(el)?.querySelector(".vs-status")?.textContent).toBe("Please fix 2 fields first.");
    expect(document.activeElement?.closest(".vs-field")?.getAttribute("data-field")).toBe("prompt");
  });

  it("submits the request and shows the task; kernel errors land on the fields", async () => {
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
    expect(p.querySelector<HTMLButtonElement>(".vs-submit")?.disabled).toBe(true);
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

    click(p.querySelector(".vs-submit"));
    const again = model.lastSent().content;
    model.reply({ id: again.id, ok: true, task_id: "task-42" });
    await flush();
    expect(p.querySelector(".vs-status")?.textContent).toBe("Submitted: task task-42.");
    expect(el.querySelector('[data-task-id="task-42"]')).not.toBeNull();
  });

  it("asks the kernel to validate once the form is valid (debounced) and shows its verdict", async () => {
    vi.useFakeTimers();
    const { el, model } = mount();
    const p = panel(el) as HTMLElement;
    type(p.querySelector("textarea"), "a cat");
    type(p.querySelector("input.vs-media-url"), "https://example.com/a.png");
    expect(model.sent.length).toBe(0);
    vi.advanceTimersByTime(400);
    const validate = model.lastSent().content;
    expect(validate).toMatchObject({ kind: "validate", request: { prompt: "a cat" } });
    model.reply({
      id: validate.id,
      ok: false,
      error: "invalid",
      errors: { obj_or_bg: "needed for 2 images" },
    });
    await vi.runAllTimersAsync();
    expect(p.querySelector('[data-field="obj_or_bg"] .vs-error')?.textContent).toBe(
      "needed for 2 images",
    );
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
    model.reply({ id: upload.content.id, ok: true, ref: "/srv/uploads/cat.png" });
    await flush();
    expect(media.querySelector<HTMLInputElement>("input.vs-media-url")?.value).toBe(
      "/srv/uploads/cat.png",
    );
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

  it("cleans up: listeners removed, DOM emptied", () => {
    const { el, model } = mount();
    expect(model.listeners("msg:custom")).toBe(1);
    cleanup?.();
    cleanup = undefined;
    expect(model.listeners("msg:custom")).toBe(0);
    expect(model.listeners("change:schema")).toBe(0);
    expect(el.children.length).toBe(0);
  });
});
