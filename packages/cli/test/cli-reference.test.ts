import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliReference } from '../src/reference/cli-reference.js';
import { COMMANDS } from '../src/registry.js';
import { REPO } from './helpers.js';

const DIR = join(REPO, 'docs', 'cli');

describe('the CLI reference in docs/cli/', () => {
  const pages = cliReference();

  it('is what the registry generates (run `pnpm docs:cli` after changing a command)', () => {
    expect(readdirSync(DIR).sort()).toEqual(pages.map((page) => page.file).sort());
    for (const page of pages)
      expect(readFileSync(join(DIR, page.file), 'utf8'), page.file).toBe(page.markdown);
  });

  it('has a page for every command, with each sub-command, argument and option in it', () => {
    for (const spec of COMMANDS) {
      const page = pages.find((p) => p.file === `${spec.name}.md`);
      expect(page, spec.name).toBeDefined();
      if (spec.kind === 'group')
        for (const sub of spec.subcommands)
          expect(page!.markdown).toContain(`\`sat ${spec.name} ${sub.name}`);
    }
    const init = pages.find((p) => p.file === 'init.md')!.markdown;
    expect(init).toContain('`--uninstall`');
    const index = pages.find((p) => p.file === 'index.md')!.markdown;
    for (const spec of COMMANDS) expect(index).toContain(`[\`sat ${spec.name}\`](./${spec.name}.md)`);
    expect(existsSync(join(REPO, 'docs', 'cli-behaviour.md'))).toBe(true);
  });
});
