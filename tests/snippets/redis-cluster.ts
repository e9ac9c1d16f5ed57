// A Redis Cluster on loopback for the snippets that document one: one master
// holding every slot and one replica of it (so `waitReplicas: 1` is real),
// on spare ports, in a temporary directory. The snippets get its nodes as
// REDIS_CLUSTER_NODES=host:port,host:port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RedisCluster {
  /** `127.0.0.1:port,...`: the master first. */
  readonly nodes: string;
  stop(): void;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const cli = (port: number, ...args: string[]) => {
  const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 5_000 });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
};

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`redis cluster for the snippets: timed out waiting for ${what}`);
    await sleep(100);
  }
}

export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sigil-snippets-cluster-'));
  const ports = [await freePort(), await freePort()] as const;
  const children: ChildProcess[] = ports.map((port) =>
    spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
      '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir,
      '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction',
    ], { stdio: 'ignore' }),
  );
  const stop = () => {
    for (const child of children) child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [master, replica] = ports;
    for (const port of ports) await until(`redis-server on ${port}`, () => cli(port, 'ping') === 'PONG');
    cli(master, 'cluster', 'addslotsrange', '0', '16383');
    cli(replica, 'cluster', 'meet', '127.0.0.1', String(master));
    const masterId = cli(master, 'cluster', 'myid');
    await until('the replica to meet the master', () => cli(replica, 'cluster', 'nodes').includes(masterId));
    await until('the replica to attach', () => cli(replica, 'cluster', 'replicate', masterId) === 'OK');
    await until('the cluster to be healthy', () => cli(master, 'cluster', 'info').includes('cluster_state:ok') && /connected_slaves:1/.test(cli(master, 'info', 'replication')) && /master_link_status:up/.test(cli(replica, 'info', 'replication')));
    await until('the replica to see the slots', () => cli(replica, 'cluster', 'info').includes('cluster_state:ok'));
    return { nodes: ports.map((port) => `127.0.0.1:${port}`).join(','), stop };
  } catch (error) {
    stop();
    throw error;
  }
}
