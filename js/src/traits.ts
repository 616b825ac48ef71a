// The shapes Python sends: the Studio's synced traits, and a task as the browser sees it.
// A task's shapes are projections of one Python view (experiments/views.py: `card`, `cell`,
// `history_row`); Python writes a golden sample of each to test/fixtures/wire/, and
// test/wire.test.ts fails to type-check when these interfaces and the samples disagree (a key
// missing or extra on either side, or a value of another type). Task statuses are not listed
// here: they come with the `status_table` trait (status.ts).

import type { StatusTable } from "./status";

/**
 * Where a key typed into the header can be used (Python: `account.key_targets()`, derived from the
 * provider registry): one per provider and region. The header reads every provider's name and
 * region from these; no provider is named in the front end.
 */
export interface KeyTarget {
  /** What `set_key` sends back ("dashscope:intl", "modellix"). */
  value: string;
  /** The choice as read ("DashScope, international (Singapore)"). */
  label: string;
  provider: string;
  /** "" for a provider with one region. */
  region: string;
  /** The environment variable the key is usually in (shown as a hint). */
  env: string;
  /** The provider's name as read ("DashScope"). */
  provider_label: string;
  /** The region as the header shows it ("intl (Singapore)"), "" for a one-region provider. */
  region_label: string;
}

/** The synced traits of `Studio`. Small JSON only: no bytes, never the API key. */
export interface StudioTraits {
  /** JSON Schema of the five request models (`oneOf` + `discriminator` + `$defs`). */
  schema: Record<string, unknown> | null;
  provider: string;
  region: string;
  endpoint: string;
  simulated: boolean;
  notice: string;
  has_key: boolean;
  price_per_second: number | null;
  key_targets: KeyTarget[];
  /** Function → the request fields its form preview depends on (Python: `PREVIEW_FIELDS`). */
  preview_fields: Record<string, string[]>;
  /** Group id of the sweep the Gallery shows first ("" for none). */
  sweep_id: string;
  /** Every task status, the allowed moves and the derived sets (Python: `table_json()`). */
  status_table: StatusTable | null;
  /** Why submissions are paused (a billing, entitlement or quota refusal), "" while not. */
  submissions_held: string;
  /** The view a Studio opens on, and switches to when Python sets it: create, gallery, history. */
  view?: string;
}

/** Header facts: the provider traits. */
export type ProviderFacts = Omit<
  StudioTraits,
  "schema" | "preview_fields" | "sweep_id" | "status_table" | "submissions_held" | "view"
>;

export const FACT_NAMES: (keyof ProviderFacts)[] = [
  "provider",
  "region",
  "endpoint",
  "simulated",
  "notice",
  "has_key",
  "price_per_second",
  "key_targets",
];

/** One task as the browser knows it (the `card` projection). Times are Unix seconds on the
 * kernel's clock. */
export interface TaskCard {
  local_id: string;
  function: string;
  status: string;
  /** Ranks the waiting cards: one kernel's queue position is their rank by `order`. */
  order: number;
  /** In a shared (class) store: the place in the account's fair queue, class-wide (1 = next);
   * null otherwise (the browser ranks by `order`) and once the task left the line. */
  position: number | null;
  /** In a shared store: seconds until this waiting task is likely submitted, as estimated when
   * the class's queue last moved (it does not count down); null otherwise. */
  eta: number | null;
  task_id: string | null;
  provider: string;
  created_at: number;
  submitted_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  /** Typical submit-to-finish seconds of similar tasks (for the ETA), if known. */
  expected_seconds: number | null;
  error_code: string | null;
  error_message: string | null;
  /** The engine's latest trouble with this task (a failed poll, a refused cancel). */
  last_error: string | null;
  downloading: boolean;
  /** The kernel holds the MP4 (the `video` message can fetch it). */
  has_video: boolean;
  /** The kernel can send the source video the request names (`video` with `source: true`). */
  has_source: boolean;
  video_url: string | null;
  url_expires_at: number | null;
  cost: number | null;
  /** What a person can do, in words (an uncertain submit's choices, a billing refusal's fix). */
  advice: string | null;
  /** The provider's console, where a person can look for the task a lost submit created. */
  console_url: string | null;
  /** Provider task ids that may be the one a lost submit created. */
  candidates: string[];
  /** What the service trims or ignores in this task's request (in the form's words). */
  warnings: CardWarning[];
  /** The local id of the uncertain task this one was submitted again for. */
  replaces: string | null;
  /** The local id of the task submitted again in this one's place. */
  replaced_by: string | null;
  /** Why this waiting task is not being sent (submissions are held), else null. */
  paused: string | null;
  request: Record<string, unknown>;
}

/** A warning stored with a task (Python: `wording.stored_warnings`). */
export interface CardWarning {
  field: string;
  message: string;
  fix: string | null;
}

/** A `tasks` push or `hello` answer entry: a whole card, or `local_id` plus changed fields. */
export type CardDelta = Partial<TaskCard> & { local_id: string };

/** What a sweep's overall state is (Python: `SweepProgress.to_json()`). */
export interface SweepProgress {
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  active: number;
  downloading: number;
  waiting: number;
  elapsed: number;
  /** Seconds until all are done, at the kernel time of the message; null while unknown. */
  eta: number | null;
  cost: number;
  fraction: number;
  text: string;
}

/** One cell of a sweep's gallery (the `cell` projection; status "missing": never queued). */
export interface GalleryCell {
  index: number;
  labels: Record<string, unknown>;
  /** null for a cell that was never queued (status "missing"). */
  local_id: string | null;
  task_id: string | null;
  status: string;
  has_video: boolean;
  has_source: boolean;
  video_url: string | null;
  url_expires_at: number | null;
  request: Record<string, unknown>;
  error_code: string | null;
  error_message: string | null;
  cost: number | null;
}

/** A sweep as the Gallery shows it (the `gallery` answer). */
export interface GallerySweep {
  group_id: string;
  name: string | null;
  created_at: number;
  /** The varied fields, in grid order (the last varies fastest). */
  fields: string[];
  values: Record<string, unknown[]>;
  estimate: { text?: string } | null;
  /** Frame rate of the results, for frame stepping. */
  fps: number;
  progress: SweepProgress;
  /** Kernel clock when the answer was made (the ETA counts from here). */
  now: number;
  cells: GalleryCell[];
}

/** One sweep in the Gallery's list (the `sweeps` answer; Python: `sweep_rows`). */
export interface SweepRow {
  group_id: string;
  name: string | null;
  created_at: number;
  fields: string[];
  cells: number | null;
  done: number;
  succeeded: number;
}

/** One task of the History table (the `history_row` projection: no kernel paths). */
export interface HistoryRow {
  local_id: string;
  task_id: string | null;
  group_id: string | null;
  labels: Record<string, unknown>;
  function: string;
  prompt: string | null;
  request: Record<string, unknown>;
  provider: string;
  region: string | null;
  status: string;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  submitted_at: number | null;
  finished_at: number | null;
  total_seconds: number | null;
  usage: Record<string, unknown> | null;
  cost: number | null;
  /** The kernel still holds the downloaded MP4. */
  has_video: boolean;
}
