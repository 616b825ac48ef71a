// The form's media extras: a companion list edited in its host list's rows (a role per reference
// image), files dropped on a list, repair hints for media problems, kernel-side thumbnails.

import { afterEach, describe, expect, it, vi } from "vitest";
import { type FormHandle, renderForm } from "../src/form/render";
import { click, flush, SCHEMA, type } from "./helpers";

let form: FormHandle | undefined;
function mount(fn: string, options: Parameters<typeof renderForm>[2] = {}) {
  form = renderForm(SCHEMA, fn, options);
  document.body.append(form.el);
  return form;
}
afterEach(() => {
  form?.destroy();
  form = undefined;
  document.body.replaceChildren();
});

const fieldEl = (f: FormHandle, name: string) => {
  const el = f.el.querySelector(`.vs-field[data-field="${name}"]`);
  if (!el) throw new Error(`no field ${name}`);
  return el;
};
const errorOf = (f: FormHandle, name: string) =>
  fieldEl(f, name).querySelector(".vs-error")?.textContent;
const items = (f: FormHandle, name: string) => fieldEl(f, name).querySelectorAll(".vs-item");
const add = (f: FormHandle, name: string) =>
  fieldEl(f, name).querySelector<HTMLButtonElement>(".vs-add");

describe("lists with a companion, and dropped files", () => {
  it("edits a paired list (a role per image) inside the rows of the list it pairs with", () => {
    const f = mount("image_reference");
    const refs = fieldEl(f, "ref_images_url");
    const chips = (row: number) =>
      [...(items(f, "ref_images_url")[row]?.querySelectorAll("label.vs-chip") ?? [])].map(
        (l) => l as HTMLElement,
      );
    expect(chips(0).map((c) => c.textContent)).toEqual(["obj", "bg"]);
    type(refs.querySelector("input.vs-media-url"), "https://x/a.png");
    expect(f.getValue()).toMatchObject({ ref_images_url: ["https://x/a.png"], obj_or_bg: ["obj"] });
    click(add(f, "ref_images_url"));
    click(chips(1)[1]); // the second image is the background
    expect(f.getValue().obj_or_bg).toEqual(["obj", "bg"]);
    const remove = items(f, "ref_images_url")[0]?.querySelector<HTMLButtonElement>(".vs-remove");
    click(remove);
    expect(f.getValue().obj_or_bg).toEqual(["bg"]); // the role left with its image
    // The paired list's errors show under the list it pairs with.
    type(items(f, "ref_images_url")[0]?.querySelector("input.vs-media-url"), "https://x/b.png");
    f.setErrors({ obj_or_bg: "may mark at most one image as the background" });
    expect(errorOf(f, "ref_images_url")).toContain("at most one image");
  });

  it("fills empty slots, then new rows, with files dropped on a list", async () => {
    const taken: string[] = [];
    const f = mount("image_reference", {
      onFile: async (_field, index, file) => {
        taken.push(`${index}:${file.name}`);
        return `/k/${file.name}`;
      },
    });
    const list = fieldEl(f, "ref_images_url").querySelector(".vs-array") as HTMLElement;
    const event = new Event("drop", { bubbles: true, cancelable: true });
    const file = (name: string) => new File([new Uint8Array([1])], name, { type: "image/png" });
    Object.defineProperty(event, "dataTransfer", {
      value: { files: [file("a.png"), file("b.png")] },
    });
    list.dispatchEvent(event);
    for (let i = 0; i < 5; i++) await flush();
    expect(taken).toEqual(["0:a.png", "1:b.png"]);
    expect(f.getValue()).toMatchObject({
      ref_images_url: ["/k/a.png", "/k/b.png"],
      obj_or_bg: ["obj", "obj"],
    });
    expect(items(f, "ref_images_url").length).toBe(2);
  });

  it("shows the kernel's repair helper next to a media problem", () => {
    const f = mount("video_edit");
    f.setErrors(
      { mask_image_url: "mask_image_url: must be pure black and white" },
      {
        mask_image_url: [
          { fix: "binarize_mask", call: "vace_studio.media.binarize_mask('/m.png')" },
        ],
      },
    );
    const hint = fieldEl(f, "mask_image_url").querySelector(".vs-fix");
    expect(hint?.getAttribute("data-fix")).toBe("binarize_mask");
    expect(hint?.querySelector("code")?.textContent).toBe(
      "vace_studio.media.binarize_mask('/m.png')",
    );
    type(fieldEl(f, "mask_image_url").querySelector("input.vs-media-url"), "/other.png");
    expect(fieldEl(f, "mask_image_url").querySelector(".vs-fix")).toBeNull();
  });
});

describe("pictures of kernel-side files", () => {
  it("asks the kernel for a picture of a path on its machine, not of a URL", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const asked: string[] = [];
      const f = mount("video_edit", {
        onFile: async () => "/k/file",
        onThumbnail: async (ref) => {
          asked.push(ref);
          return `blob:thumb/${asked.length}`;
        },
      });
      const box = fieldEl(f, "video_url").querySelector("input.vs-media-url");
      type(box, "/data/cl");
      type(box, "/data/clip.mp4");
      vi.advanceTimersByTime(400);
      for (let i = 0; i < 5; i++) await Promise.resolve(); // setTimeout is faked here
      expect(asked).toEqual(["/data/clip.mp4"]); // once typing paused
      const img = fieldEl(f, "video_url").querySelector<HTMLImageElement>("img.vs-kernel-thumb");
      expect(img?.getAttribute("src")).toBe("blob:thumb/1");
      type(box, "https://example.com/clip.mp4");
      vi.advanceTimersByTime(400);
      for (let i = 0; i < 5; i++) await Promise.resolve(); // setTimeout is faked here
      expect(asked.length).toBe(1);
      expect(fieldEl(f, "video_url").querySelector("img.vs-kernel-thumb")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
