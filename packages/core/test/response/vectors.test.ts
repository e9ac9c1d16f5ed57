// The v1 response vector files are the contract (SPEC.md section 11): every
// vector holds for core under both crypto backends, each MAC is recomputed
// with node:crypto, the published schema validates them (ajv), and the files
// are exactly what the generator builds.
import { createHmac } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseResponseVectorFile, type ResponseVectorResponse } from '@sigil/core/vectors';
import { buildResponseVectorFiles } from '../../../../test-vectors/response/generate.js';
import { loadPortableCore } from '../helpers/backends.js';
import { readVectorText, type Core } from '../helpers/vectors.js';
import * as defaultCore from '../../src/index.js';

const positive = parseResponseVectorFile(JSON.parse(readVectorText('v1-response-positive.json'))).vectors;
const negative = parseResponseVectorFile(JSON.parse(readVectorText('v1-response-negative.json'))).vectors;
type Key = { id: string; secret: string; encoding: 'base64url' | 'base64' | 'hex' | 'utf8' };

function bytes(body: ResponseVectorResponse['body']): Uint8Array | null {
  if (body === null) return null;
  return 'utf8' in body ? new TextEncoder().encode(body.utf8) : new Uint8Array(Buffer.from(body.base64, 'base64'));
}
function lookup(core: Core, keys: readonly Key[]) {
  return (id: string) => keys.filter((k) => k.id === id).map((k) => core.importKey(k.secret, { encoding: k.encoding }));
}

function run(name: string, core: Core) {
  describe(`v1 response vectors (${name} backend)`, () => {
    for (const v of positive) {
      if (v.kind !== 'positive') throw new Error('a negative vector in the positive file');
      it(`${v.id}: ${v.title}`, () => {
        const response = { status: v.response.status, headers: v.response.headers, body: bytes(v.response.body) };
        const signed = core.signResponse(response, core.importKey(v.key.secret, { encoding: v.key.encoding }), {
          request: v.request, keyId: v.key.id, timestamp: v.params.timestamp, algorithm: v.params.algorithm, headers: v.params.headers,
        });
        expect([signed.canonical, signed.params.mac, signed.header]).toEqual([v.expected.canonical, v.expected.mac, v.expected.header]);
        const policy = v.verify?.policy ?? { now: v.params.timestamp, toleranceSeconds: 300, requiredHeaders: [] };
        const received = { ...response, headers: [...v.response.headers, ['Sigil-Response-Signature', v.expected.header]] as [string, string][] };
        const result = core.verifyResponse(received, lookup(core, v.verify?.keys ?? [v.key]), { request: v.request, ...policy });
        expect(result).toMatchObject({ ok: true, canonical: v.expected.canonical });
      });
    }
    for (const v of negative) {
      if (v.kind !== 'negative') throw new Error('a positive vector in the negative file');
      it(`${v.id}: ${v.title} -> ${v.expected.error}`, () => {
        const response = { status: v.response.status, headers: v.response.headers, body: bytes(v.response.body) };
        const result = core.verifyResponse(response, lookup(core, v.keys), { request: v.request, ...v.policy });
        expect(result.ok ? 'accepted' : result.code).toBe(v.expected.error);
      });
    }
  });
}

run('default', defaultCore);
run('portable', await loadPortableCore());

describe('v1 response vector files', () => {
  it('every MAC is HMAC of the canonical string (node:crypto, independently)', () => {
    for (const v of positive) {
      if (v.kind !== 'positive') continue;
      const secret = v.key.encoding === 'utf8' ? Buffer.from(v.key.secret, 'utf8') : Buffer.from(v.key.secret, v.key.encoding);
      const mac = createHmac(v.params.algorithm === 'hmac-sha256' ? 'sha256' : 'sha512', secret).update(v.expected.canonical).digest('base64url');
      expect(mac, v.id).toBe(v.expected.mac);
    }
  });

  it('cover every code a v1 response verifier returns', () => {
    const codes = new Set(negative.map((v) => (v.kind === 'negative' ? v.expected.error : '')));
    for (const code of ['response_signature_missing', 'response_signature_malformed', 'unsupported_version', 'unsupported_algorithm', 'timestamp_out_of_window', 'header_not_signed', 'key_unknown', 'response_status_invalid', 'signed_header_missing', 'header_value_invalid', 'response_signature_invalid']) {
      expect(codes).toContain(code);
    }
  });

  it('conform to the published JSON Schema (ajv), which refuses an unknown field', () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(readVectorText('v1-response-schema.json')));
    for (const name of ['v1-response-positive.json', 'v1-response-negative.json']) {
      const json = JSON.parse(readVectorText(name));
      expect(validate(json), name).toBe(true);
      expect(validate({ ...json, surprise: true })).toBe(false);
    }
  });

  it('are exactly what the generator builds (drift), deterministically', () => {
    const built = buildResponseVectorFiles();
    expect(Object.keys(built).sort()).toEqual(['v1-response-negative.json', 'v1-response-positive.json', 'v1-response-schema.json']);
    for (const [name, text] of Object.entries(built)) expect(readVectorText(name), `${name} drifted: run node --import tsx test-vectors/response/generate.ts`).toBe(text);
    expect(buildResponseVectorFiles()).toEqual(built);
  });
});
