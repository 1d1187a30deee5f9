/**
 * The database schema, as versioned, forward-only migrations that run automatically when a store
 * opens. Never edit a migration that has shipped: add the next one. A database whose schema is
 * newer than this package knows is refused (see `migrate`).
 */
import { SatError } from '@sat/core';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { SqliteDatabase } from './sqlite-database.js';

const DURATION_COLUMNS = `dur_count INTEGER NOT NULL, dur_sum REAL NOT NULL, dur_min REAL, dur_max REAL, dur_hist BLOB`;
const USAGE_COLUMNS = `responses INTEGER NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL,
  cache_creation INTEGER NOT NULL, cache_creation_1h INTEGER NOT NULL, cache_read INTEGER NOT NULL`;

/**
 * Tables of 0001. Columns named `session`, `phase`, `agent`, `tool`, `model` and `fingerprint`
 * hold ids of the `names` table (interned strings); `day` is days since 1970-01-01 (UTC) and
 * `time` epoch milliseconds.
 */
const INITIAL_SCHEMA = [
  `CREATE TABLE names (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE)`,
  `CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE checkpoints (session INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL, state TEXT NOT NULL)`,
  `CREATE TABLE applied_events (id TEXT PRIMARY KEY, session INTEGER NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID`,
  `CREATE TABLE sessions (
    session INTEGER PRIMARY KEY, session_id TEXT NOT NULL, first_event_at TEXT NOT NULL,
    last_event_at TEXT NOT NULL, started_at TEXT, ended_at TEXT, end_reason TEXT, phase TEXT NOT NULL,
    phases TEXT NOT NULL, client TEXT, model TEXT, cwd TEXT, git_branch TEXT, events INTEGER NOT NULL,
    last_seq INTEGER NOT NULL, event_counts TEXT NOT NULL, tool_failures INTEGER NOT NULL,
    errors_fixed INTEGER NOT NULL, validations_failed INTEGER NOT NULL)`,
  `CREATE INDEX sessions_by_last_event ON sessions (last_event_at)`,
  `CREATE TABLE agent_invocations (
    id TEXT PRIMARY KEY, session INTEGER NOT NULL, seq INTEGER NOT NULL, day INTEGER NOT NULL,
    phase INTEGER NOT NULL, agent INTEGER NOT NULL, parent_agent TEXT, subagent_id TEXT, tool_use_id TEXT,
    reason TEXT, started_at TEXT NOT NULL, ended_at TEXT, status TEXT NOT NULL, success INTEGER,
    duration_ms NUMERIC, duration_bucket INTEGER, model TEXT, input_tokens INTEGER, output_tokens INTEGER,
    cache_creation_tokens INTEGER, cache_read_tokens INTEGER)`,
  `CREATE INDEX agent_invocations_by_session ON agent_invocations (session)`,
  `CREATE TABLE tool_uses (
    session INTEGER NOT NULL, seq INTEGER NOT NULL, time INTEGER NOT NULL, day INTEGER NOT NULL,
    phase INTEGER NOT NULL, agent INTEGER NOT NULL, tool INTEGER NOT NULL, duration_ms NUMERIC,
    duration_bucket INTEGER, success INTEGER NOT NULL, parameters TEXT, error TEXT,
    PRIMARY KEY (session, seq)) WITHOUT ROWID`,
  `CREATE TABLE errors (
    session INTEGER NOT NULL, seq INTEGER NOT NULL, time INTEGER NOT NULL, day INTEGER NOT NULL,
    phase INTEGER NOT NULL, agent INTEGER NOT NULL, error_type TEXT NOT NULL, fingerprint INTEGER NOT NULL,
    message TEXT, context TEXT, attempted_fix TEXT, fix_attempted INTEGER NOT NULL, fixed INTEGER,
    tool_use_id TEXT)`,
  `CREATE INDEX errors_by_session ON errors (session, seq)`,
  `CREATE TABLE error_fingerprints (
    fingerprint TEXT PRIMARY KEY, error_type TEXT NOT NULL, pattern TEXT NOT NULL, sample TEXT,
    sample_at INTEGER NOT NULL)`,
  `CREATE TABLE file_operations (
    session INTEGER NOT NULL, seq INTEGER NOT NULL, time INTEGER NOT NULL, day INTEGER NOT NULL,
    phase INTEGER NOT NULL, agent INTEGER NOT NULL, path TEXT NOT NULL, operation TEXT NOT NULL,
    from_path TEXT, git_hash TEXT, bytes INTEGER)`,
  `CREATE INDEX file_operations_by_session ON file_operations (session, seq)`,
  `CREATE TABLE decisions (
    session INTEGER NOT NULL, seq INTEGER NOT NULL, time INTEGER NOT NULL, day INTEGER NOT NULL,
    phase INTEGER NOT NULL, agent INTEGER NOT NULL, question TEXT NOT NULL, selected TEXT NOT NULL,
    options TEXT, rationale TEXT)`,
  `CREATE INDEX decisions_by_session ON decisions (session, seq)`,
  `CREATE TABLE validations (
    session INTEGER NOT NULL, seq INTEGER NOT NULL, time INTEGER NOT NULL, day INTEGER NOT NULL,
    phase INTEGER NOT NULL, agent INTEGER NOT NULL, task TEXT NOT NULL, result TEXT NOT NULL,
    checks INTEGER NOT NULL, checks_passed INTEGER NOT NULL)`,
  `CREATE INDEX validations_by_session ON validations (session, seq)`,
  `CREATE TABLE rollup_agent_day (
    day INTEGER NOT NULL, phase INTEGER NOT NULL, agent INTEGER NOT NULL, invocations INTEGER NOT NULL,
    completed INTEGER NOT NULL, known_success INTEGER NOT NULL, successes INTEGER NOT NULL, ${DURATION_COLUMNS},
    PRIMARY KEY (day, phase, agent)) WITHOUT ROWID`,
  `CREATE TABLE rollup_tool_day (
    day INTEGER NOT NULL, phase INTEGER NOT NULL, agent INTEGER NOT NULL, tool INTEGER NOT NULL,
    uses INTEGER NOT NULL, successes INTEGER NOT NULL, ${DURATION_COLUMNS},
    PRIMARY KEY (day, phase, agent, tool)) WITHOUT ROWID`,
  `CREATE TABLE rollup_error_day (
    day INTEGER NOT NULL, phase INTEGER NOT NULL, agent INTEGER NOT NULL, fingerprint INTEGER NOT NULL,
    errors INTEGER NOT NULL, fix_attempted INTEGER NOT NULL, fixed INTEGER NOT NULL, first_at INTEGER,
    last_at INTEGER, sessions BLOB, PRIMARY KEY (day, phase, agent, fingerprint)) WITHOUT ROWID`,
  `CREATE TABLE rollup_usage_phase (
    phase INTEGER NOT NULL, agent INTEGER NOT NULL, model INTEGER NOT NULL, ${USAGE_COLUMNS},
    PRIMARY KEY (phase, agent, model)) WITHOUT ROWID`,
  `CREATE TABLE rollup_usage_day (
    day INTEGER NOT NULL, phase INTEGER NOT NULL, agent INTEGER NOT NULL, model INTEGER NOT NULL,
    ${USAGE_COLUMNS}, PRIMARY KEY (day, phase, agent, model)) WITHOUT ROWID`,
  `CREATE TABLE rollup_usage_session (
    session INTEGER NOT NULL, day INTEGER NOT NULL, phase INTEGER NOT NULL, agent INTEGER NOT NULL,
    model INTEGER NOT NULL, ${USAGE_COLUMNS},
    PRIMARY KEY (session, day, phase, agent, model)) WITHOUT ROWID`,
];

