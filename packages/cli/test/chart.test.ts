import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Well-formed XML, roughly: every tag opened is closed, in order. */
function expectWellFormedXml(xml: string): void {
  expect(xml.trimStart().startsWith('<svg')).toBe(true);
  const stack: string[] = [];
  const body = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  for (const [tag, close, name, , self] of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)((?:\s+[^>]*?)?)(\/?)>/g)) {
    if (self) continue;
    if (close) expect(stack.pop(), tag).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
}

async function sampleHome(): Promise<string> {
  const home = tempDir();
  const imported = await sat(['import', '--sample'], { home });
  expect(imported.code, imported.stderr).toBe(0);
  return home;
}

describe('sat chart', () => {
  it('renders agent performance as SVG with the axis titles and the sample agents', async () => {
    const home = await sampleHome();
    const out = join(home, 'perf.svg');
    const run = await sat(['chart', 'agents', '--out', out, '--days', 'all'], { home });
    expect(run.code, run.stderr).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expectWellFormedXml(svg);
    for (const text of [
      'Invocations (count)',
      'Success rate (%)',
      'Duration (seconds)',
      'Agent type',
      'Plan',
    ])
      expect(svg).toContain(text);
    expect(svg).toContain('Agent performance');
  });

  it('renders the error heatmap as SVG and PNG, by agent and by day', async () => {
    const home = await sampleHome();
    const svgOut = join(home, 'heatmap.svg');
    const svgRun = await sat(['chart', 'errors', '--out', svgOut, '--days', 'all'], { home });
    expect(svgRun.code, svgRun.stderr).toBe(0);
    const svg = readFileSync(svgOut, 'utf8');
    expectWellFormedXml(svg);
    for (const text of ['Error type', 'Agent', 'main', 'tool_error']) expect(svg).toContain(text);

    const pngOut = join(home, 'heatmap.png');
    const pngRun = await sat(['chart', 'errors', '--out', pngOut, '--by', 'day', '--days', 'all'], { home });
    expect(pngRun.code, pngRun.stderr).toBe(0);
    const png = readFileSync(pngOut);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.length).toBeGreaterThan(5_000);
  });

  it('usage: tokens and cost per day of the sample transcripts, as SVG and as --json rows', async () => {
    const home = await sampleHome();
    const json = await sat(['chart', 'usage', '--days', 'all', '--json'], { home });
    expect(json.code, json.stderr).toBe(0);
    const data = JSON.parse(json.stdout) as {
      chart: string;
      rows: Array<{ day: string; tokens: number; cost: number }>;
    };
    expect(data.chart).toBe('usage');
    const used = data.rows.filter((d) => d.tokens > 0);
    expect(used.map((d) => d.day)).toEqual(['2026-02-10', '2026-02-11']);
    const cost = JSON.parse((await sat(['stats', 'cost', '--days', 'all', '--json'], { home })).stdout) as {
      pricedCost: number;
      tokens: { total: number };
    };
    expect(used.reduce((n, d) => n + d.tokens, 0)).toBe(cost.tokens.total);
    expect(used.reduce((n, d) => n + d.cost, 0)).toBeCloseTo(cost.pricedCost, 6);
    const out = join(home, 'usage.svg');
    expect((await sat(['chart', 'usage', '--days', 'all', '--out', out], { home })).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('Tokens and cost per day');
    const neither = await sat(['chart', 'usage'], { home });
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain('--out');
  });

  it('renders agent performance as PNG', async () => {
    const home = await sampleHome();
    const out = join(home, 'perf.png');
    const run = await sat(['chart', 'agents', '--out', out, '--days', 'all'], { home });
    expect(run.code, run.stderr).toBe(0);
    const png = readFileSync(out);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.length).toBeGreaterThan(10_000);
  });

  it('draws a "no data" chart for an empty store and exits 0', async () => {
    const home = tempDir();
    for (const kind of ['agents', 'errors']) {
      const out = join(home, `${kind}.svg`);
      const run = await sat(['chart', kind, '--out', out], { home });
      expect(run.code, run.stderr).toBe(0);
      const svg = readFileSync(out, 'utf8');
      expectWellFormedXml(svg);
      expect(svg).toContain('No data');
    }
  });

  it('refuses an --out that is neither .svg nor .png', async () => {
    const home = tempDir();
    const run = await sat(['chart', 'agents', '--out', join(home, 'perf.jpg')], { home });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--out must end in .svg or .png');
  });
});
