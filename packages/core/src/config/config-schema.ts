import { type Static, Type } from '@sinclair/typebox';

const Folder = Type.String({ minLength: 1 });
const strict = { additionalProperties: false } as const;

/**
 * The config file (`<data root>/sat.config.json`). Every key is optional; relative paths are
 * resolved against the data root.
 */
export const ConfigFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    paths: Type.Optional(
      Type.Object(
        {
          logs: Type.Optional(Folder),
          state: Type.Optional(Folder),
          analytics: Type.Optional(Folder),
          handoffs: Type.Optional(Folder),
          credentials: Type.Optional(Folder),
        },
        strict,
      ),
    ),
    retention: Type.Optional(
      Type.Object({ keepSessions: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })) }, strict),
    ),
    writer: Type.Optional(
      Type.Object(
        {
          flushIntervalMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
          highWaterBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 1_073_741_824 })),
          lockTimeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 600_000 })),
          staleLockMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
          fsync: Type.Optional(Type.Boolean()),
        },
        strict,
      ),
    ),
  },
  strict,
);
export type ConfigFile = Static<typeof ConfigFileSchema>;

/** The folders of the data root. */
export interface SatPaths {
  /** Session event logs. Default `<root>/logs`. */
  logs: string;
  /** Snapshots and bookkeeping. Default `<root>/state`. */
  state: string;
  /** The analytics database. Default `<root>/analytics`. */
  analytics: string;
  /** Markdown handoff summaries. Default `<root>/handoffs`. */
  handoffs: string;
  /** OAuth tokens and keys (mode 0700, git-ignored). Default `<root>/credentials`. */
  credentials: string;
}

/** Writer tuning. */
export interface WriterSettings {
  /** How long appended events may wait in memory before they are written. Default 0 (next tick). */
  flushIntervalMs: number;
  /** Pending bytes beyond which an append writes synchronously. Default 1 MiB. */
  highWaterBytes: number;
  /** How long a writer waits for another process's lock on a session. Default 10,000 ms. */
  lockTimeoutMs: number;
  /** Age after which a lock whose owner cannot be checked is taken over. Default 30,000 ms. */
  staleLockMs: number;
  /** fsync after every flush (survives power loss, costs throughput). Default false; close() always fsyncs. */
  fsync: boolean;
}

/** The resolved configuration: every value filled in, every path absolute. */
export interface SatConfig {
  /** The project the data belongs to. */
  projectDir: string;
  /** The data root (default `<project>/.claude`). */
  root: string;
  paths: SatPaths;
  retention: { keepSessions: number };
  writer: WriterSettings;
  /** The config file that was read, if any. */
  configFile?: string;
  /** Where each value came from: `default`, `file`, `env:NAME` or `option`. */
  sources: Record<string, string>;
}

export const DEFAULT_WRITER: WriterSettings = {
  flushIntervalMs: 0,
  highWaterBytes: 1024 * 1024,
  lockTimeoutMs: 10_000,
  staleLockMs: 30_000,
  fsync: false,
};

export const DEFAULT_KEEP_SESSIONS = 2;

/** The config file name inside the data root. */
export const CONFIG_FILE_NAME = 'sat.config.json';
