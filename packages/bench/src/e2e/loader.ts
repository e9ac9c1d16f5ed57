// The end-to-end load generator: every request serialised to its bytes
// before the clock starts, then sent over keep-alive connections, one in
// flight per connection, each written with one socket write. Per request
// it only writes a prebuilt buffer and finds the end of the response, so
// one core of it keeps one core of a Node http server busy (a generator
// that builds each request as it sends, as autocannon does, left the plain
// server idle part of the time and so understated what a verifier costs).
import { connect, type Socket } from 'node:net';
import { quantile } from '../harness.js';

/** What the orchestrator writes for the load generator. */
export interface LoadFile {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  /** One header object per request, in send order. */
  readonly headers: ReadonlyArray<Record<string, string>>;
}

/** What one run measured. Latencies in milliseconds; `errors` is always 0 (a connection error rejects the run). */
export interface LoadSummary {
  readonly requests: number;
  readonly durationMs: number;
  readonly requestsPerSec: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** This generator's own CPU time (user + system) per answered request while sending, microseconds. */
  readonly loadMicros: number;
}

/** Thrown for a request it cannot write or an answer it cannot frame (only Content-Length and chunked bodies are read). */
export class LoadProtocolError extends Error {
  override readonly name = 'LoadProtocolError';
}

/** The bytes of each request of `load`, in order: request line, its headers (with Host and Content-Length added when they lack them), body. */
export function serialise(load: LoadFile, host: string): Buffer[] {
  const body = Buffer.from(load.body);
  return load.headers.map((headers) => {
    let head = `${load.method} ${load.path} HTTP/1.1\r\n`;
    let length = false;
    let hasHost = false;
    for (const [name, value] of Object.entries(headers)) {
      if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new LoadProtocolError(`header ${JSON.stringify(name)} holds a line break`);
      const lower = name.toLowerCase();
      if (lower === 'content-length') {
        if (Number(value) !== body.length) throw new LoadProtocolError(`content-length ${value} is not the body's ${body.length} bytes`);
        length = true;
      }
      hasHost ||= lower === 'host';
      head += `${name}: ${value}\r\n`;
    }
    if (!hasHost) head += `Host: ${host}\r\n`;
    if (!length) head += `Content-Length: ${body.length}\r\n`;
    return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
  });
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)[ \t]*(?=\r\n)/i;
const CHUNKED = /\r\ntransfer-encoding:[ \t]*chunked[ \t]*(?=\r\n)/i;
const CHUNK_SIZE = /^([0-9a-f]{1,8})(?:;[^\r\n]*)?$/i;
const MAX_HEAD = 64 * 1024;

/**
 * Splits a byte stream into HTTP/1.1 responses, framed by Content-Length
 * or chunked (trailers skipped); `onResponse(status)` for each whole one.
 * Throws LoadProtocolError for anything else (close-delimited, a head or a
 * chunk-size line past 64 KiB, a bad status line or chunk size).
 */
export function responseReader(onResponse: (status: number) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  // 'head'; 'body' with `left` bytes to come; 'size' (a chunk-size line);
  // 'data' with `left` bytes and their CRLF to come; 'trailer' lines until an empty one.
  let state: 'head' | 'body' | 'size' | 'data' | 'trailer' = 'head';
  let left = 0;
  let status = 0;
  const line = (): string | undefined => {
    const end = pending.indexOf(CRLF);
    if (end < 0) {
      if (pending.length > MAX_HEAD) throw new LoadProtocolError('a response line over 64 KiB');
      return undefined;
    }
    const text = pending.toString('latin1', 0, end);
    pending = pending.subarray(end + 2);
    return text;
  };
  const finish = (): void => {
    state = 'head';
    onResponse(status);
  };
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (state === 'head') {
        const end = pending.indexOf(HEAD_END);
        if (end < 0) {
          if (pending.length > MAX_HEAD) throw new LoadProtocolError('a response head over 64 KiB');
          return;
        }
        const head = pending.toString('latin1', 0, end + 2);
        const first = /^HTTP\/1\.[01] (\d{3})[ \r]/.exec(head);
        if (!first) throw new LoadProtocolError(`not an HTTP/1.1 status line: ${JSON.stringify(head.slice(0, 40))}`);
        status = Number(first[1]);
        pending = pending.subarray(end + 4);
        const length = CONTENT_LENGTH.exec(head);
        if (CHUNKED.test(head)) state = 'size';
        else if (length) [state, left] = ['body', Number(length[1])];
        else throw new LoadProtocolError(`a ${status} response neither chunked nor with Content-Length (close-delimited)`);
      } else if (state === 'body') {
        if (pending.length < left) return;
        pending = pending.subarray(left);
        finish();
      } else if (state === 'size') {
        const text = line();
        if (text === undefined) return;
        const size = CHUNK_SIZE.exec(text);
        if (!size) throw new LoadProtocolError(`a bad chunk-size line: ${JSON.stringify(text.slice(0, 40))}`);
        left = parseInt(size[1]!, 16);
        state = left === 0 ? 'trailer' : 'data';
      } else if (state === 'data') {
        if (pending.length < left + 2) return;
        if (pending[left] !== 13 || pending[left + 1] !== 10) throw new LoadProtocolError('a chunk not followed by CRLF');
        pending = pending.subarray(left + 2);
        state = 'size';
      } else {
        const text = line();
        if (text === undefined) return;
        if (text === '') finish();
      }
    }
  };
}

