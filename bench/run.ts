/**
 * Runs every `bench/*.bench.ts` (or those whose name contains the first argument, as in
 * `pnpm bench log`), each in its own node process, streams their output, and ends with a
 * table of every figure and its target. A missed target is reported, never a failure; the
 * exit code is non-zero only when a bench itself crashed.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type BenchResult, formatNumber, parseResultLine, TSX_EXEC_ARGV } from './lib.ts';

interface Collected extends BenchResult {
  bench: string;
}

const here = dirname(fileURLToPath(import.meta.url));

function benchFiles(filter: string | undefined): string[] {
  return readdirSync(here)
    .filter((name) => name.endsWith('.bench.ts') && (!filter || name.includes(filter)))
    .sort()
    .map((name) => join(here, name));
}

/** Runs one bench file, echoing its output and collecting its `BENCH_RESULT` lines. */
function runBench(file: string, results: Collected[]): Promise<number> {
  const bench = basename(file, '.bench.ts');
  const child = spawn(process.execPath, [...TSX_EXEC_ARGV, '--expose-gc', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const result = parseResultLine(line);
    if (result) results.push({ bench, ...result });
    else console.log(line);
  });
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`cannot start ${file}: ${error.message}`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** CPUs and load: timings on a busy machine are not comparable with those on an idle one. */
function machine(): string {
  const [one, five] = loadavg();
  return `node ${process.version}, ${availableParallelism()} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, load average ${one!.toFixed(2)} (1 min) ${five!.toFixed(2)} (5 min)`;
}

function printSummary(results: Collected[]): void {
  const rows = [
    ['bench', 'figure', 'value', 'unit', 'target', 'result'],
    ...results.map((r) => [
      r.bench,
      r.name,
      formatNumber(r.value, Number.isInteger(r.value) ? 0 : String(r.value).split('.')[1]!.length),
      r.unit,
      r.target ?? '-',
      r.pass === null ? 'info' : r.pass ? 'PASS' : 'MISS',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column === 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ');
  console.log(`\n${'='.repeat(widths.reduce((sum, width) => sum + width + 2, -2))}`);
  console.log('SUMMARY');
  console.log(line(rows[0]!));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));
  const targeted = results.filter((r) => r.pass !== null);
  const missed = targeted.filter((r) => r.pass === false);
  console.log(
    `\n${targeted.length - missed.length}/${targeted.length} targets met${missed.length ? `; missed: ${missed.map((r) => r.name).join(', ')}` : ''}`,
  );
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  const files = benchFiles(filter);
  if (files.length === 0) {
    console.error(`no bench/*.bench.ts file${filter ? ` matches "${filter}"` : ''}`);
    process.exitCode = 1;
    return;
  }
  const results: Collected[] = [];
  const failed: string[] = [];
  const started = performance.now();
  console.log(machine());
  for (const file of files) {
    console.log(`\n### ${basename(file)}`);
    const fileStart = performance.now();
    const code = await runBench(file, results);
    console.log(
      `### ${basename(file)}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((performance.now() - fileStart) / 1e3).toFixed(1)} s`,
    );
    if (code !== 0) failed.push(basename(file));
  }
  printSummary(results);
  console.log(`total ${((performance.now() - started) / 1e3).toFixed(1)} s; ${machine()}`);
  if (failed.length) {
    console.error(`bench files that crashed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