function statements(list: readonly string[]): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const statement of list) await sql.raw(statement).execute(db);
    },
  };
}

const CLAUDE_CODE_COST_COLUMNS = `cc_responses INTEGER NOT NULL, cc_input INTEGER NOT NULL,
  cc_output INTEGER NOT NULL, cc_cache_creation INTEGER NOT NULL, cc_cache_creation_1h INTEGER NOT NULL,
  cc_cache_read INTEGER NOT NULL, cc_cost REAL NOT NULL`;

/**
 * 0002: the part of each usage rollup whose cost Claude Code reported itself (OpenTelemetry's
 * `cost_usd`): its responses, tokens and that cost. Existing rows start at 0 (priced by the table).
 */
const CLAUDE_CODE_COST = ['rollup_usage_phase', 'rollup_usage_day', 'rollup_usage_session'].flatMap(
  (table) => [
    ...[
      'cc_responses',
      'cc_input',
      'cc_output',
      'cc_cache_creation',
      'cc_cache_creation_1h',
      'cc_cache_read',
    ].map((column) => `ALTER TABLE ${table} ADD COLUMN ${column} INTEGER NOT NULL DEFAULT 0`),
    `ALTER TABLE ${table} ADD COLUMN cc_cost REAL NOT NULL DEFAULT 0`,
  ],
);

