/**
 * A report as a format-neutral document: titled sections of paragraphs, tables, lists and chart
 * slots. The review builds one; the Markdown and HTML renderers only lay it out, so the two
 * formats always say the same thing.
 */

/** A table: a header row and rows of cells (text already formatted), numbers right-aligned. */
export interface TableBlock {
  kind: 'table';
  head: string[];
  rows: string[][];
  /** Per column: `r` right-aligned (figures). Default left. */
  align?: Array<'l' | 'r'>;
}

/** One block of a section. */
export type Block =
  | { kind: 'p'; text: string }
  | TableBlock
  | { kind: 'list'; ordered: boolean; items: string[] }
  /** Where a chart goes (by name); Markdown leaves it out, HTML embeds its SVG. */
  | { kind: 'chart'; name: string; title: string };

/** A titled section. */
export interface Section {
  title: string;
  blocks: Block[];
}

/** A whole report. */
export interface ReportDocument {
  title: string;
  /** Lines under the title (generated when, compared with what). */
  lead: string[];
  sections: Section[];
}

/** A paragraph block. */
export const p = (text: string): Block => ({ kind: 'p', text });

/** A table block; `align` marks the figure columns. */
export function table(head: string[], rows: string[][], align?: Array<'l' | 'r'>): TableBlock {
  return { kind: 'table', head, rows, ...(align ? { align } : {}) };
}

/** A list block. */
export const list = (items: string[], ordered = false): Block => ({ kind: 'list', ordered, items });
