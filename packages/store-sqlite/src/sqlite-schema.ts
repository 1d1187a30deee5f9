/**
 * Kysely's view of the tables it queries with its typed builder (the rest is written with
 * prepared statements, see `sqlite-writer`). The schema itself is in `sqlite-migrations`.
 */

/** `sessions`: one row per session (`session` is its interned id, `session_id` the log's id). */
export interface SessionsTable {
  session: number;
  session_id: string;
  first_event_at: string;
  last_event_at: string;
  started_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
  phase: string;
  /** JSON array. */
  phases: string;
  client: string | null;
  model: string | null;
  cwd: string | null;
  git_branch: string | null;
  events: number;
  last_seq: number;
  /** JSON object, type to count. */
  event_counts: string;
  tool_failures: number;
  errors_fixed: number;
  validations_failed: number;
  /** Names-table ids of the owner. */
  user: number;
  machine: number;
  /** Day of the first event (days since 1970-01-01, UTC). */
  first_day: number;
}

/** `error_fingerprints`: what each fingerprint stands for. */
export interface ErrorFingerprintsTable {
  fingerprint: string;
  error_type: string;
  pattern: string;
  sample: string | null;
  sample_at: number;
}

/** `store_meta`: key / JSON value pairs (projection versions, last rebuild). */
export interface StoreMetaTable {
  key: string;
  value: string;
}

/** `checkpoints`: per session, the last `seq` applied and the projections' state (JSON). */
export interface CheckpointsTable {
  session: number;
  last_seq: number;
  state: string;
}

/** `names`: interned strings. */
export interface NamesTable {
  id: number;
  value: string;
}

/** The tables kysely queries with types. */
export interface SatSqliteSchema {
  sessions: SessionsTable;
  error_fingerprints: ErrorFingerprintsTable;
  store_meta: StoreMetaTable;
  checkpoints: CheckpointsTable;
  names: NamesTable;
}
