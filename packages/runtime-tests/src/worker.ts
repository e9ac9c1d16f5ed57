// Entry for workerd: the worker answers GET /__conformance with the report
// of runConformance(), and serves every other request through the Fetch
// adapter, so signed requests sent to its loopback socket exercise a real
// Workers server. The handler is made on the first request: workerd refuses
// random values and timers in global scope.
import { sigilFetchHandler } from '@sigil/verify/fetch';
import { conformanceVerifier, echo, runConformance } from './conformance.js';

interface Env {
  readonly RUNTIME: string;
}

let handler: ((request: Request) => Promise<Response>) | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname === '/__conformance') return Response.json(await runConformance(env.RUNTIME));
    // The harness binds the worker's socket to 127.0.0.1 only, so every peer is loopback.
    handler ??= sigilFetchHandler(conformanceVerifier(), echo, { connection: () => ({ remoteAddress: '127.0.0.1' }) });
    return handler(request);
  },
};
