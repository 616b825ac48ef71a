// A list editor: one item control per entry, with add/remove buttons that honour minItems/maxItems.
// Item controls come from the same factory as top-level fields, so a list of media gets pickers and
// a list of enums gets chips, without this module knowing either. A companion list (ctx.companion,
// e.g. one role per reference image) gets its item control inside each row, so adding, removing
// or dropping an item keeps both lists the same length. Files dropped on the list (not on a slot)
// fill its empty slots, then new rows.

import { h, srOnly } from "../dom";
import type { Control, ControlContext, ControlFactory } from "./types";

interface Item {
  control: Control;
  value: unknown;
  row: HTMLLIElement;
  number: HTMLSpanElement;
  remove: HTMLButtonElement;
  pair?: { control: Control; value: unknown };
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

  const companion = ctx.companion;
  const emit = () => {
    if (companion) {
      companion.onInput(items.length > 0 ? items.map((item) => item.pair?.value) : undefined);
    }
    ctx.onInput(items.map((item) => item.value));
  };

  const refresh = () => {
    items.forEach((item, i) => {
      item.number.textContent = String(i + 1);
      item.remove.disabled = items.length <= floor;
      item.remove.setAttribute("aria-label", `Remove ${ctx.label} item ${i + 1}`);
    });
    add.disabled = items.length >= maxItems;
    add.title = add.disabled ? `${ctx.label} allows at most ${maxItems}` : "";
  };

  const makePair = (item: Item, id: string, value: unknown) => {
    if (!companion) return null;
    const labelId = `${id}-pair-label`;
    const pair = { value, control: undefined as unknown as Control };
    pair.control = makeItem({
      ...ctx,
      id: `${id}-pair`,
      labelId,
      label: `${companion.label} for ${ctx.label} item`,
      node: companion.node,
      required: true,
      fallback: undefined,
      companion: undefined,
      upload: undefined,
      onInput(v) {
        pair.value = v;
        emit();
      },
    });
    pair.control.set(value);
    item.pair = pair;
    return h(
      "div",
      { class: "vs-pair" },
      h("span", { id: labelId, class: "vs-pair-label" }, companion.label),
      pair.control.el,
    );
  };

  const makeRow = (value: unknown, pairValue: unknown = companion?.fallback): Item => {
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
    const pair = makePair(item, id, pairValue);
    item.row = h(
      "li",
      { class: pair ? "vs-item vs-has-pair" : "vs-item" },
      label,
      item.control.el,
      pair,
      item.remove,
    );
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
    const pairs = companion?.value() ?? [];
    items = values.map((v, i) => makeRow(v, pairs[i] ?? companion?.fallback));
    list.replaceChildren(...items.map((item) => item.row));
    refresh();
  };

  // Files dropped on the list: each fills the next empty slot, else a new row (up to maxItems).
  if (ctx.upload && itemNode.kind === "string" && itemNode.media) {
    const kind = itemNode.media;
    root.append(
      h(
        "div",
        { class: "vs-drop-hint" },
        `Drop ${kind === "image" ? "images" : "videos"} on this list to add them`,
      ),
    );
    root.addEventListener("dragover", (event) => {
      event.preventDefault();
      root.classList.add("vs-dragover");
    });
    root.addEventListener("dragleave", () => root.classList.remove("vs-dragover"));
    root.addEventListener("drop", (event) => {
      event.preventDefault();
      root.classList.remove("vs-dragover");
      const files = [...(event.dataTransfer?.files ?? [])];
      let added = false;
      const claimed = new Set<Item>();
      for (const file of files) {
        let item = items.find(
          (it) => !claimed.has(it) && (it.value === undefined || it.value === ""),
        );
        if (!item) {
          if (items.length >= maxItems) break;
          item = makeRow(undefined);
          items.push(item);
          list.append(item.row);
          added = true;
        }
        claimed.add(item);
        item.control.take?.(file);
      }
      if (added) {
        refresh();
        emit();
      }
    });
  }

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
