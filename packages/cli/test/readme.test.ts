import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/registry.js';
import { REPO } from './helpers.js';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

describe('the README stays true', () => {
  it('its API example is real code from the example file it names', () => {
    const blocks = [...readme.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThan(0);
    for (const [, file, code] of blocks) {
      expect(readFileSync(join(REPO, file!), 'utf8')).toContain(code!.trim());
    }
  });

  it('documents every sat command', () => {
    const reference = readme.slice(readme.indexOf('## CLI reference'), readme.indexOf('## Events'));
    for (const command of COMMANDS) expect(reference).toContain(`\`sat ${command.name}`);
  });

  it('its Quick start has the two commands: the main job and the tests', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('### What works today'));
    const commands = [...quick.matchAll(/```sh\n(npx -y pnpm@10 install && [^\n]+)\n```/g)].map((m) => m[1]);
    expect(commands).toHaveLength(2);
    expect(commands[1]).toBe('npx -y pnpm@10 install && npx -y pnpm@10 test');
    expect(readFileSync(join(REPO, '.ci/run'), 'utf8')).toContain(commands[1]!);
  });
});
