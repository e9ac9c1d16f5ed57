// The loopback server the browser run talks to (Node only, built packages):
// the page and its bundle, the Sigil endpoints behind the node adapter, a
// redirect, and two more origins (127.0.0.2, 127.0.0.3) with CORS
// placed before Sigil. Prints `SIGIL-LISTEN <page origin> <api origin> <api origin without exposed headers>`.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { sigilListener } from '@sigil/verify/node';
import { conformanceVerifier } from './conformance.js';

const PAGE = '<!doctype html><meta charset="utf-8"><title>Sigil conformance</title><script type="module" src="/browser.mjs"></script>';

function sigil(): RequestListener {
  return sigilListener(conformanceVerifier(), (req, res, result) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keyId: result.keyId, method: req.method, body: new TextDecoder().decode(result.body) }));
  });
}

/**
 * CORS before Sigil, as README.md's CORS section shows it: the preflight
 * (an OPTIONS request, which never carries a signature) is answered here and
 * never reaches the verifier; every other response, a Sigil refusal
 * included, allows the page's origin and exposes Sigil-Server-Time so the
 * client's clock-skew retry can read it.
 */
function withCors(allowOrigin: string, next: RequestListener, expose = true): RequestListener {
  return (req, res) => {
    res.setHeader('access-control-allow-origin', allowOrigin);
    res.setHeader('vary', 'origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, PUT, DELETE',
        'access-control-allow-headers': 'content-type, sigil-signature, content-digest, signature, signature-input',
        'access-control-max-age': '600',
      });
      return void res.end();
    }
    if (expose) res.setHeader('access-control-expose-headers', 'sigil-server-time');
    next(req, res);
  };
}

function listen(listener: RequestListener, host: string): Promise<number> {
  const server = createServer(listener);
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as { port: number }).port)));
}

export async function servePage(dir: string): Promise<void> {
  const bundle = readFileSync(join(dir, 'browser.mjs'));
  const pageSigil = sigil();
  const pagePort = await listen((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (path === '/browser.mjs') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    if (path === '/redirect') return void res.writeHead(302, { location: '/echo' }).end();
    pageSigil(req, res);
  }, '127.0.0.1');
  const pageOrigin = `http://127.0.0.1:${pagePort}`;
  // Another loopback address: a different origin for the browser, still loopback for Sigil.
  const apiPort = await listen(withCors(pageOrigin, sigil()), '127.0.0.2');
  // The same without Access-Control-Expose-Headers: the browser hides Sigil-Server-Time.
  const hiddenPort = await listen(withCors(pageOrigin, sigil(), false), '127.0.0.3');
  console.log(`SIGIL-LISTEN ${pageOrigin} http://127.0.0.2:${apiPort} http://127.0.0.3:${hiddenPort}`);
}
