// The form's media extras: a companion list edited in its host list's rows (a role per reference
// image), files dropped on a list, repair hints for media problems, kernel-side thumbnails.

import { describe, expect, it, vi } from "vitest";
import type { FormHandle } from "../src/form/render";
import { errorOf, fieldEl, formHarness } from "./form-harness";
import { click, flush, type } from "./helpers";

const mount = formHarness();

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

describe("media files", () => {
  const png = () => new File([new Uint8Array([137, 80, 78, 71])], "cat.png", { type: "image/png" });
  function drop(target: Element, file: File) {
    const event = new Event("drop", { bubbles: true, cancelable: true });
    Object.defineProperty(event, "dataTransfer", { value: { files: [file] } });
    target.dispatchEvent(event);
  }

  it("hands a dropped file to onFile and stores the returned reference, with a thumbnail", async () => {
    let release: (ref: string) => void = () => {};
    const onFile = vi.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const f = mount("image_reference", { onFile });
    const media = fieldEl(f, "ref_images_url").querySelector(".vs-media");
    if (!media) throw new Error("no media control");
    const file = png();
    drop(media, file);
    await flush();
    expect(onFile).toHaveBeenCalledWith("ref_images_url", 0, file);
    expect(f.isValid()).toBe(false); // uploading, and no prompt yet
    expect(f.validate().ref_images_url).toBe("Reference images: still uploading cat.png");
    const img = media.querySelector("img");
    expect(img?.getAttribute("src")).toMatch(/^blob:/);
    expect(img?.getAttribute("alt")).toBe("Preview of cat.png");
    release("/kernel/inputs/9f86d081884c7d65.png");
    await flush();
    expect(f.getValue().ref_images_url).toEqual(["/kernel/inputs/9f86d081884c7d65.png"]);
    // The box shows the file's own name, not the kernel's content-hashed copy.
    const box = () =>
      fieldEl(f, "ref_images_url").querySelector<HTMLInputElement>("input.vs-media-url");
    expect(box()?.value).toBe("cat.png");
    expect(media.querySelector("img")).not.toBeNull();
    expect(errorOf(f, "ref_images_url")).toBe("");
    // Put back into the form (Edit as new): still the name; typing replaces the file.
    f.setValue({ ...f.getValue(), prompt: "again" });
    expect(box()?.value).toBe("cat.png");
    expect(f.getValue().ref_images_url).toEqual(["/kernel/inputs/9f86d081884c7d65.png"]);
    type(box(), "https://x/dog.png");
    expect(f.getValue().ref_images_url).toEqual(["https://x/dog.png"]);
  });

  it("passes the list index of the slot that received the file", async () => {
    const onFile = vi.fn(async (_field: string, index: number) => `/k/${index}`);
    const f = mount("image_reference", { onFile });
    click(fieldEl(f, "ref_images_url").querySelector(".vs-add"));
    const slots = fieldEl(f, "ref_images_url").querySelectorAll(".vs-media");
    drop(slots[1] as Element, png());
    await flush();
    expect(onFile.mock.calls[0]?.[1]).toBe(1);
    expect(f.getValue().ref_images_url).toEqual([undefined, "/k/1"]);
  });

  it("refuses a file of the wrong kind without calling onFile", async () => {
    const onFile = vi.fn(async () => "x");
    const f = mount("video_outpainting", { onFile });
    drop(fieldEl(f, "video_url").querySelector(".vs-media") as Element, png());
    await flush();
    expect(onFile).not.toHaveBeenCalled();
    expect(errorOf(f, "video_url")).toBe(
      'Source video expects a video file (got "cat.png", type image/png)',
    );
    expect(fieldEl(f, "video_url").querySelector("img")).toBeNull();
  });

  it("shows an upload failure next to the field", async () => {
    const f = mount("video_edit", {
      onFile: async () => {
        throw new Error("kernel disk full");
      },
    });
    drop(fieldEl(f, "mask_image_url").querySelector(".vs-media") as Element, png());
    await flush();
    await flush();
    expect(errorOf(f, "mask_image_url")).toBe(
      'Mask image: could not upload "cat.png": kernel disk full',
    );
    expect("mask_image_url" in f.getValue()).toBe(false);
  });

  it("offers URL entry only when there is no file handler", () => {
    const f = mount("video_edit");
    expect(fieldEl(f, "video_url").querySelector("input[type=file]")).toBeNull();
    type(fieldEl(f, "video_url").querySelector("input.vs-media-url"), "oss://bucket/v.mp4");
    expect(f.getValue().video_url).toBe("oss://bucket/v.mp4");
  });
});
