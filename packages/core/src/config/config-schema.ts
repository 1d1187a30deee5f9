import { type Static, Type } from '@sinclair/typebox';
import { ModelPriceOverrideSchema, type PriceTable } from '../pricing/prices.js';

const Folder = Type.String({ minLength: 1 });
const strict = { additionalProperties: false } as const;
const RegexFlags = Type.String({ pattern: '^[imsu]*$' });
const RedactPatternSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' }),
    pattern: Type.String({ minLength: 1 }),
    flags: Type.Optional(RegexFlags),
  },
  strict,
);
const RedactAllowSchema = Type.Union([
  Type.String({ minLength: 1 }),
  Type.Object({ pattern: Type.String({ minLength: 1 }), flags: Type.Optional(RegexFlags) }, strict),
]);

/**
 * The segment names `statusline.segments` accepts, in their default order (`sat statusline`
 * shows each when it has something to say, dropping the later ones first when the line is short).
 *
 * @example
 * { "statusline": { "segments": ["model", "context", "cost", "agents"] } }
 */
export const STATUSLINE_SEGMENTS = [
  'model',
  'context',
  'cost',
  'alerts',
  'agents',
  'errors',
  'handoff',
  'rate-limits',
  'backup',
  'lines',
  'effort',
  'duration',
] as const;

