// The teacher's view in the History tab: per person in a class's shared store, how many tasks,
// how many in line or at the provider, how many with a video, the dollars spent and the cap —
// what `vace-studio usage` prints. Caps are set from the CLI or Python, never from here.
//
// Data: `usage` answers `people` (null in one person's store: the table stays hidden, and is
// never asked for again, since a studio's store does not become shared later).

import { h } from "../form/dom";
import { type Channel, RequestError } from "../messages";
import { money } from "./format";

/** One person's use of the account (Python: `shared_queue.Usage`). */
export interface PersonUsage {
  /** "" for tasks recorded without a person. */
  person: string;
  tasks: number;
  waiting: number;
  in_flight: number;
  with_video: number;
  /** US dollars billed so far. */
  cost: number;
  /** US dollars the person may spend; null: no cap. */
  spend_cap: number | null;
}

export interface UsageHandle {
  el: HTMLElement;
  /** Asks the kernel again (a no-op once it said the store is not shared). */
  load(): Promise<void>;
}

const COLUMNS = ["Person", "Tasks", "In line", "Sending or running", "With video", "Spent", "Cap"];

function rowOf(p: PersonUsage): HTMLTableRowElement {
  const numbers = [p.tasks, p.waiting, p.in_flight, p.with_video].map((n) =>
    h("td", { class: "vs-num" }, String(n)),
  );
  const capped = p.spend_cap !== null && p.cost >= p.spend_cap;
  return h(
    "tr",
    { class: "vs-usage-row", "data-person": p.person, "data-capped": String(capped) },
    h("th", { scope: "row" }, p.person || "(nobody)"),
    ...numbers,
    h("td", { class: "vs-num" }, money(p.cost)),
    h("td", { class: "vs-num" }, p.spend_cap === null ? "no cap" : money(p.spend_cap)),
  );
}

export function createUsage(channel: Channel): UsageHandle {
  const body = h("tbody");
  const note = h("p", { class: "vs-help vs-usage-note" });
  const table = h(
    "table",
    { class: "vs-history-table vs-usage-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        // Counts and dollars are right-aligned under their headings, names left.
        ...COLUMNS.map((t, i) => h("th", { scope: "col", class: i > 0 ? "vs-num" : "" }, t)),
      ),
    ),
    body,
  );
  const el = h(
    "details",
    { class: "vs-usage", "data-slot": "usage" },
    h("summary", {}, "The class's use of the account"),
    h("div", { class: "vs-history-scroll" }, table),
    note,
  );
  el.hidden = true;
  let shared = true; // until the kernel says otherwise
  let seq = 0;

  const load = async (): Promise<void> => {
    if (!shared) return;
    const mine = ++seq;
    try {
      const { msg } = await channel.request("usage");
      if (mine !== seq) return;
      if (!Array.isArray(msg.people)) {
        shared = false;
        el.hidden = true;
        return;
      }
      const people = msg.people as PersonUsage[];
      body.replaceChildren(...people.map(rowOf));
      note.textContent =
        people.length === 0
          ? "No tasks in the class yet."
          : "Caps are set by the teacher: vace-studio cap PERSON DOLLARS.";
      el.hidden = false;
    } catch (error) {
      if (mine !== seq) return;
      // The table is a side view: its failure is a line in it, never the History's error.
      note.textContent = error instanceof RequestError ? error.message : String(error);
    }
  };
  return { el, load };
}
