// Enums: a row of radio "chips" when the choice is small enough to scan at a glance, else a <select>.

import { h, ids } from "../dom";
import type { EnumValue } from "../schema";
import type { Control, ControlContext } from "./types";

// Beyond this, chips wrap onto several lines and a select is easier to read.
const CHIP_MAX_OPTIONS = 4;
const CHIP_MAX_LABEL = 14;

function optionsOf(ctx: ControlContext): EnumValue[] {
  return ctx.node.kind === "enum" ? ctx.node.options : [];
}

export function createChoice(ctx: ControlContext): Control {
  const options = optionsOf(ctx);
  const small =
    options.length <= CHIP_MAX_OPTIONS && options.every((o) => String(o).length <= CHIP_MAX_LABEL);
  return small ? createChips(ctx, options) : createSelect(ctx, options);
}

function createSelect(ctx: ControlContext, options: EnumValue[]): Control {
  const select = h("select", {
    id: ctx.id,
    class: "vs-select",
    "aria-describedby": ctx.describedBy,
    "aria-required": ctx.required ? "true" : undefined,
  });
  // An empty entry only when there is nothing sensible to preselect.
  if (ctx.fallback === undefined) {
    select.append(h("option", { value: "" }, ctx.required ? "Choose…" : "— not set —"));
  }
  // Option values are indexes, so numeric or boolean enum values survive the round trip.
  options.forEach((option, i) => {
    select.append(h("option", { value: String(i) }, String(option)));
  });
  select.addEventListener("change", () => {
    const option = select.value === "" ? undefined : options[Number(select.value)];
    ctx.onInput(option);
  });
  return {
    el: select,
    labelTarget: true,
    set(value) {
      const shown = value === undefined ? ctx.fallback : value;
      const i = options.indexOf(shown as EnumValue);
      select.value = i >= 0 ? String(i) : "";
    },
  };
}

function createChips(ctx: ControlContext, options: EnumValue[]): Control {
  const group = h("div", {
    id: ctx.id,
    class: "vs-chips",
    role: "radiogroup",
    "aria-labelledby": ctx.labelId,
    "aria-describedby": ctx.describedBy,
    "aria-required": ctx.required ? "true" : undefined,
  });
  const radios = options.map((option, i) => {
    const id = `${ctx.id}-${i}`;
    const radio = h("input", {
      type: "radio",
      id,
      name: ctx.id,
      value: String(i),
      class: "vs-chip-input",
    });
    radio.addEventListener("change", () => {
      if (radio.checked) ctx.onInput(option);
    });
    group.append(radio, h("label", { for: id, class: "vs-chip" }, String(option)));
    return radio;
  });
  return {
    el: group,
    labelTarget: false,
    set(value) {
      const shown = value === undefined ? ctx.fallback : value;
      radios.forEach((radio, i) => {
        radio.checked = options[i] === shown;
      });
    },
  };
}

export function createCheckbox(ctx: ControlContext): Control {
  const box = h("input", {
    type: "checkbox",
    id: ctx.id,
    class: "vs-checkbox",
    "aria-describedby": ids(ctx.describedBy),
  });
  box.addEventListener("change", () => ctx.onInput(box.checked));
  return {
    el: box,
    labelTarget: true,
    inline: true,
    set(value) {
      box.checked = (value === undefined ? ctx.fallback : value) === true;
    },
  };
}
