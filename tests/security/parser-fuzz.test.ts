// Parser fuzzing: arbitrary bytes and near-valid mutations fed into the
// signature header parser, the request target handling, the verifier's
// reading of header lines (the node, express and fastify adapters hand it
// Node's rawHeaders) and of Fetch Headers (fetch and hono adapters), and
// raw bytes over a real socket. Only typed errors, no hang, no unbounded
// allocation. Seeded; SIGIL_FUZZ_RUNS (default 10,000) sets the runs of
// each in-process property for a longer run, SIGIL_FUZZ_SEED the seed.
import { connect } from 'node:net';
import {
  checkTarget,
  formatSignatureHeader,
  hasSignatureInQuery,
  isSigilError,
  parseSignatureHeader,
  signRequest,
  canonicalize,
  type HeaderList,
} from '@sigil/core';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { verifyFetchRequest } from '@sigil/verify/fetch';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_CODES } from './helpers/codes.js';
import { KEY, KEY_ID, KEYS } from './helpers/keys.js';
import { closeAll, startStack, type Stack } from './helpers/stack.js';

const RUNS = Number(process.env.SIGIL_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.SIGIL_FUZZ_SEED ?? 0x5161);
/** Over a socket each run is a connection: a fiftieth of the in-process runs. */
const SOCKET_RUNS = Math.max(50, Math.floor(RUNS / 50));
const run = (seedOffset: number, numRuns = RUNS) => ({ seed: SEED + seedOffset, numRuns });

const PARSER_CODES = new Set(['signature_header_malformed', 'unsupported_version', 'unsupported_algorithm']);
const HOST = 'api.sigil.test';

afterAll(closeAll);

/** A valid header for a random (but well-formed) request: the seed of every mutation. */
const validHeader = fc
  .record({
    keyId: fc.stringMatching(/^[A-Za-z0-9._~:-]{1,24}$/),
    timestamp: fc.integer({ min: 0, max: 999_999_999_999 }),
    nonce: fc.stringMatching(/^[A-Za-z0-9_-]{22,40}$/),
    headers: fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { maxLength: 4 }),
    algorithm: fc.constantFrom('hmac-sha256' as const, 'hmac-sha512' as const),
  })
  .map((o) => {
    const headers: HeaderList = [['host', HOST], ...o.headers.map((h): [string, string] => [h, 'v'])];
    return signRequest({ method: 'GET', target: '/x', headers }, KEY, o).header;
  });

/** Characters that break grammars: delimiters, whitespace, controls, non-ASCII, case. */
const nasty = fc.oneof(
  fc.constantFrom(';', '=', ',', ' ', '\t', '\r', '\n', '\0', '\x7f', 'é', '\u2028', '\ud800', '"', '\\', '%', 'V', 'K', '0', '-'),
  fc.string({ unit: 'binary', maxLength: 3 }),
);

type Edit = (text: string) => string;
const at = (text: string, i: number) => i % (text.length + 1);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(fc.nat(), nasty).map(([i, s]): Edit => (t) => t.slice(0, at(t, i)) + s + t.slice(at(t, i))),
  fc.tuple(fc.nat(), nasty).map(([i, s]): Edit => (t) => t.slice(0, at(t, i)) + s + t.slice(at(t, i) + 1)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })).map(([i, n]): Edit => (t) => t.slice(0, at(t, i)) + t.slice(at(t, i) + n)),
  fc.nat().map((i): Edit => (t) => {
    const parts = t.split(';');
    const p = parts[i % parts.length]!;
    return [...parts, p].join(';'); // a duplicated parameter
  }),
  fc.nat().map((i): Edit => (t) => t.split(';').filter((_, j, all) => j !== i % all.length).join(';')), // a dropped parameter
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Edit => (t) => {
    const parts = t.split(';');
    const a = i % parts.length;
    const b = j % parts.length;
    [parts[a], parts[b]] = [parts[b]!, parts[a]!];
    return parts.join(';');
  }),
  fc.nat().map((i): Edit => (t) => t.replace(/(^|;)([a-z]+)=/g, (m, sep: string, name: string, offset: number) => (offset === at(t, i) ? `${sep}${name.toUpperCase()}=` : m))),
  fc.integer({ min: 1, max: 9000 }).map((n): Edit => (t) => `${t}${'A'.repeat(n)}`),
);
const nearValid = fc.tuple(validHeader, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([h, edits]) => edits.reduce((t, e) => e(t), h));
/** Bytes as Node hands header values over (latin1), and any text at all. */
const rawText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')));

function parsesOrSigilError(text: string): void {
  let params;
  try {
    params = parseSignatureHeader(text);
  } catch (error) {
    if (!isSigilError(error) || !PARSER_CODES.has(error.code)) throw error;
    return;
  }
  // Whatever parses is canonical: serialising it and parsing again gives the same parameters.
  expect(parseSignatureHeader(formatSignatureHeader(params))).toEqual(params);
}

describe('fuzz: the Sigil-Signature parser', () => {
  it(`arbitrary text and bytes: a typed error or a canonical parse (${RUNS} runs)`, () => {
    fc.assert(fc.property(rawText, (text) => parsesOrSigilError(text)), run(1));
  });

  it(`near-valid mutations of valid headers: a typed error or a canonical parse (${RUNS} runs)`, () => {
    fc.assert(fc.property(nearValid, (text) => parsesOrSigilError(text)), run(2));
  });

  it('control: the mutations do reach every parser outcome', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(nearValid, (text) => {
        try {
          parseSignatureHeader(text);
          seen.add('parsed');
        } catch (error) {
          seen.add((error as { code: string }).code);
        }
      }),
      // A fixed seed, whatever SIGIL_FUZZ_SEED says: rare outcomes are not reached by every seed in 2,000 runs.
      { seed: 0x5161 + 3, numRuns: 2000 },
    );
    expect([...seen].sort()).toEqual(['parsed', ...PARSER_CODES].sort());
  });

  it('a 1 MiB value is refused from its length', () => {
    for (const text of [`v=1;${'a'.repeat(1 << 20)}`, ';'.repeat(1 << 20), `${'kid=a;'.repeat(200_000)}`]) {
      expect(() => parseSignatureHeader(text)).toThrow(expect.objectContaining({ code: 'signature_header_malformed' }));
    }
  });
});

