import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';

/** One quarantined line, as stored in `<logs>/quarantine/<session>.jsonl`. */
export interface QuarantineEntry {
  /** The log file it came from (file name only). */
  file: string;
  /** Byte offset in that file (decompressed stream for compressed logs). */
  offset: number;
  line: number;
  length: number;
  reason: string;
  at: string;
  /** The line's bytes: as text when valid UTF-8, else base64. */
  raw: string;
  encoding: 'utf8' | 'base64';
}

/**
 * The quarantine of one session: a JSONL file of the lines that could not be read, each
 * recorded once (by file and offset) however often the log is read.
 */
export class Quarantine {
  private known: Set<string> | undefined;

  constructor(readonly path: string) {}

  private keys(): Set<string> {
    if (this.known) return this.known;
    this.known = new Set();
    if (existsSync(this.path)) {
      for (const text of readFileSync(this.path, 'utf8').split('\n')) {
        if (!text) continue;
        try {
          const entry = JSON.parse(text) as QuarantineEntry;
          this.known.add(`${entry.file}:${entry.offset}`);
        } catch {}
      }
    }
    return this.known;
  }

  /** Records a line; returns false when it was already recorded. */
  record(file: string, offset: number, line: number, bytes: Buffer, reason: string): boolean {
    const key = `${basename(file)}:${offset}`;
    const keys = this.keys();
    if (keys.has(key)) return false;
    const text = bytes.toString('utf8');
    const utf8 = Buffer.byteLength(text) === bytes.length && !text.includes('\uFFFD');
    const entry: QuarantineEntry = {
      file: basename(file),
      offset,
      line,
      length: bytes.length,
      reason,
      at: new Date().toISOString(),
      raw: utf8 ? text : bytes.toString('base64'),
      encoding: utf8 ? 'utf8' : 'base64',
    };
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    keys.add(key);
    return true;
  }

  /** Every entry recorded so far. */
  entries(): QuarantineEntry[] {
    if (!existsSync(this.path)) return [];
    const out: QuarantineEntry[] = [];
    for (const text of readFileSync(this.path, 'utf8').split('\n')) {
      if (!text) continue;
      try {
        out.push(JSON.parse(text) as QuarantineEntry);
      } catch {}
    }
    return out;
  }
}
