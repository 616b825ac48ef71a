// Reads the request JSON Schema exported by Python into plain field descriptions the form renders.
// The schema is the only source of fields and limits: nothing here names a field of a VACE request.
// Both pydantic's raw output (nullable `anyOf`, `x-api-default`, `$ref` enums) and the post-processed
// form (flat types, `default`) are accepted, so a change in the Python post-processing cannot blank
// the form.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type SchemaObject = { [key: string]: unknown };

export type MediaKind = "image" | "video";
export type EnumValue = string | number | boolean;

export type NodeSpec =
  | { kind: "enum"; options: EnumValue[] }
  | { kind: "boolean" }
  | {
      kind: "number";
      integer: boolean;
      minimum?: number;
      maximum?: number;
      exclusiveMinimum?: number;
      exclusiveMaximum?: number;
      multipleOf?: number;
      /** Rendering hint `x-step`: the slider/box step (not a validation rule). */
      step?: number;
    }
  | {
      kind: "string";
      multiline: boolean;
      media?: MediaKind;
      minLength?: number;
      maxLength?: number;
      pattern?: string;
      soft?: SoftLimit;
    }
  | {
      kind: "array";
      items: NodeSpec;
      minItems?: number;
      maxItems?: number;
      uniqueItems?: boolean;
      soft?: SoftLimit;
    }
  | { kind: "unsupported"; type: string };

/**
 * `x-soft`: a limit the service applies by trimming, not by refusing (a prompt over 800 characters
 * is cut). A longer value is valid: the form counts against it and the kernel's warning explains.
 */
export interface SoftLimit {
  maxLength?: number;
  maxItems?: number;
  /** What the service does past the limit, in words. */
  warning?: string;
}

function softOf(s: Record<string, unknown>): SoftLimit | undefined {
  const soft = s["x-soft"];
  if (!isObject(soft)) return undefined;
  return {
    maxLength: num(soft.maxLength),
    maxItems: num(soft.maxItems),
    warning: str(soft.warning),
  };
}

export interface FieldSpec {
  name: string;
  title: string;
  description?: string;
  required: boolean;
  /** The provider's documented default: shown in the control, never sent unless the user edits it. */
  default?: unknown;
  /** `x-pairs-with`: a list that needs one entry per item of this other list field. */
  pairsWith?: string;
  /** `x-group`: the key of the group of fields this one is shown with (see GroupSpec). */
  group?: string;
  /** `x-order`: its place in the model, the order within its group (else schema order). */
  order?: number;
  node: NodeSpec;
}

/**
 * A set of fields shown together (`x-groups` at the schema's root, in display order): everything
 * about the mask, the start and end of an extension, the knobs folded under "Advanced".
 */
export interface GroupSpec {
  key: string;
  title: string;
  description?: string;
  /** Starts closed (a disclosure the user opens). */
  folded: boolean;
  /** The function's fields in this group, in schema order. */
  fields: FieldSpec[];
}

export interface FunctionSpec {
  /** The discriminator value, e.g. the API's `function` name. */
  name: string;
  /** Name of the discriminator property (always added to the produced request). */
  discriminator: string;
  title: string;
  description?: string;
  fields: FieldSpec[];
  /** The fields by group, groups in the schema's order; only groups that have fields. */
  groups: GroupSpec[];
}

export class SchemaError extends Error {
  override name = "SchemaError";
}

const isObject = (v: unknown): v is SchemaObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Follows a local `#/...` JSON pointer. */
function lookup(root: SchemaObject, ref: string): SchemaObject {
  if (!ref.startsWith("#/")) throw new SchemaError(`only local $ref is supported (got ${ref})`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObject(node) ? node[key] : undefined;
  }
  if (!isObject(node)) throw new SchemaError(`$ref ${ref} points nowhere`);
  return node;
}

const isNullSchema = (v: unknown): boolean => isObject(v) && v.type === "null";

/**
 * Inlines `$ref`/`allOf` and drops the `null` branch pydantic emits for `X | None`; the outer
 * keywords (title, description, default) win over the referenced ones, as in JSON Schema 2020-12.
 */
