// renderForm: the form for one function, generated from the request schema. It owns the form state:
// which fields the user touched (only those are sent), which errors are visible, pending uploads.

import { createControl } from "./controls";
import { h } from "./dom";
import { type FieldView, renderField } from "./field";
import { type FieldSpec, type FunctionSpec, functionSpec } from "./schema";
import { isBlank, validateField } from "./validate";

export type RequestValue = Record<string, unknown>;
export type FieldErrors = Record<string, string>;

export interface FormOptions {
  /** Initial values; each one counts as set by the user (it will be sent). */
  value?: RequestValue;
  /** Called after every user edit with the request as it would be sent. */
  onChange?: (value: RequestValue, valid: boolean) => void;
  /**
   * Receives a picked or dropped file for a media field (`index` = position in a list field, else 0)
   * and returns the reference to store, e.g. the kernel-side path. Without it, media fields take
   * typed URLs only. A rejection is shown as the field's error.
   */
  onFile?: (
    field: string,
    index: number,
    file: File,
  ) => Promise<string | undefined> | string | undefined;
  /** Initial server-side errors, as for setErrors. */
  errors?: FieldErrors;
  /** Prefix of element ids; defaults to a per-page counter so several widget views never clash. */
  idPrefix?: string;
}

export interface FormHandle {
  readonly el: HTMLFormElement;
  readonly spec: FunctionSpec;
  /** The request: the discriminator plus the fields the user set (untouched optional fields omitted). */
  getValue(): RequestValue;
  setValue(value: RequestValue): void;
  /** Shows authoritative (kernel) errors, by field name; unknown names go to the form's error box. */
  setErrors(errors: FieldErrors): void;
  /** Shows every client-side error (also on untouched fields) and returns them. */
  validate(): FieldErrors;
  /** No client-side error and no upload in flight (kernel errors are not re-checked here). */
  isValid(): boolean;
  /** The client-side errors now, by field, without showing them (e.g. to explain a disabled Submit). */
  problems(): FieldErrors;
  focus(field: string): void;
  destroy(): void;
}

let formCounter = 0;

// Required fields first, then media and lists (the inputs most functions hinge on), then the knobs;
// schema order within each group. This is a layout rule, not a field list.
function layoutRank(field: FieldSpec): number {
  if (field.required) return 0;
  const node = field.node;
  if (node.kind === "array" || (node.kind === "string" && node.media)) return 1;
  return 2;
}

