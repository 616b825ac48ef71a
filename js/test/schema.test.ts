import { describe, expect, it } from "vitest";
import { functionSpec, humanise, listFunctions, SchemaError } from "../src/form/schema";
import { SCHEMA, SCHEMAS } from "./helpers";

const FUNCTIONS = [
  "image_reference",
  "video_repainting",
  "video_edit",
  "video_extension",
  "video_outpainting",
];

describe.each(Object.entries(SCHEMAS))("listFunctions on the %s schema", (_name, schema) => {
  const functions = listFunctions(schema);

  it("finds the five functions in oneOf order", () => {
    expect(functions.map((f) => f.name)).toEqual(FUNCTIONS);
    for (const fn of functions) expect(fn.discriminator).toBe("function");
  });

  it("gives readable titles", () => {
    for (const fn of functions) expect(fn.title).toMatch(/^[A-Z][a-z]+( [a-z]+)+$/);
  });

  it("lists every property except the discriminator, with required flags", () => {
    const defs = (schema as { $defs: Record<string, { properties: object; required?: string[] }> })
      .$defs;
    for (const fn of functions) {
      const model = Object.values(defs).find((d) =>
        JSON.stringify(d.properties).includes(`"const":"${fn.name}"`),
      );
      expect(model).toBeDefined();
      const names = Object.keys(model?.properties ?? {}).filter((n) => n !== "function");
      expect(fn.fields.map((f) => f.name)).toEqual(names);
      for (const field of fn.fields) {
        expect(field.required).toBe((model?.required ?? []).includes(field.name));
      }
    }
  });

  it("unwraps nullable optionals into plain controls", () => {
    for (const fn of functions) {
      for (const field of fn.fields) expect(field.node.kind).not.toBe("unsupported");
    }
    const seed = functionSpec(schema, "image_reference").fields.find((f) => f.name === "seed");
    expect(seed?.node).toMatchObject({
      kind: "number",
      integer: true,
      minimum: 0,
      maximum: 2147483647,
    });
    expect(seed?.default).toBeUndefined();
  });

  it("reads media kinds, on strings and on array items", () => {
    const edit = functionSpec(schema, "video_edit");
    const byName = Object.fromEntries(edit.fields.map((f) => [f.name, f.node]));
    expect(byName.video_url).toMatchObject({ kind: "string", media: "video" });
    expect(byName.mask_image_url).toMatchObject({ kind: "string", media: "image" });
    expect(byName.ref_images_url).toMatchObject({
      kind: "array",
      items: { kind: "string", media: "image" },
    });
  });

  it("takes the documented default from default or x-api-default", () => {
    const fields = functionSpec(schema, "video_outpainting").fields;
    const get = (n: string) => fields.find((f) => f.name === n);
    expect(get("prompt_extend")?.default).toBe(true);
    expect(get("watermark")?.default).toBe(false);
    expect(get("top_scale")?.default).toBe(1);
    expect(get("top_scale")?.node).toMatchObject({ kind: "number", step: 0.05 });
  });
});

it("normalises pydantic's raw schema and the post-processed one to the same fields", () => {
  const post = listFunctions(SCHEMAS["fixture (post-processed)"]);
  const raw = listFunctions(SCHEMAS["pydantic raw"]);
  for (const [i, fn] of post.entries()) {
    const other = raw[i];
    expect(other?.name).toBe(fn.name);
    for (const field of fn.fields) {
      const twin = other?.fields.find((f) => f.name === field.name);
      expect(twin?.node.kind, field.name).toBe(field.node.kind);
      expect(twin?.default, field.name).toEqual(field.default);
      expect(twin?.title, field.name).toBe(field.title);
    }
  }
});

it("resolves $ref enums and allOf wrappers", () => {
  const schema = {
    oneOf: [{ $ref: "#/$defs/A" }],
    $defs: {
      Mode: { enum: ["x", "y"], type: "string", title: "Mode" },
      A: {
        type: "object",
        properties: {
          function: { const: "a" },
          mode: { allOf: [{ $ref: "#/$defs/Mode" }], description: "Pick one", default: "y" },
          other: { anyOf: [{ $ref: "#/$defs/Mode" }, { type: "null" }], default: null },
          both: { type: ["integer", "null"], minimum: 2 },
        },
        required: ["function", "mode"],
      },
    },
  };
  const fields = functionSpec(schema, "a").fields;
  expect(fields.map((f) => [f.name, f.node.kind, f.default, f.required])).toEqual([
    ["mode", "enum", "y", true],
    ["other", "enum", undefined, false],
    ["both", "number", undefined, false],
  ]);
  expect(fields[0]?.description).toBe("Pick one");
  expect(fields[0]?.title).toBe("Mode");
});

it("marks shapes it cannot edit as unsupported instead of failing", () => {
  const schema = {
    oneOf: [
      {
        properties: {
          function: { const: "a" },
          u: { anyOf: [{ type: "string" }, { type: "integer" }] },
        },
      },
    ],
  };
  expect(functionSpec(schema, "a").fields[0]?.node.kind).toBe("unsupported");
});

it("explains a broken schema", () => {
  expect(() => listFunctions(null)).toThrow(SchemaError);
  expect(() => listFunctions({ type: "object" })).toThrow(/no oneOf/);
  expect(() => functionSpec(SCHEMA, "nope")).toThrow(/unknown function "nope".*image_reference/);
  expect(() => listFunctions({ oneOf: [{ $ref: "#/$defs/Missing" }] })).toThrow(/points nowhere/);
});

it("humanises names", () => {
  expect(humanise("ref_images_url")).toBe("Ref images url");
  expect(humanise("VideoOutpainting")).toBe("Video outpainting");
});
