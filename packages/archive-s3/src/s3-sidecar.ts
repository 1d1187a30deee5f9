import type { Checksums } from '@sat/core';

/** Folder (under the target's prefix) of the checksum records; keys starting with it are refused. */
export const SIDECAR_ROOT = '.sat-meta';

/**
 * The small JSON object kept for each stored object at `<prefix>/.sat-meta/<key>`: its size,
 * SHA-256 and MD5 as the target computed them while streaming the upload, and the ETag S3 gave
 * that very upload (so a record that belongs to another version of the object is recognised).
 */
export interface S3Sidecar {
  format: 'sat-s3/1';
  size: number;
  sha256: string;
  md5: string;
  /** The ETag of the object version these checksums describe (quotes removed). */
  etag: string;
  modified: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

/** An ETag without its quotes. */
export function plainEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '');
}

/** Parses a sidecar's text; undefined when it is not one. */
export function parseSidecar(text: string): S3Sidecar | undefined {
  try {
    const value = JSON.parse(text) as Partial<S3Sidecar>;
    if (
      value?.format === 'sat-s3/1' &&
      typeof value.size === 'number' &&
      typeof value.etag === 'string' &&
      /^[0-9a-f]{64}$/.test(value.sha256 ?? '') &&
      /^[0-9a-f]{32}$/.test(value.md5 ?? '')
    )
      return value as S3Sidecar;
  } catch {}
  return undefined;
}

/** The checksums part of a sidecar. */
export function sidecarChecksums(sidecar: S3Sidecar): Checksums {
  return { sha256: sidecar.sha256, md5: sidecar.md5 };
}
