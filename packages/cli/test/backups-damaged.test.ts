import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

function bundles(home: string): string[] {
  const root = join(home, 'backups', 'SubAgentTracking', 'Phase_0', 'sessions');
  return readdirSync(root).map((session) => join(root, session, 'bundle.tar.gz'));
}

describe('sat backups tells a damaged bundle from a stored one', () => {
  it('a bundle of another size is damaged at once; a flipped byte is found by --verify', async () => {
    const home = tempDir();
    expect((await sat(['import', '--sample'], { home })).code).toBe(0);
    expect((await sat(['backup', '--all'], { home })).code).toBe(0);
    const [first, second] = bundles(home);
    const flipped = readFileSync(first!);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x10;
    writeFileSync(first!, flipped);
    writeFileSync(second!, readFileSync(second!).subarray(0, 100));

    const cheap = await sat(['backups'], { home });
    expect(cheap.code).toBe(1);
    const damagedLines = cheap.stdout.split('\n').filter((line) => line.includes('DAMAGED'));
    expect(damagedLines).toHaveLength(1);
    expect(damagedLines[0]).toContain('the bundle has 100 bytes, its manifest says');

    const verified = await sat(['backups', '--verify', '--json'], { home });
    expect(verified.code).toBe(1);
    const listed = JSON.parse(verified.stdout).backups as Array<{ bundleKey: string; state: string }>;
    const state = (file: string) => listed.find((b) => file.endsWith(b.bundleKey))?.state;
    expect(state(first!)).toBe('damaged');
    expect(state(second!)).toBe('damaged');
    expect(listed.filter((b) => b.state === 'stored').length).toBe(listed.length - 2);
    const text = await sat(['backups', '--verify'], { home });
    expect(text.stdout.split('\n').filter((line) => line.includes('DAMAGED'))).toHaveLength(2);
    expect(text.stdout).toContain('stored, verified');
  });
});
