import { storeUnavailable } from '@sigil/verify/store';
import type { IoredisClient, NodeRedisClient, NodeRedisClusterClient, RedisClient } from '../options.js';

/** Sends one command (name first) and resolves with the raw reply. */
export type Send = (args: [string, ...string[]]) => Promise<unknown>;

/**
 * One interface over every supported client. Each path puts the exact
 * command on the wire: no option object a client version might read
 * differently (node-redis v4 and v5 spell SET's options differently; a
 * misread NX would silently turn replay protection off).
 */
export interface Wire {
  /** Sends a command whose key is `args[1]` to the node that holds that key. */
  send: Send;
  /** Sends `args` and then `WAIT replicas ms` on the same connection: [reply, replicas that acknowledged]. */
  sendAndWait(args: [string, ...string[]], replicas: number, ms: number): Promise<[unknown, unknown]>;
  /** One sender per node, masters and replicas (one for a single Redis). */
  nodes(): Promise<Send[]>;
}

interface IoredisCluster extends IoredisClient {
  nodes(role: 'all'): IoredisClient[];
  pipeline(): IoredisPipeline;
}
interface IoredisPipeline {
  call(command: string, args: string[]): IoredisPipeline;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

const isIoredis = (client: RedisClient): client is IoredisClient => typeof (client as Partial<IoredisClient>).call === 'function';
const isIoredisCluster = (client: IoredisClient): client is IoredisCluster =>
  typeof (client as Partial<IoredisCluster>).nodes === 'function' && typeof (client as Partial<IoredisCluster>).pipeline === 'function';
const isNodeRedisCluster = (client: RedisClient): client is NodeRedisClusterClient => 'masters' in client;

const waitArgs = (replicas: number, ms: number): [string, ...string[]] => ['WAIT', String(replicas), String(ms)];

/** Sequential commands on one connection arrive in order: send both at once. */
const both = (send: Send): Wire['sendAndWait'] => (args, replicas, ms) => Promise.all([send(args), send(waitArgs(replicas, ms))]);

function ioredisWire(client: IoredisClient): Wire {
  // ioredis `call` also routes by key on a Cluster and honours `keyPrefix`.
  const send: Send = ([command, ...args]) => client.call(command, args);
  if (!isIoredisCluster(client)) return { send, sendAndWait: both(send), nodes: async () => [send] };
  return {
    send,
    async sendAndWait([command, ...args], replicas, ms) {
      // A keyless WAIT through `call` would go to any node; in a pipeline it
      // follows the SET's slot, to the node that took the write. WAIT's count
      // means something only if the SET ran there: any error fails the pair.
      const [wait, ...waitRest] = waitArgs(replicas, ms);
      const attempt = async () => {
        const results = await client.pipeline().call(command, args).call(wait, waitRest).exec();
        if (!results || results.length !== 2) throw storeUnavailable('unexpected pipeline reply from redis');
        return results;
      };
      let results = await attempt();
      // After a failover ioredis may hold a stale slot map, and it does not
      // follow a MOVED inside a mixed pipeline. The SET did not run; a plain
      // keyed command follows the redirect and updates the map, then retry once.
      if (results[0]![0] && /^MOVED /.test(results[0]![0].message) && args[0] !== undefined) {
        await client.call('PTTL', [args[0]]);
        results = await attempt();
      }
      for (const [error] of results) if (error) throw error;
      return [results[0]![1], results[1]![1]];
    },
    async nodes() {
      const nodes = client.nodes('all');
      if (nodes.length === 0) throw storeUnavailable('the redis cluster client knows no node yet (not connected)');
      return nodes.map((node) => ([command, ...args]) => node.call(command, args));
    },
  };
}

function nodeRedisClusterWire(client: NodeRedisClusterClient): Wire {
  const send: Send = (args) => client.sendCommand(args[1], false, args);
  const nodeClient = client.nodeClient.bind(client) as (node: object) => Promise<NodeRedisClient>;
  return {
    send,
    // WAIT only after the SET has settled: node-redis follows a MOVED by
    // updating its slot map first, so the WAIT reaches the node (and the
    // connection) that took the write, never a node that merely used to own the slot.
    async sendAndWait(args, replicas, ms) {
      const reply = await send(args);
      return [reply, await client.sendCommand(args[1], false, waitArgs(replicas, ms))];
    },
    async nodes() {
      const nodes = [...client.masters, ...client.replicas];
      if (nodes.length === 0) throw storeUnavailable('the redis cluster client knows no node yet (not connected)');
      return nodes.map((node) => async (args) => (await nodeClient(node)).sendCommand(args));
    },
  };
}

/** The wire for `client`: ioredis (`Redis`, `Cluster`), node-redis (`createClient`, `createCluster`). */
export function wire(client: RedisClient): Wire {
  if (isIoredis(client)) return ioredisWire(client);
  if (isNodeRedisCluster(client)) return nodeRedisClusterWire(client);
  const nodeRedis: NodeRedisClient = client;
  const send: Send = (args) => nodeRedis.sendCommand(args);
  return { send, sendAndWait: both(send), nodes: async () => [send] };
}

/** True for a Redis simple-string `OK`, as a string or as a Buffer (type mappings). */
export function isOk(reply: unknown): boolean {
  if (reply === 'OK') return true;
  return reply instanceof Uint8Array && reply.length === 2 && reply[0] === 0x4f && reply[1] === 0x4b;
}
