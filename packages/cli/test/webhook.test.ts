// sigil webhook sign: the headers it prints verify with the standardwebhooks
// package and with core's verifier; the secret never comes from argv.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, verifyStandardWebhook } from '@sigil/core/webhooks';
import { sigil } from './helpers.js';

const SECRET = generateWebhookSecret();
const BODY = '{"type":"ping","data":{"ok":true}}';

function parseLines(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.trimEnd().split('\n').map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]));
}

describe('sigil webhook sign', () => {
  it('prints the three headers; standardwebhooks and core verify them', async () => {
    const run = await sigil(['webhook', 'sign', '-d', BODY], { env: { SIGIL_WEBHOOK_SECRET: SECRET } });
    expect(run.code).toBe(0);
    const headers = parseLines(run.stdout);
    expect(Object.keys(headers)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
    expect(new Webhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    const result = verifyStandardWebhook({ headers: Object.entries(headers), body: new TextEncoder().encode(BODY) }, { secrets: SECRET, now: Math.floor(Date.now() / 1000) });
    expect(result.ok).toBe(true);
  });

  it('reads the body from stdin and the secret from a file; --id, --ts and --json fix the output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigil-webhook-'));
    const file = join(dir, 'secret');
    writeFileSync(file, `${SECRET}\n`);
    const args = ['webhook', 'sign', '--secret-file', file, '--id', 'msg_fixed', '--ts', '1614265330', '--json'];
    const a = await sigil(args, { input: BODY });
    const b = await sigil([...args, '-d', BODY]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const headers = JSON.parse(a.stdout) as Record<string, string>;
    expect(headers).toMatchObject({ 'webhook-id': 'msg_fixed', 'webhook-timestamp': '1614265330' });
    const result = verifyStandardWebhook({ headers: Object.entries(headers), body: new TextEncoder().encode(BODY) }, { secrets: SECRET, now: 1614265330 });
    expect(result.ok).toBe(true);
  });

  it('several space-separated secrets sign at once', async () => {
    const other = generateWebhookSecret();
    const run = await sigil(['webhook', 'sign', '-d', BODY], { env: { SIGIL_WEBHOOK_SECRET: `${SECRET} ${other}` } });
    const headers = parseLines(run.stdout);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [SECRET, other]) expect(() => new Webhook(secret).verify(BODY, headers)).not.toThrow();
  });

  it('no secret, a bad secret, or a secret on the command line: exit 2, the secret never shown', async () => {
    const none = await sigil(['webhook', 'sign', '-d', BODY]);
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('SIGIL_WEBHOOK_SECRET')]);
    const bad = await sigil(['webhook', 'sign', '-d', BODY], { env: { SIGIL_WEBHOOK_SECRET: 'whsec_dG9vc2hvcnQ=' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid');
    expect(bad.stderr).not.toContain('dG9vc2hvcnQ');
    const argv = await sigil(['webhook', 'sign', '--secret', SECRET, '-d', BODY]);
    expect(argv.code).toBe(2);
    expect(argv.stderr).not.toContain(SECRET.slice(6));
    const action = await sigil(['webhook', 'send']);
    expect(action.code).toBe(2);
  });

  it('--help documents the command; webhook secret prints a whsec_ secret', async () => {
    const help = await sigil(['webhook', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: sigil webhook sign');
    expect(help.stdout).toContain('--secret-env');
    const main = await sigil(['--help']);
    expect(main.stdout).toMatch(/webhook\s+print Standard Webhooks headers/);
    const secret = await sigil(['webhook', 'secret']);
    expect(secret.stdout).toMatch(/^whsec_[A-Za-z0-9+/]{43}=\n$/);
  });
});
