import * as nodeFs from 'node:fs';

/** What the end of a session log says. */
export interface LogTail {
  /** The `seq` of the last complete, parseable event; 0 when there is none. */
  lastSeq: number;
  /** The last complete, parseable event. */
  lastEvent?: Record<string, unknown>;
  /** False when the file does not end with a newline (a write was cut short). */
  endsClean: boolean;
}

function parseEvent(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const event = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    return typeof event.seq === 'number' && Number.isInteger(event.seq) ? event : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads backwards from `size` to find the last event with a `seq`. An unterminated last line
 * counts when it is a whole event (the write stopped just before its newline); a partial one
 * does not. Reads 64 KiB at a time, so it costs one small read in the usual case.
 */
export function readLogTail(fd: number, size: number, fs: Pick<typeof nodeFs, 'readSync'> = nodeFs): LogTail {
  if (size === 0) return { lastSeq: 0, endsClean: true };
  let window = 64 * 1024;
  for (;;) {
    const start = Math.max(0, size - window);
    const view = Buffer.allocUnsafe(size - start);
    let read = 0;
    while (read < view.length) {
      const n = fs.readSync(fd, view, read, view.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    const endsClean = view[read - 1] === 0x0a;
    // Line boundaries inside this window, from the end: [from, to) byte ranges.
    let to = endsClean ? read - 1 : read;
    for (;;) {
      const nl = to === 0 ? -1 : view.lastIndexOf(0x0a, to - 1);
      if (nl === -1 && start > 0) break; // this line may begin before the window: widen it
      const event = parseEvent(view.subarray(nl + 1, to));
      if (event) return { lastSeq: event.seq as number, lastEvent: event, endsClean };
      if (nl === -1) return { lastSeq: 0, endsClean };
      to = nl;
    }
    window *= 4;
  }
}
