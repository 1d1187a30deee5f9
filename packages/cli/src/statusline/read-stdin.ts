import type { CliInput } from '../context.js';

/** Largest statusline JSON read from stdin (Claude Code's is a few kilobytes). */
const MAX_STDIN_BYTES = 1024 * 1024;

/**
 * Reads all of `stdin` as text, at most 1 MiB, giving up after `timeoutMs` (default 2 s) with what
 * arrived; a terminal gives `''` at once (nothing is piped).
 *
 * @example
 * const text = await readStdinText(process.stdin);
 */
export function readStdinText(stdin: CliInput, timeoutMs = 2000): Promise<string> {
  if (stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      clearTimeout(timer);
      stdin.removeListener('data', onData);
      stdin.removeListener('end', done);
      stdin.removeListener('error', done);
      stdin.pause();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buf);
      size += buf.length;
      if (size >= MAX_STDIN_BYTES) done();
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref?.();
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.once('error', done);
  });
}
