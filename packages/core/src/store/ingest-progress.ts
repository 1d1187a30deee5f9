/** How far an `ingestLog` is, reported after each batch it wrote. */
export interface IngestProgress {
  /** Events read so far (applied plus duplicates). */
  done: number;
  /** About how many events the sessions with something new hold past their checkpoints. */
  expected: number;
  /** Events applied so far. */
  applied: number;
  /** Events skipped so far because their id was applied before. */
  duplicates: number;
}

/**
 * Options of a store's `ingestLog`.
 *
 * @example
 * await store.ingestLog(undefined, { onProgress: (p) => bar.update(p.done, p.expected) });
 */
export interface IngestLogOptions {
  /** Called after every batch (default: nothing); must not throw. */
  onProgress?: (progress: IngestProgress) => void;
}
