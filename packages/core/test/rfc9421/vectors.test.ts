// The RFC 9421 vector files are the contract: every vector holds for core,
// under both crypto backends' HMAC (node:crypto here recomputes each MAC).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importKey } from '@sigil/core';
import {
  contentDigest,
  parseDictionary,
  parseRfc9421VectorFile,
  rfc9421Key,
  signatureBase,
  verifyRfc9421,
  type InnerList,
  type Rfc9421Key,
  type Rfc9421Request,
  type Rfc9421VectorKey,
  type Rfc9421VectorRequest,
} from '@sigil/core/rfc9421';
import { buildRfc9421VectorFiles } from '../../../../test-vectors/rfc9421/generate.js';

const dir = new URL('../../../../test-vectors/', import.meta.url);
const load = (name: string) => parseRfc9421VectorFile(JSON.parse(readFileSync(new URL(name, dir), 'utf8')));
const positive = load('rfc9421-positive.json').vectors;
const negative = load('rfc9421-negative.json').vectors;

function toRequest(r: Rfc9421VectorRequest, extra: [string, string][] = []): Rfc9421Request {
  const body = r.body === null ? null : 'utf8' in r.body ? new TextEncoder().encode(r.body.utf8) : new Uint8Array(Buffer.from(r.body.base64, 'base64'));
  return { method: r.method, scheme: r.scheme, authority: r.authority, target: r.target, headers: [...r.headers, ...extra], body };
}
function lookup(keys: readonly Rfc9421VectorKey[]) {
  return (keyid: string): Rfc9421Key[] => keys.filter((k) => k.id === keyid).map((k) => rfc9421Key(importKey(k.secret, { encoding: k.encoding }), k.algorithm));
}
function secretBytes(k: Rfc9421VectorKey): Buffer {
  return k.encoding === 'utf8' ? Buffer.from(k.secret, 'utf8') : Buffer.from(k.secret, k.encoding === 'hex' ? 'hex' : k.encoding);
}

describe('rfc9421-positive.json', () => {
  it('holds the published RFC 9421 B.2.5 signature byte for byte', () => {
    const b25 = positive.find((v) => v.id === 'rfc9421-b-2-5');
    expect(b25?.kind === 'positive' && b25.expected).toEqual({
      signatureInput: 'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
      base:
        '"date": Tue, 20 Apr 2021 02:07:55 GMT\n"@authority": example.com\n"content-type": application/json\n' +
        '"@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
      signature: 'sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:',
    });
  });

  for (const v of positive) {
    it(`${v.id}: ${v.title}`, () => {
      if (v.kind === 'digest') {
        const body = v.body === null ? null : 'utf8' in v.body ? new TextEncoder().encode(v.body.utf8) : null;
        expect(contentDigest(body, v.algorithm)).toBe(v.expected.contentDigest);
        return;
      }
      if (v.kind !== 'positive') throw new Error('a negative vector in the positive file');
      const [label, member] = [...parseDictionary(v.expected.signatureInput)][0]!;
      const list = member as InnerList;
      const components = list.items.map((i) => ({ name: i.value as string, params: i.params }));
      const options = v.structuredFields ? { structuredFields: v.structuredFields } : {};
      const base = signatureBase(toRequest(v.request), components, list.params, options);
      expect(base).toBe(v.expected.base);
      const mac = createHmac('sha256', secretBytes(v.key)).update(base).digest('base64');
      expect(v.expected.signature).toBe(`${label}=:${mac}:`);
      const req = toRequest(v.request, [['Signature-Input', v.expected.signatureInput], ['Signature', v.expected.signature]]);
      const result = verifyRfc9421(req, lookup([v.key]), { label, requiredComponents: [], ...options });
      expect(result).toMatchObject({ ok: true, label, base });
    });
  }
});

describe('rfc9421-negative.json', () => {
  it('covers every code an RFC 9421 verifier in core returns', () => {
    const codes = new Set(negative.map((v) => (v.kind === 'negative' ? v.expected.error : '')));
    for (const code of ['signature_missing', 'signature_header_malformed', 'header_not_signed', 'unsupported_algorithm', 'key_unknown', 'signature_invalid', 'signed_header_missing', 'header_value_invalid', 'content_digest_mismatch', 'target_invalid', 'method_invalid']) {
      expect(codes).toContain(code);
    }
  });

  for (const v of negative) {
    it(`${v.id}: ${v.title} -> ${v.kind === 'negative' ? v.expected.error : ''}`, () => {
      if (v.kind !== 'negative') throw new Error('not a negative vector');
      const result = verifyRfc9421(toRequest(v.request), lookup(v.keys), v.options);
      expect(result.ok ? 'ok' : result.code).toBe(v.expected.error);
    });
  }
});

describe('rfc9421 vector drift', () => {
  it('the files checked in are exactly what the generator builds from core', () => {
    for (const [name, text] of Object.entries(buildRfc9421VectorFiles())) {
      expect(readFileSync(new URL(name, dir), 'utf8'), `${name} drifted: run node --import tsx test-vectors/rfc9421/generate.ts`).toBe(text);
    }
  });
});
