// A list editor: one item control per entry, with add/remove buttons that honour minItems/maxItems.
// Item controls come from the same factory as top-level fields, so a list of media gets pickers and
// a list of enums gets chips, without this module knowing either.

import { h, srOnly } from "../dom";
import type { Control, ControlContext, ControlFactory } from "./types";

interface Item {
  control: Control;
  value: unknown;
  row: HTMLLIElement;
  number: HTMLSpanElement;
  remove: HTMLButtonElement;
}

export function createArray(ctx: ControlContext, makeItem: ControlFactory): Control {
  if (ctx.node.kind !== "array") throw new Error("createArray needs an array node");
  const { items: itemNode, minItems = 0, maxItems = Number.POSITIVE_INFINITY } = ctx.node;
  const list = h("ol", { class: "vs-list", "aria-labelledby": ctx.labelId });
  const add = h(
    "button",
    { type: "button", class: "vs-button vs-add" },
    "+ Add",
    srOnly(` to ${ctx.label}`),
  );
  const root = h(
    "div",
    { id: ctx.id, class: "vs-array", "aria-describedby": ctx.describedBy },
    list,
    add,
  );
  // An optional list may be emptied (= not sent) whatever its minItems; minItems then applies only
  // once it has entries, which validation reports.
  const floor = ctx.required ? minItems : 0;
  let items: Item[] = [];
  let serial = 0; // ids stay unique after removals, so labels never point at the wrong input

  const emit = () => ctx.onInput(items.map((item) => item.value));

  const refresh = () => {
    items.forEach((item, i) => {
      item.number.textContent = String(i + 1);
      item.remove.disabled = items.length <= floor;
      item.remove.setAttribute("aria-label", `Remove ${ctx.label} item ${i + 1}`);
    });
    add.disabled = items.length >= maxItems;
    add.title = add.disabled ? `${ctx.label} allows at most ${maxItems}` : "";
  };

  const makeRow = (value: unknown): Item => {
    const id = `${ctx.id}-${serial++}`;
    const labelId = `${id}-label`;
    const item = { value } as Item;
    const upload = ctx.upload;
    item.control = makeItem({
      ...ctx,
      id,
      labelId,
      label: `${ctx.label} item`,
      node: itemNode,
      required: true,
      fallback: undefined,
      onInput(v) {
        item.value = v;
        emit();
      },
      upload: upload && ((file) => upload(file, items.indexOf(item))),
    });
    item.control.set(value);
    item.number = h("span", { "aria-hidden": "true" });
    const caption = h("span", { class: "vs-sr-only" }, `${ctx.label} item `);
    const label = item.control.labelTarget
      ? h("label", { for: id, id: labelId, class: "vs-item-label" }, caption, item.number)
      : h("span", { id: labelId, class: "vs-item-label" }, caption, item.number);
    item.remove = h("button", { type: "button", class: "vs-button vs-remove" }, "Remove");
    item.remove.addEventListener("click", () => {
      const at = items.indexOf(item);
      item.control.destroy?.();
      item.row.remove();
      items = items.filter((x) => x !== item);
      refresh();
      emit();
      // Keep keyboard focus inside the list rather than dropping it on <body>.
      const next = items[at] ?? items[at - 1];
      (next ? next.remove : add).focus();
    });
    item.row = h("li", { class: "vs-item" }, label, item.control.el, item.remove);
    return item;
  };

  add.addEventListener("click", () => {
    if (items.length >= maxItems) return;
    const item = makeRow(undefined);
    items.push(item);
    list.append(item.row);
    refresh();
    emit();
    item.row.querySelector<HTMLElement>("input, select, textarea")?.focus();
  });

  const rebuild = (values: unknown[]) => {
    for (const item of items) item.control.destroy?.();
    items = values.map(makeRow);
    list.replaceChildren(...items.map((item) => item.row));
    refresh();
  };

  return {
    el: root,
    labelTarget: false,
    set(value) {
      if (Array.isArray(value)) return rebuild(value);
      if (Array.isArray(ctx.fallback)) return rebuild(ctx.fallback);
      // Unset: a required list offers the empty slots it needs (at least one); an optional one none.
      const slots = ctx.required ? Math.max(minItems, 1) : 0;
      rebuild(Array.from({ length: Math.min(slots, maxItems) }, () => undefined));
    },
    destroy() {
      for (const item of items) item.control.destroy?.();
    },
  };
}
