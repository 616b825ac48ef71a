// The browser's task shapes checked against what Python sends. Python writes one golden sample
// per way a task looks to test/fixtures/wire/ (tests/widget/test_views.py; a pytest fails when
// they are stale), and this file does not type-check when an interface in src/traits.ts and the
// samples disagree: `satisfies` catches a missing key or a value of another type, `SameKeys` a
// key that only one side has (imported JSON escapes TypeScript's excess-property check).

import { describe, expect, it } from "vitest";
import type { GalleryCell, HistoryRow, TaskCard } from "../src/traits";
import cards from "./fixtures/wire/card.json";
import cells from "./fixtures/wire/cell.json";
import historyRows from "./fixtures/wire/history_row.json";

type Sample<T> = T extends readonly (infer E)[] ? E : never;
type SameKeys<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? true
    : { onlyInSample: Exclude<keyof B, keyof A> }
  : { onlyInInterface: Exclude<keyof A, keyof B> };

const checked = {
  card: cards satisfies TaskCard[],
  cell: cells satisfies GalleryCell[],
  history_row: historyRows satisfies HistoryRow[],
};
const sameKeys: [
  SameKeys<TaskCard, Sample<typeof cards>>,
  SameKeys<GalleryCell, Sample<typeof cells>>,
  SameKeys<HistoryRow, Sample<typeof historyRows>>,
] = [true, true, true];

describe("wire fixtures", () => {
  it("have samples, every one with every key of its interface", () => {
    expect(sameKeys).toEqual([true, true, true]);
    for (const [name, samples] of Object.entries(checked)) {
      expect(samples.length, name).toBeGreaterThan(0);
      const keys = Object.keys(samples[0] ?? {}).sort();
      for (const sample of samples) expect(Object.keys(sample).sort(), name).toEqual(keys);
    }
  });

  it("never carry a kernel path to the browser", () => {
    const text = JSON.stringify(checked);
    expect(text).not.toContain("local_path");
  });
});
