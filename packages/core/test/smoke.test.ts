import { describe, expect, it } from 'vitest';
import { importKey, signRequest, verifySignature } from '@sigil/core';

describe('core smoke', () => {
  it('signs and verifies one request', () => {
    const key = importKey(new Uint8Array(32).fill(7));
    const req = { method: 'GET', target: '/x', headers: [['host', 'a.example']] as const };
    const { header } = signRequest(req, key, { keyId: 'k', timestamp: 1 });
    expect(verifySignature(req, header, key).ok).toBe(true);
  });
});