const ROLLUP_MEASURES: Record<string, string> = {
  agent_day: `invocations INTEGER NOT NULL, completed INTEGER NOT NULL, known_success INTEGER NOT NULL,
    successes INTEGER NOT NULL, ${DURATION_COLUMNS}`,
  tool_day: `uses INTEGER NOT NULL, successes INTEGER NOT NULL, ${DURATION_COLUMNS}`,
  error_day: `errors INTEGER NOT NULL, fix_attempted INTEGER NOT NULL, fixed INTEGER NOT NULL, first_at INTEGER,
    last_at INTEGER, sessions BLOB`,
  usage_phase: `${USAGE_COLUMNS}, ${CLAUDE_CODE_COST_COLUMNS}`,
  usage_day: `${USAGE_COLUMNS}, ${CLAUDE_CODE_COST_COLUMNS}`,
  usage_session: `${USAGE_COLUMNS}, ${CLAUDE_CODE_COST_COLUMNS}`,
};

const ROLLUP_KEYS: Record<string, string> = {
  agent_day: 'day, phase, agent',
  tool_day: 'day, phase, agent, tool',
  error_day: 'day, phase, agent, fingerprint',
  usage_phase: 'phase, agent, model',
  usage_day: 'day, phase, agent, model',
  usage_session: 'session, day, phase, agent, model',
};

/**
 * 0003: every row and rollup knows its owner (`user`, `machine`: ids of the names table). The fact
 * tables and sessions gain the columns (sessions also the day of their first event); the rollups,
 * whose keys change, are created again with the owner in their key (the projection versions rose
 * with this, so the store rebuilds them from the log on opening).
 */
const OWNERS = [
  ...[
    'agent_invocations',
    'tool_uses',
    'errors',
    'file_operations',
    'decisions',
    'validations',
    'sessions',
  ].flatMap((table) => [
    `ALTER TABLE ${table} ADD COLUMN user INTEGER NOT NULL DEFAULT 0`,
    `ALTER TABLE ${table} ADD COLUMN machine INTEGER NOT NULL DEFAULT 0`,
  ]),
  `ALTER TABLE sessions ADD COLUMN first_day INTEGER NOT NULL DEFAULT 0`,
  `CREATE INDEX sessions_by_owner_day ON sessions (user, machine, first_day)`,
  ...Object.entries(ROLLUP_KEYS).flatMap(([rollup, keys]) => [
    `DROP TABLE rollup_${rollup}`,
    `CREATE TABLE rollup_${rollup} (
      ${keys
        .split(', ')
        .map((key) => `${key} INTEGER NOT NULL`)
        .join(', ')}, user INTEGER NOT NULL, machine INTEGER NOT NULL, ${ROLLUP_MEASURES[rollup]},
      PRIMARY KEY (${keys}, user, machine)) WITHOUT ROWID`,
  ]),
];

/** Every migration, in order. The schema version of a database is the number applied. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_initial': statements(INITIAL_SCHEMA),
  '0002_claude_code_cost': statements(CLAUDE_CODE_COST),
  '0003_owners': statements(OWNERS),
});

/** The schema version this package writes: the number of migrations. */
export const SCHEMA_VERSION = Object.keys(MIGRATIONS).length;

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

function tooNew(file: string, detail: string): SatError {
  return new SatError(
    'STORE_TOO_NEW',
    `[store-sqlite] ${file} was written by a newer version of @sat/store-sqlite (${detail}; this version knows schema ${SCHEMA_VERSION}): upgrade sat, or move the file away and run 'sat rebuild' to rebuild it from the logs`,
    { details: { file, schemaVersion: SCHEMA_VERSION } },
  );
}

/** What `migrate` did. */
export interface MigrateResult {
  /** The schema version before. */
  from: number;
  /** The schema version now. */
  to: number;
  applied: string[];
}

/**
 * Brings the schema up to date inside one immediate transaction (so two processes opening a new
 * database never both create it). Refuses, with `STORE_TOO_NEW`, a database that has a
 * migration this version does not know or a higher schema version.
 */
export async function migrate(
  db: SqliteDatabase,
  kysely: Kysely<unknown>,
  file: string,
): Promise<MigrateResult> {
  const readVersion = () => Number(db.pragma('user_version', { simple: true }));
  const from = readVersion();
  if (from > SCHEMA_VERSION) throw tooNew(file, `schema ${from}`);
  if (from === SCHEMA_VERSION) return { from, to: from, applied: [] };
  db.exec('BEGIN IMMEDIATE');
  try {
    const hasTable = db
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'`)
      .get();
    if (hasTable) {
      const names = (
        db.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[]
      ).map((row) => row.name);
      const unknown = names.filter((name) => !(name in MIGRATIONS));
      if (unknown.length > 0) throw tooNew(file, `migration ${unknown.join(', ')}`);
    }
    const migrator = new Migrator({ db: kysely, provider, disableTransactions: true });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error;
    const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
    return { from, to: SCHEMA_VERSION, applied };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