/** One of {@link STATUSLINE_SEGMENTS}. */
export type StatuslineSegment = (typeof STATUSLINE_SEGMENTS)[number];

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
    /** Capture: the folders (besides Claude Code's projects folder) transcripts may be read from. */
    capture: Type.Optional(
      Type.Object({ transcriptRoots: Type.Optional(Type.Array(Folder, { maxItems: 100 })) }, strict),
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
    /**
     * Price overrides, model id to the fields to change (USD per million tokens), merged into the
     * bundled table: `{ "claude-opus-4-7": { "input": 5, "output": 25 } }`.
     */
    prices: Type.Optional(Type.Record(Type.String({ minLength: 1 }), ModelPriceOverrideSchema)),
    /** When snapshots are taken automatically (0 turns a trigger off). */
    snapshots: Type.Optional(
      Type.Object(
        {
          everyAgentInvocations: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
          everyTokens: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
        },
        strict,
      ),
    ),
    /** Handoff summaries: their size, and the context fill at which one is written. */
    /** `sat statusline`: the segments it shows, in order (see `STATUSLINE_SEGMENTS`). */
    statusline: Type.Optional(
      Type.Object(
        {
          segments: Type.Optional(
            Type.Array(Type.Union(STATUSLINE_SEGMENTS.map((name) => Type.Literal(name))), {
              maxItems: 32,
            }),
          ),
        },
        strict,
      ),
    ),
    handoff: Type.Optional(
      Type.Object(
        {
          maxTokens: Type.Optional(Type.Integer({ minimum: 200, maximum: 200_000 })),
          contextFillPercent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        },
        strict,
      ),
    ),
    /** Live alerts raised by the capture pipeline (see docs/alerts.md). */
    alerts: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          contextShare: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
          contextCriticalShare: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
          errorSpikeScore: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
          errorMinCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
          minHistory: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        },
        strict,
      ),
    ),
    /**
     * Where `sat backup` puts session bundles: a local folder (also a mounted NAS or a synced
     * folder, the default), Google Drive (`@sat/backup-gdrive`) or S3 (`@sat/archive-s3`).
     */
    backup: Type.Optional(
      Type.Object(
        {
          target: Type.Optional(
            Type.Union([
              Type.Literal('local'),
              Type.Literal('gdrive'),
              Type.Literal('s3'),
              Type.Literal('mongo'),
            ]),
          ),
          dir: Type.Optional(Folder),
          auto: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('local')])),
          restoreMaxBytes: Type.Optional(Type.Integer({ minimum: 1 })),
          gdrive: Type.Optional(
            Type.Object(
              { folder: Type.Optional(Type.String({ minLength: 1, pattern: '^[^/\\\\]+$' })) },
              strict,
            ),
          ),
        },
        strict,
      ),
    ),
    /** Who and which machine this history belongs to (teams, shared bundles, the MongoDB store). */
    identity: Type.Optional(
      Type.Object(
        {
          user: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          machine: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        },
        strict,
      ),
    ),
    /** The analytics store: SQLite (default) or MongoDB (`@sat/store-mongo`). */
    store: Type.Optional(
      Type.Object(
        {
          kind: Type.Optional(Type.Union([Type.Literal('sqlite'), Type.Literal('mongo')])),
          mongo: Type.Optional(
            Type.Object(
              {
                url: Type.Optional(Type.String({ pattern: '^mongodb(\\+srv)?://' })),
                database: Type.Optional(
                  Type.String({ minLength: 1, maxLength: 63, pattern: '^[^/\\\\. "$*<>:|?]+$' }),
                ),
                machine: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
                user: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
                ttlDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 36_500 })),
              },
              strict,
            ),
          ),
        },
        strict,
      ),
    ),
    /** Phase archives on S3 (`sat archive`, `@sat/archive-s3`). */
    archive: Type.Optional(
      Type.Object(
        {
          keepPhases: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
          s3: Type.Optional(
            Type.Object(
              {
                bucket: Type.Optional(
                  Type.String({ minLength: 3, maxLength: 63, pattern: '^[a-z0-9][a-z0-9.-]+[a-z0-9]$' }),
                ),
                prefix: Type.Optional(Type.String()),
                region: Type.Optional(Type.String({ minLength: 1 })),
                endpoint: Type.Optional(Type.String({ pattern: '^https?://' })),
                forcePathStyle: Type.Optional(Type.Boolean()),
                storageClass: Type.Optional(
                  Type.Union([Type.Literal('GLACIER'), Type.Literal('DEEP_ARCHIVE')]),
                ),
                transitionDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 36_500 })),
              },
              strict,
            ),
          ),
        },
        strict,
      ),
    ),
    /** The user's control over their data (see docs/privacy.md). */
    privacy: Type.Optional(Type.Object({ localOnly: Type.Optional(Type.Boolean()) }, strict)),
    /** Secret redaction at ingest (see docs/redaction.md). */
    redact: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          patterns: Type.Optional(Type.Array(RedactPatternSchema, { maxItems: 500 })),
          allow: Type.Optional(Type.Array(RedactAllowSchema, { maxItems: 500 })),
          pii: Type.Optional(Type.Boolean()),
        },
        strict,
      ),
    ),
  },
  strict,
);
/** The config file as written by a user (`sat.config.json`): every key optional, see `ConfigFileSchema`. */
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
  capture: CaptureSettings;
  writer: WriterSettings;
  /**
   * The price table used for costs: the bundled one (`DEFAULT_PRICES`, dated `PRICES_AS_OF`)
   * with the config's `prices` overrides merged in.
   */
  prices: PriceTable;
  snapshots: SnapshotSettings;
  handoff: HandoffSettings;
  alerts: AlertSettings;
  /** `sat statusline`: `segments` (default {@link STATUSLINE_SEGMENTS}). */
  statusline: { segments: StatuslineSegment[] };
  backup: BackupSettings;
  /** Who and which machine the local history belongs to (`identity`). */
  identity: Identity;
  /** The analytics store `sat stats` and the pipeline use. */
  store: StoreSettings;
  archive: ArchiveSettings;
  redact: RedactSettings;
  privacy: PrivacySettings;
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

/** When snapshots are taken automatically (see `snapshotTriggers`). */
export interface SnapshotSettings {
  /** A snapshot after this many agent invocations since the last one. Default 10; 0: never. */
  everyAgentInvocations: number;
  /**
   * A snapshot after this many new tokens (input + output + cache writes; cache reads are not
   * counted) since the last one. Default 20,000; 0: never.
   */
  everyTokens: number;
}

/** Handoff summaries (see `createHandoff`). */
export interface HandoffSettings {
  /** Largest handoff, in estimated tokens. Default 2,000. */
  maxTokens: number;
  /** Context fill (percent of the model's window) at which a handoff is due. Default 80. */
  contextFillPercent: number;
}

