/**
 * Real `sat` output for the pages (`<!-- generated: sat-run quickstart -->`): each block runs the
 * CLI in-process, as on a 150-column terminal, in one throw-away project whose HOME has no Claude
 * Code transcripts (so `sat quickstart` imports the bundled samples), blocks in page order.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { main } from '../../../packages/cli/src/main.ts';
import type { BlockGenerator } from './generated-blocks.ts';

/** A terminal-like stream that keeps what is written to it. */
class Terminal extends Writable {
  readonly isTTY = true;
  readonly columns = 150;
  private text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
  read(): string {
    return this.text;
  }
}

/** The throw-away project and home the runs share, and how to remove them. */
export interface CliSandbox {
  project: string;
  home: string;
  dispose(): void;
}

/** A fresh git project and an empty HOME under the system's temporary folder. */
export function createCliSandbox(): CliSandbox {
  const root = mkdtempSync(join(tmpdir(), 'sat-docs-'));
  const project = join(root, 'project');
  const home = join(root, 'home');
  mkdirSync(project);
  mkdirSync(home);
  execFileSync('git', ['init', '-q', project]);
  return { project, home, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

async function runSat(args: string[], sandbox: CliSandbox): Promise<string> {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const stdout = new Terminal();
  const stderr = new Terminal();
  try {
    Object.assign(process.env, {
      HOME: sandbox.home,
      CLAUDE_CONFIG_DIR: join(sandbox.home, '.claude'),
      CLAUDE_PROJECT_DIR: sandbox.project,
      NO_COLOR: '1',
    });
    delete process.env.SAT_HOME;
    delete process.env.SAT_CONFIG;
    process.chdir(sandbox.project);
    const code = await main(['node', 'sat', ...args], { stdout, stderr, stdin: Readable.from([]) });
    if (code !== 0) throw new Error(`[docs] sat ${args.join(' ')} exited ${code}: ${stderr.read()}`);
    return (stdout.read() + stderr.read()).replace(ANSI, '');
  } finally {
    process.chdir(savedCwd);
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  }
}

/** The `sat-run` block generator over `sandbox`: `$ sat ARGS` and its output, paths shortened. */
export function satRunBlock(sandbox: CliSandbox): BlockGenerator {
  return async (args) => {
    const argv = args.split(/\s+/).filter(Boolean);
    const output = (await runSat(argv, sandbox))
      .split(sandbox.project)
      .join('~/project')
      .split(sandbox.home)
      .join('~')
      .trimEnd();
    return ['```text', `$ sat ${argv.join(' ')}`, output, '```'].join('\n');
  };
}
