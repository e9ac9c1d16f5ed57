// A signed JSON POST, made once and sent as many times as a test likes (a
// captured request), to a verifier listening on 127.0.0.1.
import http from 'node:http';
import { signRequest, type SigilKey } from '@sigil/core';

export const API_HOST = 'api.sigil.test';

/** What an attacker captures: the signature header and the body. */
export interface SignedPost {
  readonly path: string;
  readonly signature: string;
  readonly body: string;
  readonly nonce: string;
}

/** Signs `POST <path>` with `body`, content-type signed, timestamp now. */
export function signPost(key: SigilKey, keyId: string, body: string, path = '/v1/orders'): SignedPost {
  const request = { method: 'POST', target: path, headers: [['host', API_HOST], ['content-type', 'application/json']] as const, body: new TextEncoder().encode(body) };
  const signed = signRequest(request, key, { keyId, timestamp: Math.floor(Date.now() / 1000), headers: ['content-type'] });
  return { path, signature: signed.header, body, nonce: signed.params.nonce };
}

/** Sends `post` to 127.0.0.1:`port`; resolves with the status and the body text. */
export function send(agent: http.Agent, port: number, post: SignedPost): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1', port, agent, method: 'POST', path: post.path,
        headers: { host: API_HOST, 'content-type': 'application/json', 'content-length': Buffer.byteLength(post.body), 'sigil-signature': post.signature },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject).end(post.body);
  });
}
