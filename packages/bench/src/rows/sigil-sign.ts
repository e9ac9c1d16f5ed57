// Sigil sign rows: core's signRequest with the backend core chose (native on
// Node), and the same signRequest running on the portable @noble/hashes
// backend, so the cost of a pure-JS hash is visible next to it.
import { createRequire } from 'node:module';
import * as core from '@sigil/core';
import type { Row } from '../harness.js';
import { KEY_ID, SECRET, tamperBody, type Scenario } from '../scenarios.js';

type Core = typeof core;

/**
 * A second, independent instance of @sigil/core whose backend is the
 * portable one. Core picks its backend once, when its module loads, by
 * looking for process.getBuiltinModule; the CommonJS build is a separate
 * module instance, so loading it while that function is hidden gives a core
 * that runs on @noble/hashes without touching the ESM instance.
 */
export function loadPortableCore(): Core {
  const proc = process as { getBuiltinModule?: unknown };
  const saved = proc.getBuiltinModule;
  proc.getBuiltinModule = undefined;
  try {
    const portable = createRequire(import.meta.url)('@sigil/core') as Core;
    if (portable.backend.name !== 'noble') throw new Error('the portable core did not select the noble backend');
    return portable;
  } finally {
    proc.getBuiltinModule = saved;
  }
}

/** The request a Sigil row signs, as core reads it. */
export function sigilRequest(s: Scenario): core.SigilRequest {
  return { method: s.method, target: s.target, headers: s.headers, body: s.body };
}

/**
 * Checks a Sigil signer: its header verifies, and a changed body, target or
 * signed header fails with signature_invalid.
 */
export function checkSigilSigner(lib: Core, s: Scenario, sign: () => string): void {
  const key = lib.importKey(SECRET);
  const request = sigilRequest(s);
  const header = sign();
  const good = lib.verifySignature(request, header, key, { requiredHeaders: s.signed });
  if (!good.ok) throw new Error(`Sigil: a fresh signature did not verify (${good.code})`);
  const tampered: core.SigilRequest[] = [
    { ...request, body: tamperBody(s.body) },
    { ...request, target: `${s.target}${s.query ? '&' : '?'}admin=1` },
    { ...request, headers: s.headers.map(([n, v]) => [n, n === 'host' ? 'evil.example.com' : v] as const) },
  ];
  for (const t of tampered) {
    const bad = lib.verifySignature(t, header, key, { requiredHeaders: s.signed });
    if (bad.ok || bad.code !== 'signature_invalid') throw new Error('Sigil: a tampered request was not rejected');
  }
}

function signRow(lib: Core, name: string, note: string, s: Scenario): Row {
  const key = lib.importKey(SECRET);
  const request = sigilRequest(s);
  const headers = s.signed;
  const op = (): string =>
    lib.signRequest(request, key, { keyId: KEY_ID, timestamp: Math.floor(Date.now() / 1000), headers }).header;
  return {
    name,
    group: 'sigil',
    note,
    async: false,
    async check() {
      checkSigilSigner(lib, s, op);
    },
    op,
  };
}

/**
 * Sigil sign with the backend core selected (node:crypto on Node).
 *
 * @example
 * const row = sigilSignRow(scenario('typical'));
 */
export function sigilSignRow(s: Scenario): Row {
  return signRow(core, 'Sigil sign', `signRequest, backend ${core.backend.name}, fresh nonce and clock per op`, s);
}

/**
 * Sigil sign on the portable (@noble/hashes) backend.
 *
 * @example
 * const row = sigilSignPortableRow(scenario('typical'));
 */
export function sigilSignPortableRow(s: Scenario): Row {
  return signRow(loadPortableCore(), 'Sigil sign (portable backend)', 'signRequest on @noble/hashes (CJS instance of core)', s);
}
