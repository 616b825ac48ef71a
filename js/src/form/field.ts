// One field's frame: label, "default" badge, reset button, the control, help text and error line.
// The control is built by the caller; this module only wires ids for accessibility.

import type { Control, ControlContext } from "./controls/types";
import { h, ids } from "./dom";
import type { FieldSpec } from "./schema";

export interface FieldView {
  el: HTMLElement;
  control: Control;
  /** Shows (or clears) the message under the field and marks the control invalid. */
  showError(message: string | null): void;
  /** Shows (or clears) what the service will trim or ignore in this field (not an error). */
  showWarning(message: string | null): void;
  /** Shows the Python helpers that repair the field's media (or clears them). */
  showFixes(fixes: FixHint[]): void;
  /** Touched optional fields can be reset; untouched ones show their default as "not sent". */
  setTouched(touched: boolean): void;
  focus(): void;
}

/** A repair the kernel suggests for a media problem (`vace_studio.media.FIXES`). */
export interface FixHint {
  /** The helper's name, e.g. "binarize_mask". */
  fix: string;
  /** The Python line to run, e.g. `vace_studio.media.binarize_mask('/…/mask.png')`. */
  call: string;
}

export interface FieldWiring {
  makeControl(ctx: ControlContext): Control;
  onInput(value: unknown): void;
  onReset(): void;
  upload?: ControlContext["upload"];
  companion?: ControlContext["companion"];
  thumbnail?: ControlContext["thumbnail"];
}

export function renderField(field: FieldSpec, baseId: string, wiring: FieldWiring): FieldView {
  const labelId = `${baseId}-label`;
  const helpId = `${baseId}-help`;
  const errorId = `${baseId}-error`;
  const control = wiring.makeControl({
    id: baseId,
    labelId,
    label: field.title,
    describedBy: ids(field.description && helpId, errorId),
    node: field.node,
    required: field.required,
    fallback: field.default,
    onInput: wiring.onInput,
    upload: wiring.upload,
    companion: wiring.companion,
    thumbnail: wiring.thumbnail,
  });

  const title: (Node | string)[] = [field.title];
  if (field.required) {
    title.push(h("span", { class: "vs-required", "aria-hidden": "true" }, " *"));
  }
  const label = control.labelTarget
    ? h("label", { id: labelId, for: baseId, class: "vs-label" }, ...title)
    : h("span", { id: labelId, class: "vs-label" }, ...title);
  const badge =
    field.default !== undefined && !field.required
      ? h(
          "span",
          { class: "vs-badge", title: "The provider's default; not sent unless you change it" },
          "default",
        )
      : null;
  const reset = field.required
    ? null
    : h(
        "button",
        {
          type: "button",
          class: "vs-reset",
          hidden: true,
          "aria-label": `Reset ${field.title}: do not send it`,
          title: "Do not send this field; the provider's default applies",
        },
        "Reset",
      );
  reset?.addEventListener("click", () => wiring.onReset());

  const head = h("div", { class: "vs-field-head" });
  if (control.inline) head.append(control.el);
  head.append(label);
  if (badge) head.append(badge);
  if (reset) head.append(reset);

  const error = h("div", { id: errorId, class: "vs-error", "aria-live": "polite" });
  const warning = h("div", { class: "vs-warning", "aria-live": "polite", hidden: true });
  const fixes = h("div", { class: "vs-fixes" });
  const el = h(
    "div",
    { class: "vs-field", "data-field": field.name, "data-kind": field.node.kind },
    head,
    control.inline ? null : control.el,
    field.description ? h("div", { id: helpId, class: "vs-help" }, field.description) : null,
    error,
    warning,
    fixes,
  );

  const inputs = () => el.querySelectorAll<HTMLElement>("input:not([type=file]), select, textarea");
  return {
    el,
    control,
    showError(message) {
      error.textContent = message ?? "";
      el.classList.toggle("vs-invalid", Boolean(message));
      for (const input of inputs()) {
        if (message) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    },
    showWarning(message) {
      warning.textContent = message ? `Note: ${message}` : "";
      warning.hidden = !message;
      el.classList.toggle("vs-warned", Boolean(message));
    },
    showFixes(list) {
      fixes.replaceChildren(
        ...list.map((hint) => {
          const copy = h("button", { type: "button", class: "vs-link-button vs-copy-fix" }, "Copy");
          copy.setAttribute("aria-label", `Copy the Python line that runs ${hint.fix}`);
          copy.addEventListener("click", async () => {
            try {
              await navigator.clipboard.writeText(hint.call);
              copy.textContent = "Copied";
            } catch {
              copy.textContent = "Select the line and copy it";
            }
          });
          return h(
            "div",
            { class: "vs-fix", "data-fix": hint.fix },
            h("span", { class: "vs-fix-chip" }, `Fix: ${hint.fix}`),
            " ",
            h("code", { class: "vs-fix-call" }, hint.call),
            " ",
            copy,
          );
        }),
      );
    },
    setTouched(touched) {
      el.classList.toggle("vs-touched", touched);
      if (badge) badge.hidden = touched;
      if (reset) reset.hidden = !touched;
    },
    focus() {
      (inputs()[0] ?? el.querySelector<HTMLElement>("button:not([disabled])"))?.focus();
    },
  };
}
