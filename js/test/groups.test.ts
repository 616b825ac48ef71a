// The form's layout comes from the schema's groups (`x-group`, `x-groups`): no field list here.

import { describe, expect, it } from "vitest";
import { listFunctions } from "../src/form/schema";
import { errorOf, fieldEl, formHarness } from "./form-harness";
import { SCHEMAS, type } from "./helpers";

const mount = formHarness();
const repo = SCHEMAS["repository fixture"];
const withGroups = repo ? it : it.skip; // a js-only checkout has no Python export

describe("fields grouped by meaning", () => {
  withGroups("puts every field of every function in a group the schema lists", () => {
    for (const fn of listFunctions(repo)) {
      const keys = fn.groups.map((g) => g.key);
      expect(keys, fn.name).not.toContain(""); // no field fell into the untitled group
      expect(fn.groups.flatMap((g) => g.fields).length).toBe(fn.fields.length);
    }
  });

  withGroups("shows everything about the mask together, and folds the rare knobs", () => {
    const f = mount("video_edit", {}, repo);
    const mask = f.el.querySelector('fieldset.vs-group[data-group="mask"]');
    expect(mask?.querySelector("legend")?.textContent).toBe("Mask");
    expect(
      [...(mask?.querySelectorAll<HTMLElement>(".vs-field") ?? [])].map((e) => e.dataset.field),
    ).toEqual([
      "mask_image_url",
      "mask_video_url",
      "mask_frame_id",
      "mask_type",
      "expand_ratio",
      "expand_mode",
    ]);
    const advanced = f.el.querySelector<HTMLDetailsElement>("details.vs-group-folded");
    expect(advanced?.querySelector("summary")?.textContent).toBe("Advanced");
    expect(advanced?.open).toBe(false);
    for (const knob of ["seed", "watermark", "prompt_extend", "duration"]) {
      expect(advanced?.contains(fieldEl(f, knob)), knob).toBe(true);
    }
    // The groups in the schema's order: the prompt first, Advanced last.
    const order = [...f.el.querySelectorAll<HTMLElement>(".vs-group")].map((g) => g.dataset.group);
    expect(order[0]).toBe("prompt");
    expect(order[order.length - 1]).toBe("advanced");
  });

  withGroups("counts what is set under Advanced and opens it for an error or a focus", () => {
    const f = mount("video_outpainting", {}, repo);
    const advanced = f.el.querySelector<HTMLDetailsElement>("details.vs-group-folded");
    const seed = fieldEl(f, "seed").querySelector("input");
    type(seed, "7");
    expect(advanced?.querySelector(".vs-group-count")?.textContent).toBe(" · 1 set");
    expect(advanced?.open).toBe(false);
    type(seed, "-1");
    expect(errorOf(f, "seed")).toContain("Seed must be between 0 and");
    expect(advanced?.open).toBe(true); // an error is never folded away
    if (advanced) advanced.open = false;
    f.setErrors({ watermark: "Watermark must be true or false (got 3)" });
    expect(advanced?.open).toBe(true);
    if (advanced) advanced.open = false;
    f.focus("seed");
    expect(advanced?.open).toBe(true);
  });

  it("lays out a schema without groups as before: required fields first, nothing hidden", () => {
    const f = mount("video_outpainting", {}, SCHEMAS["pydantic raw"]);
    const fields = [...f.el.querySelectorAll<HTMLElement>(".vs-field")].map((e) => e.dataset.field);
    expect(fields.slice(0, 2).sort()).toEqual(["prompt", "video_url"]);
    expect(f.el.querySelector("details")).toBeNull();
  });
});

describe("a group whose fields show as one", () => {
  withGroups("has no box of its own: the list's label names it", () => {
    // The roles (obj/bg) are edited inside the reference images' rows: one frame, no legend.
    const f = mount("image_reference", {}, repo);
    expect(f.el.querySelector('fieldset[data-group="references"]')).toBeNull();
    expect(f.el.querySelector('.vs-group-plain[data-group="references"]')).not.toBeNull();
  });
});
