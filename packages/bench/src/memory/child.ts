// Child process (run with --expose-gc): extra memory while verifying a
// 16 MiB body. Baseline after a forced GC with everything but the
// verification in place; then the peak during it, from three sources: the
// kernel's high-water RSS (getrusage maxRSS), process.memoryUsage() sampled
// every millisecond, and ArrayBuffer memory right after (before any GC could
// free the copies). The largest of the three is reported.
//   direct: verifier.verify() on body bytes already in memory;
//   stream: a loopback upload read by the Node adapter (verifyNodeRequest).
import { createServer } from 'node:http';
import { verifyNodeRequest } from '@sigil/verify/node';
import { benchVerifier, presign } from '../rows/sigil-verify.js';
import { scenario } from '../scenarios.js';

/** One memory measurement. Byte counts. */
export interface MemoryResult {
  readonly mode: 'direct' | 'stream';
  readonly bodyBytes: number;
  readonly verified: boolean;
  readonly maxRssDelta: number;
  readonly sampledRssDelta: number;
  readonly arrayBuffersDelta: number;
  /** max of the three deltas. */
  readonly extraBytes: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const maxRss = (): number => process.resourceUsage().maxRSS * 1024;

/** Starts sampling; the returned function stops it and gives the deltas against the baseline taken now. */
function watch(): () => Omit<MemoryResult, 'mode' | 'bodyBytes' | 'verified'> {
  gc!();
  gc!();
  const base = process.memoryUsage();
  const baseMax = maxRss();
  let peakRss = base.rss;
  let peakBuffers = base.arrayBuffers;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  }, 1);
  return () => {
    clearInterval(timer);
    const m = process.memoryUsage();
    const maxRssDelta = Math.max(0, maxRss() - Math.max(baseMax, base.rss));
    const sampledRssDelta = Math.max(peakRss, m.rss) - base.rss;
    const arrayBuffersDelta = Math.max(peakBuffers, m.arrayBuffers) - base.arrayBuffers;
    return { maxRssDelta, sampledRssDelta, arrayBuffersDelta, extraBytes: Math.max(maxRssDelta, sampledRssDelta, arrayBuffersDelta) };
  };
}

const s = scenario('body-16mib', true);
const verifier = benchVerifier(s);
const mode = process.argv[2];

if (mode === 'direct') {
  const [request] = presign(s, 1);
  const stop = watch();
  const result = await verifier.verify(request!);
  const out: MemoryResult = { mode, bodyBytes: s.body.length, verified: result.ok, ...stop() };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else if (mode === 'stream') {
  let stop: ReturnType<typeof watch> | undefined;
  const server = createServer((req, res) => {
    verifyNodeRequest(verifier, req).then((result) => {
      const out: MemoryResult = { mode, bodyBytes: s.body.length, verified: result.ok, ...stop!() };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    });
  });
  // The baseline is taken before the upload starts: the orchestrator asks for it first.
  server.on('connection', () => {
    stop ??= watch();
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  });
  process.stdin.resume();
  process.stdin.on('end', () => server.close(() => process.exit(0)));
} else {
  throw new Error('usage: memory.js <direct|stream>');
}
