// The forms: one tab per function (generated from the schema), each with a Submit button that is
// enabled only while the request is valid, the estimated cost, a status line, and (for functions
// the kernel can draw) a preview beside the form. Talks to the kernel only through the Channel.
// The task cards live in tasks.ts.

import { h, uniquePrefix } from "../form/dom";
import type { FixHint } from "../form/field";
import {
  type FieldErrors,
  type FieldFixes,
  type FormHandle,
  type RequestValue,
  renderForm,
} from "../form/render";
import { listFunctions } from "../form/schema";
import { type Channel, RequestError } from "../messages";
import { attachTools, type ToolsHandle } from "../tools/attach";
import { uploadFile } from "../upload";
import { money } from "./format";
import { createPreview, type PreviewHandle } from "./preview";
import { type Stick, stickSides } from "./stick";
import { createTabs } from "./tabs";

export interface StudioState {
  /** Selected function. */
  selected?: string;
  /** What the user set in each form, by function. */
  values?: Record<string, RequestValue>;
}

export interface StudioHandle {
  /** UI-only state, carried over when the schema trait changes (never synced to Python). */
  snapshot(): StudioState;
  /** "Edit as new": shows `request` in its function's form, ready to change and submit. */
  edit(fn: string, request: RequestValue): void;
  /** Function name → its title, for the task cards. */
  titles: Map<string, string>;
  destroy(): void;
}

export interface StudioOptions {
  /** Function → the fields its preview depends on (the `preview_fields` trait). */
  previewFields?: Record<string, string[]>;
  /** Prefix of every element id (unique per view: see `uniquePrefix`). */
  idPrefix?: string;
}

/** The repair helpers in a list of problems (`problems` or `warnings` of an answer), by field. */
function fixHints(problems: unknown): FieldFixes {
  const out: FieldFixes = {};
  if (!Array.isArray(problems)) return out;
  for (const p of problems as Record<string, unknown>[]) {
    if (typeof p.fix !== "string" || typeof p.call !== "string" || typeof p.field !== "string") {
      continue;
    }
    const hint: FixHint = { fix: p.fix, call: p.call };
    out[p.field] = [...(out[p.field] ?? []), hint];
  }
  return out;
}

/** The repair helpers in a failed answer's `problems`, by field. */
export function fixesOf(error: unknown): FieldFixes {
  return fixHints(error instanceof RequestError ? error.detail.problems : undefined);
}

/**
 * The warnings of a `validate` answer (or of a refusal, which carries them too): what the service
 * will trim or ignore, by field, in the form's words (the kernel words them), with their helpers.
 */
export function warningsOf(list: unknown): { warnings: FieldErrors; fixes: FieldFixes } {
  const warnings: FieldErrors = {};
  if (Array.isArray(list)) {
    for (const w of list as Record<string, unknown>[]) {
      if (typeof w.message !== "string") continue;
      const field = typeof w.field === "string" ? w.field : "";
      warnings[field] = warnings[field] ? `${warnings[field]}; ${w.message}` : w.message;
    }
  }
  return { warnings, fixes: fixHints(list) };
}

const SUBMIT_TIMEOUT_MS = 60_000;
const VALIDATE_TIMEOUT_MS = 10_000;
const VALIDATE_DEBOUNCE_MS = 400;

