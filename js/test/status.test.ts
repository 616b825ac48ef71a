import { describe, expect, it } from "vitest";
import { StatusSets, statusLabel, statusTone } from "../src/status";
import { STATUS_TABLE } from "./helpers";

// Every source file of the front end, as text (Vite's glob: no Node types needed).
const SOURCES = import.meta.glob("../src/**/*.{ts,css}", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

describe("the status table", () => {
  it("answers every set exactly as the kernel's table lists it", () => {
    const sets = new StatusSets(STATUS_TABLE);
    for (const name of [
      "unfinished",
      "cancelable",
      "retryable",
      "adoptable",
      "with_video",
    ] as const) {
      const listed = new Set(STATUS_TABLE[name]);
      for (const status of STATUS_TABLE.statuses) {
        expect(sets.is(name, status), `${status} in ${name}`).toBe(listed.has(status));
      }
    }
    expect(sets.statuses).toEqual(STATUS_TABLE.statuses);
  });

  it("derives the sets from the table it is given, not from names it knows", () => {
    const sets = new StatusSets({
      statuses: ["brewing", "poured"],
      unfinished: ["brewing"],
      with_video: ["poured"],
      cancelable: ["brewing"],
    });
    expect(sets.unfinished("brewing")).toBe(true);
    expect(sets.succeeded("poured")).toBe(true);
    expect(sets.is("cancelable", "brewing")).toBe(true);
    const empty = new StatusSets(null);
    for (const status of STATUS_TABLE.statuses) expect(empty.unfinished(status)).toBe(false);
    empty.update(STATUS_TABLE); // the trait arrived later: the same object now knows the table
    expect(STATUS_TABLE.statuses.some((s) => empty.unfinished(s))).toBe(true);
  });

  it("labels any status, known or not, and colours it by its sets", () => {
    const sets = new StatusSets(STATUS_TABLE);
    expect(statusLabel("brand-new-status")).toBe("brand-new-status");
    for (const status of STATUS_TABLE.statuses) expect(statusLabel(status)).toBeTruthy();
    const [done] = STATUS_TABLE.with_video;
    const [attention] = STATUS_TABLE.adoptable;
    expect(done && statusTone(sets, done, false)).toBe("done");
    expect(attention && statusTone(sets, attention, true)).toBe("attention");
    expect(statusTone(sets, "brand-new-status", false)).toBeUndefined();
  });

  it("is the only list of statuses: no source file spells one in quotes", () => {
    expect(Object.keys(SOURCES).length).toBeGreaterThan(20);
    const words = STATUS_TABLE.statuses.join("|");
    const quoted = new RegExp(`(["'\`])(${words})\\1`, "g");
    const found: string[] = [];
    for (const [path, text] of Object.entries(SOURCES)) {
      for (const match of text.matchAll(quoted)) found.push(`${path}: ${match[0]}`);
    }
    expect(found).toEqual([]);
  });
});
