// The frames fields are grouped in (`x-group` in the schema): a titled box for a group of several
// fields, the bare field for a group of one (its own label already names it), and a disclosure for
// a folded group ("Advanced"). A folded group says how many of its fields are set, and opens by
// itself when one of them shows an error or is focused, so nothing wrong is ever hidden.

import { h } from "./dom";
import type { GroupSpec } from "./schema";

export interface GroupView {
  readonly key: string;
  el: HTMLElement;
  /** Where the group's field frames go. */
  body: HTMLElement;
  /** Opens a folded group (an error or a focus inside it). */
  reveal(): void;
  /** How many of its fields the user set, and whether one shows an error. */
  update(set: number, invalid: boolean): void;
}

/** `frames`: how many field frames the group shows (a list's companion has none of its own). */
export function renderGroup(group: GroupSpec, frames = group.fields.length): GroupView {
  const help = group.description
    ? h("p", { class: "vs-help vs-group-help" }, group.description)
    : null;
  const body = h("div", { class: "vs-group-body" });
  const data = { class: "vs-group", "data-group": group.key || "other" };

  if (group.folded) {
    const count = h("span", { class: "vs-group-count" });
    const summary = h("summary", { class: "vs-group-title" }, group.title, count);
    const el = h("details", { ...data, class: "vs-group vs-group-folded" }, summary, help, body);
    return {
      key: group.key,
      el,
      body,
      reveal() {
        el.open = true;
      },
      update(set, invalid) {
        count.textContent = set > 0 ? ` · ${set} set` : "";
        el.classList.toggle("vs-group-invalid", invalid);
        if (invalid) el.open = true;
      },
    };
  }

  if (frames > 1 && group.title) {
    const el = h(
      "fieldset",
      data,
      h("legend", { class: "vs-group-title" }, group.title),
      help,
      body,
    );
    return { key: group.key, el, body, reveal() {}, update() {} };
  }

  body.classList.add("vs-group", "vs-group-plain");
  body.dataset.group = data["data-group"];
  return { key: group.key, el: body, body, reveal() {}, update() {} };
}
