import { escapeHtml } from '@sat/core';
import type { Block, ReportDocument, TableBlock } from './report-document.js';

/** `code` spans of the Markdown-ish text the document carries, as HTML. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

function tableHtml(block: TableBlock): string {
  const cls = (i: number) => (block.align?.[i] === 'r' ? ' class="num"' : '');
  const head = block.head.map((h, i) => `<th${cls(i)}>${inline(h)}</th>`).join('');
  const rows = block.rows
    .map((row) => `<tr>${row.map((c, i) => `<td${cls(i)}>${inline(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/** An SVG from vega made safe to inline: no script, no external reference. */
function inlineSvg(svg: string): string {
  return svg
    .replace(/<\?xml[^>]*>/g, '')
    .replace(/<script[\s\S]*?<\/script>/gi, '')
    .replace(/\son[a-z]+="[^"]*"/gi, '')
    .replace(/(href|src)="(?!#)[^"]*"/gi, '');
}

function blockHtml(block: Block, charts: Readonly<Record<string, string>>): string {
  if (block.kind === 'p') return `<p>${inline(block.text)}</p>`;
  if (block.kind === 'table') return tableHtml(block);
  if (block.kind === 'list') {
    const tag = block.ordered ? 'ol' : 'ul';
    return `<${tag}>${block.items.map((item) => `<li>${inline(item)}</li>`).join('')}</${tag}>`;
  }
  const svg = charts[block.name];
  return svg ? `<figure>${inlineSvg(svg)}<figcaption>${escapeHtml(block.title)}</figcaption></figure>` : '';
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:24px;color:#1f2328;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.lead{color:#57606a;margin:0 0 16px}table{border-collapse:collapse;margin:8px 0 16px;width:100%;font-size:14px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
.num{text-align:right;font-variant-numeric:tabular-nums}code{background:#f6f8fa;padding:1px 4px;border-radius:4px;font-size:13px}
figure{margin:12px 0;overflow-x:auto}figure svg{max-width:100%;height:auto}figcaption{color:#57606a;font-size:13px}
nav ul{columns:2;padding-left:18px}@media (max-width:700px){body{padding:12px}nav ul{columns:1}table{font-size:12px}}
@media print{nav{display:none}}`;

const anchor = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * Lays a report out as one self-contained HTML page: inline CSS, the charts' SVG inlined (scripts,
 * event handlers and external references stripped), no network request of any kind, a table of
 * contents, readable on a narrow screen and in print.
 *
 * @example
 * writeFileSync('phase-2.html', renderHtml(doc, { agents: await renderSvg(spec) }));
 */
export function renderHtml(doc: ReportDocument, charts: Readonly<Record<string, string>> = {}): string {
  const toc = doc.sections.map((s) => `<li><a href="#${anchor(s.title)}">${escapeHtml(s.title)}</a></li>`);
  const body = doc.sections.map((section) =>
    [
      `<section id="${anchor(section.title)}"><h2>${escapeHtml(section.title)}</h2>`,
      ...section.blocks.map((b) => blockHtml(b, charts)),
      '</section>',
    ].join('\n'),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(doc.title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(doc.title)}</h1>
${doc.lead.map((line) => `<p class="lead">${inline(line)}</p>`).join('\n')}
<nav><ul>${toc.join('')}</ul></nav>
${body.join('\n')}
</body></html>
`;
}
