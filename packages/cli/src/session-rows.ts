import {
  describeOwner,
  listSessions,
  type SatConfig,
  type SessionActivity,
  type SessionInfo,
  type SessionInfoMemo,
  SessionUsageIndex,
  sessionActivity,
  sessionOwner,
  type TokenCounts,
  usageIndexFile,
} from '@sat/core';

/** A session as listed: its log facts plus its tokens and cost (sub-agents included). */
export interface SessionRow extends SessionInfo {
  tokens: TokenCounts;
  /** USD of the models with a price. */
  cost: number;
  /** Models with no price (their tokens are counted, not priced). */
  unknownModels: string[];
  /** Tokens of the models with no price. */
  unpricedTokens: number;
  apiResponses: number;
  /** Whether it is current: the one meaning of "active" every command uses. */
  activity: SessionActivity;
  /** Whose it is: the sharer of an imported session (its first event's `meta.origin`), else this history's `identity` (`local: true`). */
  owner: { user: string; machine: string; local: boolean };
}

/**
 * How a session's owner is shown: `you` for this history's own, else `user@machine`.
 *
 * @example
 * ownerLabel(row.owner); // 'ana@ana-laptop'
 */
export function ownerLabel(owner: SessionRow['owner']): string {
  return owner.local ? 'you' : `${owner.user}@${owner.machine}`;
}

/**
 * The usage index of a data root, saved under `<state>/session-usage.json` (see
 * {@link SessionUsageIndex}): `sat sessions` loads it, `sat serve` keeps one for its life.
 *
 * @example
 * const index = sessionUsageIndex(config);
 */
export function sessionUsageIndex(config: SatConfig): SessionUsageIndex {
  return new SessionUsageIndex(config.paths.logs, { prices: config.prices, file: usageIndexFile(config) });
}

/**
 * The owner of each log already looked at, by its file and first event time: the first line of an
 * append-only log never changes, so a long-lived caller (`sat serve`) reads each log's head once.
 */
const owners = new Map<string, ReturnType<typeof sessionOwner>>();

function rowOwner(config: SatConfig, info: SessionInfo, seen: Set<string>): SessionRow['owner'] {
  const key = `${info.file}\n${info.start ?? ''}`;
  seen.add(key);
  if (!owners.has(key)) owners.set(key, sessionOwner(config.paths.logs, info.session));
  const origin = owners.get(key);
  return describeOwner(origin, config.identity);
}

/** Where {@link sessionRows} reads from: what a long-lived caller keeps between calls. */
export interface SessionRowsSources {
  /** Usage per session. Default: the data root's saved index ({@link sessionUsageIndex}). */
  index?: SessionUsageIndex;
  /** The log facts per session. Default: `listSessions` (every log's first and last lines). */
  infos?: SessionInfoMemo;
  /** The log folder's `LogsVersion`, taken before the call, for `infos`. */
  version?: string;
}

/**
 * The rows of `sat sessions --json` (and `GET /api/sessions`): every session's log facts, usage
 * and activity as of now. Usage comes from the usage index, which reads only the logs that changed
 * since it last saw them and is saved afterwards; `warnings` says when it could not be saved.
 *
 * @example
 * const { rows } = await sessionRows(config);
 */
export async function sessionRows(
  config: SatConfig,
  now = Date.now(),
  sources: SessionRowsSources = {},
): Promise<{ rows: SessionRow[]; warnings: string[] }> {
  const index = sources.index ?? sessionUsageIndex(config);
  const rows: SessionRow[] = [];
  const sessions = sources.infos
    ? sources.infos.list(sources.version)
    : await listSessions(config.paths.logs);
  const seen = new Set<string>();
  for (const info of sessions) {
    const usage = await index.usage(info.session);
    rows.push({
      ...info,
      tokens: usage.tokens,
      cost: usage.cost,
      unknownModels: usage.unknownModels,
      unpricedTokens: usage.unpricedTokens,
      apiResponses: usage.apiResponses,
      activity: sessionActivity(info, now),
      owner: rowOwner(config, info, seen),
    });
  }
  index.keepOnly(sessions.map((info) => info.session));
  for (const key of owners.keys()) if (!seen.has(key)) owners.delete(key);
  const saved = index.save();
  return { rows, warnings: saved.warning ? [saved.warning] : [] };
}
