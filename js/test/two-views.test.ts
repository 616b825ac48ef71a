// Two Studio views on one page, as anywidget makes them: the bundle is evaluated once per model (a
// fresh module each time), so module-level state starts over in every view. Before ids were made
// per view, both views numbered their elements from 1: a `<label for>` in one reached the input of
// the other ("Choose file…" uploaded into the other widget, a chip changed the other's form).

import type { AnyModel, RenderProps } from "@anywidget/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { StudioTraits } from "../src/widget";
import { FakeModel, flush, SCHEMA, STATUS_TABLE } from "./helpers";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  document.body.replaceChildren();
});

/** One view from a freshly evaluated bundle, as anywidget renders a second model. */
async function freshView(name: string) {
  vi.resetModules();
  const { default: widget } = await import("../src/widget");
  const model = new FakeModel<Record<string, unknown>>({
    schema: SCHEMA,
    provider: "simulator",
    region: "intl",
    endpoint: "",
    simulated: true,
    notice: "",
    has_key: false,
    price_per_second: null,
    key_targets: [],
    status_table: STATUS_TABLE,
    submissions_held: "",
  });
  const el = document.createElement("div");
  el.dataset.view = name;
  document.body.append(el);
  const props = {
    model: model as unknown as AnyModel<StudioTraits>,
    el,
    signal: new AbortController().signal,
  } as unknown as RenderProps<StudioTraits>;
  cleanups.push(widget.render(props) as () => void);
  // Every lazily built view too: the Gallery and History make ids of their own.
  for (const tab of el.querySelectorAll<HTMLElement>(".vs-views > [role=tablist] > [role=tab]")) {
    tab.click();
  }
  el.querySelector<HTMLElement>(".vs-views [role=tab][data-key=create]")?.click();
  await flush();
  return { el, model };
}

const REFERENCES = ["for", "aria-labelledby", "aria-describedby", "aria-controls"];

describe("two Studio views on one page", () => {
  it("share no element id, and every id reference stays inside its own view", async () => {
    const a = await freshView("a");
    const b = await freshView("b");
    const ids = [...document.querySelectorAll("[id]")].map((node) => node.id);
    expect(ids.length).toBeGreaterThan(200); // the forms, the tabs, the header, the lists
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(repeated).toEqual([]);
    for (const view of [a.el, b.el]) {
      for (const node of view.querySelectorAll(REFERENCES.map((r) => `[${r}]`).join(","))) {
        for (const attr of REFERENCES) {
          for (const id of (node.getAttribute(attr) ?? "").split(/\s+/).filter(Boolean)) {
            const target = document.getElementById(id);
            expect(target, `${attr}="${id}"`).not.toBeNull();
            expect(view.contains(target), `${attr}="${id}" leaves its view`).toBe(true);
          }
        }
      }
    }
  });

  it("a chip clicked in the second view changes the second view only", async () => {
    const a = await freshView("a");
    const b = await freshView("b");
    const chip = (el: HTMLElement, n: number) => {
      el.querySelector<HTMLElement>(".vs-views [role=tab][data-key=create]")?.click();
      const tab = el.querySelector<HTMLElement>(".vs-forms [role=tab][data-key=video_edit]");
      tab?.click();
      const labels = el.querySelectorAll<HTMLLabelElement>(
        'form[data-function="video_edit"] .vs-field[data-field="mask_type"] label.vs-chip',
      );
      return labels[n];
    };
    const checked = (el: HTMLElement) =>
      [
        ...el.querySelectorAll<HTMLInputElement>(
          'form[data-function="video_edit"] .vs-field[data-field="mask_type"] input',
        ),
      ].map((radio) => radio.checked);
    const before = checked(a.el);
    const label = chip(b.el, 1);
    const target = label && document.getElementById(label.htmlFor);
    expect(b.el.contains(target ?? null)).toBe(true);
    label?.click();
    expect(checked(b.el)).toEqual([false, true]);
    expect(checked(a.el)).toEqual(before);
  });
});
