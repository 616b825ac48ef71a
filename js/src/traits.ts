// The shapes Python sends: the Studio's synced traits and the task cards of `tasks` pushes.
// Mirrors src/vace_studio/widget/studio.py (traits) and widget/cards.py (`wire`); keep in step.

/** Where a key typed into the header can be used (Python: `account.KEY_TARGETS`). */
export interface KeyTarget {
  value: string;
  label: string;
  provider: string;
  region: string;
  env: string;
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
}

/** Header facts: the traits minus the schema. */
export type ProviderFacts = Omit<StudioTraits, "schema">;

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

/** One task as the browser knows it. Times are Unix seconds on the kernel's clock. */
export interface TaskCard {
  local_id: string;
  function: string;
  status: string;
  /** Ranks the waiting cards: their local queue position is their rank by `order`. */
  order: number;
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
  video_url: string | null;
  url_expires_at: number | null;
  cost: number | null;
  request: Record<string, unknown>;
}

/** A `tasks` push or `hello` answer entry: a whole card, or `local_id` plus changed fields. */
export type CardDelta = Partial<TaskCard> & { local_id: string };

export const UNFINISHED = new Set(["waiting", "submitting", "uncertain", "queued", "running"]);
