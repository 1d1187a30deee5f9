import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { asEnvironmentError } from '../errors.js';

const FILE_FIELD = /^\{"captured_at":"[^"]*","file":"([^"]+)"/;

/**
 * The spool file names already in a raw copy file (complete lines only), and whether the file
 * ends mid-line (a run killed while appending). Reads in 1 MiB chunks, keeping only the first
 * bytes of each line.
 */
function scanRawCopy(path: string): { names: Set<string>; endsClean: boolean } {
  const names = new Set<string>();
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { names, endsClean: true };
  }
  try {
    if (!fstatSync(fd).isFile()) return { names, endsClean: true };
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    let head = '';
    let atStart = true;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      let from = 0;
      while (from < n) {
        const newline = chunk.indexOf(0x0a, from);
        const end = newline === -1 || newline >= n ? n : newline;
        if (atStart || head.length < 300) head += chunk.toString('utf8', from, Math.min(end, from + 300));
        atStart = false;
        if (end === n) break;
        const name = FILE_FIELD.exec(head)?.[1];
        if (name) names.add(name);
        head = '';
        atStart = true;
        from = end + 1;
      }
    }
    return { names, endsClean: head === '' };
  } finally {
    closeSync(fd);
  }
}

/**
 * The raw copies of one ingest run (`<logs>/raw/<session>.jsonl`, one line per spool file), kept
 * once per spool file name: a run killed after writing them and run again does not write them
 * twice. The names already in a session's file are read once per run.
 *
 * @example
 * const raw = new RawPayloadCopies(logsDir);
 * raw.add('s1', '1770000000000000000-42.json', line);
 * raw.write();
 */
export class RawPayloadCopies {
  private readonly dir: string;
  private readonly present = new Map<string, { names: Set<string>; endsClean: boolean }>();
  private readonly lines = new Map<string, string[]>();

  constructor(logsDir: string) {
    this.dir = join(logsDir, 'raw');
  }

  /** Queues the raw copy of spool file `file` unless the session's raw file already has it. */
  add(session: string, file: string, line: string): void {
    let present = this.present.get(session);
    if (!present) {
      present = scanRawCopy(join(this.dir, `${session}.jsonl`));
      this.present.set(session, present);
    }
    if (present.names.has(file)) return;
    present.names.add(file);
    const lines = this.lines.get(session) ?? [];
    lines.push(line);
    this.lines.set(session, lines);
  }

  /** Appends the queued copies; a torn last line left by a killed run is closed off first. */
  write(): void {
    const path = (session: string) => join(this.dir, `${session}.jsonl`);
    try {
      mkdirSync(this.dir, { recursive: true });
      for (const [session, lines] of this.lines) {
        const clean = this.present.get(session)?.endsClean ?? true;
        appendFileSync(path(session), `${clean ? '' : '\n'}${lines.join('\n')}\n`);
        this.present.set(session, { names: this.present.get(session)!.names, endsClean: true });
      }
    } catch (error) {
      throw asEnvironmentError(error, `write the raw payload copies in ${this.dir}`);
    }
    this.lines.clear();
  }
}
