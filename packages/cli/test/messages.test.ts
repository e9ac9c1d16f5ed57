// What the CLI says when something is wrong: the variable it read, what in a
// header is malformed, where a connection went, each fact once, and the
// curl -d trap. Never a secret or a MAC.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportKey, generateKey, importKey, verifySignature } from '@sigil/core';
import { afterAll, describe, expect, it } from 'vitest';
import { formatRawRequest, parseRawRequest } from '../src/lib/raw-request.js';
import { sigil } from './helpers.js';

const key = generateKey();
const SECRET = exportKey(key);
const ENV = { SIGIL_KEY_ID: 'client-1', SIGIL_SECRET: SECRET };
const tmp = mkdtempSync(join(tmpdir(), 'sigil-cli-msg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The `NAME=value` lines keygen prints, as an environment. */
function envOf(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

describe('keygen output is what sign and verify read', () => {
  it('keygen --secret-out prints SIGIL_SECRET_FILE, and sign signs with that file', async () => {
    const path = join(tmp, 'client-1.secret');
    const keygen = await sigil(['keygen', '--kid', 'client-1', '--secret-out', path]);
    expect(keygen.code).toBe(0);
    const env = envOf(keygen.stdout);
    expect(Object.keys(env)).toEqual(['SIGIL_KEY_ID', 'SIGIL_SECRET_FILE']);
    const run = await sigil(['sign', 'https://api.example.com/v1/me'], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const header = /^Sigil-Signature: (\S+)$/m.exec(run.stdout)![1]!;
    const secret = importKey(readFileSync(path, 'utf8').trim(), { encoding: 'base64url' });
    const request = { method: 'GET', target: '/v1/me', headers: [['host', 'api.example.com']] as [string, string][] };
    expect(verifySignature(request, header, secret)).toMatchObject({ ok: true, keyId: 'client-1' });
  });

  it('SIGIL_SECRET and SIGIL_SECRET_FILE both set: exit 2, naming both', async () => {
    const run = await sigil(['sign', 'https://api.example.com/'], { env: { ...ENV, SIGIL_SECRET_FILE: join(tmp, 'none') } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('sigil sign: both SIGIL_SECRET and SIGIL_SECRET_FILE are set; unset one\n');
  });

  it('a secret that is not a key names the variable and says why once', async () => {
    const run = await sigil(['sign', 'https://api.example.com/'], { env: { ...ENV, SIGIL_SECRET: 'c2hvcnQ' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^sigil sign: the secret from environment variable SIGIL_SECRET is not a valid base64url key: .*16 bytes/);
    expect(run.stderr).not.toMatch(/invalid.*invalid/);
    expect(run.stderr).not.toContain('c2hvcnQ');
  });

  it('an option error says its problem once, with the code', async () => {
    const run = await sigil(['sign', '--key-id', 'no spaces', 'https://api.example.com/'], { env: ENV });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^sigil sign: invalid_option: .*keyId/);
    expect(run.stderr).not.toContain('an option is invalid');
  });
});

describe('sign --send: a failed connection says where it tried', () => {
  it('ECONNREFUSED names the origin, the address and what it means', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await sigil(['sign', '--send', `http://127.0.0.1:${port}/v1/orders?secret-ish=1`], { env: ENV });
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`sigil sign: could not send the request to http://127.0.0.1:${port} (127.0.0.1:${port}): ECONNREFUSED: nothing is listening there\n`);
  });
});

describe('verify: a malformed signature header says what is malformed', () => {
  const request = (...signatures: string[]) =>
    formatRawRequest({ method: 'GET', target: '/v1/me', headers: [['Host', 'api.example.com'], ...signatures.map((s): [string, string] => ['Sigil-Signature', s])] });
  const MAC = 'Zm9yZ2VkLW1hYy12YWx1ZS10aGF0LW11c3Qtbm90LWxlYWs';

  it('a missing parameter is named, the received value never shown', async () => {
    const run = await sigil(['verify'], { env: ENV, input: request(`v=1;alg=hmac-sha256;kid=client-1;ts=1700000000;h=host;mac=${MAC}`) });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^code: {5}signature_header_malformed \(HTTP 401\)\nproblem: {2}missing parameter nonce$/m);
    expect(run.stdout).not.toContain(MAC);
  });

  it('a bad parameter and several header lines are told apart', async () => {
    const bad = await sigil(['verify'], { env: ENV, input: request(`v=1;alg=hmac-sha256;kid=client 1;ts=1;nonce=${'A'.repeat(22)};h=host;mac=${MAC}`) });
    expect(bad.stdout).toMatch(/^problem: {2}parameter kid has a bad character or length$/m);
    const two = await sigil(['verify'], { env: ENV, input: request('v=1', 'v=1') });
    expect(two.stdout).toMatch(/^problem: {2}2 sigil-signature header lines \(exactly one is allowed\)$/m);
    expect(bad.stdout + two.stdout).not.toContain(MAC);
  });
});

describe("curl -d's stripped line breaks are detected", () => {
  const body = '{\n  "item": "book"\n}\n';
  const bodyFile = join(tmp, 'order.json');
  writeFileSync(bodyFile, body);

  it('sign -d @file with line breaks warns to use --data-binary; --data-binary does not', async () => {
    const warned = await sigil(['sign', '-X', 'POST', '-H', 'Content-Type: application/json', '-d', `@${bodyFile}`, 'https://api.example.com/v1/orders'], { env: ENV });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('curl --data-binary, not curl -d');
    const quiet = await sigil(['sign', '-X', 'POST', '--data-binary', `@${bodyFile}`, 'https://api.example.com/v1/orders'], { env: ENV });
    expect(quiet.stderr).toBe('');
  });

  it('verify of what curl -d sent: signature_invalid with the hint', async () => {
    const signed = await sigil(['sign', '--raw', '--ts', '1700000000', '-X', 'POST', '-d', `@${bodyFile}`, 'https://api.example.com/v1/orders'], { env: ENV });
    const raw = parseRawRequest(signed.stdoutBytes);
    // What curl -d @order.json sends: line breaks gone, a form content-type added.
    const stripped = body.replace(/[\r\n]/g, '');
    const asCurlSent = formatRawRequest({
      method: 'POST',
      target: raw.target,
      headers: [...raw.headers.filter(([n]) => n.toLowerCase() !== 'content-length'), ['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Length', String(stripped.length)]],
      body: new TextEncoder().encode(stripped),
    });
    const run = await sigil(['verify', '--now', '1700000000'], { env: ENV, input: asCurlSent });
    expect(run.code).toBe(1);
    // curl -d's own Content-Type was not signed: the content rule refuses it first.
    expect(run.stdout).toMatch(/^code: {5}header_not_signed/m);
    expect(run.stdout).toContain('curl -d strips line breaks');
    // Signed with curl -d's Content-Type, the stripped line breaks fail the MAC, with the same hint.
    const formSigned = await sigil(['sign', '--raw', '--ts', '1700000000', '-X', 'POST', '-H', 'Content-Type: application/x-www-form-urlencoded', '-d', `@${bodyFile}`, 'https://api.example.com/v1/orders'], { env: ENV });
    const formRaw = parseRawRequest(formSigned.stdoutBytes);
    const formSent = formatRawRequest({
      method: 'POST',
      target: formRaw.target,
      headers: [...formRaw.headers.filter(([n]) => n.toLowerCase() !== 'content-length'), ['Content-Length', String(stripped.length)]],
      body: new TextEncoder().encode(stripped),
    });
    const formRun = await sigil(['verify', '--now', '1700000000'], { env: ENV, input: formSent });
    expect(formRun.stdout).toMatch(/^code: {5}signature_invalid/m);
    expect(formRun.stdout).toContain('curl -d strips line breaks');
    // A tampered body with its line breaks intact gets no such hint.
    const tampered = Buffer.from(signed.stdoutBytes.toString('latin1').replace('book', 'pens'), 'latin1');
    const other = await sigil(['verify', '--now', '1700000000'], { env: ENV, input: tampered });
    expect(other.stdout).toMatch(/^code: {5}signature_invalid/m);
    expect(other.stdout).not.toContain('curl -d');
  });
});
