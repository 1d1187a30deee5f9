/**
 * Claude Code transcript import: builds a corpus of >= 1 GiB from the real transcripts of
 * `packages/cli/fixtures/claude-code/` (every copy with fresh session ids, uuids, message, request
 * and tool_use ids and agent ids), imports it in a fresh child process (bundled JS on plain node,
 * as installed), and reports the throughput, the peak memory (VmHWM) and the events appended;
 * then imports it again, when every file is unchanged and skipped without being opened.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImportChildReport } from './fixtures/import-child.ts';
import {
  bundleForNode,
  formatBytes,
  formatNumber,
  heading,
  makeTempDir,
  note,
  removeTempDir,
  report,
  runFixture,
  toMiB,
  waitForQuietDisk,
} from './lib.ts';

const FIXTURES = fileURLToPath(new URL('../packages/cli/fixtures/claude-code/spotter/', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/import-child.ts', import.meta.url));
const CORPUS_MIB = 1024;
const PROJECTS = 20;

/** A piece of a template: literal text, or an id to rewrite for each copy. */
type Piece = string | { kind: 'uuid' | 'prefix' | 'agent'; text: string };

/**
 * Every id in the transcripts: the first 8 hex digits of a UUID (sessionId, uuid, parentUuid,
 * ...), the prefix of a message / request / tool_use id, and the sub-agent ids.
 */
const ID_PATTERN =
  /[0-9a-f]{8}(?=-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|\b(?:msg|req|toolu|srvtoolu)_|\bacompact-f46190\b|\bafb92ff\b|\ba7be2f0\b/g;

function template(text: string): Piece[] {
  const pieces: Piece[] = [];
  let at = 0;
  for (const match of text.matchAll(ID_PATTERN)) {
    pieces.push(text.slice(at, match.index));
    const found = match[0];
    const kind = found.endsWith('_') ? 'prefix' : /^[0-9a-f]{8}$/.test(found) ? 'uuid' : 'agent';
    pieces.push({ kind, text: found });
    at = match.index + found.length;
  }
  pieces.push(text.slice(at));
  return pieces;
}

/** The text of one copy: every id made unique to copy `n`, consistently across its files. */
function render(pieces: readonly Piece[], n: number): string {
  const tag = n.toString(16).padStart(8, '0');
  let out = '';
  for (const piece of pieces) {
    if (typeof piece === 'string') out += piece;
    else if (piece.kind === 'uuid') out += tag;
    else if (piece.kind === 'prefix') out += `${piece.text}k${tag}`;
    else out += `${piece.text}k${tag}`;
  }
  return out;
}

function listFixtures(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFixtures(join(dir, entry.name))
      : entry.name.endsWith('.jsonl')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Writes copies of the fixture set into `root` (a `~/.claude/projects` layout) until `bytes`. */
function buildCorpus(root: string, bytes: number): { files: number; bytes: number; copies: number } {
  const sources = listFixtures(FIXTURES).map((file) => ({
    name: relative(FIXTURES, file),
    pieces: template(readFileSync(file, 'utf8')),
  }));
  let written = 0;
  let files = 0;
  let copies = 0;
  for (let n = 1; written < bytes; n++, copies++) {
    const project = join(root, `-bench-project-${n % PROJECTS}`);
    for (const source of sources) {
      const text = render(source.pieces, n);
      const session = /"sessionId":"([^"]+)"/.exec(text)?.[1] ?? `session-${n}`;
      const agent = /^agent-(.+)\.jsonl$/.exec(source.name.split('/').pop()!)?.[1];
      const file = agent
        ? join(project, session, 'subagents', `agent-${agent}k${n.toString(16).padStart(8, '0')}.jsonl`)
        : join(project, `${session}.jsonl`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      written += Buffer.byteLength(text);
      files++;
    }
  }
  return { files, bytes: written, copies };
}

function logBytes(logsDir: string): number {
  let total = 0;
  for (const name of readdirSync(logsDir)) {
    if (name.endsWith('.jsonl')) total += statSync(join(logsDir, name)).size;
  }
  return total;
}

async function importOnce(bundle: string, corpus: string, logsDir: string, stateDir: string) {
  const [result] = await runFixture<ImportChildReport>(bundle, [corpus, logsDir, stateDir], { execArgv: [] });
  if (!result) throw new Error('the import child sent no report');
  return result;
}

const work = makeTempDir('sat-bench-import-');
const outDir = makeTempDir('sat-bench-import-bundle-');
try {
  heading(`corpus: >= ${formatNumber(CORPUS_MIB)} MiB of real transcripts with fresh ids`);
  const corpus = join(work, 'projects');
  const built = performance.now();
  const c = buildCorpus(corpus, CORPUS_MIB * 1024 * 1024);
  note(
    `${formatNumber(c.files)} files (${formatNumber(c.copies)} copies of the 5 fixtures, ${formatNumber(c.copies * 4)} sessions), ${formatBytes(c.bytes)}, written in ${((performance.now() - built) / 1e3).toFixed(1)} s`,
  );

  // Transcripts are usually written long before they are imported: let the write-back of the
  // corpus (and the discards of any earlier deletion) finish, so the import is measured alone.
  const waited = await waitForQuietDisk();
  note(`waited ${(waited / 1e3).toFixed(1)} s for the disk to be idle`);

  heading('import: fresh child, bundled JS on plain node');
  const bundle = await bundleForNode(CHILD, outDir);
  const logsDir = join(work, 'logs');
  const stateDir = join(work, 'state');
  const first = await importOnce(bundle, corpus, logsDir, stateDir);
  const seconds = first.ms / 1e3;
  note(
    `${formatNumber(first.filesRead)} files, ${formatBytes(first.bytes)} in ${seconds.toFixed(2)} s; ${formatNumber(first.appended)} events appended (${formatBytes(logBytes(logsDir))} of log) to ${formatNumber(first.sessions)} sessions; ${first.issues} issues`,
  );
  note(
    `memory: baseline ${formatBytes(first.baselineRss)}, sampled peak ${formatBytes(first.peakSampled)} (V8 heap ${formatBytes(first.heapTotalAtPeak)}), VmHWM ${formatBytes(first.maxRss)}`,
  );
  report('import throughput', toMiB(first.bytes) / seconds, 'MiB/s', { op: '>=', value: 100 });
  report('import peak RSS (VmHWM)', toMiB(first.maxRss), 'MiB', { op: '<=', value: 200 });
  report('import events appended', first.appended, 'events');
  report('import events/s', first.appended / seconds, 'events/s');

  heading('re-import of the unchanged corpus (every file skipped unopened)');
  const second = await importOnce(bundle, corpus, logsDir, stateDir);
  note(
    `${formatNumber(second.skippedUnchanged)} of ${formatNumber(second.files)} files unchanged, ${second.appended} events appended, ${second.duplicatesSkipped} duplicates`,
  );
  report('re-import time', second.ms / 1e3, 's');
  report('re-import events appended', second.appended, 'events', { op: '==', value: 0 });
} finally {
  removeTempDir(outDir);
  removeTempDir(work);
}
