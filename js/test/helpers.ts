/// <reference types="vite/client" />
// Shared test helpers: the schema fixtures and a stand-in anywidget model.

import { StatusSets, type StatusTable } from "../src/status";
import type { GalleryCell, HistoryRow, TaskCard } from "../src/traits";
import local from "./fixtures/schema.json";
import raw from "./fixtures/schema.pydantic-raw.json";
import table from "./fixtures/status_table.json";
import cards from "./fixtures/wire/card.json";
import cells from "./fixtures/wire/cell.json";
import historyRows from "./fixtures/wire/history_row.json";

function first<T>(samples: T[], name: string): T {
  const sample = samples[0];
  if (!sample) throw new Error(`test/fixtures/wire/${name}.json has no sample`);
  return sample;
}

/** The request of the tests' default card: one reference image, so a form can be filled. */
const REQUEST = { function: "image_reference", prompt: "a red kite", ref_images_url: ["k.png"] };

// The repository's own fixture (written by the Python side) when js/ sits in the full checkout, so a
// schema change in Python is exercised here without copying it by hand; absent in a js-only checkout.
const repo = import.meta.glob("../../tests/fixtures/request_schema.json", {
  eager: true,
  import: "default",
});

/** Every schema variant the form must handle, by name. */
export const SCHEMAS: Record<string, unknown> = {
  "fixture (post-processed)": local,
  "pydantic raw": raw,
  ...Object.fromEntries(Object.values(repo).map((schema) => ["repository fixture", schema])),
};

export const SCHEMA: unknown = local;

/** The kernel's status table (written by Python: `table_json()`; a pytest keeps it current). */
export const STATUS_TABLE: StatusTable = table satisfies StatusTable;

/** The table's sets, as a view builds them from the `status_table` trait. */
export const statuses = (): StatusSets => new StatusSets(STATUS_TABLE);

/** A whole task card as the kernel sends it: the waiting sample Python wrote (the `card`
 * projection), with the values the tests count on. */
export const CARD: TaskCard = {
  ...first(cards, "card"),
  local_id: "l1",
  created_at: 1000,
  paused: null,
  // One kernel's card (the sample is a class card): the list ranks it by `order`.
  position: null,
  eta: null,
  request: { ...REQUEST },
};

/** A gallery cell as the kernel sends it (`cell` projection of a succeeded task). */
export const CELL: GalleryCell = first(cells, "cell");

/** A History row as the kernel sends it (`history_row` projection). */
export const HISTORY_ROW: HistoryRow = first(historyRows, "history_row");

export const card = (overrides: Partial<TaskCard> = {}): TaskCard => ({ ...CARD, ...overrides });

// `never` parameters accept any concrete callback (msg:custom, change:x) without `any`.
type Handler = (...args: never[]) => void;

/** Enough of an anywidget model for the widget: traits, events, custom messages. */
export class FakeModel<T extends Record<string, unknown>> {
  sent: { content: Record<string, unknown>; buffers: DataView[] }[] = [];
  private handlers = new Map<string, Set<Handler>>();
  widget_manager = {
    get_model: () => Promise.reject(new Error("not in tests")),
  };

  constructor(private traits: T) {}

  get<K extends keyof T>(key: K): T[K] {
    return this.traits[key];
  }
  set<K extends keyof T>(key: K, value: T[K]): void {
    this.traits[key] = value;
    this.emit(`change:${String(key)}`);
  }
  save_changes(): void {}
  on(event: string, handler: Handler): void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler);
  }
  off(event?: string | null, handler?: Handler | null): void {
    if (!event) {
      this.handlers.clear();
      return;
    }
    if (!handler) {
      this.handlers.delete(event);
      return;
    }
    this.handlers.get(event)?.delete(handler);
  }
  send(content: unknown, _callbacks?: unknown, buffers?: unknown[]): void {
    this.sent.push({
      content: content as Record<string, unknown>,
      buffers: (buffers ?? []) as DataView[],
    });
  }
  listeners(event: string): number {
    return this.handlers.get(event)?.size ?? 0;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const handler of [...(this.handlers.get(event) ?? [])]) {
      (handler as (...a: unknown[]) => void)(...args);
    }
  }
  /** Simulates the kernel answering (or pushing) a custom message. */
  reply(content: Record<string, unknown>, buffers: unknown[] = []): void {
    this.emit("msg:custom", content, buffers);
  }
  lastSent(): { content: Record<string, unknown>; buffers: DataView[] } {
    const last = this.sent[this.sent.length - 1];
    if (!last) throw new Error("nothing was sent");
    return last;
  }
}

/** Types into an input the way a user does (value + input event). */
export function type(el: Element | null | undefined, value: string): void {
  if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) {
    throw new Error(`not a text input: ${el?.outerHTML}`);
  }
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

export function choose(el: Element | null | undefined, optionText: string): void {
  if (!(el instanceof HTMLSelectElement)) throw new Error(`not a select: ${el?.outerHTML}`);
  const option = [...el.options].find((o) => o.textContent === optionText);
  if (!option) throw new Error(`no option ${optionText}`);
  el.value = option.value;
  el.dispatchEvent(new Event("change", { bubbles: true }));
}

export function click(el: Element | null | undefined): void {
  if (!(el instanceof HTMLElement)) throw new Error("nothing to click");
  el.click();
}

export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The `n`-th item from the end (ES2020 has no Array.prototype.at). */
export const last = <T>(items: T[], n = 1): T | undefined => items[items.length - n];
