import type { SatConfig } from '../config/config-schema.js';
import type { SessionState } from '../session-state/session-state.js';
import { newTokensOf, summarizeSessionState } from '../session-state/session-summary.js';
import type { SnapshotMeta, SnapshotTrigger } from './snapshot-types.js';

/**
 * Whether a snapshot is due, and why: `session-end` (the session ended after the last
 * snapshot), `pre-compact` (a `context_snapshot` with a `pre-compact...` trigger after it),
 * `agent-invocations` (`config.snapshots.everyAgentInvocations` agent runs since it, default 10)
 * or `tokens` (`config.snapshots.everyTokens` new tokens since it, default 20,000; new tokens are
 * input + output + cache writes). Undefined when none is due. Pure.
 *
 * @example
 * const trigger = snapshotTriggers(state, latest?.meta, config);
 * if (trigger) await createSnapshot(config, session, { trigger });
 */
export function snapshotTriggers(
  state: SessionState,
  lastSnapshot: Pick<SnapshotMeta, 'seq' | 'counters'> | undefined,
  config: Pick<SatConfig, 'snapshots'>,
): SnapshotTrigger | undefined {
  const since = lastSnapshot?.seq ?? 0;
  if (state.lastSeq <= since) return undefined;
  if (state.ended && (state.endSeq ?? 0) > since) return 'session-end';
  if ((state.compaction.lastPreCompactSeq ?? 0) > since) return 'pre-compact';
  const every = config.snapshots;
  if (
    every.everyAgentInvocations > 0 &&
    state.agents.invocations - (lastSnapshot?.counters.agentInvocations ?? 0) >= every.everyAgentInvocations
  )
    return 'agent-invocations';
  if (every.everyTokens > 0 && newTokensOf(state) - (lastSnapshot?.counters.tokens ?? 0) >= every.everyTokens)
    return 'tokens';
  return undefined;
}

/** Why a handoff is due: the context is filling up, or about to be compacted. */
export type HandoffTrigger = 'context-fill' | 'pre-compact';

/**
 * Whether a handoff summary is due: `pre-compact` when a compaction was announced after the last
 * handoff; `context-fill` when the main agent's context, measured after the last compaction, is
 * at least `config.handoff.contextFillPercent` (default 80) of its window and no `context-fill`
 * handoff was written since that compaction (so at most one per context). Undefined otherwise.
 * Pure.
 *
 * @example
 * const trigger = handoffTrigger(state, config);
 * if (trigger) await createHandoff(config, session, { trigger });
 */
export function handoffTrigger(
  state: SessionState,
  config: Pick<SatConfig, 'handoff' | 'prices'>,
): HandoffTrigger | undefined {
  if (state.ended) return undefined;
  const last = state.lastHandoff;
  const compaction = state.compaction.lastPreCompactSeq ?? 0;
  if (compaction > (last?.seq ?? 0)) return 'pre-compact';
  if (!state.context || state.context.seq <= compaction) return undefined;
  if (last?.trigger === 'context-fill' && last.seq > compaction) return undefined;
  const context = summarizeSessionState(state, config.prices).context;
  return context && context.percent >= config.handoff.contextFillPercent ? 'context-fill' : undefined;
}
