import Table from 'cli-table3';
import type { CliContext } from './context.js';

/** A column of a table: its header and how to get the cell from a row. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | undefined;
  align?: 'left' | 'right';
}

/**
 * Prints rows as a table on a terminal, or as tab-separated lines (with a header line) when
 * stdout is a pipe or a file.
 */
export function printTable<T>(ctx: CliContext, rows: readonly T[], columns: readonly Column<T>[]): void {
  const cells = rows.map((row) => columns.map((column) => String(column.value(row) ?? '')));
  if (!ctx.out.isTTY) {
    ctx.print(columns.map((column) => column.header).join('\t'));
    for (const line of cells) ctx.print(line.join('\t'));
    return;
  }
  const table = new Table({
    head: columns.map((column) => column.header),
    colAligns: columns.map((column) => column.align ?? 'left'),
    style: { head: ['bold'], border: ['grey'] },
  });
  for (const line of cells) table.push(line);
  ctx.print(table.toString());
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

/** An ISO time as 'YYYY-MM-DD HH:MM:SS' in UTC, or '' */
export function formatTime(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '';
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
