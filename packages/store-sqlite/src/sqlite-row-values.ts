/**
 * Pure mappings from core's projection rows to the values of this package's tables, in column
 * order. Names (sessions, agents, tools ...) become ids of the names table through `n`. The bulk
 * tables' mappers push straight into the statement's buffer (no array per row).
 */
import {
  DAY_MS,
  type DecisionRow,
  durationBucket,
  type ErrorRow,
  type FileOperationRow,
  type InvocationRow,
  type SessionRow,
  type ToolUseRow,
  type ValidationRow,
} from '@sat/core/projections';

/** Interns a name, returning its id in the names table. */
export type Intern = (value: string) => number;

const bool = (value: boolean | null) => (value === null ? null : value ? 1 : 0);
const bucket = (durationMs: number | null) => (durationMs === null ? null : durationBucket(durationMs));

/** The 22 values of a `sessions` row. */
export function sessionValues(s: SessionRow, n: Intern): unknown[] {
  return [
    n(s.session),
    s.session,
    s.firstEventAt,
    s.lastEventAt,
    s.startedAt,
    s.endedAt,
    s.endReason,
    s.phase,
    JSON.stringify(s.phases),
    s.client,
    s.model,
    s.cwd,
    s.gitBranch,
    s.events,
    s.lastSeq,
    JSON.stringify(s.eventCounts),
    s.toolFailures,
    s.errorsFixed,
    s.validationsFailed,
    n(s.user),
    n(s.machine),
    Math.floor(Date.parse(s.firstEventAt) / DAY_MS),
  ];
}

/** The 23 values of an `agent_invocations` row. */
export function invocationValues(r: InvocationRow, n: Intern): unknown[] {
  return [
    r.id,
    n(r.session),
    r.seq,
    r.day,
    n(r.phase),
    n(r.agent),
    r.parentAgent,
    r.agentId,
    r.toolUseId,
    r.reason,
    r.startedAt,
    r.endedAt,
    r.status,
    bool(r.success),
    r.durationMs,
    bucket(r.durationMs),
    r.model,
    r.tokens?.input ?? null,
    r.tokens?.output ?? null,
    r.tokens?.cacheCreation ?? null,
    r.tokens?.cacheRead ?? null,
    n(r.user),
    n(r.machine),
  ];
}

/** Pushes the 14 values of a `tool_uses` row. */
export function pushToolUse(out: unknown[], r: ToolUseRow, n: Intern): void {
  out.push(
    n(r.session),
    r.seq,
    r.time,
    r.day,
    n(r.phase),
    n(r.agent),
    n(r.tool),
    r.durationMs,
    bucket(r.durationMs),
    r.success ? 1 : 0,
    r.parameters,
    r.error,
    n(r.user),
    n(r.machine),
  );
}

/** Pushes the 16 values of an `errors` row. */
export function pushError(out: unknown[], r: ErrorRow, n: Intern): void {
  out.push(
    n(r.session),
    r.seq,
    r.time,
    r.day,
    n(r.phase),
    n(r.agent),
    r.errorType,
    n(r.fingerprint),
    r.message,
    r.context,
    r.attemptedFix,
    r.fixAttempted ? 1 : 0,
    bool(r.fixed),
    r.toolUseId,
    n(r.user),
    n(r.machine),
  );
}

/** Pushes the 13 values of a `file_operations` row. */
export function pushFileOperation(out: unknown[], r: FileOperationRow, n: Intern): void {
  out.push(
    n(r.session),
    r.seq,
    r.time,
    r.day,
    n(r.phase),
    n(r.agent),
    r.path,
    r.operation,
    r.fromPath,
    r.gitHash,
    r.bytes,
    n(r.user),
    n(r.machine),
  );
}

/** Pushes the 12 values of a `decisions` row. */
export function pushDecision(out: unknown[], r: DecisionRow, n: Intern): void {
  out.push(
    n(r.session),
    r.seq,
    r.time,
    r.day,
    n(r.phase),
    n(r.agent),
    r.question,
    r.selected,
    r.options ? JSON.stringify(r.options) : null,
    r.rationale,
    n(r.user),
    n(r.machine),
  );
}

/** Pushes the 12 values of a `validations` row. */
export function pushValidation(out: unknown[], r: ValidationRow, n: Intern): void {
  out.push(
    n(r.session),
    r.seq,
    r.time,
    r.day,
    n(r.phase),
    n(r.agent),
    r.task,
    r.result,
    r.checks,
    r.checksPassed,
    n(r.user),
    n(r.machine),
  );
}
