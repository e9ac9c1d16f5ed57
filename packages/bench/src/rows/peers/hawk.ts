// @hapi/hawk: HMAC over method, path+query, host, port, timestamp, nonce and
// a payload hash (node:crypto). It covers no other header; the payload is a
// string, which the row prepares once. Server verification is async.
import Hawk from '@hapi/hawk';
import type { Row } from '../../harness.js';
import { KEY_ID, SECRET, type Scenario } from '../../scenarios.js';
import { checkPeer, type Variant } from './check.js';

const credentials = { id: KEY_ID, key: SECRET.toString('base64'), algorithm: 'sha256' as const };

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
  const accepts = async (v: Variant): Promise<boolean> => {
    const { header } = Hawk.client.header(uri, s.method, options);
    const req = { method: s.method, url: v.target, headers: { host: s.host, authorization: header, 'content-type': contentType ?? '' } };
    await Hawk.server.authenticate(req, () => credentials, { host: s.host, port: 443, ...(s.body.length > 0 ? { payload: v.bodyText } : {}) });
    return true;
  };
  return {
    name: '@hapi/hawk',
    group: 'peer',
    note: 'client header with payload hash (node:crypto); no headers besides host',
    async: false,
    check: () => checkPeer('@hapi/hawk', s, accepts, ['body', 'target']),
    op: () => Hawk.client.header(uri, s.method, options).header,
  };
}
