import { afterEach, describe, expect, it } from "vitest";
import { type FormHandle, renderForm } from "../src/form/render";
import { SCHEMA, type } from "./helpers";

let form: FormHandle | undefined;
afterEach(() => {
  form?.destroy();
  form = undefined;
  document.body.replaceChildren();
});

describe("image previews", () => {
  it("shows a thumbnail for a typed image URL, and none for a path", () => {
    form = renderForm(SCHEMA, "image_reference", { onFile: () => "unused" });
    document.body.append(form.el);
    const media = form.el.querySelector('.vs-field[data-field="ref_images_url"]') as HTMLElement;
    const input = media.querySelector("input.vs-media-url");
    type(input, "https://example.com/cat.png");
    const img = media.querySelector<HTMLImageElement>("img.vs-thumb");
    expect(img?.getAttribute("src")).toBe("https://example.com/cat.png");
    expect(img?.getAttribute("alt")).toBe("Preview of https://example.com/cat.png");
    type(input, "/data/cat.png");
    expect(media.querySelector("img.vs-thumb")).toBeNull();
  });
});
