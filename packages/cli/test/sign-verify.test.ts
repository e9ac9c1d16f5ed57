// sigil sign, verify and canonical: the built binary against core and a real
// verifier server on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalize, exportKey, generateKey, parseSignatureHeader, verifySignature } from '@sigil/core';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRawRequest, parseRawRequest } from '../src/lib/raw-request.js';
import { sigil, STACK_LINE } from './helpers.js';

const key = generateKey();
const SECRET = exportKey(key);
const ENV = { SIGIL_KEY_ID: 'cli-test', SIGIL_SECRET: SECRET };
const BODY = '{"item":"book","qty":1}';
const POST = ['-X', 'POST', '-H', 'Content-Type: application/json', '-d', BODY];
const tmp = mkdtempSync(join(tmpdir(), 'sigil-cli-'));

let server: Server;
let origin: string;
beforeAll(async () => {
  const verifier = createVerifier({ keys: { 'cli-test': key }, nonceStore: new MemoryNonceStore() });
  server = createServer(sigilListener(verifier, (_req, res, { keyId, body }) => res.end(`hello ${keyId}, ${body.length} bytes`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

describe('sigil sign', () => {
  it('prints a Sigil-Signature that core verifies for the request as described', async () => {
    const run = await sigil(['sign', ...POST, 'https://api.example.com/v1/orders?dry=1'], { env: ENV });
    expect(run.code).toBe(0);
    const [, header] = /^Sigil-Signature: (\S+)\n$/.exec(run.stdout) ?? [];
    const request = {
      method: 'POST',
      target: '/v1/orders?dry=1',
      headers: [['host', 'api.example.com'], ['content-type', 'application/json']] as const,
      body: new TextEncoder().encode(BODY),
    };
    const result = verifySignature(request, header!, key);
    expect(result).toMatchObject({ ok: true, keyId: 'cli-test' });
    expect(result.ok && result.params.headers).toEqual(['content-type', 'host']);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it('reads the secret from --secret-file and signs @file bodies byte for byte', async () => {
    const secretFile = join(tmp, 'secret');
    const bodyFile = join(tmp, 'body.bin');
    writeFileSync(secretFile, `${SECRET}\n`);
    writeFileSync(bodyFile, Buffer.from([0, 1, 10, 13, 255, 10]));
    const run = await sigil(['sign', '--raw', '--key-id', 'file-key', '--secret-file', secretFile, '-X', 'PUT', '--data-binary', `@${bodyFile}`, 'https://h.example/u'], {
      env: {},
    });
    expect(run.code).toBe(0);
    const raw = parseRawRequest(run.stdoutBytes);
    expect([...raw.body]).toEqual([0, 1, 10, 13, 255, 10]);
    const header = raw.headers.find(([name]) => name === 'Sigil-Signature')![1];
    expect(verifySignature(raw, header, key)).toMatchObject({ ok: true, keyId: 'file-key' });
  });

  it('without a secret: exit 2 and a hint', async () => {
    const run = await sigil(['sign', 'https://api.example.com/'], { env: { SIGIL_KEY_ID: 'k' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('sigil sign: no secret: set SIGIL_SECRET (see sigil keygen), or pass --secret-env NAME or --secret-file PATH\n');
  });

  it('refuses http:// to a non-loopback host (exit 2, insecure_transport)', async () => {
    const run = await sigil(['sign', '--send', 'http://api.example.com/'], { env: ENV });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^sigil sign: insecure_transport: /);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it('--send: a real verifier accepts it and the response is printed (exit 0)', async () => {
    const run = await sigil(['sign', '--send', ...POST, `${origin}/orders`], { env: ENV });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^HTTP 200 OK\n/);
    expect(run.stdout.endsWith(`\n\nhello cli-test, ${BODY.length} bytes`)).toBe(true);
  });

  it('--send with the wrong secret: the 401 is printed and the exit code is 1', async () => {
    const run = await sigil(['sign', '--send', `${origin}/orders`], { env: { ...ENV, SIGIL_SECRET: exportKey(generateKey()) } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^HTTP 401 Unauthorized\n/);
    expect(run.stdout).toContain('{"error":"signature_invalid"}');
  });

  it('--send to a closed port: exit 3, one line', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await sigil(['sign', '--send', `http://127.0.0.1:${port}/`], { env: ENV });
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`sigil sign: could not send the request to http://127.0.0.1:${port} (127.0.0.1:${port}): ECONNREFUSED: nothing is listening there\n`);
  });
});

describe('sigil verify and sigil canonical', () => {
  let raw: Buffer;
  beforeAll(async () => {
    raw = (await sigil(['sign', '--raw', '--ts', '1700000000', ...POST, 'https://api.example.com/v1/orders'], { env: ENV })).stdoutBytes;
  });

  it('accepts the raw request sign --raw printed (stdin), exit 0', async () => {
    const run = await sigil(['verify', '--now', '1700000060'], { env: ENV, input: raw });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^verdict: {2}accepted$/m);
    expect(run.stdout).toContain('offline check');
    expect(run.stdout).not.toContain('canonical string');
  });

  it('rejects a tampered body (exit 1) and prints the canonical string it computed', async () => {
    const tampered = Buffer.from(raw.toString('latin1').replace('"qty":1', '"qty":9'), 'latin1');
    const file = join(tmp, 'tampered.http');
    writeFileSync(file, tampered);
    const run = await sigil(['verify', '--now', '1700000000', file], { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^code: {5}signature_invalid \(HTTP 401\)$/m);
    const request = parseRawRequest(tampered);
    const header = request.headers.find(([name]) => name === 'Sigil-Signature')![1];
    const expected = canonicalize(request, parseSignatureHeader(header));
    expect(run.stdout).toContain(`-----\n${expected}\n-----`);

    const production = await sigil(['verify', '--now', '1700000000', file], { env: { ...ENV, NODE_ENV: 'production' } });
    expect(production.code).toBe(1);
    expect(production.stdout).toContain('canonical string: not shown under NODE_ENV=production');
    expect(production.stdout).not.toContain('sigil-v1');
  });

  it('names the stale timestamp, the key id answered as signature_invalid, and diffs --compare', async () => {
    const stale = await sigil(['verify', '--now', '1700000301'], { env: ENV, input: raw });
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('timestamp_out_of_window (HTTP 401)');
    expect(stale.stdout).toContain('ts:       1700000000 (301 s before the clock 1700000301; tolerance 300 s)');

    const compare = join(tmp, 'theirs.txt');
    const ours = canonicalize(parseRawRequest(raw), parseSignatureHeader(/Sigil-Signature: (\S+)/.exec(raw.toString('latin1'))![1]!));
    writeFileSync(compare, `${ours.replace('/v1/orders', '/v1/orders/')}\n`);
    const unknown = await sigil(['verify', '--now', '1700000000', '--key-id', 'someone-else', '--compare', compare], { env: ENV, input: raw });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('key_unknown (HTTP 401, answered as signature_invalid)');
    expect(unknown.stdout).toContain('line 7 (target):\n  computed: "/v1/orders"\n  compared: "/v1/orders/"');
  });

  it('canonical: the request own header, and flags, give core canonicalize output byte for byte', async () => {
    const request = parseRawRequest(raw);
    const own = await sigil(['canonical', '-n'], { input: raw });
    expect(own.code).toBe(0);
    const header = request.headers.find(([name]) => name === 'Sigil-Signature')![1];
    expect(own.stdout).toBe(canonicalize(request, parseSignatureHeader(header)));

    const flags = await sigil(['canonical', '--kid', 'k', '--ts', '7', '--nonce', 'A'.repeat(22), '--alg', 'hmac-sha512', '--headers', 'Content-Type'], {
      input: raw,
    });
    const params = { algorithm: 'hmac-sha512', keyId: 'k', timestamp: 7, nonce: 'A'.repeat(22), headers: ['content-type', 'host'] } as const;
    expect(flags.stdout).toBe(`${canonicalize(request, params)}\n`);
  });

  it('canonical and verify read LF-only files, chunked bodies, and refuse what is not HTTP (exit 3)', async () => {
    const chunked = formatRawRequest({ method: 'POST', target: '/c', headers: [['Host', 'h'], ['Transfer-Encoding', 'chunked']] });
    const input = Buffer.concat([Buffer.from(chunked.toString().replace(/\r\n/g, '\n')), Buffer.from('3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n')]);
    const run = await sigil(['canonical', '--kid', 'k', '--ts', '1', '--nonce', 'A'.repeat(22)], { input });
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('36bbe50ed96841d10443bcb670d6554f0a34b761be67ec9c4a8ad2c0c44ca42c'); // sha256("abcde")
    const junk = await sigil(['verify'], { env: ENV, input: 'hello\n' });
    expect(junk.code).toBe(3);
    expect(junk.stderr).toBe('sigil verify: the input is not an HTTP/1.x request: the header section does not end with an empty line\n');
  });
});
