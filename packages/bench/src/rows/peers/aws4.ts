// aws4: AWS Signature Version 4 on node:crypto. It has no verify function;
// a server verifies SigV4 by signing the received request again with the
// received X-Amz-Date and comparing Authorization, which the check does.
import { timingSafeEqual } from 'node:crypto';
import aws4 from 'aws4';
import type { Row } from '../../harness.js';
import { SECRET, headerObject, type Scenario } from '../../scenarios.js';
import { checkPeer, variantHeaders, variants, type Variant } from './check.js';

const credentials = { accessKeyId: 'AKIDBENCHEXAMPLE', secretAccessKey: SECRET.toString('base64') };

/**
 * The server side of SigV4 with aws4 (which has no verify function): sign
 * the received request again with its X-Amz-Date and compare the
 * Authorization headers in constant time.
 */
function verifyReceived(s: Scenario, received: Record<string, string>, v: Variant): boolean {
  const { Authorization: claimed, ...rest } = received;
  const again = aws4.sign(
    { host: s.host, method: s.method, path: v.target, service: 'execute-api', region: 'us-east-1', headers: rest, body: v.body.length > 0 ? v.body : undefined },
    credentials,
  ).headers as Record<string, string>;
  if (typeof claimed !== 'string' || typeof again.Authorization !== 'string') return false;
  const a = Buffer.from(claimed);
  const b = Buffer.from(again.Authorization);
  return a.length === b.length && timingSafeEqual(a, b);
}

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
    return verifyReceived(s, { ...variantHeaders(s, v), 'X-Amz-Date': sent['X-Amz-Date']!, Authorization: sent.Authorization! }, v);
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

/**
 * aws4's verify path as a SigV4 server runs it: re-sign the received
 * request (body hashed again) with its X-Amz-Date, compare Authorization.
 *
 * @example
 * const row = aws4VerifyRow(scenario('typical'));
 */
export function aws4VerifyRow(s: Scenario): Row {
  const signer = aws4Row(s);
  const headers = headerObject(s);
  const { original } = variants(s);
  let queue: Array<Record<string, string>> = [];
  let next = 0;
  return {
    name: 'aws4 verify (re-sign + compare)',
    group: 'peer',
    note: 'SigV4 re-sign of the received request with its X-Amz-Date, timingSafeEqual; no replay store',
    async: false,
    check: signer.check,
    before(n) {
      queue = [];
      for (let i = 0; i < n; i++) {
        const sent = signer.op() as Record<string, string>;
        queue.push({ ...headers, 'X-Amz-Date': sent['X-Amz-Date']!, Authorization: sent.Authorization! });
      }
      next = 0;
    },
    op() {
      if (!verifyReceived(s, queue[next++]!, original)) throw new Error('aws4 verify: a valid request was refused');
      return true;
    },
  };
}
