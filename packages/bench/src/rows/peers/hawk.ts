// @hapi/hawk: HMAC over method, path+query, host, port, timestamp, nonce and
// a payload hash (node:crypto). It covers no other header; the payload is a
// string, which the row prepares once. Server verification is async.
import Hawk from '@hapi/hawk';
import type { Row } from '../../harness.js';
import { KEY_ID, SECRET, type Scenario } from '../../scenarios.js';
import { checkPeer, variants, type Variant } from './check.js';

const credentials = { id: KEY_ID, key: SECRET.toString('base64'), algorithm: 'sha256' as const };

/** The server side: `Hawk.server.authenticate` of a received request, payload hash rechecked; throws when refused. */
async function authenticate(s: Scenario, authorization: string, v: Variant): Promise<true> {
  const contentType = s.headers.find(([n]) => n === 'content-type')?.[1] ?? '';
  const req = { method: s.method, url: v.target, headers: { host: s.host, authorization, 'content-type': contentType } };
  await Hawk.server.authenticate(req, () => credentials, { host: s.host, port: 443, ...(s.body.length > 0 ? { payload: v.bodyText } : {}) });
  return true;
}

/**
 * Hawk client header for the scenario's request, with payload validation.
 *
 * @example
 * const row = hawkRow(scenario('typical'));
 */
export function hawkRow(s: Scenario): Row {
  const uri = `https://${s.host}${s.target}`;
  const contentType = s.headers.find(([n]) => n === 'content-type')?.[1];
  const options = {
    credentials,
    ...(s.body.length > 0 ? { payload: s.bodyText, contentType: contentType ?? '' } : {}),
  };
  const accepts = async (v: Variant): Promise<boolean> => authenticate(s, Hawk.client.header(uri, s.method, options).header, v);
  return {
    name: '@hapi/hawk',
    group: 'peer',
    note: 'client header with payload hash (node:crypto); no headers besides host',
    async: false,
    check: () => checkPeer('@hapi/hawk', s, accepts, ['body', 'target']),
    op: () => Hawk.client.header(uri, s.method, options).header,
  };
}

/**
 * Hawk's verify path: `server.authenticate` of pre-signed requests (signed
 * before the timer), the payload hash checked against the body. Hawk checks
 * nonces only through an optional `nonceFunc`, which this row leaves out.
 *
 * @example
 * const row = hawkVerifyRow(scenario('typical'));
 */
export function hawkVerifyRow(s: Scenario): Row {
  const signer = hawkRow(s);
  const { original } = variants(s);
  let queue: string[] = [];
  let next = 0;
  return {
    name: '@hapi/hawk verify',
    group: 'peer',
    note: 'server.authenticate with payload check, pre-signed requests; no nonceFunc (no replay store)',
    async: true,
    check: signer.check,
    before(n) {
      queue = Array.from({ length: n }, () => signer.op() as string);
      next = 0;
    },
    op: () => authenticate(s, queue[next++]!, original),
  };
}
