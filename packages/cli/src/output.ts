import Table from 'cli-table3';
import type { CliContext } from './context.js';

/** A column of a table: its header and how to get the cell from a row. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | undefined;
  align?: 'left' | 'right';
}

/** Box characters without a rule between rows. */
const NO_ROW_RULES = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** The narrowest a shrunk column gets (its text then ends in an ellipsis). */
const MIN_COLUMN = 8;

/**
 * Column widths (content, without the two padding spaces) that fit `max` characters of a table
 * with borders: the widest shrinkable column loses one character at a time until it fits or
 * every shrinkable one is at {@link MIN_COLUMN}.
 *
 * @example
 * fitWidths([36, 10, 60], [true, false, true], 80); // [30, 10, 30]
 */
export function fitWidths(natural: readonly number[], shrinkable: readonly boolean[], max: number): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((sum, w) => sum + w + 2, 0) + widths.length + 1;
  while (total() > max) {
    let widest = -1;
    for (const [i, w] of widths.entries())
      if (shrinkable[i] && w > MIN_COLUMN && (widest === -1 || w > widths[widest]!)) widest = i;
    if (widest === -1) break;
    widths[widest]!--;
  }
  return widths;
}

function ellipsize(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/**
 * Prints rows as a table on a terminal, fitted to its width (`ctx.out.columns`: the widest
 * left-aligned columns are cut with an ellipsis), or as tab-separated lines (with a header line)
 * when stdout is a pipe or a file.
 */
export function printTable<T>(ctx: CliContext, rows: readonly T[], columns: readonly Column<T>[]): void {
  const cells = rows.map((row) => columns.map((column) => String(column.value(row) ?? '')));
  if (!ctx.out.isTTY) {
    ctx.print(columns.map((column) => column.header).join('\t'));
    for (const line of cells) ctx.print(line.join('\t'));
    return;
  }
  const natural = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((line) => line[i]!.length)),
  );
  const widths = ctx.out.columns
    ? fitWidths(
        natural,
        columns.map((column) => (column.align ?? 'left') === 'left'),
        ctx.out.columns,
      )
    : natural;
  const table = new Table({
    head: columns.map((column, i) => ellipsize(column.header, widths[i]!)),
    colAligns: columns.map((column) => column.align ?? 'left'),
    colWidths: widths.map((w) => w + 2),
    chars: NO_ROW_RULES,
    style: { head: ['bold'], border: ['grey'] },
  });
  for (const line of cells) table.push(line.map((cell, i) => ellipsize(cell, widths[i]!)));
  const [top = '', head = '', ...body] = table.toString().split('\n');
  // One rule under the header, none between rows.
  const rule = top.replace('┌', '├').replaceAll('┬', '┼').replace('┐', '┤');
  ctx.print([top, head, ...(rows.length > 0 ? [rule] : []), ...body].join('\n'));
}

/** Prints a value as pretty JSON. */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.print(JSON.stringify(value, null, 2));
}

/** 1536 -> '1.5 KB' */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * An ISO time as every table shows it: local time, 'YYYY-MM-DD HH:MM:SS' ('' for none; the text
 * itself when it is not a time). `--json` output keeps the ISO string with its zone.
 *
 * @example
 * formatTime('2026-02-10T22:03:51.000Z'); // '2026-02-10 23:03:51' in Europe/Paris
 */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A span of time in the largest sensible unit, for people: '45 seconds', '12 minutes',
 * '5 hours', '299 days'.
 *
 * @example
 * formatAge(430_470 * 60_000); // '298 days'
 */
export function formatAge(ms: number): string {
  const units: Array<[string, number]> = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
  ];
  for (const [name, size] of units) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'}`;
  }
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** 1234567 -> '1,234,567' */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** A token count in short form: 950 -> '950', 12345 -> '12.3k', 4567890 -> '4.57M'. */
export function formatTokens(value: number): string {
  if (value < 1000) return String(value);
  if (value < 1_000_000) return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)}k`;
  return `${(value / 1_000_000).toFixed(value < 10_000_000 ? 2 : 1)}M`;
}

/** USD: '$0.1234' below $10, '$12.34' from there. */
export function formatCost(usd: number): string {
  return `$${usd.toFixed(usd < 10 ? 4 : 2)}`;
}

/** 950 -> '950 ms', 38799 -> '38.8 s', 754000 -> '12m 34s' */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}
