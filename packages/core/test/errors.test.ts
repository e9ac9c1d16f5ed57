// SigilError: stable codes and statuses that match SPEC.md section 6, the
// brand that survives two copies of core, and serialisation without causes.
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_STATUS, isSigilError, publicCode, SigilError } from '@sigil/core';
import { loadPortableCore } from './helpers/backends.js';

describe('codes', () => {
  it('match the table of SPEC.md section 6, with the same statuses', () => {
    const spec = readFileSync(new URL('../../../SPEC.md', import.meta.url), 'utf8');
    const section = spec.slice(spec.indexOf('## 6. Error codes'), spec.indexOf('## 7.'));
    const rows = [...section.matchAll(/^\| `([a-z_]+)` \| (\d{3}|—) \|/gm)].map(([, code, status]) => [code, status]);
    expect(rows.map(([code]) => code)).toEqual(ERROR_CODES);
    for (const [code, status] of rows) {
      if (status !== '—') expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS], code).toBe(Number(status));
    }
  });

  it('every code constructs an error with its status and a fixed message', () => {
    for (const code of ERROR_CODES) {
      const error = new SigilError(code);
      expect(error.code).toBe(code);
      expect(error.status).toBe(ERROR_STATUS[code]);
      expect(error.name).toBe('SigilError');
      expect(error.message.length).toBeGreaterThan(10);
    }
  });

  it('publicCode hides key_unknown and nothing else', () => {
    expect(publicCode('key_unknown')).toBe('signature_invalid');
    for (const code of ERROR_CODES.filter((c) => c !== 'key_unknown')) expect(publicCode(code)).toBe(code);
  });
});

describe('SigilError', () => {
  it('appends a detail and keeps the cause, but never serialises the cause', () => {
    const cause = new Error('upstream said secret=hunter2');
    const error = new SigilError('nonce_store_unavailable', { detail: 'redis', cause });
    expect(error.message).toBe('the nonce store is unavailable: redis');
    expect(error.cause).toBe(cause);
    expect(error.toJSON()).toEqual({ name: 'SigilError', code: 'nonce_store_unavailable', message: error.message });
    expect(JSON.stringify(error)).not.toContain('hunter2');
    expect(inspect(new SigilError('signature_invalid'))).toContain('signature_invalid');
  });

  it('isSigilError narrows by code', () => {
    const error = new SigilError('signature_invalid');
    expect(isSigilError(error)).toBe(true);
    expect(isSigilError(error, 'signature_invalid')).toBe(true);
    expect(isSigilError(error, 'key_unknown')).toBe(false);
    expect(isSigilError(new Error('signature_invalid'))).toBe(false);
    expect(isSigilError({ code: 'signature_invalid' })).toBe(false);
    expect(isSigilError(null)).toBe(false);
  });

  it('instanceof works across two copies of core', async () => {
    const other = await loadPortableCore();
    expect(other.SigilError).not.toBe(SigilError);
    const foreign = new other.SigilError('key_unknown');
    expect(foreign).toBeInstanceOf(SigilError);
    expect(foreign).toBeInstanceOf(Error);
    expect(isSigilError(foreign, 'key_unknown')).toBe(true);
    expect(new SigilError('key_unknown')).toBeInstanceOf(other.SigilError);
  });
});
