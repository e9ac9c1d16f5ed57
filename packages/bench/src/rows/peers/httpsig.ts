// http-message-signatures: RFC 9421 HTTP Message Signatures with
// hmac-sha256. RFC 9421 does not hash the body itself; a client binds it by
// sending and signing a Content-Digest (RFC 9530), so the row computes that
// digest with node:crypto as part of each signature. Asynchronous API.
import { createHash } from 'node:crypto';
import { createSigner, createVerifier, httpbis } from 'http-message-signatures';
import type { Row } from '../../harness.js';
import { KEY_ID, SECRET, headerObject, type Scenario } from '../../scenarios.js';
import { checkPeer, variantHeaders, variants, type Variant } from './check.js';

const signingKey = createSigner(SECRET, 'hmac-sha256', KEY_ID);
const verifyingKey = { id: KEY_ID, algs: ['hmac-sha256'], verify: createVerifier(SECRET, 'hmac-sha256') };

const contentDigest = (body: Buffer): string => `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;

/** Fields a signature must cover for the scenario (the verifier requires the same list). */
function fieldsOf(s: Scenario): string[] {
  // @query always, even without a query ("?"): else a query added later goes unnoticed.
  return ['@method', '@authority', '@path', '@query', ...s.signed, ...(s.body.length > 0 ? ['content-digest'] : [])];
}

/**
 * The server side: the Content-Digest recheck (verifyMessage does not hash
 * the body) and `httpbis.verifyMessage`; true when accepted.
 */
async function verifyReceived(s: Scenario, fields: readonly string[], received: Record<string, string | string[]>, v: Variant): Promise<boolean> {
  if (s.body.length > 0 && received['content-digest'] !== contentDigest(v.body)) return false;
  const ok = await httpbis.verifyMessage(
    { keyLookup: async () => verifyingKey, requiredFields: [...fields] },
    { method: s.method, url: `https://${s.host}${v.target}`, headers: received },
  );
  return ok === true;
}

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
  const fields = fieldsOf(s);
  const config = { key: signingKey, fields };
  const sign = () =>
    httpbis.signMessage(config, {
      method: s.method,
      url: `https://${s.host}${s.target}`,
      headers: hasBody ? { ...headers, 'content-digest': contentDigest(s.body) } : { ...headers },
    });
  const accepts = async (v: Variant): Promise<boolean> => verifyReceived(s, fields, { ...(await sign()).headers, ...variantHeaders(s, v) }, v);
  return {
    name: 'http-message-signatures',
    group: 'peer',
    note: 'RFC 9421 hmac-sha256 sign + RFC 9530 Content-Digest (node:crypto), async',
    async: true,
    check: () => checkPeer('http-message-signatures', s, accepts),
    op: sign,
  };
}

/**
 * http-message-signatures' verify path: the Content-Digest recheck plus
 * `httpbis.verifyMessage`, over requests signed before the timer.
 *
 * @example
 * const row = httpsigVerifyRow(scenario('typical'));
 */
export function httpsigVerifyRow(s: Scenario): Row {
  const signer = httpsigRow(s);
  const fields = fieldsOf(s);
  const { original } = variants(s);
  let queue: Array<Record<string, string | string[]>> = [];
  let next = 0;
  return {
    name: 'http-message-signatures verify',
    group: 'peer',
    note: 'verifyMessage + Content-Digest recheck (node:crypto), async; no replay store',
    async: true,
    check: signer.check,
    async before(n) {
      queue = [];
      for (let i = 0; i < n; i++) queue.push(((await signer.op()) as { headers: Record<string, string | string[]> }).headers);
      next = 0;
    },
    async op() {
      if (!(await verifyReceived(s, fields, queue[next++]!, original))) throw new Error('http-message-signatures verify: a valid request was refused');
      return true;
    },
  };
}