/** Snapshot triggers when none are configured: every 10 agent invocations or 20,000 tokens. */
export const DEFAULT_SNAPSHOTS: SnapshotSettings = { everyAgentInvocations: 10, everyTokens: 20_000 };

/** Handoff settings when none are configured: at most 2,000 tokens, due at 80% context fill. */
export const DEFAULT_HANDOFF: HandoffSettings = { maxTokens: 2000, contextFillPercent: 80 };

/** Live alerts of the capture pipeline (see `raiseAlerts`). */
export interface AlertSettings {
  /** Raise alerts after each ingest. Default true. */
  enabled: boolean;
  /** Context fill (share of the model's window, 0-1) that raises a warning. Default 0.9. */
  contextShare: number;
  /** Context fill that raises a critical alert. Default 0.97. */
  contextCriticalShare: number;
  /**
   * How far above the user's usual error rate the last 20 tool calls must be: the modified z-score
   * (0.6745 (rate - median) / MAD over past sessions) at which an error spike is raised. Default 3.5.
   */
  errorSpikeScore: number;
  /** Fewest error events in the window for an error spike. Default 3. */
  errorMinCount: number;
  /** Fewest past sessions for an error-rate baseline (fewer: no error-spike alert). Default 8. */
  minHistory: number;
}

/** Alert thresholds when none are configured. */
export const DEFAULT_ALERTS: AlertSettings = {
  enabled: true,
  contextShare: 0.9,
  contextCriticalShare: 0.97,
  errorSpikeScore: 3.5,
  errorMinCount: 3,
  minHistory: 8,
};

/** Where backups go (see `backupSession`). */
export interface BackupSettings {
  /**
   * The kind of storage target: `local` (default), `gdrive`, `s3` (the `archive.s3` bucket) or
   * `mongo` (GridFS in the database of `store.mongo`).
   */
  target: 'local' | 'gdrive' | 's3' | 'mongo';
  /** The local target's folder (absolute). Default `<root>/backups`. */
  dir: string;
  /**
   * Back sessions up by themselves: when a handoff is written (session end, context fill,
   * PreCompact) and when a session's context passes the fill warning. Default true. `local`: the
   * automatic backups go to the local folder (`dir`) only, whatever `target` is; an explicit
   * `sat backup --target gdrive` still goes to Drive. Example: `{ "backup": { "auto": "local" } }`.
   */
  auto: boolean | 'local';
  /**
   * Largest total a restore expands a bundle to, in bytes. Default undefined: free disk space less
   * a margin, and at most 10x the bundle's size. Example: `{ "backup": { "restoreMaxBytes": 5e9 } }`.
   */
  restoreMaxBytes?: number;
  /** Google Drive: the top folder in My Drive that holds the backups. Default `SubAgentTracking`. */
  gdrive: { folder: string };
}

/**
 * Who made a history and where (`identity`): written on every MongoDB document, into every shared
 * bundle's manifest, and used by `--user`/`--machine` and `--by user|machine`. Events imported from
 * someone else's bundle keep theirs (see `eventOwner`).
 */
export interface Identity {
  /** Default: `store.mongo.user`, else the OS user. Env: `SAT_USER`. */
  user: string;
  /** Default: `store.mongo.machine`, else the host name. Env: `SAT_MACHINE`. */
  machine: string;
}

/** Which analytics store to use (see `store.kind`). */
export interface StoreSettings {
  /** `sqlite` (default: `<analytics>/sat.db`) or `mongo` (`@sat/store-mongo`, `store.mongo`). */
  kind: 'sqlite' | 'mongo';
  mongo: MongoStoreSettings;
}

/** The MongoDB store's settings (`store.mongo`). */
export interface MongoStoreSettings {
  /**
   * The connection string (`mongodb://` or `mongodb+srv://`). Env: `SAT_MONGO_URL`. Default none.
   * Its password is never printed: show it through `@sat/store-mongo`'s `redactMongoUrl`.
   */
  url?: string;
  /** The database. Default `sat`. */
  database: string;
  /** Written on every document, to tell machines apart. Default `identity.machine`. */
  machine: string;
  /** Written on every document. Default `identity.user`. */
  user: string;
  /** Days after which raw event documents expire (a TTL index); rollups are kept. Default none. */
  ttlDays?: number;
}

