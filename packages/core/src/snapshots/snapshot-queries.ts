import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { isValidSessionId } from '../ids.js';
import { DEFAULT_PRICES, type PriceTable } from '../pricing/prices.js';
import type {
  AgentRunState,
  DecisionState,
  OpenError,
  PromptState,
  SessionState,
  TodoItem,
} from '../session-state/session-state.js';
import { summarizeSessionState } from '../session-state/session-summary.js';
import { latestValidSnapshot } from './create-snapshot.js';
import { unifiedDiff } from './snapshot-files.js';
import { checksumOf, readBlob, readSnapshotFile, readSnapshotIndex, snapshotDir } from './snapshot-store.js';
import type { Snapshot, SnapshotMeta, SnapshotReadOptions } from './snapshot-types.js';

/**
 * The snapshots of a session, oldest first, each checked against its SHA-256. A snapshot whose
 * file is missing or does not match is reported through `onIssue` and left out.
 *
 * @example
 * for (const meta of listSnapshots(config, session)) console.log(meta.id, meta.seq, meta.trigger);
 */
export function listSnapshots(
  config: SatConfig,
  session: string,
  options: SnapshotReadOptions = {},
): SnapshotMeta[] {
  const dir = snapshotDir(config.paths.state, session);
  const { metas } = readSnapshotIndex(dir, session, options.onIssue);
  return metas.filter((meta) => {
    const file = join(dir, meta.file);
    let problem: string | undefined;
    try {
      const sum = checksumOf(readFileSync(file));
      if (sum !== meta.checksum) problem = `checksum mismatch (index ${meta.checksum}, file ${sum})`;
    } catch (error) {
      problem = `cannot read ${file}: ${(error as Error).message}`;
    }
    if (problem)
      options.onIssue?.({
        kind: problem.startsWith('cannot') ? 'missing-snapshot' : 'corrupt-snapshot',
        session,
        id: meta.id,
        file,
        message: `snapshot ${meta.id} of session ${session} is unusable: ${problem} (it is skipped)`,
      });
    return problem === undefined;
  });
}

/**
 * The latest snapshot of a session that reads back whole and matches its checksum, or undefined.
 * Corrupt or truncated ones are reported through `onIssue` and skipped in favour of the one
 * before.
 *
 * @example
 * const latest = getLatestSnapshot(config, session, { onIssue: (i) => console.warn(i.message) });
 */
export function getLatestSnapshot(
  config: SatConfig,
  session: string,
  options: SnapshotReadOptions = {},
): Snapshot | undefined {
  const dir = snapshotDir(config.paths.state, session);
  const { metas } = readSnapshotIndex(dir, session, options.onIssue);
  return latestValidSnapshot(dir, session, metas, options.onIssue);
}

/** The sessions that have snapshots. */
export function sessionsWithSnapshots(config: SatConfig): string[] {
  const root = join(config.paths.state, 'snapshots');
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((name) => isValidSessionId(name));
}

/**
 * Finds a snapshot by id (or a unique prefix of one) in every session's index.
 * Throws `SNAPSHOT_NOT_FOUND` when none or several match.
 */
export function findSnapshot(config: SatConfig, id: string, options: SnapshotReadOptions = {}): SnapshotMeta {
  const matches: SnapshotMeta[] = [];
  for (const session of sessionsWithSnapshots(config)) {
    const { metas } = readSnapshotIndex(snapshotDir(config.paths.state, session), session, options.onIssue);
    for (const meta of metas)
      if (meta.id === id || (id.length >= 4 && meta.id.startsWith(id))) matches.push(meta);
  }
  const exact = matches.find((m) => m.id === id);
  if (exact) return exact;
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw new SatError(
      'SNAPSHOT_NOT_FOUND',
      `[core] no snapshot ${id} in ${join(config.paths.state, 'snapshots')} (see 'sat snapshot list')`,
      { details: { id } },
    );
  throw new SatError(
    'SNAPSHOT_NOT_FOUND',
    `[core] '${id}' matches ${matches.length} snapshots (${matches
      .slice(0, 3)
      .map((m) => m.id)
      .join(', ')}, ...): give more of the id`,
    { details: { id } },
  );
}

