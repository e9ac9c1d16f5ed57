// http-message-signatures: RFC 9421 HTTP Message Signatures with
// hmac-sha256. RFC 9421 does not hash the body itself; a client binds it by
// sending and signing a Content-Digest (RFC 9530), so the row computes that
// digest with node:crypto as part of each signature. Asynchronous API.
import { createHash } from 'node:crypto';
import { createSigner, createVerifier, httpbis } from 'http-message-signatures';
import type { Row } from '../../harness.js';
import { KEY_ID, SECRET, headerObject, type Scenario } from '../../scenarios.js';
import { checkPeer, variantHeaders, type Variant } from './check.js';

const signingKey = createSigner(SECRET, 'hmac-sha256', KEY_ID);
const verifyingKey = { id: KEY_ID, algs: ['hmac-sha256'], verify: createVerifier(SECRET, 'hmac-sha256') };

const contentDigest = (body: Buffer): string => `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;

/**
 * http-message-signatures signing the scenario's request: method, authority,
 * path, query, every header and Content-Digest.
 *
 * @example
 * const row = httpsigRow(scenario('typical'));
 */
export function httpsigRow(s: Scenario): Row {
  const headers = headerObject(s);
  const hasBody = s.body.length > 0;
  const fields = [
    '@method',
    '@authority',
    '@path',
    // Always, even without a query ("?"): else a query added later goes unnoticed.
    '@query',
    ...s.signed,
    ...(hasBody ? ['content-digest'] : []),
  ];
  const config = { key: signingKey, fields };
  const sign = () =>
    httpbis.signMessage(config, {
      method: s.method,
      url: `https://${s.host}${s.target}`,
      headers: hasBody ? { ...headers, 'content-digest': contentDigest(s.body) } : { ...headers },
    });
  const accepts = async (v: Variant): Promise<boolean> => {
    const sent = await sign();
    const received = { ...sent.headers, ...variantHeaders(s, v) };
    if (hasBody && received['content-digest'] !== contentDigest(v.body)) return false;
    const ok = await httpbis.verifyMessage(
      { keyLookup: async () => verifyingKey, requiredFields: fields },
      { method: s.method, url: `https://${s.host}${v.target}`, headers: received },
    );
    return ok === true;
  };
  return {
    name: 'http-message-signatures',
    group: 'peer',
    note: 'RFC 9421 hmac-sha256 sign + RFC 9530 Content-Digest (node:crypto), async',
    async: true,
    check: () => checkPeer('http-message-signatures', s, accepts),
    op: sign,
  };
}
