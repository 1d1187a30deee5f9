/**
 * How fast the built `sat` (packages/cli/dist/bin.js, as `npm i -g` installs it) starts: the
 * wall time of `sat --version`, `sat log` of one event, `sat sessions`, `sat show` and
 * `sat stats cost` on the bundled sample sessions, next to a bare `node -e 0` in the same run
 * (interleaved, so all see the same machine load).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildCli, heading, note, report, stats, withTempDir } from './lib.ts';

const RUNS = 15;

await withTempDir('sat-bench-cli-', async (root) => {
  const bin = buildCli();
  const project = join(root, 'project');
  mkdirSync(project);
  spawnSync('git', ['init', '-q', project]);
  const env = {
    ...process.env,
    HOME: join(root, 'home'),
    CLAUDE_CONFIG_DIR: join(root, 'claude'),
    CLAUDE_PROJECT_DIR: project,
    SAT_HOME: join(root, 'sat'),
    SAT_CONFIG: '',
  };
  const sat = (args: string[]) => {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: project, env, encoding: 'utf8' });
    if (result.status !== 0)
      throw new Error(`sat ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return result.stdout;
  };
  sat(['quickstart', '--sample']);
  const sessions = JSON.parse(sat(['sessions', '--json'])) as Array<{ session: string; events: number }>;
  const busiest = sessions.reduce((a, b) => (b.events > a.events ? b : a)).session;

  const commands: Array<[string, string[] | null, number]> = [
    ['node -e 0', null, 0],
    ['sat --version', ['--version'], 1.5],
    ['sat log (one event)', ['log', 'decision', '--question', 'Which DB?', '--selected', 'SQLite'], 3],
    ['sat sessions', ['sessions'], 3],
    ['sat show', ['show', busiest], 3],
    ['sat stats cost', ['stats', 'cost'], 3],
  ];
  heading(`built CLI start-up: ${RUNS} interleaved runs of each command, on the bundled sample sessions`);
  const times = commands.map(() => new Float64Array(RUNS));
  for (let i = 0; i < RUNS; i++) {
    commands.forEach(([, args], c) => {
      const start = process.hrtime.bigint();
      if (args) sat(args);
      else spawnSync(process.execPath, ['-e', '0']);
      times[c]![i] = Number(process.hrtime.bigint() - start) / 1e6;
    });
  }
  const node = stats(times[0]!).p50;
  commands.forEach(([name, , limit], c) => {
    const median = stats(times[c]!).p50;
    report(`${name} median`, median, 'ms');
    if (limit > 0) {
      note(`${name}: ${(median / node).toFixed(2)}x node -e 0 (target ${limit}x)`);
      report(`${name} / node -e 0`, Number((median / node).toFixed(2)), 'x', { op: '<=', value: limit });
    }
  });
});
