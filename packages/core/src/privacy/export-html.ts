import type { SessionExportDocument } from './export-entries.js';
import { formatUsd, usageRows } from './export-markdown.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML content and attribute values. Pure. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * The page's only policy: nothing is loaded from anywhere (no script, no image, no font, no
 * frame, no form target); the inline style is the one thing allowed.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}td:first-child,th:first-child{text-align:left}
article{border-left:3px solid #999;margin:1rem 0;padding:.2rem .8rem}article.prompt{border-color:#2a6df4}article.answer{border-color:#2e9e5b}
article.failed{border-color:#d33}header.entry{color:#555;font-size:12px}pre{white-space:pre-wrap;word-break:break-word;background:#f5f5f7;padding:.5rem}`;

/**
 * A session as one self-contained HTML page: the same content as the Markdown export, every text
 * escaped, no script, nothing loaded from elsewhere (a Content-Security-Policy of `default-src
 * 'none'` says so to the browser too). Pure.
 *
 * @example
 * writeFileSync('session.html', sessionHtml(doc));
 */
export function sessionHtml(doc: SessionExportDocument): string {
  const e = escapeHtml;
  const summary = [
    `started ${doc.start ?? 'unknown'}, last event ${doc.end ?? 'unknown'}`,
    `${doc.events} events, ${doc.usage.toolUses} tool calls, ${doc.usage.errors} errors`,
    `${doc.usage.totalTokens} tokens, ${formatUsd(doc.usage.cost)} (prices of ${doc.usage.pricesAsOf})`,
  ];
  const agents = Object.entries(doc.usage.agents).map(([name, a]) => `${name} × ${a.invocations}`);
  if (agents.length > 0) summary.push(`sub-agents: ${agents.join(', ')}`);
  const rows = usageRows(doc)
    .map(
      ([model, tokens, responses, cost]) =>
        `<tr><td>${e(model)}</td><td>${tokens}</td><td>${responses}</td><td>${e(cost)}</td></tr>`,
    )
    .join('');
  const entries = doc.entries
    .map((entry) => {
      const classes = [entry.kind, entry.failed ? 'failed' : ''].filter(Boolean).join(' ');
      const who = entry.agent === 'main' ? '' : ` · ${e(entry.agent)}`;
      const text = entry.text ? `<pre>${e(entry.text)}</pre>` : '';
      return `<article class="${classes}"><header class="entry">${e(entry.kind)} · <time>${e(entry.ts)}</time>${who}</header><p>${e(entry.title)}</p>${text}</article>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<title>Session ${e(doc.session)}</title><style>${STYLE}</style></head>
<body><h1>Session ${e(doc.session)}</h1>
<ul>${summary.map((line) => `<li>${e(line)}</li>`).join('')}</ul>
${rows ? `<table><thead><tr><th>model</th><th>tokens</th><th>responses</th><th>cost</th></tr></thead><tbody>${rows}</tbody></table>` : ''}
<h2>Transcript</h2>
${entries}
</body></html>
`;
}
