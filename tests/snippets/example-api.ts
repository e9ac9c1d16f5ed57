// The API that documentation snippets call as *.example.com: a real
// @sigil/verify verifier on one loopback address, over TLS on 443 (the test's
// certificate for api.example.com) and plain HTTP on 80, answering like an
// application would. run-snippet.ts starts it inside a TypeScript snippet's
// process; the snippet test starts one per Python block.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { importKey } from '@sigil/core';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';

/** Where to listen and with what key; the TLS pair is read from these files. */
export interface ExampleApiOptions {
  readonly ip: string;
  readonly keyId: string;
  /** base64url, as SIGIL_SECRET. */
  readonly secret: string;
  readonly tlsKeyFile: string;
  readonly tlsCertFile: string;
  /** Called with the status of every answer. */
  readonly onStatus: (status: number) => void;
}

/** Listens on ip:443 and ip:80 (unref'd, so they keep no process alive); resolves once both are up. */
export async function startExampleApi(options: ExampleApiOptions): Promise<Server[]> {
  const key = importKey(options.secret, { encoding: 'base64url' });
  const verifier = createVerifier({ keys: { [options.keyId]: key }, nonceStore: new MemoryNonceStore() });
  const app = sigilListener(verifier, (_req, res, { keyId: who }) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, keyId: who }));
  });
  const recorded = (req: IncomingMessage, res: ServerResponse) => {
    res.on('finish', () => options.onStatus(res.statusCode));
    app(req, res);
  };
  const tls = { key: readFileSync(options.tlsKeyFile), cert: readFileSync(options.tlsCertFile) };
  const servers = [createHttpsServer(tls, recorded), createHttpServer(recorded)];
  await Promise.all(
    servers.map(
      (server, i) =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.unref().listen(i === 0 ? 443 : 80, options.ip, () => resolve());
        }),
    ),
  );
  return servers;
}
