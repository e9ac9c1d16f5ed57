// The key rules of SPEC.md section 5, pinned at their edges: a scope's path
// prefixes match the raw path (never decoded), on whole segments and
// case-sensitively; its methods compare exactly (case-sensitive); notBefore
// and notAfter are inclusive instants on the verifier's millisecond clock.
import { describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore, type KeyEntry } from '../src/index.js';
import { signed } from './helpers/requests.js';
import { KEY, KEY_ID } from './helpers/sign.js';

const scoped = (scope: KeyEntry['scope']) => createVerifier({ keys: { [KEY_ID]: { key: KEY, scope } }, nonceStore: new MemoryNonceStore() });
const code = async (v: ReturnType<typeof scoped>, method: string, target: string): Promise<string> => {
  const result = await v.verify(signed({ method, target, body: '' }));
  return result.ok ? 'ok' : result.code;
};

describe('key scope: path prefixes', () => {
  it('/api covers /api and /api/..., never /apiX, /api-admin or /api.json', async () => {
    const v = scoped({ pathPrefixes: ['/api'] });
    for (const target of ['/api', '/api/', '/api/x', '/api/x/y?z=1', '/api?x=1']) expect(await code(v, 'GET', target), target).toBe('ok');
    for (const target of ['/apiX', '/api-admin', '/api.json', '/ap', '/', '/v1/api']) {
      expect(await code(v, 'GET', target), target).toBe('key_scope_denied');
    }
  });

  it('a prefix ending in "/" covers what is under it, not the bare path', async () => {
    const v = scoped({ pathPrefixes: ['/api/'] });
    expect(await code(v, 'GET', '/api/x')).toBe('ok');
    expect(await code(v, 'GET', '/api')).toBe('key_scope_denied');
  });

  it('matches the raw path: percent-encoded forms and other cases of an allowed path are denied, never decoded into it', async () => {
    const v = scoped({ pathPrefixes: ['/api'] });
    for (const target of ['/%61pi/x', '/api%2Fx', '/API/x', '/Api']) expect(await code(v, 'GET', target), target).toBe('key_scope_denied');
    // A dot segment, plain or encoded, never matches (a proxy may resolve it later).
    for (const target of ['/api/../admin', '/api/%2e%2e/admin', '/api/./x']) expect(await code(v, 'GET', target), target).toBe('key_scope_denied');
    // A prefix written encoded matches that raw form only.
    const encoded = scoped({ pathPrefixes: ['/caf%C3%A9'] });
    expect(await code(encoded, 'GET', '/caf%C3%A9/menu')).toBe('ok');
    expect(await code(encoded, 'GET', '/caf%c3%a9/menu')).toBe('key_scope_denied');
  });
});

describe('key scope: methods', () => {
  it('compare exactly and case-sensitively (RFC 9110 methods are case-sensitive)', async () => {
    const v = scoped({ methods: ['POST'] });
    expect(await code(v, 'POST', '/x')).toBe('ok');
    for (const method of ['post', 'Post', 'GET', 'PUT']) expect(await code(v, method, '/x'), method).toBe('key_scope_denied');
    const lower = scoped({ methods: ['post'] });
    expect(await code(lower, 'POST', '/x')).toBe('key_scope_denied');
  });
});

describe('key validity: notBefore and notAfter are inclusive', () => {
  const T = 1_900_000_000; // Unix seconds
  const at = (nowMs: number, entry: Omit<KeyEntry, 'key'>) =>
    createVerifier({ keys: { [KEY_ID]: { key: KEY, ...entry } }, nonceStore: new MemoryNonceStore({ clock: () => nowMs }), clock: () => nowMs });
  const verdict = async (nowMs: number, entry: Omit<KeyEntry, 'key'>): Promise<string> => {
    const result = await at(nowMs, entry).verify(signed({ options: { timestamp: Math.floor(nowMs / 1000) } }));
    return result.ok ? 'ok' : result.code;
  };

  it('notBefore (seconds or Date) accepts from that instant on, not a millisecond earlier', async () => {
    for (const notBefore of [T, new Date(T * 1000)]) {
      expect(await verdict(T * 1000 - 1, { notBefore })).toBe('key_unknown');
      expect(await verdict(T * 1000, { notBefore })).toBe('ok');
    }
  });

  it('notAfter (seconds or Date) accepts up to and including that instant, not a millisecond later', async () => {
    for (const notAfter of [T, new Date(T * 1000)]) {
      expect(await verdict(T * 1000, { notAfter })).toBe('ok');
      expect(await verdict(T * 1000 + 1, { notAfter })).toBe('key_unknown');
    }
  });

  it('notBefore equal to notAfter leaves exactly one instant', async () => {
    expect(await verdict(T * 1000, { notBefore: T, notAfter: T })).toBe('ok');
    expect(await verdict(T * 1000 + 1, { notBefore: T, notAfter: T })).toBe('key_unknown');
  });
});
