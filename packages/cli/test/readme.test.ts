import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../src/command-spec.js';
import { COMMANDS } from '../src/registry.js';
import { REPO } from './helpers.js';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

/** `sat <command> [<sub-command>]` as the registry names them. */
function commandNames(specs: readonly CommandSpec[], prefix = 'sat'): string[] {
  return specs.flatMap((spec) => [
    `${prefix} ${spec.name}`,
    ...(spec.kind === 'group' ? commandNames(spec.subcommands, `${prefix} ${spec.name}`) : []),
  ]);
}

describe('the README stays true', () => {
  it('its API example is real code from the example file it names', () => {
    const blocks = [...readme.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThan(0);
    for (const [, file, code] of blocks) {
      expect(readFileSync(join(REPO, file!), 'utf8')).toContain(code!.trim());
    }
  });

  it('every sat command it shows is a command of the registry', () => {
    const known = new Set(commandNames(COMMANDS));
    const shown = [...readme.matchAll(/^(?:npx -y pnpm@10 )?(sat [a-z-]+(?: [a-z-]+)?)/gm)].map((m) => m[1]!);
    expect(shown.length).toBeGreaterThan(5);
    for (const line of shown) {
      const [sat, command, sub] = line.split(' ');
      const name = known.has(`${sat} ${command} ${sub}`) ? `${sat} ${command} ${sub}` : `${sat} ${command}`;
      expect(known.has(name), `${line}: no such command`).toBe(true);
    }
  });

  it('is a front page: short, with every page it links present', () => {
    expect(readme.split('\n').length).toBeLessThan(150);
    for (const [, target] of readme.matchAll(/\]\(((?:docs\/|SECURITY)[^)#]+)\)/g))
      expect(existsSync(join(REPO, target!)), target).toBe(true);
    expect(existsSync(join(dirname(join(REPO, 'docs', 'cli', 'index.md'))))).toBe(true);
  });

  it('its Quick start has the two commands: the main job and the tests', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('### What works today'));
    const commands = [...quick.matchAll(/```sh\n(npx -y pnpm@10 install && [^\n]+)\n```/g)].map((m) => m[1]);
    expect(commands).toHaveLength(2);
    expect(commands[0]).toBe('npx -y pnpm@10 install && npx -y pnpm@10 sat quickstart');
    expect(commands[1]).toBe('npx -y pnpm@10 install && npx -y pnpm@10 test');
    expect(readFileSync(join(REPO, '.ci/run'), 'utf8')).toContain(commands[1]!);
  });
});
