// Whether a service the tests need (Redis, PostgreSQL, ...) is there, and
// what happens when it is not: skip loudly on a developer machine, fail
// under CI=true.
import net from 'node:net';

/** True when something accepts a TCP connection at host:port within `ms`. */
export function reachable(host: string, port: number, ms = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, ''), port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** What `requireService` needs to know. */
export interface ServiceProbe {
  /** Who is asking, for the banner: `@sigil/redis`. */
  readonly suite: string;
  /** What is missing: `Redis`, `PostgreSQL`. */
  readonly service: string;
  /** Where the tests look for it: a URL (`redis://127.0.0.1:6379`). */
  readonly url: string;
  /** The port when the URL has none. */
  readonly defaultPort: number;
  /** Shell lines that start one, for the banner. */
  readonly start: readonly string[];
}

/** True under CI=true, where a missing service is an error, not a skip. */
export const inCI = (): boolean => process.env.CI === 'true';

/**
 * Probes the service once. Up: true. Down: under CI=true throws (the run
 * fails); elsewhere prints a banner saying which tests are SKIPPED and how to
 * start the service, and returns false (use it with `describe.runIf`).
 *
 * @example
 * export const redisUp = await requireService({ suite: '@sigil/redis', service: 'Redis', url: REDIS_URL, defaultPort: 6379, start: [START] });
 */
export async function requireService(probe: ServiceProbe): Promise<boolean> {
  const { hostname, port } = new URL(probe.url);
  if (await reachable(hostname, Number(port || probe.defaultPort))) return true;
  const ci = inCI();
  const banner = [
    '',
    '='.repeat(78),
    `  ${probe.suite}: no ${probe.service} at ${probe.url}. ${ci ? 'CI=true requires one: FAILING.' : `The ${probe.service} tests are SKIPPED.`}`,
    `  Start one and run them again:`,
    ...probe.start.map((line) => `    ${line}`),
    '='.repeat(78),
    '',
  ].join('\n');
  if (ci) throw new Error(`${probe.service} is required under CI=true.${banner}`);
  console.warn(banner);
  return false;
}
