// Task statuses as the kernel defines them: the `status_table` trait (Python:
// `vace_studio.engine.status.table_json()`). Every set the front end asks about — unfinished,
// cancelable, retryable, adoptable, "has a video", "waits in the local queue" — comes from that
// table; no status is listed here. A status the table does not know is simply in no set.

/** One allowed move of the engine's state machine. */
export interface Transition {
  from: string;
  event: string;
  to: string;
}

/** The `status_table` trait: the statuses, the moves, and the sets derived from them. */
export interface StatusTable {
  statuses: string[];
  transitions: Transition[];
  terminal: string[];
  unfinished: string[];
  pending_submit: string[];
  at_provider: string[];
  cancelable: string[];
  retryable: string[];
  adoptable: string[];
  resubmittable: string[];
  local_queue: string[];
  with_video: string[];
}

const SET_NAMES = [
  "terminal",
  "unfinished",
  "pending_submit",
  "at_provider",
  "cancelable",
  "retryable",
  "adoptable",
  "resubmittable",
  "local_queue",
  "with_video",
] as const;

export type StatusSetName = (typeof SET_NAMES)[number];

/**
 * The table's sets as lookups. One instance per view; `update` replaces its contents in place
 * when the trait changes, so every holder sees the new table.
 */
export class StatusSets {
  private sets = new Map<StatusSetName, ReadonlySet<string>>();
  private known: ReadonlySet<string> = new Set();

  constructor(table?: Partial<StatusTable> | null) {
    this.update(table);
  }

  update(table?: Partial<StatusTable> | null): void {
    this.known = new Set(Array.isArray(table?.statuses) ? table.statuses : []);
    for (const name of SET_NAMES) {
      const list = table?.[name];
      this.sets.set(name, new Set(Array.isArray(list) ? list : []));
    }
  }

  /** Whether `status` is in the table's set `name`. */
  is(name: StatusSetName, status: string | null | undefined): boolean {
    return typeof status === "string" && (this.sets.get(name)?.has(status) ?? false);
  }

  /** Every status of the table, in its order (e.g. for a filter menu). */
  get statuses(): string[] {
    return [...this.known];
  }

  unfinished = (status: string): boolean => this.is("unfinished", status);
  /** The task made a video (the table's `with_video`). */
  succeeded = (status: string): boolean => this.is("with_video", status);
  /** The task waits in the local queue, with a place in line (`local_queue`). */
  waiting = (status: string): boolean => this.is("local_queue", status);
  /** The provider holds it and the kernel polls it (`at_provider`). */
  atProvider = (status: string): boolean => this.is("at_provider", status);
}

// Display words where the table's own name would mislead a reader; every other status is shown
// by its name. Not a list of statuses: a status missing here still shows (by its name).
const RELABEL: Record<string, string> = {
  reconciling: "checking",
  uncertain: "outcome unknown",
};

export const statusLabel = (status: string): string => RELABEL[status] ?? status;

/** How a status chip is coloured, from the table's sets (the CSS keys on `data-tone`). */
export type Tone = "done" | "busy" | "queue" | "attention" | "error" | "ended";

export function statusTone(sets: StatusSets, status: string, hasError: boolean): Tone | undefined {
  if (sets.is("with_video", status)) return "done";
  if (sets.is("adoptable", status)) return "attention";
  if (sets.is("local_queue", status)) return "queue";
  if (sets.unfinished(status)) return "busy";
  if (sets.is("terminal", status)) return hasError ? "error" : "ended";
  return undefined;
}