export function renderStudio(
  root: HTMLElement,
  schema: unknown,
  channel: Channel,
  previous: StudioState = {},
  options: StudioOptions = {},
): StudioHandle {
  const prefix = options.idPrefix ?? uniquePrefix();
  const functions = listFunctions(schema);
  const forms = new Map<string, FormHandle>();
  const revalidate = new Map<string, () => void>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const previews: PreviewHandle[] = [];
  const tools: ToolsHandle[] = [];

  const tabs = functions.map((fn) => {
    const status = h("span", { class: "vs-status", role: "status" });
    const hint = h("span", { class: "vs-hint", id: `${prefix}-${fn.name}-hint` });
    const cost = h("span", { class: "vs-cost", "aria-live": "polite" });
    const submit = h(
      "button",
      {
        type: "button",
        class: "vs-button vs-primary vs-submit",
        "aria-describedby": hint.id,
        disabled: true,
      },
      "Submit",
    );
    let validateSeq = 0;
    let debounce: ReturnType<typeof setTimeout> | undefined;
    let kernelSaysInvalid = false;
    let submitting = false;

    // Submit is enabled only for a request that passes the schema's checks and that the kernel
    // did not reject; the hint names what is missing, since a disabled button cannot explain.
    const gate = () => {
      const problems = Object.keys(form.problems());
      const titles = problems.map((name) => form.spec.fields.find((f) => f.name === name)?.title);
      submit.disabled = submitting || problems.length > 0 || kernelSaysInvalid;
      if (problems.length > 0) hint.textContent = `To submit, complete: ${titles.join(", ")}.`;
      else if (kernelSaysInvalid) hint.textContent = "To submit, fix the fields marked in red.";
      else hint.textContent = "";
    };

    // The kernel's verdict covers what only Python knows (cross-field rules, local files, what
    // this provider accepts) and prices the request.
    const askKernel = (value: RequestValue) => {
      const seq = ++validateSeq;
      channel
        .request("validate", { request: value }, { timeoutMs: VALIDATE_TIMEOUT_MS })
        .then(({ msg }) => {
          if (seq !== validateSeq) return;
          kernelSaysInvalid = false;
          form.setErrors({});
          const { warnings, fixes } = warningsOf(msg.warnings);
          form.setWarnings(warnings, fixes);
          showCost(msg.cost, msg.simulated === true);
          gate();
        })
        .catch((error: unknown) => {
          if (seq !== validateSeq || !(error instanceof RequestError)) return;
          if (Object.keys(error.errors).length > 0) {
            kernelSaysInvalid = true;
            form.setErrors(error.errors, fixesOf(error));
          }
          const { warnings, fixes } = warningsOf(error.detail.warnings);
          form.setWarnings(warnings, fixes);
          cost.textContent = "";
          gate();
        });
    };

    const showCost = (value: unknown, simulated: boolean) => {
      if (simulated) cost.textContent = "Estimated cost: nothing (simulator)";
      else cost.textContent = typeof value === "number" ? `Estimated cost: ${money(value)}` : "";
    };

    const scheduleValidate = (valid: boolean) => {
      if (debounce !== undefined) {
        clearTimeout(debounce);
        timers.delete(debounce);
      }
      validateSeq++; // an answer about an older value must not overwrite newer errors
      kernelSaysInvalid = false;
      gate();
      if (!valid) return;
      debounce = setTimeout(() => askKernel(form.getValue()), VALIDATE_DEBOUNCE_MS);
      timers.add(debounce);
    };

    const watched = options.previewFields?.[fn.name] ?? [];
    const preview =
      watched.length > 0
        ? createPreview({
            channel,
            fields: watched,
            mediaFields: fn.fields
              .filter((f) => watched.includes(f.name) && f.node.kind === "string" && f.node.media)
              .map((f) => f.name),
            titles: Object.fromEntries(fn.fields.map((f) => [f.name, f.title])),
          })
        : null;
    if (preview) previews.push(preview);

    const form = renderForm(schema, fn.name, {
      idPrefix: `${prefix}-${fn.name}`,
      value: previous.values?.[fn.name],
      onFile: (field, index, file) => uploadFile(channel, field, index, file),
      onThumbnail: (ref) => kernelThumbnail(channel, ref),
      onChange(value, valid) {
        status.textContent = "";
        scheduleValidate(valid);
        preview?.changed(value, form.problems());
      },
    });
    forms.set(fn.name, form);
    tools.push(
      attachTools({
        channel,
        form,
        idPrefix: `${prefix}-${fn.name}-tools`,
        apply(fields) {
          form.setValue({ ...form.getValue(), ...fields });
          revalidate.get(fn.name)?.();
        },
      }),
    );
    revalidate.set(fn.name, () => {
      scheduleValidate(form.isValid());
      preview?.changed(form.getValue(), form.problems());
    });

    submit.addEventListener("click", async () => {
      // A validate still queued or in flight would only repeat what the submit answer says.
      if (debounce !== undefined) clearTimeout(debounce);
      validateSeq++;
      const errors = form.validate();
      const invalid = Object.keys(errors);
      if (invalid.length > 0) {
        status.textContent = `Please fix ${invalid.length === 1 ? "1 field" : `${invalid.length} fields`} first.`;
        form.focus(invalid[0] ?? "");
        return;
      }
      submitting = true;
      gate();
      status.textContent = "Submitting…";
      try {
        await channel.request(
          "submit",
          { request: form.getValue() },
          { timeoutMs: SUBMIT_TIMEOUT_MS },
        );
        status.textContent = "Submitted: its card is at the top of the task list.";
      } catch (error) {
        status.textContent = submitFailure(error);
        if (error instanceof RequestError && Object.keys(error.errors).length > 0) {
          kernelSaysInvalid = true;
          form.setErrors(error.errors, fixesOf(error));
          const { warnings, fixes } = warningsOf(error.detail.warnings);
          form.setWarnings(warnings, fixes);
          form.focus(Object.keys(error.errors)[0] ?? "");
        }
      } finally {
        submitting = false;
        gate();
      }
    });

    gate();
    if (previous.values?.[fn.name]) scheduleValidate(form.isValid());
    preview?.changed(form.getValue(), form.problems());
    const actions = h("div", { class: "vs-actions" }, submit, cost, hint, status);
    // The playground: the form on one side, the preview and Submit on the other, kept in view
    // while the form scrolls (stick.ts); stacked when the widget itself is narrow (a container
    // query on .vs-root in styles.css: the output area's width, not the window's).
    const side = h("div", { class: "vs-side" }, preview?.el ?? null, actions);
    const body = h(
      "div",
      { class: "vs-playground", "data-preview": preview ? "yes" : "no" },
      h("div", { class: "vs-form-main" }, form.el),
      side,
    );
    return { key: fn.name, label: fn.title, panel: body };
  });

  let stick: Stick | null = null; // set below; the tabs select their first one as they are built
  const tabView = createTabs(prefix, tabs, () => stick?.update());
  if (previous.selected && forms.has(previous.selected)) tabView.select(previous.selected);
  const el = h("div", { class: "vs-forms" }, tabView.el);
  root.replaceChildren(el);
  stick = stickSides(el);

  return {
    titles: new Map(functions.map((fn) => [fn.name, fn.title])),
    snapshot() {
      const values: Record<string, RequestValue> = {};
      for (const [name, form] of forms) values[name] = form.getValue();
      return { selected: tabView.selected(), values };
    },
    edit(fn, request) {
      const form = forms.get(fn);
      if (!form) return;
      tabView.select(fn);
      form.setValue(request);
      revalidate.get(fn)?.();
      el.scrollIntoView?.({ block: "start", behavior: "smooth" });
      // The first field as laid out (by group), not the first in schema order.
      form.focus(form.el.querySelector<HTMLElement>(".vs-field")?.dataset.field ?? "");
    },
    destroy() {
      stick?.destroy();
      for (const timer of timers) clearTimeout(timer);
      for (const preview of previews) preview.destroy();
      for (const tool of tools) tool.destroy();
      for (const form of forms.values()) form.destroy();
      el.remove();
    },
  };
}

/** A small picture of a file on the kernel's machine, as a Blob URL (null when there is none). */
async function kernelThumbnail(channel: Channel, ref: string): Promise<string | null> {
  const { msg, buffers } = await channel.request("thumbnail", { ref }, { timeoutMs: 15_000 });
  const part = buffers[0];
  if (!part) return null;
  const bytes = new Uint8Array(part.buffer as ArrayBuffer, part.byteOffset, part.byteLength);
  return URL.createObjectURL(new Blob([bytes], { type: String(msg.mime ?? "image/jpeg") }));
}

function submitFailure(error: unknown): string {
  if (error instanceof RequestError) {
    // A submit that timed out may still have created a (paid) task: say so instead of inviting a retry.
    if (error.reason === "timeout") {
      return "No answer from the kernel yet. The task may still have been created: check the task list before submitting again.";
    }
    return error.code ? `${error.message} (${error.code})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
