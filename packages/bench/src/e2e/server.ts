// Child process: the end-to-end server. `plain` reads the whole body and
// answers 200; `floor` also does the floor's work on it (SHA-256 of the
// body, one HMAC over a prebuilt canonical string): the least any verifier
// adds; `verify` answers behind sigilListener with a MemoryNonceStore;
// `verify-signed` the same with `signResponses: true` (issue 14: every
// answer signed, bound to its request, the body buffered);
// `verify-redis <redis url>` with a RedisNonceStore (ioredis,
// enableAutoPipelining); `verify-pg <database url> <table>` with a
// PostgresNonceStore (pg Pool, max 16). Prints `{"port":N}` on stdout once
// listening on 127.0.0.1; `GET /__bench_mark` (answered before any
// listener, the same in every mode) restarts its counts, so that a warm-up
// is left out; when its stdin closes, prints `{"requests":N,
// "userMicros":U,"systemMicros":S}` (its own CPU time since the last mark,
// or since it was ready) and exits.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PostgresNonceStore } from '@sigil/postgres';
import { RedisNonceStore } from '@sigil/redis';
import { MemoryNonceStore, type NonceStore } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';
import { floorCanonical, floorWork } from '../rows/floor.js';
import { benchVerifier } from '../rows/sigil-verify.js';
import { scenario } from '../scenarios.js';

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const reply = (res: ServerResponse, bytes: number): void => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${bytes}`);
};

const [mode, where, table] = process.argv.slice(2);
const s = scenario('typical');
const canonical = floorCanonical(s);
const verifying = (store: NonceStore, signResponses = false) =>
  sigilListener(benchVerifier(s, store), (_req, res, { body }) => reply(res, body.length), { signResponses });
const memoryStore = () => new MemoryNonceStore({ maxEntries: 1_000_000, maxEntriesPerKey: 1_000_000 });

async function listenerFor(): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  switch (mode) {
    case 'plain':
      return (req, res) => void readAll(req).then((body) => reply(res, body.length), () => res.destroy());
    case 'floor':
      return (req, res) =>
        void readAll(req).then(
          (body) => {
            floorWork(body, canonical);
            reply(res, body.length);
          },
          () => res.destroy(),
        );
    case 'verify':
      return verifying(memoryStore());
    case 'verify-signed':
      return verifying(memoryStore(), true);
    case 'verify-redis': {
      const store = new RedisNonceStore({ client: new Redis(where!, { enableAutoPipelining: true, maxRetriesPerRequest: 1 }) });
      await store.ready();
      return verifying(store);
    }
    case 'verify-pg': {
      const pool = new pg.Pool({ connectionString: where!, max: 16, connectionTimeoutMillis: 2_000 });
      pool.on('error', () => {});
      return verifying(new PostgresNonceStore({ client: pool, table: table! }));
    }
    default:
      throw new Error('usage: e2e-server.js <plain|floor|verify|verify-signed|verify-redis <url>|verify-pg <url> <table>>');
  }
}

const listener = await listenerFor();
let started = process.cpuUsage();
let requests = 0;
const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
  if (req.url !== '/__bench_mark') return listener(req, res);
  started = process.cpuUsage();
  requests = -1; // this request is counted below, before its handler runs
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
server.on('request', () => requests++);
process.stdin.resume();
process.stdin.on('end', () => {
  // CPU time this server spent, for CPU per request: steadier than requests/s on a
  // shared machine. User and system apart: a loopback write's system time includes
  // waking the load generator, which grows when the server is the slower side.
  const cpu = process.cpuUsage(started);
  process.stdout.write(`${JSON.stringify({ requests, userMicros: cpu.user, systemMicros: cpu.system })}\n`, () => server.close(() => process.exit(0)));
  server.closeAllConnections();
});
