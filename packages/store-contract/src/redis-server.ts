// Throwaway redis-server processes on spare loopback ports, for tests that
// need a Redis configured their own way (a tiny maxmemory, an eviction
// policy, cluster mode) without touching the shared one on 6379.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { inCI, reachable } from './service.js';
import { freePort } from './ports.js';

/** One redis-server this process started. */
export interface SpawnedRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly child: ChildProcess;
  /** Kills the process (SIGKILL: a crash, as a failover test wants) and waits for it. */
  kill(): Promise<void>;
}

/** True when `binary --version` runs; under CI=true, false is an error. */
export function requireBinary(binary: string, suite: string): boolean {
  const ok = spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
  if (ok) return true;
  const banner = `\n${'='.repeat(78)}\n  ${suite}: no ${binary} on PATH. ${inCI() ? 'CI=true requires it: FAILING.' : 'These tests are SKIPPED.'}\n  Install it (Debian: apt-get install -y redis-server) and run them again.\n${'='.repeat(78)}\n`;
  if (inCI()) throw new Error(`${binary} is required under CI=true.${banner}`);
  console.warn(banner);
  return false;
}

/** True when redis-server and redis-cli are on PATH (skip loudly / fail under CI otherwise). */
export const redisServerAvailable = (suite: string): boolean => requireBinary('redis-server', suite) && requireBinary('redis-cli', suite);

async function waitFor(port: number, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    if (await reachable('127.0.0.1', port, 200)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not listen within ${ms} ms`);
}

/**
 * Starts `redis-server` on a free 127.0.0.1 port with no persistence, plus
 * `args` (`['--maxmemory', '2mb', '--maxmemory-policy', 'volatile-ttl']`),
 * and resolves once it accepts connections. Kill it in `afterAll`.
 *
 * @example
 * const redis = await startRedisServer(['--maxmemory-policy', 'volatile-ttl']);
 * const client = new Redis(redis.url);
 * await redis.kill();
 */
export async function startRedisServer(args: readonly string[] = [], options: { port?: number; cwd?: string } = {}): Promise<SpawnedRedis> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...args],
    { stdio: 'ignore', ...(options.cwd ? { cwd: options.cwd } : {}) },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitFor(port, child, 10_000);
  } catch (error) {
    await kill();
    throw error;
  }
  return { port, url: `redis://127.0.0.1:${port}`, child, kill };
}
