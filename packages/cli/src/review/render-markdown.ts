import type { Block, ReportDocument, TableBlock } from './report-document.js';

/** Markdown table cells cannot hold a bare `|` or a line break. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function tableMarkdown(block: TableBlock): string {
  const rule = block.head.map((_, i) => (block.align?.[i] === 'r' ? '---:' : '---'));
  const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [row(block.head), `|${rule.map((r) => ` ${r} `).join('|')}|`, ...block.rows.map(row)].join('\n');
}

function blockMarkdown(block: Block): string | undefined {
  if (block.kind === 'p') return block.text;
  if (block.kind === 'table') return tableMarkdown(block);
  if (block.kind === 'list')
    return block.items.map((item, i) => `${block.ordered ? `${i + 1}.` : '-'} ${item}`).join('\n');
  return undefined;
}

/**
 * Lays a report out as GitHub-flavoured Markdown: `#` title, `##` sections, pipe tables with the
 * figure columns right-aligned. Chart slots are left out (the HTML page has the charts).
 *
 * @example
 * renderMarkdown({ title: 'Review', lead: [], sections: [{ title: 'Cost', blocks: [p('$4.20')] }] });
 */
export function renderMarkdown(doc: ReportDocument): string {
  const parts = [`# ${doc.title}`, ...(doc.lead.length > 0 ? [doc.lead.join('  \n')] : [])];
  for (const section of doc.sections) {
    parts.push(`## ${section.title}`);
    for (const block of section.blocks) {
      const text = blockMarkdown(block);
      if (text !== undefined) parts.push(text);
    }
  }
  return `${parts.join('\n\n')}\n`;
}
