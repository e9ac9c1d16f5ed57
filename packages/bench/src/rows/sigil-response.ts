// Sigil response signing (SPEC.md section 11), core only: signResponse on
// the server, verifyResponse on the client, over the scenario's body as the
// response body (content-type signed, bound to a signed request's nonce and
// MAC). Their cost against request verification is the ratio of these rows
// to the "Sigil verify" row, all measured in the same run against one floor.
import { importKey, signRequest, signResponse, verifyResponse, type SigilResponse } from '@sigil/core';
import type { Row, RowFactory } from '../harness.js';
import { KEY_ID, SECRET, tamperBody, type Scenario } from '../scenarios.js';
import { sigilRequest } from './sigil-sign.js';

function setup(s: Scenario) {
  const key = importKey(SECRET);
  const request = signRequest(sigilRequest(s), key, { keyId: KEY_ID, timestamp: Math.floor(Date.now() / 1000), headers: s.signed }).params;
  const response: SigilResponse = { status: 200, headers: [['content-type', 'application/json']], body: s.body };
  const sign = () => signResponse(response, key, { request, keyId: KEY_ID, timestamp: Math.floor(Date.now() / 1000) });
  const received = (header: string, body = s.body): SigilResponse => ({ ...response, body, headers: [...(response.headers as [string, string][]), ['sigil-response-signature', header]] });
  return { key, request, sign, received };
}

function signRow(s: Scenario): Row {
  const { key, request, sign, received } = setup(s);
  return {
    name: 'Sigil signResponse',
    group: 'sigil',
    note: 'core signResponse: status, content-type, body SHA-256, bound request; compare with the Sigil verify row',
    async: false,
    async check() {
      if (!verifyResponse(received(sign().header), key, { request }).ok) throw new Error('Sigil signResponse: a signed response did not verify');
    },
    op: sign,
  };
}

function verifyRow(s: Scenario): Row {
  const { key, request, sign, received } = setup(s);
  const good = received(sign().header);
  return {
    name: 'Sigil verifyResponse',
    group: 'sigil',
    note: 'core verifyResponse (client side): parse, coverage, body SHA-256, MAC; compare with the Sigil verify row',
    async: false,
    async check() {
      if (!verifyResponse(good, key, { request }).ok) throw new Error('Sigil verifyResponse: a valid response was rejected');
      const bad = verifyResponse(received(sign().header, tamperBody(s.body)), key, { request });
      if (bad.ok || bad.code !== 'response_signature_invalid') throw new Error('Sigil verifyResponse: a tampered body was not rejected');
    },
    op() {
      if (!verifyResponse(good, key, { request }).ok) throw new Error('Sigil verifyResponse: a valid response was rejected');
    },
  };
}

/** Both response rows, in print order, after the request rows. */
export const SIGIL_RESPONSE_ROWS: readonly RowFactory[] = [signRow, verifyRow];
