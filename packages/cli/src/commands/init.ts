import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SatPaths } from '@sat/core';
import type { CliContext } from '../context.js';
import { printJson } from '../output.js';

/** Lines `sat init` keeps in `<data root>/.gitignore`: raw logs, state and credentials are never committed. */
export const GITIGNORE_BLOCK_START =
  '# >>> sat (SubAgent Tracking System): never commit raw logs or credentials';
export const GITIGNORE_BLOCK_END = '# <<< sat';

function gitignoreBlock(root: string, paths: SatPaths): string {
  const lines = (Object.keys(paths) as (keyof SatPaths)[])
    .map((name) => relative(root, paths[name]))
    .filter((rel) => rel && !rel.startsWith('..'))
    .map((rel) => `/${rel.split('\\').join('/')}/`);
  lines.push('/sat.config.local.json');
  return `${GITIGNORE_BLOCK_START}\n${lines.join('\n')}\n${GITIGNORE_BLOCK_END}\n`;
}

/** Creates the data folders (credentials mode 0700) and the git-ignore entries. Running it again changes nothing. */
export async function run(ctx: CliContext, _args: string[], options: { json?: boolean }): Promise<number> {
  const config = ctx.config();
  const created: string[] = [];
  const present: string[] = [];
  mkdirSync(config.root, { recursive: true });
  for (const [name, dir] of Object.entries(config.paths)) {
    if (existsSync(dir)) present.push(dir);
    else {
      mkdirSync(dir, { recursive: true, mode: name === 'credentials' ? 0o700 : 0o755 });
      created.push(dir);
    }
  }
  chmodSync(config.paths.credentials, 0o700);

  const ignoreFile = join(config.root, '.gitignore');
  const block = gitignoreBlock(config.root, config.paths);
  const before = existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '';
  let after: string;
  const start = before.indexOf(GITIGNORE_BLOCK_START);
  const end = before.indexOf(GITIGNORE_BLOCK_END);
  if (start !== -1 && end > start)
    after = before.slice(0, start) + block + before.slice(end + GITIGNORE_BLOCK_END.length + 1);
  else after = before + (before && !before.endsWith('\n') ? '\n' : '') + block;
  const gitignoreChanged = after !== before;
  if (gitignoreChanged) writeFileSync(ignoreFile, after);

  const outside = (Object.keys(config.paths) as (keyof SatPaths)[]).filter((name) =>
    relative(config.root, config.paths[name]).startsWith('..'),
  );
  const result = {
    root: config.root,
    created,
    present,
    gitignore: ignoreFile,
    gitignoreChanged,
    outsideRoot: outside.map((n) => config.paths[n]),
  };
  if (options.json) {
    printJson(ctx, result);
    return 0;
  }
  ctx.print(`data root ${config.root}`);
  for (const dir of created) ctx.print(`  created ${dir}`);
  if (created.length === 0) ctx.print('  all folders were already there');
  ctx.print(
    gitignoreChanged
      ? `  git-ignore entries written to ${ignoreFile}`
      : '  git-ignore entries already present',
  );
  for (const dir of result.outsideRoot)
    ctx.note(`note: ${dir} is outside the data root: make sure it is not committed`);
  return 0;
}