export function resolveNode(root: SchemaObject, node: SchemaObject, depth = 0): SchemaObject {
  if (depth > 20) throw new SchemaError("$ref nesting too deep (cycle?)");
  let { $ref, allOf, anyOf, oneOf, ...rest } = node;
  let merged: SchemaObject = {};
  if (typeof $ref === "string") merged = resolveNode(root, lookup(root, $ref), depth + 1);
  if (Array.isArray(allOf) && allOf.every(isObject)) {
    for (const part of allOf) merged = { ...merged, ...resolveNode(root, part, depth + 1) };
    allOf = undefined;
  }
  for (const variants of [anyOf, oneOf]) {
    if (!Array.isArray(variants)) continue;
    const nonNull = variants.filter((v) => !isNullSchema(v));
    if (nonNull.length === 1 && isObject(nonNull[0])) {
      merged = { ...merged, ...resolveNode(root, nonNull[0], depth + 1) };
      if (variants === anyOf) anyOf = undefined;
      else oneOf = undefined;
    }
  }
  if (Array.isArray(rest.type)) {
    const types = rest.type.filter((t) => t !== "null");
    rest.type = types.length === 1 ? types[0] : types;
  }
  // A leftover union we could not flatten stays visible, so the node becomes "unsupported".
  const out: SchemaObject = { ...merged, ...rest };
  if (anyOf !== undefined) out.anyOf = anyOf;
  if (oneOf !== undefined) out.oneOf = oneOf;
  return out;
}

/** Turns one resolved property schema into the shape the controls understand. */
export function toNode(root: SchemaObject, raw: SchemaObject): NodeSpec {
  const s = resolveNode(root, raw);
  const values = "const" in s ? [s.const] : s.enum;
  if (Array.isArray(values) && values.length > 0) {
    return {
      kind: "enum",
      options: values.filter(
        (v): v is EnumValue =>
          typeof v === "string" || typeof v === "number" || typeof v === "boolean",
      ),
    };
  }
  switch (s.type) {
    case "boolean":
      return { kind: "boolean" };
    case "integer":
    case "number":
      return {
        kind: "number",
        integer: s.type === "integer",
        minimum: num(s.minimum),
        maximum: num(s.maximum),
        exclusiveMinimum: num(s.exclusiveMinimum),
        exclusiveMaximum: num(s.exclusiveMaximum),
        multipleOf: num(s.multipleOf),
        step: num(s["x-step"]),
      };
    case "string": {
      const media = s["x-media"] === "image" || s["x-media"] === "video" ? s["x-media"] : undefined;
      return {
        kind: "string",
        multiline: s["x-widget"] === "textarea",
        media,
        minLength: num(s.minLength),
        maxLength: num(s.maxLength),
        pattern: str(s.pattern),
        soft: softOf(s),
      };
    }
    case "array":
      return {
        kind: "array",
        items: isObject(s.items) ? toNode(root, s.items) : { kind: "unsupported", type: "any" },
        minItems: num(s.minItems),
        maxItems: num(s.maxItems),
        uniqueItems: s.uniqueItems === true,
        soft: softOf(s),
      };
    default:
      return { kind: "unsupported", type: JSON.stringify(s.type ?? s.anyOf ?? s.oneOf ?? "any") };
  }
}

/**
 * A fallback label: "ref_images_url" → "Ref images url", and pydantic's default model title (the
 * class name) "ImageReference" → "Image reference".
 */
