// A throwaway Redis Cluster: three masters, three replicas, on spare
// loopback ports, created with `redis-cli --cluster create`. Fast failover
// (node timeout 500 ms) so a test can kill a master and watch.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import { startRedisServer, type SpawnedRedis } from './redis-server.js';

const run = promisify(execFile);

/** A running cluster this process started. */
export interface SpawnedCluster {
  /** Every node, masters and replicas as created (roles change on failover). */
  readonly nodes: readonly SpawnedRedis[];
  /** `[{ host: '127.0.0.1', port }]` for every node: seeds for either client. */
  readonly seeds: ReadonlyArray<{ host: string; port: number }>;
  /** Milliseconds from the first spawn to every node reporting `cluster_state:ok`. */
  readonly startupMs: number;
  /** The nodes that are masters now, by asking the cluster. */
  masters(): Promise<SpawnedRedis[]>;
  /** `CLUSTER INFO` / `INFO` field of one node, via redis-cli. */
  info(port: number, field: string, section?: 'cluster' | 'replication'): Promise<string | undefined>;
  /** Resolves once every live node says cluster_state:ok (and, by default, each master has a replica in sync). */
  waitHealthy(ms?: number, options?: { replicas?: boolean }): Promise<void>;
  /** Starts a killed node again on its port with its nodes.conf: it rejoins (an old master as a replica). */
  restart(port: number): Promise<SpawnedRedis>;
  /** Kills every node and removes their files. */
  stop(): Promise<void>;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5_000 });
  return stdout;
}

function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

/**
 * Starts six `redis-server --cluster-enabled yes` nodes, creates the cluster
 * with one replica per master and waits until it is healthy. Stop it in
 * `afterAll`.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const client = new Cluster(cluster.seeds);
 * await cluster.stop();
 */
export async function startRedisCluster(options: { nodeTimeoutMs?: number; args?: readonly string[] } = {}): Promise<SpawnedCluster> {
  // A spare port can be taken by another test between choosing and binding
  // it, and a node that lost that race is refused by `--cluster create`:
  // start afresh on new ports (each failed attempt is stopped and removed).
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(options);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function startClusterOnce(options: { nodeTimeoutMs?: number; args?: readonly string[] }): Promise<SpawnedCluster> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'sigil-cluster-'));
  const nodes: SpawnedRedis[] = [];
  const argsOf = new Map<number, string[]>();
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.kill()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // Twelve distinct ports: a port freed by one probe may be handed out again.
    const taken = new Set<number>();
    const spare = async (): Promise<number> => {
      for (;;) {
        const port = await freePort();
        if (!taken.has(port)) return taken.add(port), port;
      }
    };
    const ports: (readonly [number, number])[] = [];
    for (let i = 0; i < 6; i++) ports.push([await spare(), await spare()] as const);
    for (const [port, bus] of ports) {
      argsOf.set(port, [
        '--cluster-enabled', 'yes',
        '--cluster-port', String(bus),
        '--cluster-config-file', `nodes-${port}.conf`,
        '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 500),
        // A replica's first sync waits 5 s by default for others to join it.
        '--repl-diskless-sync-delay', '0',
        '--dir', dir,
        ...(options.args ?? []),
      ]);
    }
    nodes.push(...(await Promise.all(ports.map(([port]) => startRedisServer(argsOf.get(port)!, { port, cwd: dir })))));
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 30_000,
    });
  } catch (error) {
    await stop();
    throw error;
  }

  const info = async (port: number, name: string, section: 'cluster' | 'replication' = 'cluster') =>
    field(await cli(port, ...(section === 'cluster' ? ['cluster', 'info'] : ['info', 'replication'])), name);

  const alive = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);

  const masters = async () => {
    const roles = await Promise.all(alive().map(async (n) => [n, await info(n.port, 'role', 'replication')] as const));
    return roles.filter(([, role]) => role === 'master').map(([n]) => n);
  };

  const waitHealthy = async (ms = 30_000, { replicas = true } = {}) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const states = await Promise.all(alive().map((n) => info(n.port, 'cluster_state').catch(() => undefined)));
      let ok = states.every((state) => state === 'ok');
      if (ok && replicas) {
        const links = await Promise.all(alive().map(async (n) => [await info(n.port, 'role', 'replication'), await info(n.port, 'master_link_status', 'replication')]));
        ok = links.filter(([role]) => role === 'slave').every(([, link]) => link === 'up') && links.filter(([role]) => role === 'slave').length >= 3;
      }
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`redis cluster not healthy within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  try {
    await waitHealthy();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    seeds: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    startupMs: Math.round(performance.now() - started),
    masters,
    info,
    waitHealthy,
    async restart(port) {
      const index = nodes.findIndex((n) => n.port === port);
      await nodes[index]!.kill();
      const node = await startRedisServer(argsOf.get(port)!, { port, cwd: dir });
      nodes[index] = node;
      return node;
    },
    stop,
  };
}
