import {
  listSessions,
  type SatConfig,
  type SessionActivity,
  type SessionInfo,
  sessionActivity,
  sessionUsage,
  type TokenCounts,
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
}

/**
 * The rows of `sat sessions --json` (and `GET /api/sessions`): every session's log facts, usage
 * and activity as of now.
 *
 * @example
 * const rows = await sessionRows(config);
 */
export async function sessionRows(config: SatConfig, now = Date.now()): Promise<SessionRow[]> {
  const logsDir = config.paths.logs;
  const rows: SessionRow[] = [];
  for (const info of await listSessions(logsDir)) {
    const usage = await sessionUsage(logsDir, info.session, { prices: config.prices });
    rows.push({
      ...info,
      tokens: usage.tokens,
      cost: usage.cost,
      unknownModels: usage.unknownModels,
      unpricedTokens: usage.unpricedTokens,
      apiResponses: usage.apiResponses,
      activity: sessionActivity(info, now),
    });
  }
  return rows;
}
