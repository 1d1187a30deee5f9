import { existsSync } from 'node:fs';
import { defaultTranscriptRoot, discoverTranscripts, listSessions } from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import type { quickstartCommand } from '../registry.js';

/**
 * The main job in one command: imports your Claude Code sessions (or, when this machine has
 * none, the bundled real sample sessions), then shows what happened, what it cost, and how to
 * resume the busiest session.
 */
export const run: HandlerOf<typeof quickstartCommand> = async (ctx, _args, options) => {
  const root = defaultTranscriptRoot();
  const own = !options.sample && existsSync(root) && discoverTranscripts([root]).length > 0;
  ctx.print(
    own
      ? `== 1. importing your Claude Code sessions from ${root}`
      : `== 1. no Claude Code transcripts in ${root}: importing the bundled sample sessions (real transcripts, marot/spotter, MIT)`,
  );
  const importCommand = await import('./import.js');
  await importCommand.run(ctx, [[]], own ? {} : { sample: true });

  ctx.print('\n== 2. sessions: tokens and cost');
  await (await import('./sessions.js')).run(ctx, [], {});

  const sessions = await listSessions(ctx.config().paths.logs);
  const busiest = [...sessions].sort((a, b) => b.events - a.events)[0];
  if (!busiest) return 0;
  ctx.print(`\n== 3. what happened in the busiest session, ${busiest.session}`);
  await (await import('./show.js')).run(ctx, [busiest.session], {});

  ctx.print('\n== 4. how to resume it: a handoff a new session (or a person) can start from');
  await (await import('./handoff.js')).run(ctx, [busiest.session], {});

  ctx.print(
    '\nNext: `sat init` in your project installs the hooks that capture live sessions (one shell process per tool call);',
  );
  ctx.print('`sat show <session>`, `sat status`, `sat recover` and `sat --help` for the rest.');
  return 0;
};
