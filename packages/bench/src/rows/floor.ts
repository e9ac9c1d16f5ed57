// The raw floor: what any HMAC request signature must at least compute on
// this runtime. node:crypto SHA-256 of the body (hex) plus one HMAC-SHA256
// over a canonical string built beforehand. Every ratio in the table is
// against this row, measured in the same process and round.
import { createHash, createHmac, hash as oneShotHash } from 'node:crypto';
import { backends, canonicalize } from '@sigil/core';
import type { Row } from '../harness.js';
import { KEY_ID, SECRET, type Scenario } from '../scenarios.js';

// crypto.hash (Node >= 20.12) skips the Hash object; it is the faster floor.
const sha256Hex: (data: Uint8Array) => string =
  typeof oneShotHash === 'function'
    ? (data) => oneShotHash('sha256', data, 'hex')
    : (data) => createHash('sha256').update(data).digest('hex');

/** The canonical string of a scenario with fixed parameters: what the floor MACs. */
export function floorCanonical(s: Scenario): string {
  return canonicalize(
    { method: s.method, target: s.target, headers: s.headers, body: s.body },
    {
      algorithm: 'hmac-sha256',
      keyId: KEY_ID,
      timestamp: 1_763_460_000,
      nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
      headers: ['host', ...s.signed].sort(),
    },
  );
}

/** The floor's work on one body: its hex SHA-256 and one HMAC over `canonical`. */
export function floorWork(body: Uint8Array, canonical: string): [string, Buffer] {
  return [sha256Hex(body), createHmac('sha256', SECRET).update(canonical).digest()];
}

/**
 * The floor row.
 *
 * @example
 * const row = floorRow(scenario('typical'));
 * await row.check();
 * row.op();
 */
export function floorRow(s: Scenario): Row {
  const canonical = floorCanonical(s);
  const op = (): [string, Buffer] => floorWork(s.body, canonical);
  return {
    name: 'raw floor (node:crypto)',
    group: 'floor',
    note: 'SHA-256 of the body + one HMAC over a prebuilt canonical string',
    async: false,
    async check() {
      const [digest, mac] = op();
      if (!canonical.endsWith(`\n${digest}`)) throw new Error('floor: the body digest differs from the canonical string');
      if (mac.length !== 32) throw new Error('floor: the MAC is not 32 bytes');
    },
    op,
  };
}

/**
 * A reference beside the floor: the same work, with the HMAC computed as
 * Sigil's native backend computes it (RFC 2104 over two one-shot
 * crypto.hash calls, cheaper on Node 20 than createHmac's per-call object
 * setup). Sigil's rows beat the floor partly by that; their ratio to this
 * row is the cost of everything Sigil does besides its crypto.
 *
 * @example
 * const row = floorSigilHmacRow(scenario('typical'));
 */
export function floorSigilHmacRow(s: Scenario): Row {
  const canonical = floorCanonical(s);
  const native = backends.native;
  if (!native) throw new Error('floor: core has no native backend on this runtime');
  const mac = native.prepareMac('hmac-sha256', SECRET);
  const op = (): [string, Uint8Array] => [sha256Hex(s.body), mac(canonical)];
  return {
    name: "floor, Sigil's HMAC",
    group: 'reference',
    note: 'the floor with HMAC as two one-shot hashes over prepared pads (core native backend)',
    async: false,
    async check() {
      const [, expected] = floorWork(s.body, canonical);
      if (!expected.equals(op()[1])) throw new Error("floor: Sigil's HMAC differs from createHmac");
    },
    op,
  };
}