/** "ref_images_url.1" or "ref_images_url[1]" (pydantic error locations) → "ref_images_url". */
const baseName = (key: string) => key.split(/[.[]/)[0] ?? key;

export function renderForm(
  schema: unknown,
  functionName: string,
  options: FormOptions = {},
): FormHandle {
  const spec = functionSpec(schema, functionName);
  const prefix = options.idPrefix ?? `vs${++formCounter}-${spec.name}`;
  const fields = [...spec.fields].sort((a, b) => layoutRank(a) - layoutRank(b));
  const byName = new Map(fields.map((f) => [f.name, f]));

  const values = new Map<string, unknown>(); // only what the user set
  const shown = new Set<string>(); // fields whose client-side errors are visible
  const pending = new Map<string, string>(); // "field#index" → file name being uploaded
  let server: FieldErrors = {};
  const views = new Map<string, FieldView>();

  const formErrors = h("ul", { class: "vs-form-errors", role: "alert", hidden: true });
  const el = h(
    "form",
    { class: "vs-form", novalidate: true, "data-function": spec.name, "aria-label": spec.title },
    spec.description ? h("p", { class: "vs-form-description" }, spec.description) : null,
    formErrors,
  );
  // Never submit on Enter: a submit creates a paid task, so only the explicit button may do it.
  el.addEventListener("submit", (event) => event.preventDefault());

  const pendingFor = (name: string) =>
    [...pending].filter(([key]) => key.startsWith(`${name}#`)).map(([, file]) => file);

  const clientError = (field: FieldSpec): string | null => {
    const uploading = pendingFor(field.name);
    if (uploading.length > 0) return `${field.title}: still uploading ${uploading.join(", ")}`;
    return validateField(field, values.get(field.name)) ?? pairingError(field);
  };

  // `x-pairs-with` (a schema hint): a list with one entry per item of another list, such as a role
  // per reference image. Checked only when both are set; "may be omitted" rules stay in Python.
  const pairingError = (field: FieldSpec): string | null => {
    const other = field.pairsWith ? byName.get(field.pairsWith) : undefined;
    const mine = values.get(field.name);
    const theirs = other ? values.get(other.name) : undefined;
    if (!other || !Array.isArray(mine) || !Array.isArray(theirs) || mine.length === theirs.length) {
      return null;
    }
    return `${field.title} needs one entry per item of ${other.title} (got ${mine.length} for ${theirs.length})`;
  };

  const refresh = (field: FieldSpec) => {
    const view = views.get(field.name);
    if (!view) return;
    const client = shown.has(field.name) ? clientError(field) : null;
    view.showError(client ?? server[field.name] ?? null);
    view.setTouched(values.has(field.name));
  };

  const refreshFormErrors = () => {
    const stray = Object.entries(server).filter(([name]) => !byName.has(name));
    formErrors.replaceChildren(
      ...stray.map(([name, message]) =>
        h("li", {}, name && name !== "__root__" ? `${name}: ${message}` : message),
      ),
    );
    formErrors.hidden = stray.length === 0;
  };

  const getValue = (): RequestValue => {
    const out: RequestValue = { [spec.discriminator]: spec.name };
    for (const field of spec.fields) {
      if (values.has(field.name)) out[field.name] = values.get(field.name);
      else if (field.required && field.default !== undefined) out[field.name] = field.default;
    }
    return out;
  };
  const errorsNow = (): FieldErrors => {
    const errors: FieldErrors = {};
    for (const field of fields) {
      const message = clientError(field);
      if (message) errors[field.name] = message;
    }
    return errors;
  };
  const isValid = () => Object.keys(errorsNow()).length === 0;
  const changed = () => options.onChange?.(getValue(), isValid());

  const setUserValue = (field: FieldSpec, value: unknown) => {
    // A blank entry or an emptied list means "not given": the provider default applies.
    if (isBlank(value) || (Array.isArray(value) && value.length === 0)) values.delete(field.name);
    else values.set(field.name, value);
  };

  const upload = async (field: FieldSpec, index: number, file: File) => {
    const onFile = options.onFile;
    if (!onFile) return undefined;
    const node = field.node.kind === "array" ? field.node.items : field.node;
    const kind = node.kind === "string" ? node.media : undefined;
    if (kind && !file.type.startsWith(`${kind}/`)) {
      server[field.name] =
        `${field.title} expects ${kind === "image" ? "an image" : "a video"} file (got "${file.name}", type ${file.type || "unknown"})`;
      refresh(field);
      return undefined;
    }
    const key = `${field.name}#${index}`;
    pending.set(key, file.name);
    delete server[field.name];
    refresh(field);
    try {
      const ref = await onFile(field.name, index, file);
      return typeof ref === "string" ? ref : undefined;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      server[field.name] = `${field.title}: could not upload "${file.name}": ${reason}`;
      return undefined;
    } finally {
      pending.delete(key);
      refresh(field);
      changed();
    }
  };

  for (const field of fields) {
    const view = renderField(field, `${prefix}-${field.name}`, {
      makeControl: createControl,
      onInput(value) {
        setUserValue(field, value);
        shown.add(field.name); // instant validation once the user has touched the field
        delete server[field.name]; // the kernel's verdict was about the old value
        // Every field, not just this one: a paired list's error depends on this value too.
        for (const f of fields) refresh(f);
        refreshFormErrors();
        changed();
      },
      onReset() {
        values.delete(field.name);
        shown.delete(field.name);
        delete server[field.name];
        view.control.set(undefined);
        refresh(field);
        changed();
        view.focus();
      },
      upload: options.onFile ? (file, index = 0) => upload(field, index, file) : undefined,
    });
    view.control.set(undefined);
    views.set(field.name, view);
    el.append(view.el);
  }

  const handle: FormHandle = {
    el,
    spec,
    getValue,
    setValue(value) {
      values.clear();
      shown.clear();
      server = {};
      for (const field of fields) {
        const v = value[field.name];
        setUserValue(field, v);
        if (values.has(field.name)) shown.add(field.name);
        views.get(field.name)?.control.set(values.get(field.name));
        refresh(field);
      }
      refreshFormErrors();
    },
    setErrors(errors) {
      server = {};
      for (const [key, message] of Object.entries(errors)) {
        const name = byName.has(baseName(key)) ? baseName(key) : key;
        server[name] = server[name] ? `${server[name]}; ${message}` : message;
      }
      for (const field of fields) refresh(field);
      refreshFormErrors();
    },
    validate() {
      for (const field of fields) shown.add(field.name);
      for (const field of fields) refresh(field);
      return errorsNow();
    },
    isValid,
    problems: errorsNow,
    focus(name) {
      views.get(baseName(name))?.focus();
    },
    destroy() {
      for (const view of views.values()) view.control.destroy?.();
      el.remove();
    },
  };
  if (options.value) handle.setValue(options.value);
  if (options.errors) handle.setErrors(options.errors);
  return handle;
}
