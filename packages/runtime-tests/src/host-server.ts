// Entry for runtimes with a process and a server API: Node (node:http and
// the node adapter), Bun (Bun.serve) and Deno (Deno.serve), both through the
// Fetch adapter with the peer address the runtime reports. Prints one
// report line. With `--client <origin>` it only runs the client side of the
// round trip against a server elsewhere (the workerd worker). With
// `--serve-page <dir>` it serves the browser's page (see page-server.ts).
import { Checks, conformanceVerifier, echo, roundTrip, runConformance, type Report } from './conformance.js';
import { sigilFetchHandler } from '@sigil/verify/fetch';

interface Served {
  readonly origin: string;
  close(): Promise<void>;
}
interface BunServer {
  readonly port: number;
  requestIP(request: Request): { address: string } | null;
  stop(force?: boolean): Promise<void> | void;
}
interface BunGlobal {
  version: string;
  serve(options: { hostname: string; port: number; fetch: (request: Request, server: BunServer) => Promise<Response> }): BunServer;
}
interface DenoServeInfo {
  remoteAddr: { hostname: string };
}
interface DenoGlobal {
  version: { deno: string };
  args: string[];
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (request: Request, info: DenoServeInfo) => Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
  exit(code: number): never;
}
const g = globalThis as { Bun?: BunGlobal; Deno?: DenoGlobal; process?: { version: string; argv: string[]; exitCode?: number } };

async function serveBun(bun: BunGlobal): Promise<Served> {
  const handler = sigilFetchHandler<[BunServer]>(conformanceVerifier(), echo, {
    connection: (request, server) => ({ remoteAddress: server.requestIP(request)?.address }),
  });
  const server = bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler });
  return { origin: `http://127.0.0.1:${server.port}`, close: async () => void (await server.stop(true)) };
}

async function serveDeno(deno: DenoGlobal): Promise<Served> {
  const handler = sigilFetchHandler<[DenoServeInfo]>(conformanceVerifier(), echo, {
    connection: (_request, info) => ({ remoteAddress: info.remoteAddr.hostname }),
  });
  const server = deno.serve({ hostname: '127.0.0.1', port: 0, onListen: () => {} }, handler);
  return { origin: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

async function serveNode(): Promise<Served> {
  const { createServer } = await import('node:http');
  const { sigilListener } = await import('@sigil/verify/node');
  const server = createServer(
    sigilListener(conformanceVerifier(), (req, res, result) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keyId: result.keyId, method: req.method, body: new TextDecoder().decode(result.body) }));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }) };
}

function runtimeName(): string {
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${g.process!.version}`;
}

const send = (url: string, init: RequestInit) => fetch(url, init);

async function main(): Promise<Report> {
  const args = g.Deno ? g.Deno.args : g.process!.argv.slice(2);
  if (args[0] === '--serve-page') {
    const { servePage } = await import('./page-server.js');
    await servePage(args[1]!);
    return new Promise<never>(() => {});
  }
  if (args[0] === '--client') {
    const checks = new Checks();
    await roundTrip(checks, `signed requests from ${runtimeName()}`, args[1]!, send);
    return { runtime: runtimeName(), backend: (await import('@sigil/core')).backend.name, checks: checks.list };
  }
  return runConformance(runtimeName(), async (checks) => {
    await checks.run('@sigil/* resolve to the built dist/', () => {
      const urls = ['@sigil/core', '@sigil/fetch', '@sigil/verify', '@sigil/verify/fetch'].map((id) => import.meta.resolve(id));
      const elsewhere = urls.filter((url) => !/\/packages\/(core|fetch|verify)\/dist\//.test(url));
      if (elsewhere.length > 0) throw new Error(`resolved outside dist/: ${elsewhere.join(', ')}`);
    });
    const label = g.Bun ? 'Bun.serve' : g.Deno ? 'Deno.serve' : 'node:http';
    const served = g.Bun ? await serveBun(g.Bun) : g.Deno ? await serveDeno(g.Deno) : await serveNode();
    try {
      await roundTrip(checks, `${label} on loopback`, served.origin, send);
    } finally {
      await served.close();
    }
  });
}

main().then(
  (report) => console.log(`SIGIL-REPORT ${JSON.stringify(report)}`),
  (error: unknown) => {
    console.error(error);
    if (g.Deno) g.Deno.exit(1);
    g.process!.exitCode = 1;
  },
);
