import { type Static, Type } from '@sinclair/typebox';
import { Bytes, Hex64, manifestParser, StoredObjectSchema } from './parse-checked-manifest.js';

/** The `format` of a backup manifest this version writes and reads. */
export const MANIFEST_FORMAT = 'sat-backup/1';
/**
 * The `format` of a shared bundle's manifest (`sat share`): version 1 plus `shared`, who shared it
 * and when. Both are read; a version-1 bundle has no sharer.
 */
export const SHARED_MANIFEST_FORMAT = 'sat-backup/2';

/** Who shared a bundle, from where, when, and whether its prompt and response text was dropped. */
const SharedBySchema = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 200 }),
    machine: Type.String({ minLength: 1, maxLength: 200 }),
    /** When `sat share` wrote it (ISO-8601). */
    at: Type.String({ minLength: 1 }),
    /** True when `--redact-prompts` dropped the prompt and response text (see docs/sharing.md). */
    redactPrompts: Type.Boolean(),
  },
  { additionalProperties: false },
);

const BundleFileSchema = Type.Object(
  {
    /** Path inside the bundle (`logs/s1.jsonl.gz`). */
    path: Type.String({ minLength: 1, maxLength: 1024 }),
    /** What the file is. */
    kind: Type.Union([
      Type.Literal('log'),
      Type.Literal('log-meta'),
      Type.Literal('raw'),
      Type.Literal('snapshot'),
      Type.Literal('handoff'),
      Type.Literal('database'),
    ]),
    /** Size in bytes. */
    bytes: Bytes,
    /** SHA-256 of the file. */
    sha256: Hex64,
    /** Modification time of the original file. */
    mtime: Type.String(),
  },
  { additionalProperties: false },
);

/** The manifest: inside the bundle (its last entry) and, with `createdAt` and `bundle`, beside it on the target. */
export const BackupManifestSchema = Type.Object(
  {
    /** The manifest's format: `sat-backup/1` (a backup), or `sat-backup/2` (a shared bundle, with `shared`). */
    format: Type.Union([Type.Literal(MANIFEST_FORMAT), Type.Literal(SHARED_MANIFEST_FORMAT)]),
    /** The session backed up. */
    session: Type.String({ minLength: 1, maxLength: 128 }),
    /** The session's phase (from its `phase` events; `0` when it has none). */
    phase: Type.String({ minLength: 1 }),
    /** The log in the bundle: closed (compressed) or a consistent prefix of an open one. */
    log: Type.Object(
      {
        /** Path of the log inside the bundle. */
        file: Type.String({ minLength: 1 }),
        /** Whether the log was closed (compressed) when it was bundled. */
        closed: Type.Boolean(),
        /** SHA-256 of the log's plain (uncompressed) bytes. */
        sha256: Hex64,
        /** Plain bytes. */
        bytes: Bytes,
        /** The last `seq` in the bundled log. */
        lastSeq: Bytes,
      },
      { additionalProperties: false },
    ),
    /** Every file of the bundle, with its size and SHA-256. */
    files: Type.Array(BundleFileSchema),
    /** What was left out, and why (no database backup hook, say). */
    warnings: Type.Array(Type.String()),
    /** Who shared the bundle (format `sat-backup/2` only). */
    shared: Type.Optional(SharedBySchema),
    /** When the bundle was made (only in the manifest beside the bundle). */
    createdAt: Type.Optional(Type.String()),
    /** The bundle's key, size and checksums (only in the manifest beside the bundle). */
    bundle: StoredObjectSchema,
  },
  { additionalProperties: false },
);

/** A backup manifest (see {@link BackupManifestSchema}). */
export type BackupManifest = Static<typeof BackupManifestSchema>;
/** Who shared a bundle (see {@link BackupManifestSchema}'s `shared`). */
export type SharedBy = Static<typeof SharedBySchema>;
/** One file of a bundle, as its manifest lists it. */
export type BundleFile = Static<typeof BundleFileSchema>;

/**
 * Parses and checks a manifest read from a target or a bundle; throws `INVALID_BUNDLE` naming
 * what is wrong.
 *
 * @example
 * const manifest = parseManifest(text, 'SubAgentTracking/Phase_0/sessions/s1/manifest.json');
 */
export const parseManifest: (text: string, where: string) => BackupManifest = manifestParser(
  BackupManifestSchema,
  { noun: 'backup manifest', fix: 'back the session up again' },
);
