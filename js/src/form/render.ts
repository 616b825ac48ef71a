// renderForm: the form for one function, generated from the request schema. It owns the form state:
// which fields the user touched (only those are sent), which errors are visible, pending uploads.

import { createControl } from "./controls";
import { h, uniquePrefix } from "./dom";
import { type FieldView, type FixHint, renderField } from "./field";
import { type GroupView, renderGroup } from "./groups";
import { type FieldSpec, type FunctionSpec, functionSpec } from "./schema";
import { isBlank, validateField } from "./validate";

export type RequestValue = Record<string, unknown>;
export type FieldErrors = Record<string, string>;
export type FieldFixes = Record<string, FixHint[]>;

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
  /** A picture of a kernel-side file a media field names (a URL the form then owns), or null. */
  onThumbnail?: (ref: string) => Promise<string | null>;
  /** Initial server-side errors, as for setErrors. */
  errors?: FieldErrors;
  /** Prefix of element ids; defaults to a random one, so several widget views never clash. */
  idPrefix?: string;
}

export interface FormHandle {
  readonly el: HTMLFormElement;
  readonly spec: FunctionSpec;
  /** The request: the discriminator plus the fields the user set (untouched optional fields omitted). */
  getValue(): RequestValue;
  setValue(value: RequestValue): void;
  /**
   * Shows authoritative (kernel) errors, by field name; unknown names go to the form's error box.
   * `fixes` are the Python helpers that repair a field's media, shown under its error.
   */
  setErrors(errors: FieldErrors, fixes?: FieldFixes): void;
  /**
   * Shows the kernel's warnings (what the service trims or ignores), by field name, with the
   * helpers that remove them; unknown names go to the form's warning box. Replaces earlier ones.
   */
  setWarnings(warnings: FieldErrors, fixes?: FieldFixes): void;
  /** Shows every client-side error (also on untouched fields) and returns them. */
  validate(): FieldErrors;
  /** No client-side error and no upload in flight (kernel errors are not re-checked here). */
  isValid(): boolean;
  /** The client-side errors now, by field, without showing them (e.g. to explain a disabled Submit). */
  problems(): FieldErrors;
  focus(field: string): void;
  destroy(): void;
}

