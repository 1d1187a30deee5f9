import type { ComponentChildren, VNode } from 'preact';

/** Inline Markdown (`code`, **bold**, _italic_) as Preact nodes: text stays text, never HTML. */
export function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|(?<![\w])_([^_]+)_(?![\w])/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<code>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<strong>{m[2]}</strong>);
    else out.push(<em>{m[3]}</em>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

type Block =
  | { kind: 'h'; level: number; text: string }
  | { kind: 'ul' | 'ol' | 'quote' | 'p' | 'code'; lines: string[] };

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const last = out[out.length - 1];
    if (line.startsWith('```')) {
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) code.push(lines[i]!);
      out.push({ kind: 'code', lines: code });
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    const kind = h
      ? 'h'
      : /^\s*[-*]\s+/.test(line)
        ? 'ul'
        : /^\s*\d+\.\s+/.test(line)
          ? 'ol'
          : line.startsWith('>')
            ? 'quote'
            : line.trim() === ''
              ? 'blank'
              : 'p';
    if (h) out.push({ kind: 'h', level: h[1]!.length, text: h[2]! });
    else if (kind === 'blank') out.push({ kind: 'p', lines: [] });
    else {
      const text = line.replace(/^\s*([-*]|\d+\.)\s+/, '').replace(/^>\s?/, '');
      if (last && last.kind === kind && 'lines' in last && last.lines.length) last.lines.push(text);
      else out.push({ kind: kind as 'ul' | 'ol' | 'quote' | 'p', lines: [text] });
    }
  }
  return out.filter((b) => b.kind === 'h' || b.lines.length > 0);
}

function renderBlock(b: Block, i: number): VNode {
  if (b.kind === 'h') {
    const Tag = `h${Math.min(6, b.level + 2)}` as 'h3';
    return <Tag key={i}>{inline(b.text)}</Tag>;
  }
  if (b.kind === 'code')
    return (
      <pre key={i}>
        <code>{b.lines.join('\n')}</code>
      </pre>
    );
  if (b.kind === 'ul' || b.kind === 'ol') {
    const Tag = b.kind;
    return (
      <Tag key={i}>
        {b.lines.map((l, j) => (
          <li key={j}>{inline(l)}</li>
        ))}
      </Tag>
    );
  }
  if (b.kind === 'quote')
    return (
      <blockquote key={i}>
        {b.lines.map((l, j) => (
          <p key={j}>{inline(l)}</p>
        ))}
      </blockquote>
    );
  return <p key={i}>{inline(b.lines.join(' '))}</p>;
}

/**
 * Markdown rendered safely: headings, lists, quotes, code blocks and inline code, bold and italic,
 * all built as text nodes (no HTML from the log ever reaches the DOM).
 */
export function Markdown({ text }: { text: string }) {
  return <div class="markdown">{blocks(text).map(renderBlock)}</div>;
}
