// Child process: the load generator. Sends every pre-signed request of the
// file once (each carries its own nonce, so none is a replay) with
// autocannon, then prints autocannon's summary as JSON on stdout.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** What the orchestrator writes for the load generator. */
export interface LoadFile {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  /** One header object per request, in send order. */
  readonly headers: ReadonlyArray<Record<string, string>>;
}

const [port, file, connections, amount] = process.argv.slice(2);
if (!port || !file || !connections || !amount) throw new Error('usage: e2e-load.js <port> <requests.json> <connections> <amount>');
const load = JSON.parse(readFileSync(file, 'utf8')) as LoadFile;
const body = Buffer.from(load.body);
let next = 0;

const result = await autocannon({
  url: `http://127.0.0.1:${port}`,
  connections: Number(connections),
  amount: Number(amount),
  timeout: 30,
  // autocannon notices that `amount` is reached only at a sample tick; the
  // default tick of 1 s would round every duration to whole seconds.
  sampleInt: 10,
  requests: [
    {
      // autocannon rebuilds a request on every send when setupRequest is set.
      setupRequest: (req) => {
        const headers = load.headers[next++];
        if (!headers) throw new Error('ran out of pre-signed requests');
        return { ...req, method: load.method as 'POST', path: load.path, headers, body };
      },
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    durationMs: result.finish.getTime() - result.start.getTime(),
    // From start and finish: result.duration is rounded to 10 ms.
    requestsPerSec: (result.requests.total * 1000) / (result.finish.getTime() - result.start.getTime()),
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
