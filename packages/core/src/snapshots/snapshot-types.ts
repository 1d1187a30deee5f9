import type { SessionState } from '../session-state/session-state.js';

/**
 * Why a snapshot was taken: `agent-invocations` (every `snapshots.everyAgentInvocations`),
 * `tokens` (every `snapshots.everyTokens` new tokens), `pre-compact` (Claude Code is about to
 * compact the context), `session-end`, `manual` (on demand), `recover` (by `sat recover`).
 */
export type SnapshotTrigger =
  | 'agent-invocations'
  | 'tokens'
  | 'pre-compact'
  | 'session-end'
  | 'manual'
  | 'recover';

/** Every {@link SnapshotTrigger}. */
export const SNAPSHOT_TRIGGERS: readonly SnapshotTrigger[] = [
  'agent-invocations',
  'tokens',
  'pre-compact',
  'session-end',
  'manual',
  'recover',
];

/** A file the session changed, as a snapshot index lists it. */
export interface SnapshotFileRef {
  path: string;
  exists: boolean;
  /** git's blob hash of the file on disk when the snapshot was taken (absent when missing or too large to hash). */
  gitHash?: string;
}

/** A file the session changed, as the snapshot holds it. */
export interface SnapshotFile extends SnapshotFileRef {
  /** The path on disk that was read (relative paths are resolved against the session's cwd). */
  absolutePath: string;
  bytes?: number;
  /** Modification time and inode, to tell an unchanged file without hashing it again. */
  mtimeMs?: number;
  ino?: number;
  /** True when its hash differs from the previous snapshot's (or there was none). */
  changed: boolean;
  /** True when its content is kept (text files up to 64 KB), so a later snapshot can diff against it. */
  contentStored: boolean;
  /** Unified diff against the previous snapshot's content (changed files only, when both contents are kept). */
  diff?: string;
  /** Why there is no diff for a changed file (`no previous content`, `binary`, `too large`, ...). */
  diffNote?: string;
}

/** What the per-session index records about one snapshot. */
export interface SnapshotMeta {
  /** Unique, time-sortable id (UUIDv7). */
  id: string;
  session: string;
  /** When it was written (ISO-8601). */
  createdAt: string;
  trigger: SnapshotTrigger;
  /** The last event it includes. */
  seq: number;
  /** Byte offset in the log after that event: where an incremental replay starts reading. */
  logOffset?: number;
  /** The snapshot file, relative to the session's snapshot folder. */
  file: string;
  /** Size of the snapshot file (gzip). */
  bytes: number;
  /** `sha256:<hex>` of the snapshot file's bytes. */
  checksum: string;
  /** Files the session changed, with their git blob hashes at that time. */
  files: SnapshotFileRef[];
  /** Counters at this seq, for the triggers. */
  counters: { agentInvocations: number; tokens: number };
  /** `SESSION_STATE_VERSION` of the state it holds. */
  stateVersion: number;
}

/** One snapshot, read back and verified. */
export interface Snapshot {
  meta: SnapshotMeta;
  state: SessionState;
  files: SnapshotFile[];
}

/** A problem found with a snapshot (it is skipped in favour of an older one or a replay). */
export interface SnapshotIssue {
  kind: 'corrupt-snapshot' | 'missing-snapshot' | 'corrupt-index-line' | 'orphan-adopted' | 'stale-version';
  session: string;
  id?: string;
  file: string;
  message: string;
}

/** Options shared by the snapshot readers. */
export interface SnapshotReadOptions {
  /** Told about every corrupt, missing or skipped snapshot. */
  onIssue?: (issue: SnapshotIssue) => void;
}