/**
 * Reads one snapshot by id (or unique prefix), verified against its checksum. Throws
 * `SNAPSHOT_NOT_FOUND` for an unknown id and `VERIFY_FAILED` for a corrupt or truncated file.
 *
 * @example
 * const { meta, state, files } = loadSnapshot(config, '019ab5f0-6b1c');
 */
export function loadSnapshot(config: SatConfig, id: string, options: SnapshotReadOptions = {}): Snapshot {
  const meta = findSnapshot(config, id, options);
  return readSnapshotFile(snapshotDir(config.paths.state, meta.session), meta.session, meta.file, meta);
}

/**
 * The session state a snapshot holds (see `SessionState`), verified against its checksum.
 * Throws `SNAPSHOT_NOT_FOUND` or `VERIFY_FAILED`.
 *
 * @example
 * const state = restoreSnapshot(config, snapshotId);
 * console.log(state.goal?.text, Object.keys(state.files));
 */
export function restoreSnapshot(
  config: SatConfig,
  id: string,
  options: SnapshotReadOptions = {},
): SessionState {
  return loadSnapshot(config, id, options).state;
}

/**
 * Reads file contents kept by a session's snapshots, by git blob hash (for
 * {@link diffSnapshots}).
 */
export function snapshotContentReader(
  config: SatConfig,
  session: string,
): (hash: string) => string | undefined {
  const dir = snapshotDir(config.paths.state, session);
  return (hash) => readBlob(dir, hash);
}

/** One file that differs between two snapshots. */
export interface FileDelta {
  path: string;
  change: 'added' | 'removed' | 'modified';
  fromHash?: string;
  toHash?: string;
  /** Unified diff, when both contents are kept (text files up to 64 KB). */
  diff?: string;
}

/** What changed between two snapshots of a session. */
export interface SnapshotDiff {
  session: string;
  from: { id: string; seq: number; createdAt: string };
  to: { id: string; seq: number; createdAt: string };
  /** True when the arguments came newest first and were swapped. */
  swapped: boolean;
  events: number;
  agents: {
    /** Agent runs started in between. */
    invocations: number;
    /** Runs that finished in between (as far as the later state keeps them). */
    finished: AgentRunState[];
    /** Runs still running at the later snapshot. */
    running: AgentRunState[];
  };
  files: FileDelta[];
  tokens: { from: number; to: number; delta: number };
  cost: { from: number; to: number; delta: number };
  errors: { opened: OpenError[]; resolved: number };
  decisions: DecisionState[];
  prompts: PromptState[];
  /** Todo items whose status changed, or that appeared, per agent. */
  todos: Array<{ agent: string; content: string; from?: string; to: string }>;
  ended: { from: boolean; to: boolean };
}

/** Options of {@link diffSnapshots}. */
export interface DiffSnapshotsOptions {
  /** Reads kept contents by hash (see {@link snapshotContentReader}); without it, files get no text diff. */
  readContent?: (hash: string) => string | undefined;
  /** Prices for the cost delta. Default the bundled table. */
  prices?: PriceTable;
}

function todoMap(state: SessionState): Map<string, { agent: string; item: TodoItem }> {
  const out = new Map<string, { agent: string; item: TodoItem }>();
  for (const [agent, list] of Object.entries(state.todos))
    for (const item of list.items) out.set(`${agent}\u0000${item.content}`, { agent, item });
  return out;
}

/**
 * What changed between two snapshots of one session (given in either order): events, agent runs,
 * files (by their on-disk git hashes, with a unified diff when both contents are kept), tokens and
 * cost, errors opened and resolved, decisions, prompts and todo items.
 *
 * @example
 * const delta = diffSnapshots(loadSnapshot(config, a), loadSnapshot(config, b), {
 *   readContent: snapshotContentReader(config, session),
 * });
 */
