import type { CliStore } from '../analytics.js';
import type { StoreDifference, StoreVerification } from './verify-stores.js';

/** Which store a migration fills. */
export type StoreKind = 'sqlite' | 'mongo';

/** What `sat migrate` was asked to do. */
export interface MigrateRequest {
  to: StoreKind;
  /** `--to mongo`: the connection string (default `store.mongo.url` / `SAT_MONGO_URL`). */
  url?: string;
  /** `--to mongo`: the database (default `store.mongo.database`, `sat`). */
  database?: string;
  dryRun: boolean;
  json: boolean;
}

/** What a migration would do (a dry run) or did, as shown before it asks. */
export interface MigratePlan {
  from: StoreKind;
  to: StoreKind;
  /** Where the data is read from (a file, a redacted URL). */
  source: string;
  /** Where it goes. */
  target: string;
  /** Sessions and events of the log, the truth the target is filled from. */
  sessions: number;
  events: number;
  /** True when an interrupted migration's partial copy is continued. */
  resume: boolean;
  /** What the target held before, when something (never touched). */
  notes: string[];
  /** The checks run before switching. */
  checks: string[];
}

/** The result of `sat migrate` (its `--json`). */
export interface MigrateResult extends MigratePlan {
  /** True when the target was verified and `store.kind` switched (a dry run: when it could start). */
  ok: boolean;
  dryRun: boolean;
  /** Events applied to the target by this run, and those it already held. */
  copied?: { applied: number; duplicates: number; ms: number };
  verification?: Omit<StoreVerification, 'differences'>;
  /** Empty when the stores agree. */
  differences: StoreDifference[];
  /** The config file written (only when `ok`). */
  configFile?: string;
  /** What the rollback removed (only when not `ok`). */
  rolledBack?: string[];
  /** Why the rollback could not remove what the migration wrote, if it failed. */
  rollbackError?: string;
  /** The failure that stopped the migration, if any. */
  error?: { code: string; message: string };
}

/** Test seams of a migration. */
export interface MigrateHooks {
  /** Asked once the plan is known (not on a dry run); false stops before anything is written. */
  confirm?(plan: MigratePlan): Promise<boolean>;
  /** Runs between the copy and the verification, with the target store open. */
  beforeVerify?(target: CliStore): Promise<void>;
  /** Imports `@sat/store-mongo` (tests replace it). */
  importMongo?: () => Promise<typeof import('@sat/store-mongo')>;
}

/** The checks every migration runs, as the plan lists them. */
export const CHECKS = [
  'counts per projection (applied events, sessions, agent invocations, tool uses, errors, fingerprints, API responses, tokens)',
  'a sample of up to 25 sessions compared field by field',
  "every 'sat stats' report's JSON: default filters, --days all, --days 7, first and last session, two phases, two agents",
];
