import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventWriter } from '@sat/core';
import { plantedHistory } from '@sat/core/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

const history = plantedHistory({ seed: 5, sessions: 30, eventsPerSession: 160, phases: 3 });
const phase2 = history.sessions.filter((s) => s.phase === 'phase-2').map((s) => s.session);

async function plantedHome(home = tempDir()): Promise<string> {
  const writer = new EventWriter({ logsDir: join(home, 'logs') });
  for (const { session } of history.sessions) {
    for (const event of history.events(session)) writer.append(event);
    await writer.flush();
  }
  await writer.close();
  return home;
}

async function reviewJson(home: string, ...args: string[]) {
  const run = await sat(['review', ...args, '--json'], { home });
  expect(run.stderr).not.toMatch(/error/i);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

/** The figures that must not depend on where the sessions were read from. */
function figures(review: Record<string, unknown>) {
  const { generatedAt: _g, sources: _s, files: _f, ...rest } = review;
  return rest;
}

describe('sat review', () => {
  // Shared by the tests of this block, so made here rather than by tempDir (emptied after each test).
  const home = mkdtempSync(join(tmpdir(), 'sat-review-'));
  beforeAll(() => plantedHome(home));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('reviews a phase: every section, the --json contract, the Markdown report in <root>/reviews', async () => {
    const review = await reviewJson(home, 'phase', 'phase-2', '--local-only');
    expect(review.scope).toBe('phase phase-2');
    expect(review.previous).toBe('phase phase-1');
    expect([...review.sessions].sort()).toEqual([...phase2].sort());
    expect(review.sources).toMatchObject({ local: phase2.length, backup: 0, archive: 0, unreadable: [] });
    const recurring = review.errors.recurring;
    expect(recurring.length).toBeGreaterThan(0);
    for (const r of recurring) {
      expect(r).toMatchObject({
        fingerprint: expect.any(String),
        errorType: expect.any(String),
        example: expect.any(String),
        occurrences: expect.any(Number),
      });
      expect(r.sessions.every((s: string) => phase2.includes(s))).toBe(true);
      expect(r.sessions.length).toBeGreaterThan(1);
    }
    for (const a of review.anomalies) {
      expect(typeof (a.session ?? a.day)).toBe('string');
      expect(a).toMatchObject({
        metric: expect.any(String),
        value: expect.any(Number),
        baseline: expect.anything(),
      });
    }
    expect(review.recommendations.length).toBeGreaterThanOrEqual(3);
    for (const r of review.recommendations)
      expect(r).toMatchObject({ text: expect.any(String), evidence: expect.any(Object) });
    expect(review.headlines.sessions).toMatchObject({ current: phase2.length, previous: expect.any(Number) });
    const file = join(home, 'reviews', 'phase-phase-2.md');
    expect(review.files.markdown).toBe(file);
    const md = readFileSync(file, 'utf8');
    for (const section of [
      'Headlines',
      'Sessions read',
      'What was done',
      'Agent performance',
      'Tool effectiveness',
      'Errors',
      'Cost',
      'Anomalies',
      'Recommendations',
    ])
      expect(md).toContain(`## ${section}`);
    expect(md).toContain(recurring[0].errorType);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('prints a short summary and writes a self-contained HTML page with the charts', async () => {
    const out = join(tempDir(), 'report.md');
    const run = await sat(['review', 'phase', 'phase-2', '--local-only', '--out', out, '--html'], { home });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Review of phase phase-2: \d+ sessions \(\d+ local\)/);
    expect(run.stdout).toMatch(/vs phase phase-1/);
    expect(run.stdout).toMatch(/Recommendations:\n {2}1\. /);
    expect(run.stdout).toContain(`wrote ${out}`);
    const html = readFileSync(out.replace(/\.md$/, '.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBe(4);
    expect(html).not.toMatch(/<script|<link|\ssrc=|href="http|url\(http|@import/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<h2>Recommendations</h2>');
  });

  it('reviews the last N days and one session, each against the one before', async () => {
    const last = history.sessions.at(-1)!;
    const recent = plantedHistory({
      seed: 6,
      sessions: 30,
      eventsPerSession: 80,
      start: Date.now() - 10 * 86_400_000,
    });
    const recentHome = tempDir();
    const writer = new EventWriter({ logsDir: join(recentHome, 'logs') });
    for (const { session } of recent.sessions)
      for (const event of recent.events(session)) writer.append(event);
    await writer.close();
    const days = await reviewJson(recentHome, '--days', '3', '--local-only');
    expect(days.scope).toBe('last 3 days');
    expect(days.previous).toBe('the 3 days before');
    const from = Date.now() - 3 * 86_400_000;
    const inWindow = recent.sessions.filter((s) => s.start >= from - 86_400_000).map((s) => s.session);
    expect(days.sessions.length).toBeGreaterThanOrEqual(6);
    expect(days.sessions.every((s: string) => inWindow.includes(s))).toBe(true);
    expect(days.headlines.sessions.previous).toBeGreaterThanOrEqual(6);
    expect(existsSync(join(recentHome, 'reviews', 'last-3-days.md'))).toBe(true);
    const one = await reviewJson(home, '--session', last.session);
    expect(one.sessions).toEqual([last.session]);
    expect(one.previous).toBe(`session ${history.sessions.at(-2)!.session}`);
    expect(existsSync(join(home, 'reviews', `session-${last.session}.md`))).toBe(true);
  });

  it('refuses a scope it does not know, saying what to give', async () => {
    const unknown = await sat(['review', 'sprint', '3'], { home });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown review scope 'sprint'");
    const both = await sat(['review', 'phase', '2', '--days', '7'], { home });
    expect(both.stderr).toContain('give one scope');
    const zero = await sat(['review', '--days', '0'], { home });
    expect(zero.stderr).toContain('--days must be a whole number');
  });
});

describe('sat review: sessions that exist only in backups', () => {
  it('reads them from the backup (verified, never restored) and gives the same figures as with them local', async () => {
    const home = await plantedHome();
    const before = await reviewJson(home, 'phase', 'phase-2', '--local-only');
    const backup = await sat(['backup', '--all', '--json'], { home });
    expect(backup.code).toBe(0);
    for (const name of readdirSync(join(home, 'logs')))
      if (phase2.some((s) => name.startsWith(s))) rmSync(join(home, 'logs', name), { force: true });
    rmSync(join(home, 'analytics'), { recursive: true, force: true });
    const logsBefore = readdirSync(join(home, 'logs')).sort();

    const after = await reviewJson(home, 'phase', 'phase-2');
    expect(after.sources).toMatchObject({ local: 0, backup: phase2.length, archive: 0, unreadable: [] });
    expect(figures(after)).toEqual(figures(before));
    expect(readdirSync(join(home, 'logs')).sort()).toEqual(logsBefore);
  });

  it('names a damaged backup among the unreadable and reads the others', async () => {
    const home = await plantedHome();
    expect((await sat(['backup', '--all'], { home })).code).toBe(0);
    const damaged = phase2[0]!;
    for (const name of readdirSync(join(home, 'logs')))
      if (phase2.some((s) => name.startsWith(s))) rmSync(join(home, 'logs', name), { force: true });
    const bundle = join(
      home,
      'backups',
      'SubAgentTracking',
      'Phase_phase-2',
      'sessions',
      damaged,
      'bundle.tar.gz',
    );
    const bytes = readFileSync(bundle);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(bundle, bytes);
    const review = await reviewJson(home, 'phase', 'phase-2');
    expect(review.sources.backup).toBe(phase2.length - 1);
    expect(review.sources.unreadable).toEqual([
      expect.objectContaining({ session: damaged, source: 'backup', code: 'CHECKSUM_MISMATCH' }),
    ]);
    expect(review.sessions).not.toContain(damaged);
  });
});
