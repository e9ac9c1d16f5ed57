// aws4: AWS Signature Version 4 on node:crypto. It has no verify function;
// a server verifies SigV4 by signing the received request again with the
// received X-Amz-Date and comparing Authorization, which the check does.
import aws4 from 'aws4';
import type { Row } from '../../harness.js';
import { SECRET, headerObject, type Scenario } from '../../scenarios.js';
import { checkPeer, variantHeaders, type Variant } from './check.js';

const credentials = { accessKeyId: 'AKIDBENCHEXAMPLE', secretAccessKey: SECRET.toString('base64') };

/**
 * aws4 signing the scenario's request (service execute-api, all headers signed).
 *
 * @example
 * const row = aws4Row(scenario('typical'));
 */
export function aws4Row(s: Scenario): Row {
  const headers = headerObject(s);
  const body = s.body.length > 0 ? s.body : undefined;
  const sign = (h: Record<string, string>, target: string, b: Buffer | undefined) =>
    aws4.sign({ host: s.host, method: s.method, path: target, service: 'execute-api', region: 'us-east-1', headers: h, body: b }, credentials);
  const accepts = async (v: Variant): Promise<boolean> => {
    const sent = sign({ ...headers }, s.target, body).headers as Record<string, string>;
    const received = { ...variantHeaders(s, v), 'X-Amz-Date': sent['X-Amz-Date']! };
    const again = sign(received, v.target, v.body.length > 0 ? v.body : undefined).headers as Record<string, string>;
    return typeof sent.Authorization === 'string' && again.Authorization === sent.Authorization;
  };
  return {
    name: 'aws4',
    group: 'peer',
    note: 'SigV4 sign, node:crypto',
    async: false,
    check: () => checkPeer('aws4', s, accepts),
    op: () => sign({ ...headers }, s.target, body).headers,
  };
}
