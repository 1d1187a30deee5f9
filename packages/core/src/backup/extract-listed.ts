import {
  checkEntryHeader,
  damagedEntry,
  type EntryRules,
  readLimited,
  readTarGz,
  refuseEntry,
  type StagedBytes,
  stageEntry,
} from './tar-extract.js';

/** A kind of tar.gz that ends with its own manifest: a session bundle, a phase archive. */
export interface ListedTarFormat<M> {
  /** `bundle`, `archive` (in errors). */
  noun: string;
  /** Which entries besides regular files pass, and how refused links are named. */
  rules: EntryRules;
  /** Name of the manifest entry (`manifest.json`). */
  manifestName: string;
  /** Largest manifest read. */
  maxManifestBytes: number;
  parseManifest: (text: string, where: string) => M;
  /** Refuse a second manifest and any entry after it. Default false. */
  manifestLast?: boolean;
}

/** What the manifest beside the tar says of one entry: its size and SHA-256 when known. */
export interface ListedEntry {
  bytes?: number;
  sha256?: string;
}

/** What {@link extractListed} took out. */
export interface ExtractedTar<M> {
  /** The manifest inside the tar, if it has one. */
  inner?: M;
  /** Each entry by its path, written to a numbered file of the staging folder. */
  staged: Map<string, StagedBytes>;
}

/**
 * Takes a tar.gz of `format` apart into `stagingDir`: every entry is checked with
 * `checkEntryHeader` (plain relative paths, regular files only), written to a numbered file
 * (never to a path taken from the tar), refused when it appears twice or, with `listed`, when
 * it is not listed or not of the listed size; an entry whose SHA-256 is listed is checked at
 * once. The manifest entry is parsed, not staged. What must be present, and how the inner
 * manifest compares with the one beside, is for the caller to check. Throws `INVALID_BUNDLE`
 * or `CHECKSUM_MISMATCH`.
 *
 * @example
 * const { inner, staged } = await extractListed(file, staging, 'backup of s1', BUNDLE_FORMAT, listed);
 */
export async function extractListed<M>(
  file: string,
  stagingDir: string,
  where: string,
  format: ListedTarFormat<M>,
  listed?: ReadonlyMap<string, ListedEntry>,
  onBytes?: (n: number) => void,
): Promise<ExtractedTar<M>> {
  const staged = new Map<string, StagedBytes>();
  let inner: M | undefined;
  await readTarGz(file, where, format.noun, async (header, stream) => {
    const name = header.name;
    if (checkEntryHeader(header, where, format.rules) === 'directory') {
      stream.resume();
      return;
    }
    if (name === format.manifestName) {
      if (format.manifestLast && inner) throw refuseEntry(where, name, 'appears twice');
      const text = await readLimited(stream, format.maxManifestBytes, () =>
        refuseEntry(where, name, 'the manifest is too large'),
      );
      inner = format.parseManifest(text.toString('utf8'), `${where} (manifest inside the ${format.noun})`);
      return;
    }
    if (format.manifestLast && inner) throw refuseEntry(where, name, 'comes after the manifest');
    const known = listed?.get(name);
    if (listed && !known) throw refuseEntry(where, name, 'not listed in the manifest');
    if (staged.has(name)) throw refuseEntry(where, name, 'appears twice');
    const size = header.size ?? 0;
    if (known?.bytes !== undefined && size !== known.bytes)
      throw refuseEntry(where, name, `${header.size} bytes, the manifest says ${known.bytes}`);
    const got = await stageEntry(
      stream,
      stagingDir,
      staged.size,
      known?.bytes ?? size,
      () =>
        refuseEntry(
          where,
          name,
          `more bytes than ${known?.bytes !== undefined ? 'the manifest' : 'its header'} says`,
        ),
      onBytes,
    );
    if (known?.sha256 !== undefined && (got.bytes !== known.bytes || got.sha256 !== known.sha256))
      throw damagedEntry(where, name, got, { bytes: known.bytes ?? -1, sha256: known.sha256 });
    staged.set(name, got);
  });
  return { inner, staged };
}