export function humanise(name: string): string {
  const words = name
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`)
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A model title that is just a CamelCase class name reads better split into words. */
const readableTitle = (title: string): string =>
  /^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+$/.test(title) ? humanise(title) : title;

function fieldOf(root: SchemaObject, name: string, prop: SchemaObject, required: boolean) {
  const resolved = resolveNode(root, prop);
  // pydantic writes `default: null` for "not sent"; the documented value is then `x-api-default`.
  const documented = resolved.default ?? resolved["x-api-default"];
  const field: FieldSpec = {
    name,
    title: str(resolved.title) ?? humanise(name),
    description: str(resolved.description),
    required,
    node: toNode(root, prop),
  };
  if (documented !== undefined && documented !== null) field.default = documented;
  const pairsWith = str(resolved["x-pairs-with"]);
  if (pairsWith) field.pairsWith = pairsWith;
  const group = str(resolved["x-group"]);
  if (group) field.group = group;
  const order = num(resolved["x-order"]);
  if (order !== undefined) field.order = order;
  return field;
}

/** The group a field without `x-group` (an older kernel, pydantic's raw export) is shown in. */
export const UNGROUPED = "";

// Without groups (an older kernel): required fields first, then media and lists (the inputs most
// functions hinge on), then the knobs; schema order within each. A layout rule, not a field list.
function rank(field: FieldSpec): number {
  if (field.required) return 0;
  const node = field.node;
  if (node.kind === "array" || (node.kind === "string" && node.media)) return 1;
  return 2;
}

/**
 * Groups the fields as the schema's `x-groups` orders them. Fields naming no group, or one the
 * catalog lacks, go to one untitled group first, so no field is ever hidden by a missing hint.
 */
export function groupFields(root: SchemaObject, fields: FieldSpec[]): GroupSpec[] {
  const catalog = Array.isArray(root["x-groups"]) ? root["x-groups"].filter(isObject) : [];
  const known = catalog
    .map((g) => ({
      key: str(g.key) ?? "",
      title: str(g.title) ?? humanise(str(g.key) ?? ""),
      description: str(g.description) || undefined,
      folded: g.folded === true,
    }))
    .filter((g) => g.key !== UNGROUPED);
  const keys = new Set(known.map((g) => g.key));
  const loose = fields
    .filter((f) => !f.group || !keys.has(f.group))
    .sort((a, b) => rank(a) - rank(b));
  const groups: GroupSpec[] = [];
  if (loose.length > 0) groups.push({ key: UNGROUPED, title: "", folded: false, fields: loose });
  for (const g of known) {
    const members = fields
      .filter((f) => f.group === g.key)
      .sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
    if (members.length > 0) groups.push({ ...g, fields: members });
  }
  return groups;
}

function discriminatorOf(root: SchemaObject): string {
  const d = root.discriminator;
  return isObject(d) && typeof d.propertyName === "string" ? d.propertyName : "function";
}

/** The function's name: its discriminator constant (`const`, or a one-value `enum`). */
function constOf(root: SchemaObject, model: SchemaObject, prop: string): string | undefined {
  const props = model.properties;
  if (!isObject(props) || !isObject(props[prop])) return undefined;
  const p = resolveNode(root, props[prop]);
  if (typeof p.const === "string") return p.const;
  if (Array.isArray(p.enum) && p.enum.length === 1 && typeof p.enum[0] === "string")
    return p.enum[0];
  return undefined;
}

/** Every function in the schema, in the order of its `oneOf`. */
export function listFunctions(schema: unknown): FunctionSpec[] {
  if (!isObject(schema)) throw new SchemaError("the request schema is not a JSON object");
  const discriminator = discriminatorOf(schema);
  const variants = Array.isArray(schema.oneOf)
    ? schema.oneOf
    : Array.isArray(schema.anyOf)
      ? schema.anyOf
      : [];
  if (variants.length === 0) throw new SchemaError("the request schema has no oneOf of functions");
  return variants.filter(isObject).map((variant) => {
    const model = resolveNode(schema, variant);
    const name = constOf(schema, model, discriminator);
    if (!name) throw new SchemaError(`a oneOf entry has no constant "${discriminator}" property`);
    const props = isObject(model.properties) ? model.properties : {};
    const required = new Set(Array.isArray(model.required) ? model.required : []);
    const fields = Object.entries(props)
      .filter(([key, prop]) => key !== discriminator && isObject(prop))
      .map(([key, prop]) => fieldOf(schema, key, prop as SchemaObject, required.has(key)));
    return {
      name,
      discriminator,
      title: readableTitle(str(model.title) ?? humanise(name)),
      description: str(model.description),
      fields,
      groups: groupFields(schema, fields),
    };
  });
}

export function functionSpec(schema: unknown, functionName: string): FunctionSpec {
  const all = listFunctions(schema);
  const found = all.find((f) => f.name === functionName);
  if (!found) {
    const known = all.map((f) => f.name).join(", ");
    throw new SchemaError(`unknown function "${functionName}" (the schema has ${known})`);
  }
  return found;
}
