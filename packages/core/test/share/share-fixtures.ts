import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type AnySatEvent, EventWriter, loadConfig, type NewEvent, type SatConfig } from '../../src/index.js';
import { realisticSessionEvents } from '../../src/testing/index.js';
import { readAll, tempDir } from '../helpers.js';

/** A fresh data root of `user` on `machine`. */
export function person(user: string, machine = `${user}-laptop`, overrides = {}): SatConfig {
  const root = tempDir('sat-share-');
  return loadConfig({ root, cwd: root, env: { SAT_USER: user, SAT_MACHINE: machine }, overrides });
}

/** Appends events to a session of `config`'s log. */
export async function append(config: SatConfig, events: Iterable<NewEvent>): Promise<void> {
  const writer = new EventWriter({ logsDir: config.paths.logs });
  for (const event of events) writer.append(event);
  await writer.close();
}

/** A realistic open session (no session_end) of `count` events. */
export async function writeOpenSession(
  config: SatConfig,
  session: string,
  count = 40,
  seed = 1,
): Promise<void> {
  await append(
    config,
    [...realisticSessionEvents({ session, seed }, count + 1)].filter((e) => e.type !== 'session_end'),
  );
}

/** The session's events in log order. */
export async function eventsOf(config: SatConfig, session: string): Promise<AnySatEvent[]> {
  return (await readAll(config.paths.logs, session, false)).events;
}

/** Every file under `dir` with the SHA-256 of its bytes: what "nothing changed" compares. */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string): void => {
    if (!existsSync(folder)) return;
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return out;
}