const targetArb = fc.oneof(
  rawText,
  fc.webPath().map((p) => `/${p.replace(/^\//, '')}`),
  fc.tuple(fc.webPath(), fc.webQueryParameters(), fc.webFragments()).map(([p, q, f]) => `/${p.replace(/^\//, '')}?${q}#${f}`),
  fc.tuple(fc.constantFrom('/x?', '/%', '/a?b=%zz&c', '/?sigil-signature', '/../', '//x'), fc.string({ maxLength: 20 })).map(([a, b]) => a + b),
);

describe('fuzz: request target handling', () => {
  it(`checkTarget, hasSignatureInQuery and canonicalize: typed errors only (${RUNS} runs)`, () => {
    const params = { algorithm: 'hmac-sha256' as const, keyId: 'k', timestamp: 1, nonce: 'A'.repeat(22), headers: ['host'] };
    fc.assert(
      fc.property(targetArb, (target) => {
        expect(typeof hasSignatureInQuery(target)).toBe('boolean');
        for (const step of [() => checkTarget(target), () => canonicalize({ method: 'GET', target, headers: [['host', HOST]] }, params)]) {
          try {
            step();
          } catch (error) {
            expect(isSigilError(error) && error.code === 'target_invalid', String(error)).toBe(true);
          }
        }
      }),
      run(4),
    );
  });

  it('a 1 MiB target is refused from its length', () => {
    expect(() => checkTarget(`/${'a'.repeat(1 << 20)}`)).toThrow(expect.objectContaining({ code: 'target_invalid' }));
    expect(hasSignatureInQuery(`/x?${'a=1&'.repeat(250_000)}`)).toBe(false);
  });
});

const verifier = createVerifier({ keys: KEYS, nonceStore: new MemoryNonceStore() });

/** Header lines as an adapter reads them: names that matter to the verifier, in any case, mixed with noise. */
const headerLines = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom('Sigil-Signature', 'sigil-signature', 'SIGIL-SIGNATURE', 'host', 'content-length', 'x-forwarded-proto', 'content-type'), rawText),
    fc.oneof(nearValid, rawText, fc.constantFrom('', '  ', '18446744073709551616', '-1', 'https, http')),
  ),
  { maxLength: 6 },
);

function typedFailure(result: { ok: boolean; code?: string }): void {
  if (!result.ok) expect(SERVER_CODES).toContain(result.code);
}

describe("fuzz: the adapters' header reading", () => {
  it(`Node rawHeaders pairs (node, express, fastify adapters): verify() resolves with a typed result (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(headerLines, targetArb, fc.constantFrom('GET', 'POST', 'get', 'M-SEARCH'), async (headers, target, method) => {
        typedFailure(await verifier.verify({ method, target, headers, body: new Uint8Array(0), remoteAddress: '127.0.0.1' }));
      }),
      run(5),
    );
  });

  it(`Fetch Headers (fetch and hono adapters): verifyFetchRequest resolves with a typed result (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(headerLines, fc.webPath(), async (lines, path) => {
        let request: Request;
        try {
          request = new Request(`http://127.0.0.1/${path.replace(/^\//, '')}`, { headers: lines as [string, string][] });
        } catch {
          return; // The platform refuses these header bytes before any adapter sees them.
        }
        typedFailure(await verifyFetchRequest(verifier, request, { remoteAddress: '127.0.0.1' }));
      }),
      run(6),
    );
  });
});

describe('fuzz: raw bytes over a real socket (node adapter)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });

  /** Sends one request head, answers the status line; fails on a hang. */
  function exchange(head: Buffer): Promise<string> {
    const port = Number(new URL(stack.origin).port);
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(head));
      let text = '';
      socket.setTimeout(5000, () => {
        socket.destroy();
        reject(new Error('the server hung'));
      });
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
    });
  }

  it(`header lines of arbitrary bytes: a 4xx answer, never a 5xx or a hang (${SOCKET_RUNS} runs)`, async () => {
    const line = fc.oneof(
      nearValid.map((v) => `Sigil-Signature: ${v}`),
      fc.tuple(rawText, rawText).map(([n, v]) => `${n}: ${v}`),
      rawText,
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 4 }), async (lines) => {
        const head = Buffer.from(`GET /x HTTP/1.1\r\nhost: ${HOST}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`, 'latin1');
        const status = await exchange(head);
        expect(status).toMatch(/^HTTP\/1\.1 4\d\d /);
      }),
      run(7, SOCKET_RUNS),
    );
    // Still serving: a valid request after all of that is accepted.
    const target = '/x';
    const { header } = signRequest({ method: 'GET', target, headers: [['host', HOST]] }, KEY, { keyId: KEY_ID, timestamp: Math.floor(Date.now() / 1000) });
    expect(await exchange(Buffer.from(`GET ${target} HTTP/1.1\r\nhost: ${HOST}\r\nsigil-signature: ${header}\r\nconnection: close\r\n\r\n`))).toBe('HTTP/1.1 200 OK');
  });
});
