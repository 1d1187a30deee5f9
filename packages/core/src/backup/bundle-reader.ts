import { MANIFEST_NAME } from './backup-layout.js';
import { type BackupManifest, type BundleFile, parseManifest } from './backup-manifest.js';
import {
  checkEntryHeader,
  damagedEntry,
  type EntryRules,
  readLimited,
  readTarGz,
  refuseEntry,
  stageEntry,
} from './tar-extract.js';

/** Largest manifest read from a bundle. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

const ENTRY_RULES: EntryRules = {
  describeLink: (type, target) => {
    const outside = target.startsWith('/') || target.split('/').includes('..');
    return `a ${type === 'link' ? 'hard' : 'symbolic'} link to ${JSON.stringify(target)}${outside ? ', pointing outside the bundle' : ''} (bundles hold only regular files)`;
  },
  directories: true,
};

/** One file taken out of a bundle into the staging folder, checked against the manifest. */
export interface StagedFile {
  entry: BundleFile;
  /** Where its bytes are now (a numbered file in the staging folder). */
  staged: string;
}

/**
 * Takes a bundle apart into `stagingDir`, refusing anything unsafe or unexpected before a single
 * byte reaches its real place: absolute paths, `..` segments, links of any kind (a link could
 * point outside), devices, entries the manifest does not list, listed files that are missing,
 * duplicated, of another size or with another SHA-256. Entries are written to numbered files in
 * the staging folder (never to a path taken from the bundle). Throws `INVALID_BUNDLE` or
 * `CHECKSUM_MISMATCH`.
 *
 * @example
 * const staged = await extractBundle('/tmp/bundle.tar.gz', manifest, '/tmp/staging', 'backup of s1');
 */
export async function extractBundle(
  bundleFile: string,
  manifest: BackupManifest,
  stagingDir: string,
  where: string,
  onBytes?: (n: number) => void,
): Promise<StagedFile[]> {
  const expected = new Map(manifest.files.map((file) => [file.path, file]));
  const staged = new Map<string, StagedFile>();
  let inner: BackupManifest | undefined;
  let index = 0;

  await readTarGz(bundleFile, where, 'bundle', async (header, stream) => {
    const name = header.name;
    if (checkEntryHeader(header, where, ENTRY_RULES) === 'directory') {
      stream.resume();
      return;
    }
    if (name === MANIFEST_NAME) {
      const text = await readLimited(stream, MAX_MANIFEST_BYTES, () =>
        refuseEntry(where, name, 'the manifest is too large'),
      );
      inner = parseManifest(text.toString('utf8'), `${where} (manifest inside the bundle)`);
      return;
    }
    const entry = expected.get(name);
    if (!entry) throw refuseEntry(where, name, 'not listed in the manifest');
    if (staged.has(name)) throw refuseEntry(where, name, 'appears twice');
    if ((header.size ?? 0) !== entry.bytes)
      throw refuseEntry(where, name, `${header.size} bytes, the manifest says ${entry.bytes}`);
    const got = await stageEntry(
      stream,
      stagingDir,
      index++,
      entry.bytes,
      () => refuseEntry(where, name, 'more bytes than the manifest says'),
      onBytes,
    );
    if (got.bytes !== entry.bytes || got.sha256 !== entry.sha256) throw damagedEntry(where, name, got, entry);
    staged.set(name, { entry, staged: got.staged });
  });
  for (const path of expected.keys())
    if (!staged.has(path))
      throw refuseEntry(where, path, 'listed in the manifest but missing from the bundle');
  if (inner) {
    const same =
      JSON.stringify(inner.files) === JSON.stringify(manifest.files) && inner.session === manifest.session;
    if (!same)
      throw refuseEntry(
        where,
        MANIFEST_NAME,
        'the manifest inside the bundle differs from the one beside it',
      );
  }
  return manifest.files.map((file) => staged.get(file.path)!);
}
