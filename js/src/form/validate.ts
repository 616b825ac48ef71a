// Instant client-side checks, straight from the schema keywords. They mirror what pydantic will say
// so a student sees the problem before submitting; the kernel's answer stays authoritative (cross-field
// rules such as "exactly one mask" exist only in Python and arrive through setErrors).
// Messages name the field, the rule and the value: "Prompt must be at most 800 characters (got 812)".

import type { FieldSpec, FunctionSpec, NodeSpec } from "./schema";

const isScalar = (v: unknown) => ["string", "number", "boolean"].includes(typeof v);

/**
 * A short, readable rendering of a user value, the same as the kernel's re-worded errors (Python's
 * `plain_value`; `test/fixtures/plain_values.json` holds samples both sides check): `nothing`,
 * `"a cat"`, `2.5`, `true`, a short list's items (`"bg", "bg"`) or `4 items`.
 */
export function describe(value: unknown): string {
  if (value === undefined || value === null || value === "") return "nothing";
  if (typeof value === "string") {
    const shown = value.length <= 60 ? value : `${value.slice(0, 57)}...`;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && value.length <= 3 && value.every(isScalar)) {
      return value.map(describe).join(", ");
    }
    return value.length === 1 ? "1 item" : `${value.length} items`;
  }
  return String(value);
}

/** The allowed values, worded as the kernel words them: `must be "a" or "b"`. */
function choices(options: unknown[]): string {
  const shown = options.map((o) => describe(o));
  if (shown.length === 1) return `can only be ${shown[0]}`;
  const listed = `${shown.slice(0, -1).join(", ")} or ${shown[shown.length - 1]}`;
  return shown.length === 2 ? `must be ${listed}` : `must be one of ${listed}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Characters as JSON Schema and Python count them (code points, not UTF-16 units). */
export const charCount = (s: string): number => Array.from(s).length;

/** True when the value counts as "not given" (blank inputs are not sent). */
export const isBlank = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/** The broken rule for one value, phrased to follow the field's name; null when it is fine. */
export function checkNode(node: NodeSpec, value: unknown): string | null {
  switch (node.kind) {
    case "enum":
      if (node.options.some((o) => o === value)) return null;
      return `${choices(node.options)} (got ${describe(value)})`;
    case "boolean":
      return typeof value === "boolean" ? null : `must be on or off (got ${describe(value)})`;
    case "number":
      return checkNumber(node, value);
    case "string":
      return checkString(node, value);
    case "array":
      return checkArray(node, value);
    case "unsupported":
      return null;
  }
}

function checkNumber(node: Extract<NodeSpec, { kind: "number" }>, value: unknown): string | null {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return `must be a number (got ${describe(value)})`;
  }
  if (node.integer && !Number.isInteger(value)) return `must be a whole number (got ${value})`;
  const { minimum: lo, maximum: hi } = node;
  if (lo !== undefined && hi !== undefined && (value < lo || value > hi)) {
    return `must be between ${lo} and ${hi} (got ${value})`;
  }
  if (lo !== undefined && value < lo) return `must be at least ${lo} (got ${value})`;
  if (hi !== undefined && value > hi) return `must be at most ${hi} (got ${value})`;
  if (node.exclusiveMinimum !== undefined && value <= node.exclusiveMinimum) {
    return `must be greater than ${node.exclusiveMinimum} (got ${value})`;
  }
  if (node.exclusiveMaximum !== undefined && value >= node.exclusiveMaximum) {
    return `must be less than ${node.exclusiveMaximum} (got ${value})`;
  }
  if (node.multipleOf !== undefined) {
    const q = value / node.multipleOf;
    // Tolerate float noise such as 0.3 / 0.1 = 2.9999999999999996.
    if (Math.abs(q - Math.round(q)) > 1e-9) {
      return `must be a multiple of ${node.multipleOf} (got ${value})`;
    }
  }
  return null;
}

function checkString(node: Extract<NodeSpec, { kind: "string" }>, value: unknown): string | null {
  if (typeof value !== "string") return `must be text (got ${describe(value)})`;
  const n = charCount(value);
  if (node.minLength !== undefined && n < node.minLength) {
    return `must be at least ${plural(node.minLength, "character")} long (got ${n})`;
  }
  if (node.maxLength !== undefined && n > node.maxLength) {
    return `must be at most ${plural(node.maxLength, "character")} (got ${n})`;
  }
  if (node.pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(node.pattern, "u");
    } catch {
      re = undefined; // a Python-only regex dialect: leave the check to the kernel
    }
    if (re && !re.test(value))
      return `must match the pattern ${node.pattern} (got ${describe(value)})`;
  }
  return null;
}

function checkArray(node: Extract<NodeSpec, { kind: "array" }>, value: unknown): string | null {
  if (!Array.isArray(value)) return `must be a list (got ${describe(value)})`;
  if (node.minItems !== undefined && value.length < node.minItems) {
    return `needs at least ${plural(node.minItems, "item")} (got ${value.length})`;
  }
  if (node.maxItems !== undefined && value.length > node.maxItems) {
    return `allows at most ${plural(node.maxItems, "item")} (got ${value.length})`;
  }
  for (const [i, item] of value.entries()) {
    if (isBlank(item)) return `item ${i + 1} is empty`;
    const broken = checkNode(node.items, item);
    if (broken) return `item ${i + 1} ${broken}`;
  }
  if (node.uniqueItems) {
    const seen = value.map((v) => JSON.stringify(v));
    const dup = seen.findIndex((v, i) => seen.indexOf(v) !== i);
    if (dup >= 0) return `must not repeat items (item ${dup + 1} repeats ${describe(value[dup])})`;
  }
  return null;
}

/** The full message for one field, or null. `value === undefined` means "not given". */
export function validateField(field: FieldSpec, value: unknown): string | null {
  if (isBlank(value) || (Array.isArray(value) && value.length === 0 && field.required)) {
    if (!field.required) return null;
    const node = field.node;
    if (node.kind === "array" && node.minItems !== undefined && node.minItems > 0) {
      return `${field.title} needs at least ${plural(node.minItems, "item")} (got 0)`;
    }
    return `${field.title} is required`;
  }
  const broken = checkNode(field.node, value);
  return broken ? `${field.title} ${broken}` : null;
}

/** Every client-side error of a request value, by field name (empty when valid). */
export function validateRequest(
  spec: FunctionSpec,
  value: Record<string, unknown>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of spec.fields) {
    const message = validateField(field, value[field.name]);
    if (message) errors[field.name] = message;
  }
  return errors;
}