export interface LoadOptions {
  readonly port: number;
  readonly requests: readonly Buffer[];
  readonly connections: number;
  /** Per-request limit, milliseconds: a request past it counts as a timeout and its connection is dropped. */
  readonly timeoutMs?: number;
}

/**
 * Sends every request once (request i before request i + 1 is taken), over
 * `connections` keep-alive connections to 127.0.0.1:port, and resolves
 * what it measured. Rejects on a connection error, an answer it cannot
 * frame, or a connection the server closes before every request is sent.
 *
 * @example
 * const summary = await runLoad({ port, requests: serialise(load, `127.0.0.1:${port}`), connections: 10 });
 */
export async function runLoad({ port, requests, connections, timeoutMs = 30_000 }: LoadOptions): Promise<LoadSummary> {
  if (!Number.isInteger(connections) || connections < 1) throw new RangeError('connections must be a positive integer');
  const latencies = new Float64Array(requests.length);
  let next = 0;
  let done = 0;
  let non2xx = 0;
  let timeouts = 0;
  const sockets = await Promise.all(
    Array.from({ length: Math.min(connections, requests.length) }, () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(socket));
        socket.once('error', reject);
      }),
    ),
  );
  // One sweep for every connection's deadline: a timer per request would cost the generator more than its writes.
  const deadlines: Array<(now: number) => void> = [];
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const check of deadlines) check(now);
  }, Math.min(timeoutMs, 250));
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve, reject) => {
          let index = -1;
          let sentAt = 0;
          const fail = (error: Error): void => {
            socket.destroy();
            reject(error);
          };
          deadlines.push((now) => {
            if (index < 0 || now - sentAt < timeoutMs) return;
            timeouts++;
            index = -1;
            socket.destroy();
            resolve();
          });
          const send = (): void => {
            if (next >= requests.length) {
              socket.end();
              return resolve();
            }
            index = next++;
            sentAt = performance.now();
            socket.write(requests[index]!);
          };
          const read = responseReader((status) => {
            if (index < 0) return fail(new LoadProtocolError('a response to no request'));
            latencies[done++] = performance.now() - sentAt;
            if (status < 200 || status > 299) non2xx++;
            index = -1;
            send();
          });
          socket.on('data', (chunk: Buffer) => {
            try {
              read(chunk);
            } catch (error) {
              fail(error as Error);
            }
          });
          socket.on('error', fail);
          socket.on('close', () => (index >= 0 ? fail(new Error(`the server closed a connection with request ${index} unanswered`)) : resolve()));
          send();
        }),
    ),
  ).finally(() => clearInterval(sweep));
  const durationMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const answered = Array.from(latencies.subarray(0, done));
  return {
    requests: done,
    durationMs,
    requestsPerSec: (done * 1000) / durationMs,
    latencyP50: quantile(answered, 0.5),
    latencyP99: quantile(answered, 0.99),
    non2xx,
    errors: 0,
    timeouts,
    loadMicros: (used.user + used.system) / done,
  };
}
