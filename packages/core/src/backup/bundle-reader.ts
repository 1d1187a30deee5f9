import { MANIFEST_NAME } from './backup-layout.js';
import { type BackupManifest, type BundleFile, parseManifest } from './backup-manifest.js';
import { extractListed, type ListedTarFormat } from './extract-listed.js';
import { refuseEntry } from './tar-extract.js';

const BUNDLE_FORMAT: ListedTarFormat<BackupManifest> = {
  noun: 'bundle',
  rules: {
    describeLink: (type, target) => {
      const outside = target.startsWith('/') || target.split('/').includes('..');
      return `a ${type === 'link' ? 'hard' : 'symbolic'} link to ${JSON.stringify(target)}${outside ? ', pointing outside the bundle' : ''} (bundles hold only regular files)`;
    },
    directories: true,
  },
  manifestName: MANIFEST_NAME,
  maxManifestBytes: 16 * 1024 * 1024,
  parseManifest,
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
  const { inner, staged } = await extractListed(
    bundleFile,
    stagingDir,
    where,
    BUNDLE_FORMAT,
    expected,
    onBytes,
  );
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
  return manifest.files.map((entry) => ({ entry, staged: staged.get(entry.path)!.staged }));
}
