import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import {
  closeSessionLog,
  EventWriter,
  loadConfig,
  type PutOptions,
  type PutResult,
  type SatConfig,
  SatError,
  type StorageTarget,
  type StoredObject,
} from '../../src/index.js';
import { realisticSessionEvents } from '../../src/testing/index.js';
import { tempDir } from '../helpers.js';

/** A fresh data root with its config (no environment variables read). */
export function freshConfig(env: Record<string, string> = {}): SatConfig {
  const root = tempDir('sat-backup-');
  return loadConfig({ root, cwd: root, env });
}

/** Writes a realistic session, open unless `end` (session_end) or `close` (ended and compressed). */
export async function writeSession(
  config: SatConfig,
  session: string,
  options: { events?: number; end?: boolean; close?: boolean; phase?: number; start?: number } = {},
): Promise<void> {
  const writer = new EventWriter({ logsDir: config.paths.logs });
  for (const event of realisticSessionEvents(
    {
      session,
      start: options.start,
      phaseChanges: options.phase !== undefined ? [{ at: 5, phase: options.phase }] : undefined,
    },
    options.events ?? 200,
  )) {
    // The generator ends with session_end: kept only when the session is to end.
    if (event.type !== 'session_end' || options.end || options.close) writer.append(event);
  }
  await writer.close();
  if (options.close) await closeSessionLog(config.paths.logs, session);
}

/** Adds a snapshot, a handoff and raw hook payloads for a session. */
export function writeExtras(config: SatConfig, session: string): void {
  const snapshots = join(config.paths.state, 'snapshots', session);
  mkdirSync(join(snapshots, 'nested'), { recursive: true });
  writeFileSync(join(snapshots, 'index.jsonl'), '{"id":"snap-1"}\n');
  writeFileSync(join(snapshots, 'nested', 'snap-1.json.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5]));
  mkdirSync(config.paths.handoffs, { recursive: true });
  writeFileSync(
    join(config.paths.handoffs, `${session}-2026-01-01T00-00-00Z.md`),
    `# Handoff of ${session}\n`,
  );
  writeFileSync(join(config.paths.handoffs, `latest-${session}.md`), `# Latest handoff of ${session}\n`);
  writeFileSync(
    join(config.paths.handoffs, `${session}0-other.md`),
    '# another session (must not be bundled)\n',
  );
  mkdirSync(join(config.paths.logs, 'raw'), { recursive: true });
  writeFileSync(
    join(config.paths.logs, 'raw', `${session}.jsonl`),
    '{"hook":"PreToolUse"}\n{"hook":"PostToolUse"}\n',
  );
}

/** SHA-256 of every file under `root` (relative path → hash), skipping the given folder names. */
export function hashTree(root: string, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (skip.includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile())
        out[relative(root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(root);
  return out;
}

/** Size of a file, or -1. */
export function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : -1;
}

/**
 * Wraps a target: counts puts per key, and answers TARGET_UNAVAILABLE for every call while
 * `down` is true (a NAS that is not mounted, a network that is gone).
 */
export class FlakyTarget implements StorageTarget {
  down = false;
  readonly puts = new Map<string, number>();
  constructor(private readonly inner: StorageTarget) {}
  get name(): string {
    return this.inner.name;
  }
  get location(): string {
    return this.inner.location;
  }
  get capabilities() {
    return this.inner.capabilities;
  }
  private check(): void {
    if (this.down)
      throw new SatError('TARGET_UNAVAILABLE', '[test] target is down', { details: { retryable: true } });
  }
  async put(key: string, source: Readable | Buffer, options?: PutOptions): Promise<PutResult> {
    this.check();
    this.puts.set(key, (this.puts.get(key) ?? 0) + 1);
    return this.inner.put(key, source, options);
  }
  async get(key: string): Promise<Readable> {
    this.check();
    return this.inner.get(key);
  }
  async stat(key: string): Promise<StoredObject | undefined> {
    this.check();
    return this.inner.stat(key);
  }
  async *list(prefix: string): AsyncIterable<StoredObject> {
    this.check();
    yield* this.inner.list(prefix);
  }
  async delete(key: string): Promise<void> {
    this.check();
    return this.inner.delete(key);
  }
}
