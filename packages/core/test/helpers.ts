import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { type AnySatEvent, type ReadIssue, readSessionEvents } from '../src/index.js';
import { compiledChild } from './ts-child.js';

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test. */
export function tempDir(prefix = 'sat-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/**
 * Starts a TypeScript file in a real Node child process: bundled once into plain JavaScript
 * (workspace sources included), so the child starts as fast as `node` itself.
 */
export function spawnTs(file: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [compiledChild(file), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a TypeScript file to completion; resolves with its exit code and output. */
export function runTs(
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnTs(file, args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Reads a whole session: its events and the problems found. */
export async function readAll(
  logsDir: string,
  session: string,
  quarantine = true,
): Promise<{ events: AnySatEvent[]; issues: ReadIssue[] }> {
  const events: AnySatEvent[] = [];
  const issues: ReadIssue[] = [];
  for await (const event of readSessionEvents(logsDir, session, {
    onIssue: (i) => issues.push(i),
    quarantine,
  }))
    events.push(event);
  return { events, issues };
}

/** Asserts-free check that seqs are exactly 1..n. */
export function seqsAreGapless(events: readonly AnySatEvent[]): boolean {
  return events.every((event, index) => event.seq === index + 1);
}

/** The path of a file in test/fixtures. */
export const fixture = (name: string) => join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name);
