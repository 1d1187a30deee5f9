/**
 * Renders a Vega-Lite spec to SVG (vega-lite compiles it, vega renders it headless) and an SVG to
 * PNG (resvg, with the system fonts). The libraries are imported here, on first use, so only
 * `sat chart` loads them.
 */

/** The font every chart uses: one resvg finds among the system fonts on most machines. */
export const CHART_FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

/** The chart formats, by file extension. */
export type ChartFormat = 'svg' | 'png';

/** The format an output path asks for, from its extension; null when it is neither .svg nor .png. */
export function chartFormat(path: string): ChartFormat | null {
  const match = /\.(svg|png)$/i.exec(path);
  return match ? (match[1]!.toLowerCase() as ChartFormat) : null;
}

/** Compiles a Vega-Lite spec and renders it to an SVG document. */
export async function renderSvg(spec: object): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  // biome-ignore lint/suspicious/noExplicitAny: the specs are built as plain objects
  const compiled = vegaLite.compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders an SVG document to PNG, at `scale` times its size (2 by default, for sharp text). */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return Buffer.from(resvg.render().asPng());
}

/** Renders a spec in the format asked for: SVG text or PNG bytes. */
export async function renderChart(spec: object, format: ChartFormat): Promise<string | Buffer> {
  const svg = await renderSvg(spec);
  return format === 'svg' ? svg : svgToPng(svg);
}

/** Shared look: fonts, sizes and a white background. */
export function chartConfig(): Record<string, unknown> {
  return {
    font: CHART_FONT,
    background: 'white',
    padding: 16,
    title: { fontSize: 18, subtitleFontSize: 13, subtitleColor: '#555', anchor: 'start', offset: 12 },
    axis: { labelFontSize: 12, titleFontSize: 13, titlePadding: 10, labelLimit: 220 },
    legend: { labelFontSize: 12, titleFontSize: 13 },
    header: { labelFontSize: 13, titleFontSize: 13 },
    view: { stroke: null },
  };
}

/** The date range a chart covers, for its title. */
export function rangeLabel(filters: { from: string | null; phase?: string | null }, today: string): string {
  const range = filters.from ? `${filters.from} to ${today}` : `all time to ${today}`;
  return filters.phase ? `${range}, phase ${filters.phase}` : range;
}

/** A chart that only says there is nothing to show. */
export function noDataSpec(title: string, subtitle: string, what: string): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    width: 520,
    height: 200,
    data: { values: [{ text: `No data: ${what}` }] },
    mark: { type: 'text', fontSize: 18, color: '#666' },
    encoding: { text: { field: 'text', type: 'nominal' } },
    config: chartConfig(),
  };
}
