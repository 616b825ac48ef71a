import { describe, expect, it } from "vitest";
import { type FormHandle, renderForm } from "../src/form/render";
import { type FieldSpec, listFunctions } from "../src/form/schema";
import { errorOf, fieldEl, formHarness } from "./form-harness";
import { choose, click, SCHEMAS, type } from "./helpers";

const mount = formHarness();

/** What control a field must get, from its schema node alone. */
function expectControlFor(el: Element, field: FieldSpec) {
  const node = field.node;
  switch (node.kind) {
    case "enum":
      if (node.options.length <= 4)
        expect(el.querySelectorAll("input[type=radio]").length).toBe(node.options.length);
      else
        expect(el.querySelector("select")?.options.length).toBeGreaterThanOrEqual(
          node.options.length,
        );
      break;
    case "boolean":
      expect(el.querySelector("input[type=checkbox]")).not.toBeNull();
      break;
    case "number":
      expect(el.querySelector("input[type=number]")?.getAttribute("step")).toBe(
        node.integer ? String(node.step ?? 1) : String(node.step ?? "any"),
      );
      expect(Boolean(el.querySelector("input[type=range]"))).toBe(
        !node.integer && node.minimum !== undefined && node.maximum !== undefined,
      );
      break;
    case "string":
      if (node.media) {
        expect(el.querySelector("input[type=text].vs-media-url")).not.toBeNull();
        expect(el.querySelector("input[type=file]")?.getAttribute("accept")).toBe(
          `${node.media}/*`,
        );
      } else if (node.multiline) {
        expect(el.querySelector("textarea")).not.toBeNull();
        expect(el.querySelector(".vs-count")?.textContent).toBe(
          `0 / ${node.maxLength ?? node.soft?.maxLength}`,
        );
      } else {
        expect(el.querySelector("input[type=text]")).not.toBeNull();
      }
      break;
    case "array":
      expect(el.querySelector(".vs-array .vs-add")).not.toBeNull();
      break;
    default:
      throw new Error(`unexpected ${node.kind}`);
  }
}

describe.each(Object.entries(SCHEMAS))("forms from the %s schema", (_name, schema) => {
  const onFile = async () => "/kernel/uploads/file";
  for (const fn of listFunctions(schema)) {
    describe(fn.name, () => {
      // A list paired with another list (x-pairs-with) is edited inside that list's rows.
      const paired = (x: FieldSpec) =>
        x.pairsWith !== undefined &&
        x.node.kind === "array" &&
        fn.fields.find((y) => y.name === x.pairsWith)?.node.kind === "array";

      it("renders one control per property, of the right type", () => {
        const f = mount(fn.name, { onFile }, schema);
        const names = [...f.el.querySelectorAll(".vs-field")].map((el) =>
          el.getAttribute("data-field"),
        );
        const own = fn.fields.filter((x) => !paired(x));
        expect(names.sort()).toEqual(own.map((x) => x.name).sort());
        for (const field of own) expectControlFor(fieldEl(f, field.name), field);
        for (const field of fn.fields.filter(paired)) {
          const host = fieldEl(f, field.pairsWith ?? "");
          for (const row of host.querySelectorAll(".vs-item")) {
            expect(row.querySelector(".vs-pair .vs-pair-label")?.textContent).toBe(field.title);
          }
        }
      });

      it("labels every control and links help text", () => {
        const f = mount(fn.name, { onFile }, schema);
        for (const input of f.el.querySelectorAll("input, select, textarea")) {
          const id = input.getAttribute("id");
          expect(id, input.outerHTML).toBeTruthy();
          expect(f.el.querySelector(`label[for="${id}"]`), input.outerHTML).not.toBeNull();
        }
        for (const field of fn.fields.filter((x) => !paired(x))) {
          const el = fieldEl(f, field.name);
          expect(el.querySelector(".vs-label")?.textContent).toContain(field.title);
          if (field.description) {
            const help = el.querySelector(".vs-help");
            expect(help?.textContent).toBe(field.description);
            expect(el.querySelector(`[aria-describedby~="${help?.id}"]`)).not.toBeNull();
          }
        }
        // Ids are unique on the page even with two forms of the same function.
        const again = renderForm(schema, fn.name, { onFile });
        document.body.append(again.el);
        const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
        expect(new Set(ids).size).toBe(ids.length);
        again.destroy();
      });

      it("shows documented defaults but sends only the discriminator when untouched", () => {
        const f = mount(fn.name, { onFile }, schema);
        for (const field of fn.fields.filter((x) => x.default !== undefined)) {
          const el = fieldEl(f, field.name);
          const node = field.node;
          if (node.kind === "boolean") {
            expect((el.querySelector("input[type=checkbox]") as HTMLInputElement).checked).toBe(
              field.default,
            );
          } else if (node.kind === "number") {
            expect(Number((el.querySelector("input[type=number]") as HTMLInputElement).value)).toBe(
              field.default,
            );
          } else if (node.kind === "enum") {
            const select = el.querySelector("select");
            const shown = select
              ? select.selectedOptions[0]?.textContent
              : el.querySelector<HTMLInputElement>("input[type=radio]:checked")?.nextElementSibling
                  ?.textContent;
            expect(shown).toBe(String(field.default));
          }
          expect(el.querySelector(".vs-badge")?.hasAttribute("hidden")).toBe(false);
        }
        expect(f.getValue()).toEqual({ function: fn.name });
      });

      it("requires exactly the required fields", () => {
        const f = mount(fn.name, { onFile }, schema);
        expect(f.isValid()).toBe(false); // every function requires a prompt
        const errors = f.validate();
        expect(Object.keys(errors).sort()).toEqual(
          fn.fields
            .filter((x) => x.required)
            .map((x) => x.name)
            .sort(),
        );
        for (const name of Object.keys(errors)) expect(errorOf(f, name)).toBe(errors[name]);
      });
    });
  }
});

