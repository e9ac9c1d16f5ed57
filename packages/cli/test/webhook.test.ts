// sigil webhook sign: the headers it prints verify with the standardwebhooks
// package and with core's verifier; the secret never comes from argv.
// sigil webhook verify: captured deliveries signed by the vendors' libraries
// (and the senders' published examples) verify; the verdict is explained.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, parseWebhookVectorFile, vectorBytes, verifyStandardWebhook } from '@sigil/core/webhooks';
import { readFileSync } from 'node:fs';
import { githubHeaders, standardWebhooksHeaders, stripeHeaders } from '../../verify/test/helpers/deliveries.js';
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
    expect(main.stdout).toMatch(/webhook\s+sign a Standard Webhooks payload, verify a captured delivery/);
    const secret = await sigil(['webhook', 'secret']);
    expect(secret.stdout).toMatch(/^whsec_[A-Za-z0-9+/]{43}=\n$/);
  });
});

/** A raw HTTP/1.1 request as a capture tool saves it. */
function capture(headers: Record<string, string> | [string, string][], body: Uint8Array | string, target = '/hooks'): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  const lines = (Array.isArray(headers) ? headers : Object.entries(headers)).map(([n, v]) => `${n}: ${v}\r\n`).join('');
  return Buffer.concat([Buffer.from(`POST ${target} HTTP/1.1\r\nhost: receiver.example\r\ncontent-length: ${bytes.length}\r\n${lines}\r\n`), bytes]);
}

describe('sigil webhook verify', () => {
  it('accepts what standardwebhooks, stripe and @octokit/webhooks-methods sign, and explains the verdict', async () => {
    const sw = await sigil(['webhook', 'verify', '--scheme', 'standard-webhooks', '-'], { env: { SIGIL_WEBHOOK_SECRET: `${generateWebhookSecret()} ${SECRET}` }, input: capture(standardWebhooksHeaders(SECRET, 'msg_cli_1', BODY), BODY) });
    expect(sw.code).toBe(0);
    expect(sw.stdout).toMatch(/verdict: {2}accepted\nscheme: {3}standard-webhooks/);
    expect(sw.stdout).toContain('secret:   #1 of 2');
    expect(sw.stdout).toContain('id:       msg_cli_1 (covered by the MAC)');
    expect(sw.stdout).toContain('replay:   remembered by the signed id for 259200 s');
    const stripeSecret = `whsec_${'ab'.repeat(16)}`;
    const stripe = await sigil(['webhook', 'verify', '--scheme', 'stripe'], { env: { SIGIL_WEBHOOK_SECRET: stripeSecret }, input: capture(stripeHeaders(stripeSecret, BODY), BODY) });
    expect([stripe.code, stripe.stdout]).toEqual([0, expect.stringContaining('replay:   remembered by the signed bytes for 600 s')]);
    // A GitHub secret may hold spaces: one secret per line.
    const ghSecret = 'a secret with spaces';
    const gh = await sigil(['webhook', 'verify', '--scheme', 'github'], { env: { SIGIL_WEBHOOK_SECRET: `old secret\n${ghSecret}\n` }, input: capture(await githubHeaders(ghSecret, BODY, 'd-1'), BODY) });
    expect(gh.code).toBe(0);
    expect(gh.stdout).toContain('ts:       none signed: replay is bounded only by the retention');
    expect(gh.stdout).toContain('id:       d-1 (NOT covered by the MAC)');
  });

  it("verifies the senders' published examples from a file at the vector's clock", async () => {
    const vectors = parseWebhookVectorFile(JSON.parse(readFileSync(new URL('../../../test-vectors/webhooks-positive.json', import.meta.url), 'utf8'))).vectors.filter((v) => v.id.endsWith('published-example'));
    const dir = mkdtempSync(join(tmpdir(), 'sigil-webhook-verify-'));
    for (const v of vectors) {
      const file = join(dir, `${v.id}.http`);
      writeFileSync(file, capture(v.request.headers, vectorBytes(v.request.body)));
      const secretFile = join(dir, `${v.id}.secret`);
      writeFileSync(secretFile, `${v.secrets.join('\n')}\n`);
      const run = await sigil(['webhook', 'verify', '--scheme', v.scheme, '--secret-file', secretFile, '--now', String(v.now), file]);
      expect([v.id, run.code, run.stdout.split('\n')[0]]).toEqual([v.id, 0, 'verdict:  accepted']);
    }
  });

  it('a wrong secret, a tampered body, a stale delivery or a foreign scheme: exit 1 with the code and a hint; bad usage: exit 2, no secret shown', async () => {
    const headers = standardWebhooksHeaders(SECRET, 'msg_cli_2', BODY);
    const wrong = await sigil(['webhook', 'verify', '--scheme', 'standard-webhooks'], { env: { SIGIL_WEBHOOK_SECRET: generateWebhookSecret() }, input: capture(headers, BODY) });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('code:     signature_invalid (HTTP 401)');
    expect(wrong.stdout).toContain('hint:     the MAC matches none of the secrets');
    const tampered = await sigil(['webhook', 'verify', '--scheme', 'standard-webhooks'], { env: { SIGIL_WEBHOOK_SECRET: SECRET }, input: capture(headers, `${BODY}\n`) });
    expect(tampered.stdout).toContain('signature_invalid');
    const stale = await sigil(['webhook', 'verify', '--scheme', 'standard-webhooks', '--now', String(Math.floor(Date.now() / 1000) + 3600)], { env: { SIGIL_WEBHOOK_SECRET: SECRET }, input: capture(headers, BODY) });
    expect(stale.stdout).toContain('code:     timestamp_out_of_window');
    const foreign = await sigil(['webhook', 'verify', '--scheme', 'stripe'], { env: { SIGIL_WEBHOOK_SECRET: 'whsec_x' }, input: capture(headers, BODY) });
    expect(foreign.stdout).toContain('hint:     no stripe-signature header');
    const noScheme = await sigil(['webhook', 'verify'], { env: { SIGIL_WEBHOOK_SECRET: SECRET }, input: capture(headers, BODY) });
    expect([noScheme.code, noScheme.stderr]).toEqual([2, expect.stringContaining('--scheme must be one of standard-webhooks, stripe, github, slack, shopify')]);
    const badSecret = await sigil(['webhook', 'verify', '--scheme', 'standard-webhooks'], { env: { SIGIL_WEBHOOK_SECRET: 'whsec_dG9vc2hvcnQ=' }, input: capture(headers, BODY) });
    expect(badSecret.code).toBe(2);
    expect(badSecret.stderr).toContain('invalid');
    expect(badSecret.stderr).not.toContain('dG9vc2hvcnQ');
  });
});
