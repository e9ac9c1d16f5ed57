// A Node verifier (@sigil/verify, built) for the Python end-to-end tests:
// they spawn it, read "ready <port>" from stdout and drive it over sockets.
// Configured by environment variables (never argv: they show in `ps`):
//   SIGIL_KEYS        JSON { keyId: base64url secret | KeyEntry with a base64url key | a list }
//   SIGIL_REDIS_URL   share replay state through @sigil/redis (optional)
//   SIGIL_SKEW        seconds added to the verifier's clock (optional)
//   SIGIL_REQUIRED    comma-separated requiredHeaders (optional)
//   SIGIL_TRUST_PROXY '1': trustProxy (X-Forwarded-Proto decides)
//   SIGIL_EVENTS      '1': print each verifier event as a line 'event <json>'
//   SIGIL_SCHEMES     comma-separated schemes ('v1', 'rfc9421'; default v1)
//   SIGIL_RFC9421     JSON of the rfc9421 options (optional)
// Routes (all verified first): /flaky answers 503 to its first verified
// request; /drop destroys the socket of its first; /redirect?status=&to=
// redirects; anything else echoes what was verified.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { importKey } from '@sigil/core';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';

// A key is a base64url secret or { key, notBefore?, notAfter?, scope? } (KeyEntry), or a list of them.
const entry = (k) => (typeof k === 'string' ? importKey(k, { encoding: 'base64url' }) : { ...k, encoding: 'base64url' });
const keys = Object.fromEntries(
  Object.entries(JSON.parse(process.env.SIGIL_KEYS ?? '{}')).map(([id, k]) => [id, Array.isArray(k) ? k.map(entry) : entry(k)]),
);
const skewMs = Number(process.env.SIGIL_SKEW ?? '0') * 1000;
let nonceStore = new MemoryNonceStore();
let redis;
if (process.env.SIGIL_REDIS_URL) {
  const { Redis } = await import('ioredis');
  const { RedisNonceStore } = await import('@sigil/redis');
  redis = new Redis(process.env.SIGIL_REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await redis.connect();
  nonceStore = new RedisNonceStore({ client: redis, ...(process.env.SIGIL_PREFIX ? { prefix: process.env.SIGIL_PREFIX } : {}) });
}
const requiredHeaders = (process.env.SIGIL_REQUIRED ?? '').split(',').filter(Boolean);
const verifier = createVerifier({
  keys,
  nonceStore,
  requiredHeaders,
  trustProxy: process.env.SIGIL_TRUST_PROXY === '1',
  ...(process.env.SIGIL_SCHEMES ? { schemes: process.env.SIGIL_SCHEMES.split(',') } : {}),
  ...(process.env.SIGIL_RFC9421 ? { rfc9421: JSON.parse(process.env.SIGIL_RFC9421) } : {}),
  clock: () => Date.now() + skewMs,
  ...(process.env.SIGIL_EVENTS === '1' ? { onEvent: (event) => console.log(`event ${JSON.stringify(event)}`) } : {}),
});

const firsts = new Set();
const server = createServer(
  sigilListener(verifier, (req, res, result) => {
    const url = new URL(req.url, 'http://x');
    const first = !firsts.has(url.pathname);
    firsts.add(url.pathname);
    if (url.pathname === '/flaky' && first) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('try again');
    if (url.pathname === '/drop' && first) return void req.socket.destroy();
    if (url.pathname === '/redirect') {
      return void res.writeHead(Number(url.searchParams.get('status') ?? '302'), { location: url.searchParams.get('to') ?? '/' }).end();
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        keyId: result.keyId,
        method: req.method,
        target: req.url,
        contentType: req.headers['content-type'] ?? null,
        bodySha256: createHash('sha256').update(result.body).digest('hex'),
        bodyLength: result.body.length,
        signedHeaders: result.signedHeaders,
      }),
    );
  }),
);
server.listen(0, '127.0.0.1', () => console.log(`ready ${server.address().port}`));
const stop = () => server.close(() => (redis ? redis.quit().finally(() => process.exit(0)) : process.exit(0)));
process.on('SIGTERM', stop);
process.stdin.on('end', stop); // the parent went away
process.stdin.resume();