describe("editing", () => {
  it("sends a touched optional field, and Reset takes it back out", () => {
    const changes: unknown[] = [];
    const f = mount("video_outpainting", { onChange: (value) => changes.push(value) });
    const range = fieldEl(f, "top_scale").querySelector<HTMLInputElement>("input[type=range]");
    const box = fieldEl(f, "top_scale").querySelector<HTMLInputElement>("input[type=number]");
    if (!range || !box) throw new Error("no slider");
    range.value = "1.5";
    range.dispatchEvent(new Event("input"));
    expect(box.value).toBe("1.5"); // slider and box stay in sync
    expect(f.getValue()).toEqual({ function: "video_outpainting", top_scale: 1.5 });
    expect(changes[changes.length - 1]).toEqual({ function: "video_outpainting", top_scale: 1.5 });
    type(box, "1.25");
    expect(range.value).toBe("1.25");
    expect(f.getValue().top_scale).toBe(1.25);

    const reset = fieldEl(f, "top_scale").querySelector<HTMLButtonElement>(".vs-reset");
    expect(reset?.hidden).toBe(false);
    click(reset);
    expect(f.getValue()).toEqual({ function: "video_outpainting" });
    expect(box.value).toBe("1"); // back to showing the default
    expect(reset?.hidden).toBe(true);
  });

  it("keeps a checkbox and a select in the value once changed", () => {
    const f = mount("image_reference");
    const box = fieldEl(f, "prompt_extend").querySelector<HTMLInputElement>("input[type=checkbox]");
    click(box);
    choose(fieldEl(f, "size").querySelector("select"), "960*960");
    expect(f.getValue()).toMatchObject({ prompt_extend: false, size: "960*960" });
  });

  it("picks an enum chip and an integer", () => {
    const f = mount("video_edit");
    const fixed = [...fieldEl(f, "mask_type").querySelectorAll("label")].find(
      (l) => l.textContent === "fixed",
    );
    click(fixed);
    type(fieldEl(f, "mask_frame_id").querySelector("input[type=number]"), "12");
    expect(f.getValue()).toMatchObject({ mask_type: "fixed", mask_frame_id: 12 });
  });

  it("clearing a text box means not given", () => {
    const f = mount("image_reference");
    const prompt = fieldEl(f, "prompt").querySelector("textarea");
    type(prompt, "a cat");
    expect(f.getValue().prompt).toBe("a cat");
    type(prompt, "");
    expect("prompt" in f.getValue()).toBe(false);
    expect(errorOf(f, "prompt")).toBe("Prompt is required");
  });

  it("setValue shows the values and counts them as set", () => {
    const f = mount("video_repainting");
    f.setValue({
      function: "video_repainting",
      prompt: "p",
      video_url: "https://x/v.mp4",
      control_condition: "depth",
      strength: 0.5,
    });
    expect(f.getValue()).toEqual({
      function: "video_repainting",
      prompt: "p",
      video_url: "https://x/v.mp4",
      control_condition: "depth",
      strength: 0.5,
    });
    expect(f.isValid()).toBe(true);
    expect(
      fieldEl(f, "strength").querySelector<HTMLInputElement>("input[type=number]")?.value,
    ).toBe("0.5");
  });
});