export function diffSnapshots(a: Snapshot, b: Snapshot, options: DiffSnapshotsOptions = {}): SnapshotDiff {
  if (a.meta.session !== b.meta.session)
    throw new SatError(
      'USAGE',
      `[core] cannot diff snapshots of two sessions (${a.meta.session} and ${b.meta.session})`,
    );
  const swapped =
    a.meta.seq > b.meta.seq || (a.meta.seq === b.meta.seq && a.meta.createdAt > b.meta.createdAt);
  const [from, to] = swapped ? [b, a] : [a, b];
  const prices = options.prices ?? DEFAULT_PRICES;
  const s1 = summarizeSessionState(from.state, prices);
  const s2 = summarizeSessionState(to.state, prices);

  const files: FileDelta[] = [];
  const before = new Map(from.files.map((f) => [f.path, f]));
  const after = new Map(to.files.map((f) => [f.path, f]));
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const x = before.get(path);
    const y = after.get(path);
    const xHash = x?.exists ? x.gitHash : undefined;
    const yHash = y?.exists ? y.gitHash : undefined;
    const xThere = Boolean(x?.exists);
    const yThere = Boolean(y?.exists);
    if (xThere === yThere && xHash === yHash) continue;
    const delta: FileDelta = {
      path,
      change: !xThere ? 'added' : !yThere ? 'removed' : 'modified',
    };
    if (xHash) delta.fromHash = xHash;
    if (yHash) delta.toHash = yHash;
    if (options.readContent && (xHash || yHash)) {
      const oldText = xHash ? options.readContent(xHash) : '';
      const newText = yHash ? options.readContent(yHash) : '';
      if (oldText !== undefined && newText !== undefined) {
        const { diff } = unifiedDiff(path, oldText, newText);
        if (diff !== undefined) delta.diff = diff;
      }
    }
    files.push(delta);
  }

  const openBefore = new Set(from.state.errors.open.map((e) => `${e.seq}`));
  const openAfter = new Set(to.state.errors.open.map((e) => `${e.seq}`));
  const todosBefore = todoMap(from.state);
  const todos: SnapshotDiff['todos'] = [];
  for (const [key, { agent, item }] of todoMap(to.state)) {
    const old = todosBefore.get(key);
    if (old?.item.status === item.status) continue;
    const change: SnapshotDiff['todos'][number] = { agent, content: item.content, to: item.status };
    if (old) change.from = old.item.status;
    todos.push(change);
  }
  const afterSeq = from.state.lastSeq;
  return {
    session: to.meta.session,
    from: { id: from.meta.id, seq: from.meta.seq, createdAt: from.meta.createdAt },
    to: { id: to.meta.id, seq: to.meta.seq, createdAt: to.meta.createdAt },
    swapped,
    events: to.state.events - from.state.events,
    agents: {
      invocations: to.state.agents.invocations - from.state.agents.invocations,
      finished: to.state.agents.recent.filter((r) => (r.endSeq ?? 0) > afterSeq),
      running: to.state.agents.running,
    },
    files,
    tokens: { from: s1.newTokens, to: s2.newTokens, delta: s2.newTokens - s1.newTokens },
    cost: { from: s1.cost, to: s2.cost, delta: s2.cost - s1.cost },
    errors: {
      opened: to.state.errors.open.filter((e) => !openBefore.has(`${e.seq}`)),
      resolved: [...openBefore].filter((seq) => !openAfter.has(seq)).length,
    },
    decisions: to.state.decisions.recent.filter((d) => d.seq > afterSeq),
    prompts: to.state.recentPrompts.filter((p) => p.seq > afterSeq),
    todos,
    ended: { from: from.state.ended, to: to.state.ended },
  };
}
