// @smithy/signature-v4, the SigV4 signer of the AWS SDK v3, with the
// @aws-crypto/sha256-js hash this bench depends on (pure JS; the SDK on Node
// would plug in @smithy/hash-node instead). Asynchronous API.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Row } from '../../harness.js';
import { SECRET, headerObject, type Scenario } from '../../scenarios.js';
import { checkPeer, variantHeaders, type Variant } from './check.js';

const signer = new SignatureV4({
  credentials: { accessKeyId: 'AKIDBENCHEXAMPLE', secretAccessKey: SECRET.toString('base64') },
  region: 'us-east-1',
  service: 'execute-api',
  sha256: Sha256,
});

function parseQuery(target: string): Record<string, string | string[]> {
  const q = target.indexOf('?');
  const out: Record<string, string | string[]> = {};
  if (q < 0) return out;
  for (const [name, value] of new URLSearchParams(target.slice(q + 1))) {
    const prev = out[name];
    out[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return out;
}

/** "20251118T100000Z" back into a Date. */
function amzDate(text: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) throw new Error('smithy: bad x-amz-date');
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/**
 * @smithy/signature-v4 signing the scenario's request.
 *
 * @example
 * const row = smithyRow(scenario('typical'));
 */
export function smithyRow(s: Scenario): Row {
  const headers = headerObject(s);
  // Built once: an SDK builds path and query from its inputs, not by parsing.
  const path = s.path;
  const query = parseQuery(s.target);
  const request = (h: Record<string, string>, p: string, q: Record<string, string | string[]>, body: Buffer) =>
    new HttpRequest({ method: s.method, protocol: 'https:', hostname: s.host, path: p, query: q, headers: h, ...(body.length > 0 ? { body } : {}) });
  const accepts = async (v: Variant): Promise<boolean> => {
    const sent = await signer.sign(request({ ...headers }, path, query, s.body));
    const date = amzDate(String(sent.headers['x-amz-date']));
    const received = request(variantHeaders(s, v), v.target.split('?')[0]!, parseQuery(v.target), v.body);
    const again = await signer.sign(received, { signingDate: date });
    return typeof sent.headers.authorization === 'string' && again.headers.authorization === sent.headers.authorization;
  };
  return {
    name: '@smithy/signature-v4',
    group: 'peer',
    note: 'SigV4 sign, @aws-crypto/sha256-js (pure JS), async',
    async: true,
    check: () => checkPeer('@smithy/signature-v4', s, accepts),
    op: () => signer.sign(request({ ...headers }, path, query, s.body)),
  };
}
