import type { HandlerOf } from '../command-spec.js';
import type { statuslineCommand } from '../registry.js';
import { readStdinText } from '../statusline/read-stdin.js';
import { runStatusline } from '../statusline/run-statusline.js';

/**
 * `sat statusline [--subagents]` through the full CLI (the built bin answers it earlier, in
 * `bin.ts`, without loading the commands): prints the line(s) and exits 0 whatever happens.
 */
export const run: HandlerOf<typeof statuslineCommand> = async (ctx, _args, options) => {
  const args = options.subagents ? ['--subagents'] : [];
  try {
    args.push('--home', ctx.config().root);
  } catch {
    // A broken config: the run finds the data root itself and logs what it finds wrong.
  }
  await runStatusline({
    args,
    env: process.env,
    cwd: process.cwd(),
    readStdin: () => readStdinText(ctx.stdin),
    write: (text) => ctx.out.write(text),
  });
  return 0;
};
