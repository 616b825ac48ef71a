import { describe, expect, it } from "vitest";
import type { FieldSpec, NodeSpec } from "../src/form/schema";
import { functionSpec } from "../src/form/schema";
import {
  charCount,
  checkNode,
  describe as show,
  validateField,
  validateRequest,
} from "../src/form/validate";
import plainValues from "./fixtures/plain_values.json";
import { SCHEMA } from "./helpers";

const field = (node: NodeSpec, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  name: "x",
  title: "X",
  required: false,
  node,
  ...extra,
});

describe("validateField names the field, the rule and the value", () => {
  it.each([
    [
      { kind: "string", multiline: true, minLength: 1, maxLength: 5 },
      "abcdef",
      "X must be at most 5 characters (got 6)",
    ],
    [
      { kind: "string", multiline: false, minLength: 3 },
      "ab",
      "X must be at least 3 characters long (got 2)",
    ],
    [
      { kind: "string", multiline: false, pattern: "^a" },
      "b",
      'X must match the pattern ^a (got "b")',
    ],
    [
      { kind: "number", integer: false, minimum: 0, maximum: 1 },
      1.5,
      "X must be between 0 and 1 (got 1.5)",
    ],
    [{ kind: "number", integer: true, minimum: 1 }, 0, "X must be at least 1 (got 0)"],
    [{ kind: "number", integer: true, maximum: 9 }, 10, "X must be at most 9 (got 10)"],
    [{ kind: "number", integer: true }, 2.5, "X must be a whole number (got 2.5)"],
    [
      { kind: "number", integer: false, exclusiveMinimum: 0 },
      0,
      "X must be greater than 0 (got 0)",
    ],
    [
      { kind: "number", integer: false, multipleOf: 0.1 },
      0.25,
      "X must be a multiple of 0.1 (got 0.25)",
    ],
    [{ kind: "enum", options: ["obj", "bg"] }, "sky", 'X must be "obj" or "bg" (got "sky")'],
    [
      { kind: "array", items: { kind: "enum", options: ["a"] }, maxItems: 1 },
      ["a", "a"],
      "X allows at most 1 item (got 2)",
    ],
    [
      { kind: "array", items: { kind: "enum", options: ["a"] }, minItems: 2 },
      ["a"],
      "X needs at least 2 items (got 1)",
    ],
    [
      { kind: "array", items: { kind: "enum", options: ["a", "b"] } },
      ["a", "c"],
      'X item 2 must be "a" or "b" (got "c")',
    ],
    [
      { kind: "array", items: { kind: "string", multiline: false } },
      ["a", ""],
      "X item 2 is empty",
    ],
  ] as [NodeSpec, unknown, string][])("%j with %j", (node, value, message) => {
    expect(validateField(field(node), value)).toBe(message);
  });

  it("accepts values on the bounds and float noise on multipleOf", () => {
    const node: NodeSpec = {
      kind: "number",
      integer: false,
      minimum: 0,
      maximum: 1,
      multipleOf: 0.1,
    };
    for (const v of [0, 1, 0.3, 0.7]) expect(checkNode(node, v)).toBeNull();
  });

  it("reports a missing required value, and lets a missing optional one pass", () => {
    const text: NodeSpec = { kind: "string", multiline: false, minLength: 1 };
    expect(validateField(field(text, { required: true }), undefined)).toBe("X is required");
    expect(validateField(field(text, { required: true }), "   ")).toBe("X is required");
    expect(validateField(field(text), undefined)).toBeNull();
    const list: NodeSpec = { kind: "array", items: text, minItems: 1 };
    expect(validateField(field(list, { required: true }), [])).toBe(
      "X needs at least 1 item (got 0)",
    );
  });

  it("counts characters as code points, like Python", () => {
    expect(charCount("😀😀")).toBe(2);
    const node: NodeSpec = { kind: "string", multiline: false, maxLength: 2 };
    expect(checkNode(node, "😀😀")).toBeNull();
  });

  it("shortens long values", () => {
    expect(show("a".repeat(100))).toBe(`"${"a".repeat(57)}..."`);
    expect(show(undefined)).toBe("nothing");
  });
});

it("validateRequest checks every field of a function from the schema", () => {
  const spec = functionSpec(SCHEMA, "image_reference");
  expect(validateRequest(spec, { function: "image_reference" })).toEqual({
    prompt: "Prompt is required",
    ref_images_url: "Reference images needs at least 1 item (got 0)",
  });
  expect(
    validateRequest(spec, {
      function: "image_reference",
      prompt: "p".repeat(801),
      ref_images_url: ["https://x/a.png"],
      seed: -1,
      size: "1*1",
    }),
  ).toEqual({
    prompt: "Prompt must be at most 800 characters (got 801)",
    seed: "Seed must be between 0 and 2147483647 (got -1)",
    size: 'Size must be one of "1280*720", "720*1280", "960*960", "832*1088" or "1088*832" (got "1*1")',
  });
});

// The kernel re-words its errors with the same plain values (Python's `plain_value` writes these
// samples: tests/widget/test_wording.py), so an error reads alike whichever side found it.
it("describes values as the kernel's errors do", () => {
  for (const [value, plain] of plainValues as [unknown, string][]) {
    expect(show(value), JSON.stringify(value)).toBe(plain);
  }
});
