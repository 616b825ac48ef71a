// The contract between the form (state, validation, errors) and one control (DOM only).
// Controls never validate and never decide what is sent: they report what the user did.

import type { NodeSpec } from "../schema";

export interface ControlContext {
  /** id of the control's main input: the field's `<label for>` points at it. */
  id: string;
  /** id of the field's label element, for groups that use aria-labelledby. */
  labelId: string;
  /** Human name of the field (or of the list item), for aria labels of secondary inputs. */
  label: string;
  /** ids of the help text and error message, for aria-describedby. */
  describedBy: string;
  node: NodeSpec;
  required: boolean;
  /** Shown while the user has not set a value: the provider's documented default, if any. */
  fallback: unknown;
  /** The user changed the value; `undefined` means they cleared it. */
  onInput(value: unknown): void;
  /**
   * Hands a picked or dropped file to the kernel; resolves to the reference to store (undefined when
   * it was refused). `index` is the position inside a list field; lists fill it in for their items.
   */
  upload?: (file: File, index?: number) => Promise<string | undefined>;
  /**
   * For a list: another list that needs one entry per item of this one (`x-pairs-with`, e.g. a
   * role per reference image). Its item controls are shown inside this list's rows, so the two can
   * never disagree on length; `onInput` receives its whole list before this list's own onInput.
   */
  companion?: Companion;
  /**
   * A picture of a value that names a file on the kernel's machine (a typed path, or a request
   * put back by "Edit as new"); resolves to a URL the control then owns, or null.
   */
  thumbnail?: (ref: string) => Promise<string | null>;
}

export interface Companion {
  /** The companion list's item schema. */
  node: NodeSpec;
  /** Its field title. */
  label: string;
  /** Its current list (may be undefined or shorter than this list). */
  value(): unknown[] | undefined;
  /** The value a new row starts with. */
  fallback: unknown;
  onInput(values: unknown[] | undefined): void;
}

export interface Control {
  el: HTMLElement;
  /** Shows a value; `undefined` shows the fallback (or an empty control). */
  set(value: unknown): void;
  /** False for radio groups and lists: the field title is then a heading, not a `<label for>`. */
  labelTarget: boolean;
  /** True for a checkbox, which sits before its label. */
  inline?: boolean;
  /** Media controls: take a dropped or picked file (lists hand files to their rows). */
  take?(file: File): void;
  destroy?(): void;
}

export type ControlFactory = (ctx: ControlContext) => Control;
