import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EXPORT_FORMATS, type ExportFormat, exportSession } from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import { UsageError } from '../errors.js';
import type { exportCommand } from '../registry.js';
import { resolveSession } from '../session-arg.js';

function formatOf(given: string | undefined): ExportFormat {
  const format = (given ?? 'md').toLowerCase();
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not '${given}'`);
  return format as ExportFormat;
}

/**
 * `sat export <session>`: the whole session as its stored events (jsonl), a readable transcript
 * (md, the default) or one self-contained page (html), on stdout or into `--out` (mode 0600,
 * written to a temporary file first so a failed export leaves no half file).
 */
export const run: HandlerOf<typeof exportCommand> = async (ctx, [arg], options) => {
  const config = ctx.config();
  const format = formatOf(options.format);
  const session = await resolveSession(config.paths.logs, arg);
  if (!options.out) {
    await exportSession(config, session, format, (chunk) => {
      ctx.out.write(chunk);
    });
    return 0;
  }
  const file = resolve(options.out);
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  let result: Awaited<ReturnType<typeof exportSession>>;
  try {
    result = await exportSession(config, session, format, (chunk) => {
      writeSync(fd, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    });
    closeSync(fd);
    renameSync(temp, file);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  ctx.note(`sat: wrote session ${session} as ${format} to ${file} (${result.bytes} bytes)`);
  return 0;
};
