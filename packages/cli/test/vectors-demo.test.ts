// sigil vectors check and sigil demo: the built binary, spawned.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, sigil, STACK_LINE } from './helpers.js';

const VECTORS = join(REPO, 'test-vectors');
const count = (file: string): number => (JSON.parse(readFileSync(join(VECTORS, file), 'utf8')) as { vectors: unknown[] }).vectors.length;
const tmp = mkdtempSync(join(tmpdir(), 'sigil-vectors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sigil vectors check', () => {
  it('passes every checked-in v1 vector and prints one row each', async () => {
    const total = count('v1-positive.json') + count('v1-negative.json');
    const run = await sigil(['vectors', 'check', 'test-vectors']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${total} vectors in 2 file(s): ${total} passed, 0 failed`);
    expect(run.stdout.match(/ pass$/gm)).toHaveLength(total);
    expect(run.stdout).toMatch(/^v1-negative\.json +timestamp-stale +negative +timestamp_out_of_window +timestamp_out_of_window +pass$/m);
    expect(run.stdout).toMatch(/^skipped \(not v1 vector files\): .*schema\.json/m);
  });

  it('fails (exit 1) on a vector this implementation disagrees with, and on an invalid file', async () => {
    const file = JSON.parse(readFileSync(join(VECTORS, 'v1-positive.json'), 'utf8')) as { vectors: Array<{ id: string; expected: { mac: string } }> };
    const first = file.vectors[0]!;
    first.expected.mac = `${first.expected.mac.slice(0, -2)}AA`;
    writeFileSync(join(tmp, 'v1-positive.json'), JSON.stringify(file));
    writeFileSync(join(tmp, 'v1-broken.json'), JSON.stringify({ title: 'x', vectors: [] }));
    copyFileSync(join(VECTORS, 'v1-negative.json'), join(tmp, 'v1-negative.json'));
    const run = await sigil(['vectors', 'check', '-q', tmp]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^v1-positive\\.json +${first.id} +positive +accepted +mac differs +FAIL$`, 'm'));
    expect(run.stdout).toMatch(/^v1-broken\.json +\(file\) .* FAIL$/m);
    expect(run.stdout).not.toMatch(/ pass$/m);
    expect(run.stdout).toMatch(/failed$/m);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});

describe('sigil demo', () => {
  it('runs every scenario on loopback, each as expected, and exits 0', async () => {
    const run = await sigil(['demo']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = run.stdout.split('\n').filter((line) => / (yes|NO)$/.test(line));
    expect(rows).toHaveLength(9);
    expect(rows.every((row) => row.endsWith(' yes'))).toBe(true);
    for (const code of ['nonce_replayed', 'signature_invalid', 'timestamp_out_of_window', 'insecure_transport', 'redirect_cross_origin']) {
      expect(run.stdout).toMatch(new RegExp(` ${code} +yes$`, 'm'));
    }
    expect(run.stdout).toMatch(/^cross-origin redirect, follow-unsigned +followed, unsigned +followed, unsigned +- +yes$/m);
    expect(run.stdout).toContain('9/9 scenarios behaved as expected.');
  });
});
