import { type Static, Type } from '@sinclair/typebox';
import { BackupManifestSchema } from '../backup/backup-manifest.js';
import { Bytes, Hex64, Md5, manifestParser, StoredObjectSchema } from '../backup/parse-checked-manifest.js';

/** The `format` of a phase archive manifest this version writes and reads. */
export const ARCHIVE_FORMAT = 'sat-archive/1';

/** A file inside the archive: its path, size, SHA-256 and MD5. */
const Entry = Type.Object(
  { path: Type.String({ minLength: 1, maxLength: 1024 }), bytes: Bytes, sha256: Hex64, md5: Md5 },
  { additionalProperties: false },
);

const ArchivedSessionSchema = Type.Object(
  {
    /** The session archived. */
    session: Type.String({ minLength: 1, maxLength: 128 }),
    /** Where the session's bundle came from: made now from the local files, or taken from the backup target. */
    source: Type.Union([Type.Literal('local'), Type.Literal('backup')]),
    /** The session's bundle inside the archive (a `sat-backup/1` bundle, as `sat backup` makes). */
    bundle: Entry,
    /** Path of the session's backup manifest inside the archive. */
    manifestPath: Type.String({ minLength: 1 }),
    /** The session's log, as its backup manifest describes it. */
    log: BackupManifestSchema.properties.log,
    /** Every file of the session's bundle, with its size and SHA-256. */
    files: BackupManifestSchema.properties.files,
    /** What was left out of this session's bundle, and why. */
    warnings: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

/** The manifest of a phase archive: its last entry and, with `archive`, beside it on the target. */
export const ArchiveManifestSchema = Type.Object(
  {
    /** The manifest's format: `sat-archive/1`. */
    format: Type.Literal(ARCHIVE_FORMAT),
    /** The phase archived. */
    phase: Type.String({ minLength: 1 }),
    /** When the archive was made. */
    createdAt: Type.String(),
    /** Every session of the phase, with its bundle. */
    sessions: Type.Array(ArchivedSessionSchema),
    /** What was left out of the archive, and why. */
    warnings: Type.Array(Type.String()),
    /** The archive's key, size and checksums (only in the manifest beside the archive). */
    archive: StoredObjectSchema,
  },
  { additionalProperties: false },
);

/** A phase archive manifest (see {@link ArchiveManifestSchema}). */
export type ArchiveManifest = Static<typeof ArchiveManifestSchema>;
/** One session of a phase archive. */
export type ArchivedSession = Static<typeof ArchivedSessionSchema>;

/**
 * Parses and checks a phase archive manifest; throws `INVALID_BUNDLE` naming what is wrong.
 *
 * @example
 * const manifest = parseArchiveManifest(text, 'SubAgentTracking/Archive/Phase_1/manifest.json');
 */
export const parseArchiveManifest: (text: string, where: string) => ArchiveManifest = manifestParser(
  ArchiveManifestSchema,
  { noun: 'archive manifest', fix: 'archive the phase again' },
);