/** The MongoDB database by default. */
export const DEFAULT_MONGO_DATABASE = 'sat';

/** Phase archives on S3 (see `archivePhase`). */
export interface ArchiveSettings {
  /** The newest phases that are never archived automatically. Default 2. */
  keepPhases: number;
  /** The bucket; undefined until configured (`sat setup s3`). Credentials come from the AWS chain, never from here. */
  s3?: S3Settings;
}

/** Where phase archives go on S3. */
export interface S3Settings {
  bucket: string;
  /** Key prefix inside the bucket. Default none. */
  prefix: string;
  /** Default: the AWS chain's region (`AWS_REGION`), else `us-east-1`. */
  region?: string;
  /** An S3-compatible endpoint (MinIO, a local server). Default AWS. */
  endpoint?: string;
  /** Path-style addressing (needed by most S3-compatible servers). Default true when `endpoint` is set. */
  forcePathStyle: boolean;
  /** The archive tier the lifecycle rule moves archives to. Default `GLACIER`. */
  storageClass: 'GLACIER' | 'DEEP_ARCHIVE';
  /** Days after upload before the lifecycle rule moves an archive. Default 0. */
  transitionDays: number;
}

/** The newest phases never archived automatically when `archive.keepPhases` is not configured: 2. */
export const DEFAULT_KEEP_PHASES = 2;

/** The user's control over their data (`privacy`). */
export interface PrivacySettings {
  /**
   * Local-only mode: no cloud target (Google Drive, S3, a remote MongoDB) is ever contacted; every
   * command that would is refused (`LOCAL_ONLY`), and automatic backups go to the local folder.
   * A MongoDB on this machine (localhost, 127.0.0.1, ::1, a unix socket) counts as local.
   * Default false. Env: `SAT_LOCAL_ONLY`. Example: `{ "privacy": { "localOnly": true } }`.
   */
  localOnly: boolean;
}

/** The Google Drive folder of backups by default. */
export const DEFAULT_GDRIVE_FOLDER = 'SubAgentTracking';

/** What the capture reads besides the hook payloads. */
export interface CaptureSettings {
  /**
   * Folders (absolute) a transcript named by a hook payload may be read from, besides Claude
   * Code's projects folder (`$CLAUDE_CONFIG_DIR/projects`, else `~/.claude/projects`), which is
   * always allowed. Default none. Env: `SAT_TRANSCRIPT_ROOTS` (paths separated by `:`).
   */
  transcriptRoots: string[];
}

/** The config file name inside the data root. */
export const CONFIG_FILE_NAME = 'sat.config.json';

/** A user's own redaction rule: matches of `pattern` (or of its first capturing group) are redacted. */
export interface RedactPattern {
  /** The rule id shown in the marker, `[REDACTED:<name>:<hash>]` (lower-case letters, digits, `-_.`). */
  name: string;
  /** A JavaScript regular expression, without slashes. */
  pattern: string;
  /** Regex flags among `i`, `m`, `s`, `u` (`g` and `d` are always added). Default none. */
  flags?: string;
}

/** A secret that is never redacted: the exact text, or a pattern the whole secret must match. */
export type RedactAllow = string | { pattern: string; flags?: string };

/** Secret redaction (see `createRedactor`). Plain data: patterns stay strings, checked at load. */
export interface RedactSettings {
  /** Redact secrets at ingest. Default true. */
  enabled: boolean;
  /** The user's own rules, applied after the built-in ones. Default none. */
  patterns: RedactPattern[];
  /** Secrets never redacted (a known test key). Default none. */
  allow: RedactAllow[];
  /** Also redact e-mail addresses, phone numbers and IPv4/IPv6 addresses. Default false. */
  pii: boolean;
}

/** Redaction when none is configured: on, the built-in patterns only, no PII. */
export const DEFAULT_REDACT: RedactSettings = { enabled: true, patterns: [], allow: [], pii: false };
