import type { StorageTarget } from '../storage/storage-target.js';

/** A key layout of objects stored in pairs, one folder each: the data (a bundle, an archive) and its manifest. */
export interface PairLayout<P extends { file: string }> {
  /** The key prefix every pair is under (`SubAgentTracking/`). */
  prefix: string;
  /** Name of the data object in its folder (`bundle.tar.gz`). */
  dataName: string;
  /** Name of the manifest beside it (`manifest.json`). */
  manifestName: string;
  /** What a key names, or undefined for keys of another layout. */
  parse: (key: string) => P | undefined;
}

/** One folder of a {@link PairLayout} found on a target. */
export interface StoredPair<P> {
  /** What the key of the first object found in the folder names. */
  parsed: P;
  dataKey: string;
  manifestKey: string;
  /** Bytes of the data object (0 when it is missing). */
  bytes: number;
  /** SHA-256 of the data object, as the target reports it. */
  sha256: string;
  /** When the data object was written (else when the manifest was). */
  modified: Date;
  /** False when the data object or its manifest is missing (an interrupted upload). */
  complete: boolean;
  hasData: boolean;
}

/**
 * Every pair of `layout` that `target` holds, in listing order. Reads only the listing.
 *
 * @example
 * const pairs = await listStoredPairs(target, { prefix: 'SubAgentTracking/', dataName: 'bundle.tar.gz', manifestName: 'manifest.json', parse: parseBackupKey });
 */
export async function listStoredPairs<P extends { file: string }>(
  target: StorageTarget,
  layout: PairLayout<P>,
): Promise<StoredPair<P>[]> {
  const found = new Map<string, StoredPair<P> & { hasManifest: boolean }>();
  for await (const object of target.list(layout.prefix)) {
    const parsed = layout.parse(object.key);
    if (!parsed || (parsed.file !== layout.dataName && parsed.file !== layout.manifestName)) continue;
    const folder = object.key.slice(0, -parsed.file.length);
    const entry = found.get(folder) ?? {
      parsed,
      dataKey: `${folder}${layout.dataName}`,
      manifestKey: `${folder}${layout.manifestName}`,
      bytes: 0,
      sha256: '',
      modified: object.modified,
      complete: false,
      hasData: false,
      hasManifest: false,
    };
    if (parsed.file === layout.dataName) {
      entry.bytes = object.size;
      entry.sha256 = object.checksum.sha256;
      entry.modified = object.modified;
      entry.hasData = true;
    } else entry.hasManifest = true;
    found.set(folder, entry);
  }
  return [...found.values()].map(({ hasManifest, ...pair }) => ({
    ...pair,
    complete: pair.hasData && hasManifest,
  }));
}
