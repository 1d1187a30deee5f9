import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach } from 'vitest';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(REPO, 'packages/cli/src/bin.ts');
/** tsx's loader by absolute URL, so the CLI runs from source whatever folder it is started in. */
const TSX = pathToFileURL(join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sat-cli-'));
  made.push(dir);
  return dir;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const isolated = {
  project: mkdtempSync(join(tmpdir(), 'sat-cli-project-')),
  home: mkdtempSync(join(tmpdir(), 'sat-cli-home-')),
};
afterAll(() => {
  rmSync(isolated.project, { recursive: true, force: true });
  rmSync(isolated.home, { recursive: true, force: true });
});

/** Runs the real `sat` command (from source) in a child process. */
export function sat(
  args: string[],
  options: { home?: string; input?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<Run> {
  const child = spawn(process.execPath, ['--conditions=sat-source', '--import', TSX, BIN, ...args], {
    cwd: options.cwd ?? REPO,
    // A temporary project and HOME unless the test names them: `sat init` must never write this
    // repository's own .claude/ or the developer's ~/.claude.
    env: {
      ...process.env,
      CLAUDE_PROJECT_DIR: isolated.project,
      HOME: isolated.home,
      CLAUDE_CONFIG_DIR: join(isolated.home, '.claude'),
      ...(options.home ? { SAT_HOME: options.home } : {}),
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export { BIN, TSX };
