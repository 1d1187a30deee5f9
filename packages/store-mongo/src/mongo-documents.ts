/**
 * Pure mappings from core's projection rows to this package's documents and back. Booleans that
 * SQLite keeps as 0 / 1 are kept as 0 / 1 (null when unknown) so that the aggregations add them.
 * Every document carries its row's owner (`user`, `machine`: the event's, an imported event keeping
 * its origin) and `ingestedBy`, the machine whose store wrote it (what that machine's rebuild clears).
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
import type { Document } from 'mongodb';

/** The machine (and its user) whose store writes the documents: their `ingestedBy` and checkpoints. */
export interface Owner {
  machine: string;
  user: string;
}

const bool = (value: boolean | null) => (value === null ? null : value ? 1 : 0);
const bucket = (durationMs: number | null) => (durationMs === null ? null : durationBucket(durationMs));

/** A session's document (`_id`: the session id). */
export function sessionDoc(s: SessionRow, o: Owner): Document {
  return {
    _id: s.session,
    ...s,
    firstDay: Math.floor(Date.parse(s.firstEventAt) / DAY_MS),
    ingestedBy: o.machine,
  };
}

/** A session's row from its document. */
export function sessionFromDoc(d: Document): SessionRow {
  return {
    session: d.session,
    firstEventAt: d.firstEventAt,
    lastEventAt: d.lastEventAt,
    startedAt: d.startedAt ?? null,
    endedAt: d.endedAt ?? null,
    endReason: d.endReason ?? null,
    phase: d.phase,
    phases: d.phases,
    client: d.client ?? null,
    model: d.model ?? null,
    cwd: d.cwd ?? null,
    gitBranch: d.gitBranch ?? null,
    events: d.events,
    lastSeq: d.lastSeq,
    eventCounts: d.eventCounts,
    toolFailures: d.toolFailures,
    errorsFixed: d.errorsFixed,
    validationsFailed: d.validationsFailed,
    user: d.user,
    machine: d.machine,
  };
}

/** An agent invocation's document (`_id`: the invocation id). */
export function invocationDoc(r: InvocationRow, o: Owner): Document {
  return {
    _id: r.id,
    ...r,
    success: bool(r.success),
    durationMs: r.durationMs,
    durationBucket: bucket(r.durationMs),
    ingestedBy: o.machine,
  };
}

function base(r: ToolUseRow | ErrorRow | FileOperationRow | DecisionRow | ValidationRow, o: Owner): Document {
  return {
    session: r.session,
    seq: r.seq,
    time: r.time,
    day: r.day,
    phase: r.phase,
    agent: r.agent,
    machine: r.machine,
    user: r.user,
    ingestedBy: o.machine,
  };
}

/** A tool call's document. */
export function toolUseDoc(r: ToolUseRow, o: Owner): Document {
  return {
    ...base(r, o),
    tool: r.tool,
    durationMs: r.durationMs,
    durationBucket: bucket(r.durationMs),
    success: r.success ? 1 : 0,
    parameters: r.parameters,
    error: r.error,
    toolUseId: r.toolUseId,
  };
}

/** An error's document. */
export function errorDoc(r: ErrorRow, o: Owner): Document {
  return {
    ...base(r, o),
    errorType: r.errorType,
    fingerprint: r.fingerprint,
    message: r.message,
    context: r.context,
    attemptedFix: r.attemptedFix,
    fixAttempted: r.fixAttempted ? 1 : 0,
    fixed: bool(r.fixed),
    toolUseId: r.toolUseId,
  };
}

/** A file operation's document. */
export function fileOperationDoc(r: FileOperationRow, o: Owner): Document {
  return {
    ...base(r, o),
    path: r.path,
    operation: r.operation,
    fromPath: r.fromPath,
    gitHash: r.gitHash,
    bytes: r.bytes,
  };
}

/** A file operation's row from its document. */
export function fileOperationFromDoc(d: Document): FileOperationRow {
  return {
    session: d.session,
    seq: d.seq,
    ts: new Date(d.time).toISOString(),
    time: d.time,
    day: d.day,
    phase: d.phase,
    agent: d.agent,
    path: d.path,
    operation: d.operation,
    fromPath: d.fromPath ?? null,
    gitHash: d.gitHash ?? null,
    bytes: d.bytes ?? null,
    user: d.user,
    machine: d.machine,
  };
}

/** A decision's document. */
export function decisionDoc(r: DecisionRow, o: Owner): Document {
  return {
    ...base(r, o),
    question: r.question,
    selected: r.selected,
    options: r.options,
    rationale: r.rationale,
  };
}

/** A validation's document. */
export function validationDoc(r: ValidationRow, o: Owner): Document {
  return { ...base(r, o), task: r.task, result: r.result, checks: r.checks, checksPassed: r.checksPassed };
}