describe("instant validation", () => {
  it("counts prompt characters live and names the limit", () => {
    const f = mount("image_reference");
    const prompt = fieldEl(f, "prompt").querySelector("textarea");
    type(prompt, "x".repeat(801));
    const count = fieldEl(f, "prompt").querySelector(".vs-count");
    expect(count?.textContent).toBe("801 / 800");
    expect(count?.classList.contains("vs-over")).toBe(true);
    expect(errorOf(f, "prompt")).toBe("Prompt must be at most 800 characters (got 801)");
    expect(prompt?.getAttribute("aria-invalid")).toBe("true");
    type(prompt, "x".repeat(800));
    expect(errorOf(f, "prompt")).toBe("");
    expect(prompt?.hasAttribute("aria-invalid")).toBe(false);
  });

  it("checks ranges and whole numbers as the user types", () => {
    const f = mount("video_repainting");
    const seed = fieldEl(f, "seed").querySelector("input[type=number]");
    type(seed, "-1");
    expect(errorOf(f, "seed")).toBe("Seed must be between 0 and 2147483647 (got -1)");
    type(seed, "1.5");
    expect(errorOf(f, "seed")).toBe("Seed must be a whole number (got 1.5)");
    type(fieldEl(f, "strength").querySelector("input[type=number]"), "1.5");
    expect(errorOf(f, "strength")).toBe("Strength must be between 0 and 1 (got 1.5)");
  });

  it("does not show required errors before the user touches the field or submits", () => {
    const f = mount("image_reference");
    expect(errorOf(f, "prompt")).toBe("");
    f.validate();
    expect(errorOf(f, "prompt")).toBe("Prompt is required");
  });

  it("checks x-pairs-with lists against each other", () => {
    const f = mount("image_reference");
    f.setValue({
      function: "image_reference",
      prompt: "p",
      ref_images_url: ["https://x/a.png"],
      obj_or_bg: ["obj", "bg"],
    });
    expect(f.validate().obj_or_bg).toBe(
      "Object or background needs one entry per item of Reference images (got 2 for 1)",
    );
  });
});

describe("server errors", () => {
  it("shows the kernel's messages by field and clears one when its field is edited", () => {
    const f = mount("video_edit");
    f.setErrors({
      mask_image_url:
        "mask_image_url: give exactly one of mask_image_url or mask_video_url (got neither)",
      "ref_images_url.0": "must not contain Chinese characters",
      "": "the provider refused the request",
    });
    expect(errorOf(f, "mask_image_url")).toContain("exactly one of");
    expect(errorOf(f, "ref_images_url")).toBe("must not contain Chinese characters");
    const box = f.el.querySelector(".vs-form-errors");
    expect(box?.hasAttribute("hidden")).toBe(false);
    expect(box?.textContent).toBe("the provider refused the request");

    type(fieldEl(f, "mask_image_url").querySelector("input.vs-media-url"), "https://x/m.png");
    expect(errorOf(f, "mask_image_url")).toBe("");
    expect(errorOf(f, "ref_images_url")).toBe("must not contain Chinese characters");
    f.setErrors({});
    expect(errorOf(f, "ref_images_url")).toBe("");
    expect(box?.hasAttribute("hidden")).toBe(true);
  });

  it("shows a client-side error before a stale server one", () => {
    const f = mount("image_reference");
    f.setErrors({ prompt: "server says no" });
    expect(errorOf(f, "prompt")).toBe("server says no");
    f.validate();
    expect(errorOf(f, "prompt")).toBe("Prompt is required");
  });
});