/** "ref_images_url.1" or "ref_images_url[1]" (pydantic error locations) → "ref_images_url". */
const baseName = (key: string) => key.split(/[.[]/)[0] ?? key;

export function renderForm(
  schema: unknown,
  functionName: string,
  options: FormOptions = {},
): FormHandle {
  const spec = functionSpec(schema, functionName);
  const prefix = options.idPrefix ?? `${uniquePrefix()}-${spec.name}`;
  // Laid out by the schema's groups (`x-group`), in their order; schema order inside each.
  const fields = spec.groups.flatMap((group) => group.fields);
  const byName = new Map(fields.map((f) => [f.name, f]));
  // A list paired with another list (`x-pairs-with`) is edited inside that list's rows: its
  // "companion". It has no frame of its own; its errors show under the list it pairs with.
  const companionOf = new Map<string, FieldSpec>();
  const hostOf = new Map<string, FieldSpec>();
  for (const field of fields) {
    const host = field.pairsWith ? byName.get(field.pairsWith) : undefined;
    if (
      host &&
      host.node.kind === "array" &&
      field.node.kind === "array" &&
      !companionOf.has(host.name)
    ) {
      companionOf.set(host.name, field);
      hostOf.set(field.name, host);
    }
  }

  const values = new Map<string, unknown>(); // only what the user set
  const shown = new Set<string>(); // fields whose client-side errors are visible
  const pending = new Map<string, string>(); // "field#index" → file name being uploaded
  let server: FieldErrors = {};
  let fixes: FieldFixes = {};
  let warned: FieldErrors = {};
  let warnFixes: FieldFixes = {};
  const views = new Map<string, FieldView>();
  const groupViews = spec.groups.map((group) => ({
    group,
    view: renderGroup(group, group.fields.filter((f) => !hostOf.has(f.name)).length),
  }));
  const groupOf = new Map<string, GroupView>();
  for (const { group, view } of groupViews) {
    for (const field of group.fields) groupOf.set(field.name, view);
  }

  const formErrors = h("ul", { class: "vs-form-errors", role: "alert", hidden: true });
  const formWarnings = h("ul", { class: "vs-form-warnings vs-warning", hidden: true });
  const el = h(
    "form",
    { class: "vs-form", novalidate: true, "data-function": spec.name, "aria-label": spec.title },
    spec.description ? h("p", { class: "vs-form-description" }, spec.description) : null,
    formErrors,
    formWarnings,
    ...groupViews.map(({ view }) => view.el),
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

  const errorOf = (field: FieldSpec): string | null => {
    const client = shown.has(field.name) ? clientError(field) : null;
    return client ?? server[field.name] ?? null;
  };

  const refresh = (field: FieldSpec) => {
    const host = hostOf.get(field.name);
    if (host) return refresh(host);
    const view = views.get(field.name);
    if (!view) return;
    const companion = companionOf.get(field.name);
    view.showError(errorOf(field) ?? (companion ? errorOf(companion) : null));
    view.showWarning(
      [warned[field.name], companion ? warned[companion.name] : undefined]
        .filter(Boolean)
        .join("; ") || null,
    );
    const hints = [
      ...(fixes[field.name] ?? []),
      ...(companion ? (fixes[companion.name] ?? []) : []),
      ...(warnFixes[field.name] ?? []),
      ...(companion ? (warnFixes[companion.name] ?? []) : []),
    ];
    // One hint per helper: an error and a warning may name the same one.
    view.showFixes(hints.filter((hint, i) => hints.findIndex((o) => o.call === hint.call) === i));
    view.setTouched(values.has(field.name));
    refreshGroup(groupOf.get(field.name));
  };

  // A folded group counts what is set inside it and opens when something inside is wrong.
  const refreshGroup = (view: GroupView | undefined) => {
    const members = groupViews.find((g) => g.view === view)?.group.fields;
    if (!view || !members) return;
    const set = members.filter((f) => values.has(f.name)).length;
    view.update(
      set,
      members.some((f) => errorOf(f) !== null),
    );
  };

  const refreshFormErrors = () => {
    const stray = Object.entries(server).filter(([name]) => !byName.has(name));
    formErrors.replaceChildren(
      ...stray.map(([name, message]) =>
        h("li", {}, name && name !== "__root__" ? `${name}: ${message}` : message),
      ),
    );
    formErrors.hidden = stray.length === 0;
    const loose = Object.entries(warned).filter(([name]) => !byName.has(name));
    formWarnings.replaceChildren(...loose.map(([, message]) => h("li", {}, `Note: ${message}`)));
    formWarnings.hidden = loose.length === 0;
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
        `${field.title} expects ${kind === "image" ? "an image" : "a video"} file (got "${file.name}", type ${file.type || "not given"})`;
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

  const forget = (name: string) => {
    delete server[name]; // the kernel's verdict was about the old value
    delete fixes[name];
    delete warned[name];
    delete warnFixes[name];
  };

  for (const field of fields) {
    if (hostOf.has(field.name)) continue; // edited inside its host list
    const companion = companionOf.get(field.name);
    const view = renderField(field, `${prefix}-${field.name}`, {
      makeControl: createControl,
      onInput(value) {
        setUserValue(field, value);
        shown.add(field.name); // instant validation once the user has touched the field
        forget(field.name);
        // Every field, not just this one: a paired list's error depends on this value too.
        for (const f of fields) refresh(f);
        refreshFormErrors();
        changed();
      },
      onReset() {
        for (const f of companion ? [field, companion] : [field]) {
          values.delete(f.name);
          shown.delete(f.name);
          forget(f.name);
        }
        view.control.set(undefined);
        refresh(field);
        changed();
        view.focus();
      },
      upload: options.onFile ? (file, index = 0) => upload(field, index, file) : undefined,
      thumbnail: options.onThumbnail,
      companion: companion && {
        node: companion.node.kind === "array" ? companion.node.items : companion.node,
        label: companion.title,
        value: () => {
          const v = values.get(companion.name);
          return Array.isArray(v) ? v : undefined;
        },
        // A new row starts with the companion's first choice (for roles: "obj", a subject).
        fallback:
          companion.node.kind === "array" && companion.node.items.kind === "enum"
            ? companion.node.items.options[0]
            : undefined,
        onInput(list) {
          // Only stored here: the host list's onInput, which follows at once, refreshes.
          setUserValue(companion, list);
          shown.add(companion.name);
          forget(companion.name);
        },
      },
    });
    view.control.set(undefined);
    views.set(field.name, view);
    groupOf.get(field.name)?.body.append(view.el);
  }

  const handle: FormHandle = {
    el,
    spec,
    getValue,
    setValue(value) {
      values.clear();
      shown.clear();
      server = {};
      fixes = {};
      warned = {};
      warnFixes = {};
      // Every value first: a list's control reads its companion's value when it is set.
      for (const field of fields) {
        setUserValue(field, value[field.name]);
        if (values.has(field.name)) shown.add(field.name);
      }
      for (const field of fields) {
        views.get(field.name)?.control.set(values.get(field.name));
        refresh(field);
      }
      refreshFormErrors();
    },
    setErrors(errors, fixHints = {}) {
      server = {};
      fixes = {};
      for (const [key, message] of Object.entries(errors)) {
        const name = byName.has(baseName(key)) ? baseName(key) : key;
        server[name] = server[name] ? `${server[name]}; ${message}` : message;
      }
      for (const [key, list] of Object.entries(fixHints)) {
        const name = byName.has(baseName(key)) ? baseName(key) : key;
        fixes[name] = [...(fixes[name] ?? []), ...list];
      }
      for (const field of fields) refresh(field);
      refreshFormErrors();
    },
    setWarnings(warnings, fixHints = {}) {
      warned = {};
      warnFixes = {};
      for (const [key, message] of Object.entries(warnings)) {
        const name = byName.has(baseName(key)) ? baseName(key) : key;
        warned[name] = warned[name] ? `${warned[name]}; ${message}` : message;
      }
      for (const [key, list] of Object.entries(fixHints)) {
        const name = byName.has(baseName(key)) ? baseName(key) : key;
        warnFixes[name] = [...(warnFixes[name] ?? []), ...list];
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
      const base = baseName(name);
      const target = hostOf.get(base)?.name ?? base;
      groupOf.get(target)?.reveal();
      views.get(target)?.focus();
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
