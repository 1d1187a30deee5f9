import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const ARCHITECTURE = fileURLToPath(new URL('../../../docs/ARCHITECTURE.md', import.meta.url));

/**
 * Core's folders, lowest layer first (docs/ARCHITECTURE.md). A folder may import from its own
 * layer and the layers below it, never from one above. `.` is the files at the root of src/.
 */
const LAYERS = [
  '.',
  'events',
  'pricing',
  'config',
  'redact',
  'log',
  'claude-code',
  'otel',
  'storage',
  'usage',
  'projections',
  'store',
  'insights',
  'session-state',
  'snapshots',
  'handoff',
  'recovery',
  'capture',
  'backup',
  'archive',
  'share',
  'pipeline',
  'privacy',
  'fixtures',
  'testing',
] as const;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function folderOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts.length === 1 ? '.' : (parts[0] as string);
}

/** Every import between two folders of core's src, as `from -> to (file)`. */
function folderImports(): Array<{ from: string; to: string; file: string }> {
  const edges: Array<{ from: string; to: string; file: string }> = [];
  for (const file of sourceFiles(SRC)) {
    if (relative(SRC, file) === 'index.ts') continue; // the public surface re-exports every layer
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const to = folderOf(resolve(dirname(file), match[1] as string));
      const from = folderOf(file);
      if (to !== from) edges.push({ from, to, file: relative(SRC, file) });
    }
  }
  return edges;
}

describe("core's folder layers", () => {
  it('every folder of src/ has a place in the layer list', () => {
    const folders = new Set(sourceFiles(SRC).map(folderOf));
    const unplaced = [...folders].filter((folder) => !(LAYERS as readonly string[]).includes(folder));
    expect(unplaced, 'add the folder to LAYERS here and to docs/ARCHITECTURE.md').toEqual([]);
  });

  it('imports only point down the layers (so the folder graph has no cycle)', () => {
    const rank = (folder: string) => (LAYERS as readonly string[]).indexOf(folder);
    const upward = folderImports()
      .filter(({ from, to }) => rank(to) > rank(from))
      .map(({ from, to, file }) => `${file}: ${from} imports ${to}, a higher layer`);
    expect(upward).toEqual([]);
  });

  it('docs/ARCHITECTURE.md names every folder', () => {
    const text = readFileSync(ARCHITECTURE, 'utf8');
    const folders = new Set(sourceFiles(SRC).map(folderOf));
    const missing = [...folders].filter((folder) => folder !== '.' && !text.includes(`\`${folder}/\``));
    expect(missing).toEqual([]);
  });
});
