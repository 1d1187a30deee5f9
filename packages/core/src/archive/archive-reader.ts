import { extractListed, type ListedEntry, type ListedTarFormat } from '../backup/extract-listed.js';
import { damagedEntry, refuseEntry } from '../backup/tar-extract.js';
import { ARCHIVE_MANIFEST_NAME } from './archive-layout.js';
import { type ArchiveManifest, parseArchiveManifest } from './archive-manifest.js';

const ARCHIVE_TAR: ListedTarFormat<ArchiveManifest> = {
  noun: 'archive',
  rules: {
    describeLink: (_type, target) => `a link to ${JSON.stringify(target)} (archives hold only regular files)`,
  },
  manifestName: ARCHIVE_MANIFEST_NAME,
  maxManifestBytes: 64 * 1024 * 1024,
  parseManifest: parseArchiveManifest,
  manifestLast: true,
};

/** An entry of a phase archive, taken out into the staging folder and checked. */
export interface StagedArchiveEntry {
  path: string;
  /** Where its bytes are now (a numbered file in the staging folder, never a path from the archive). */
  staged: string;
  bytes: number;
  sha256: string;
}

/** Every entry the archive must hold: each session's bundle and manifest. */
function expectedEntries(manifest: ArchiveManifest): Map<string, ListedEntry> {
  const out = new Map<string, ListedEntry>();
  for (const s of manifest.sessions) {
    out.set(s.bundle.path, { bytes: s.bundle.bytes });
    out.set(s.manifestPath, {});
  }
  return out;
}

/**
 * Takes a phase archive apart into `stagingDir` with the protections of the session bundle
 * reader: only plain relative paths (no absolute path, no `..`, no backslash), only regular files
 * (links and devices are refused), entries written to numbered files (never to a path taken
 * from the archive), each listed in the manifest, none twice, none missing, each of the listed
 * size and SHA-256. The archive's own manifest (its last entry) must agree with `expected` (the
 * manifest beside it) when that is given. Throws `INVALID_BUNDLE` or `CHECKSUM_MISMATCH`.
 * Each session's bundle is then restored by `restoreSession`, which checks its files the same way.
 *
 * @example
 * const { manifest, entries } = await extractArchive(file, staging, 'archive of phase 1', beside);
 */
export async function extractArchive(
  archiveFile: string,
  stagingDir: string,
  where: string,
  expected?: ArchiveManifest,
): Promise<{ manifest: ArchiveManifest; entries: Map<string, StagedArchiveEntry> }> {
  const listed = expected ? expectedEntries(expected) : undefined;
  const { inner, staged: bytes } = await extractListed(archiveFile, stagingDir, where, ARCHIVE_TAR, listed);
  const staged = new Map([...bytes].map(([path, entry]) => [path, { path, ...entry }]));
  if (!inner) throw refuseEntry(where, ARCHIVE_MANIFEST_NAME, 'the archive has no manifest');
  if (expected && JSON.stringify(inner.sessions) !== JSON.stringify(expected.sessions))
    throw refuseEntry(
      where,
      ARCHIVE_MANIFEST_NAME,
      'the manifest inside the archive differs from the one beside it',
    );
  const wanted = expectedEntries(inner);
  for (const name of staged.keys())
    if (!wanted.has(name)) throw refuseEntry(where, name, 'not listed in the manifest');
  for (const s of inner.sessions) {
    const bundle = staged.get(s.bundle.path);
    if (!bundle)
      throw refuseEntry(where, s.bundle.path, 'listed in the manifest but missing from the archive');
    if (!staged.has(s.manifestPath))
      throw refuseEntry(where, s.manifestPath, 'listed in the manifest but missing from the archive');
    if (bundle.bytes !== s.bundle.bytes || bundle.sha256 !== s.bundle.sha256)
      throw damagedEntry(where, s.bundle.path, bundle, s.bundle);
  }
  return { manifest: inner, entries: staged };
}
