import type { IoredisClient, NodeRedisClient, RedisClient } from '../options.js';

/** Sends one command (name first) and resolves with the raw reply. */
export type Send = (args: [string, ...string[]]) => Promise<unknown>;

function isIoredis(client: RedisClient): client is IoredisClient {
  return typeof (client as Partial<IoredisClient>).call === 'function';
}

/**
 * One function over either client. Both paths put the exact command on the
 * wire: no option object a client version might read differently (node-redis
 * v4 and v5 spell SET's options differently; a misread NX would silently turn
 * replay protection off).
 */
export function sender(client: RedisClient): Send {
  if (isIoredis(client)) {
    // ioredis `call` also routes by key on a Cluster and honours `keyPrefix`.
    return ([command, ...args]) => client.call(command, args);
  }
  const nodeRedis: NodeRedisClient = client;
  return (args) => nodeRedis.sendCommand(args);
}

/** True for a Redis simple-string `OK`, as a string or as a Buffer (type mappings). */
export function isOk(reply: unknown): boolean {
  if (reply === 'OK') return true;
  return reply instanceof Uint8Array && reply.length === 2 && reply[0] === 0x4f && reply[1] === 0x4b;
}