describe("lists", () => {
  const items = (f: FormHandle, name: string) => fieldEl(f, name).querySelectorAll(".vs-item");
  const add = (f: FormHandle, name: string) =>
    fieldEl(f, name).querySelector<HTMLButtonElement>(".vs-add");

  it("honours minItems and maxItems with add/remove", () => {
    const f = mount("image_reference", { onFile: async () => "x" });
    expect(items(f, "ref_images_url").length).toBe(1); // minItems 1: one empty slot to start
    const removeFirst = () =>
      items(f, "ref_images_url")[0]?.querySelector<HTMLButtonElement>(".vs-remove");
    expect(removeFirst()?.disabled).toBe(true);
    click(add(f, "ref_images_url"));
    click(add(f, "ref_images_url"));
    expect(items(f, "ref_images_url").length).toBe(3);
    expect(add(f, "ref_images_url")?.disabled).toBe(true); // maxItems 3
    expect(removeFirst()?.disabled).toBe(false);
    const urls = fieldEl(f, "ref_images_url").querySelectorAll("input.vs-media-url");
    for (const [i, url] of ["https://x/1.png", "https://x/2.png", "https://x/3.png"].entries()) {
      type(urls[i], url);
    }
    expect(f.getValue().ref_images_url).toEqual([
      "https://x/1.png",
      "https://x/2.png",
      "https://x/3.png",
    ]);
    click(items(f, "ref_images_url")[1]?.querySelector(".vs-remove") ?? null);
    expect(f.getValue().ref_images_url).toEqual(["https://x/1.png", "https://x/3.png"]);
    expect(add(f, "ref_images_url")?.disabled).toBe(false);
    // Labels are renumbered and still point at their inputs.
    const labels = [...fieldEl(f, "ref_images_url").querySelectorAll(".vs-item-label")];
    expect(labels.map((l) => l.textContent)).toEqual([
      "Reference images item 1",
      "Reference images item 2",
    ]);
  });

  it("flags an empty slot and an over-long list in plain words", () => {
    const f = mount("image_reference");
    click(add(f, "ref_images_url"));
    expect(f.validate().ref_images_url).toBe("Reference images item 1 is empty");
    f.setValue({ ref_images_url: ["a", "b", "c", "d"] });
    expect(f.validate().ref_images_url).toBe("Reference images allows at most 3 items (got 4)");
  });

  it("omits an optional list that was emptied", () => {
    const f = mount("video_repainting");
    expect(items(f, "ref_images_url").length).toBe(0);
    click(add(f, "ref_images_url"));
    expect(add(f, "ref_images_url")?.disabled).toBe(true); // maxItems 1
    click(items(f, "ref_images_url")[0]?.querySelector(".vs-remove") ?? null);
    expect("ref_images_url" in f.getValue()).toBe(false);
  });

  it("lets an optional list with minItems start empty and be emptied again", () => {
    const schema = {
      oneOf: [
        {
          properties: {
            function: { const: "f" },
            tags: { type: "array", items: { enum: ["a", "b"] }, minItems: 2, maxItems: 3 },
          },
        },
      ],
    };
    const f = mount("f", {}, schema);
    expect(items(f, "tags").length).toBe(0);
    click(add(f, "tags"));
    expect(f.validate().tags).toBe("Tags needs at least 2 items (got 1)");
    const remove = items(f, "tags")[0]?.querySelector<HTMLButtonElement>(".vs-remove");
    expect(remove?.disabled).toBe(false);
    click(remove);
    expect(f.getValue()).toEqual({ function: "f" });
    expect(f.validate()).toEqual({});
  });
});
