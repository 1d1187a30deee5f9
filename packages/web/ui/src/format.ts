/** `$0.5400` (4 decimals under $10, else 2). */
export function cost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '–';
  return `$${usd.toFixed(Math.abs(usd) < 10 ? 4 : 2)}`;
}

/** `490.2k`, `1.1M`, `312`. */
export function tokens(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (Math.abs(n) >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** `1,234`. */
export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : n.toLocaleString('en-US');
}

/** `245 ms`, `38.8 s`, `3 min 12 s`, `2 h 5 min`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

/** `2026-02-10 21:54` (UTC), or `–`. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '–';
  return iso.slice(0, 16).replace('T', ' ');
}

/** The first 8 characters of an id. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A percentage, `87%`. */
export function percent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined ? '–' : `${Math.round(fraction * 100)}%`;
}
