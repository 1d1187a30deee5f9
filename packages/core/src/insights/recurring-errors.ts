import { median } from './robust-stats.js';
import type { DigestError, ResolvingStep, SessionDigest } from './session-digest.js';

/** One error that came back: the same type and normalised message in several sessions. */
export interface RecurringError {
  fingerprint: string;
  errorType: string;
  /** The message with paths, numbers, ids and hashes normalised out. */
  pattern: string;
  /** The earliest occurrence's message. */
  example: string;
  /** Sessions it happened in, oldest first. */
  sessions: string[];
  agents: string[];
  occurrences: number;
  /** ISO-8601 of the first and last occurrence. */
  firstSeen: string;
  lastSeen: string;
  /** Occurrences that were resolved in their session. */
  resolved: number;
  /** resolved / occurrences. */
  resolutionRate: number;
  /** Median time from an occurrence to its resolution; null when none was resolved. */
  medianTimeToResolutionMs: number | null;
  /** The step that resolved it most often. */
  resolvingStep?: ResolvingStep;
  /** The kind of edit most occurrences followed (`modify *.ts`), with how many; absent when none did. */
  afterEdit?: { kind: string; occurrences: number };
}

/** Result of {@link findRecurringErrors}: most widespread first. */
export interface RecurringErrors {
  recurring: RecurringError[];
}

/** Options of {@link findRecurringErrors}. */
export interface RecurringErrorOptions {
  /** Fewest distinct sessions for an error to recur. Default 2. */
  minSessions?: number;
  /** Fewest occurrences in all. Default 2. */
  minOccurrences?: number;
}

function mostCommon<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
): { item: T; count: number } | undefined {
  const counts = new Map<string, { item: T; count: number }>();
  for (const item of items) {
    const key = keyOf(item);
    const seen = counts.get(key);
    if (seen) seen.count++;
    else counts.set(key, { item, count: 1 });
  }
  return [...counts.entries()].sort(([ka, a], [kb, b]) => b.count - a.count || ka.localeCompare(kb))[0]?.[1];
}

function summarize(errors: ReadonlyArray<DigestError & { session: string }>): RecurringError {
  const sorted = [...errors].sort((a, b) => a.at - b.at || a.seq - b.seq);
  const first = sorted[0]!;
  const resolved = sorted.filter((e) => e.resolvedAt !== null);
  const times = resolved.map((e) => e.resolvedAt! - e.at);
  const step = mostCommon(
    resolved.flatMap((e) => (e.resolvingStep ? [e.resolvingStep] : [])),
    (s) => `${s.kind}\u0000${s.text}`,
  );
  const edit = mostCommon(
    sorted.flatMap((e) => (e.afterEdit ? [e.afterEdit] : [])),
    (kind) => kind,
  );
  return {
    fingerprint: first.fingerprint,
    errorType: first.errorType,
    pattern: first.pattern,
    example: first.message,
    sessions: [...new Set(sorted.map((e) => e.session))],
    agents: [...new Set(sorted.map((e) => e.agent))].sort(),
    occurrences: sorted.length,
    firstSeen: new Date(first.at).toISOString(),
    lastSeen: new Date(sorted.at(-1)!.at).toISOString(),
    resolved: resolved.length,
    resolutionRate: resolved.length / sorted.length,
    medianTimeToResolutionMs: times.length > 0 ? median(times) : null,
    ...(step ? { resolvingStep: step.item } : {}),
    ...(edit ? { afterEdit: { kind: edit.item, occurrences: edit.count } } : {}),
  };
}

/**
 * Groups the errors of the sessions by type and fingerprint (the message with paths, temp
 * folders, line numbers, numbers, UUIDs, URLs and hex hashes normalised out; different words stay
 * different errors) and keeps those that came back in several sessions, with when, who, how often
 * they were resolved, how fast, and by what. Defaults: 2 sessions, 2 occurrences.
 *
 * @example
 * const { recurring } = findRecurringErrors(await readSessionDigests(logsDir));
 * recurring[0]; // { errorType: 'EISDIR', sessions: ['s1', 's4', 's9'], occurrences: 5, resolutionRate: 0.8, resolvingStep: { kind: 'tool_call', text: 'Read <path>' }, ... }
 */
export function findRecurringErrors(
  input: readonly SessionDigest[],
  options: RecurringErrorOptions = {},
): RecurringErrors {
  const minSessions = options.minSessions ?? 2;
  const minOccurrences = options.minOccurrences ?? 2;
  const groups = new Map<string, Array<DigestError & { session: string }>>();
  for (const digest of input)
    for (const error of digest.errors) {
      const group = groups.get(error.fingerprint) ?? [];
      groups.set(error.fingerprint, group);
      group.push({ ...error, session: digest.session });
    }
  const recurring = [...groups.values()]
    .map(summarize)
    .filter((row) => row.sessions.length >= minSessions && row.occurrences >= minOccurrences)
    .sort(
      (a, b) =>
        b.sessions.length - a.sessions.length ||
        b.occurrences - a.occurrences ||
        a.fingerprint.localeCompare(b.fingerprint),
    );
  return { recurring };
}
