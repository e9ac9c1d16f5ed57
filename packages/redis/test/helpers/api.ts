// One verifier (createVerifier + RedisNonceStore) behind node:http on
// 127.0.0.1, answering 201 to every request it accepts.
import { createServer } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SigilKey } from '@sigil/core';
import { RedisNonceStore, type RedisClient, type RedisNonceStoreOptions } from '@sigil/redis';
import { createVerifier } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';

export interface Api {
  readonly store: RedisNonceStore;
  /** `<keyId> <body>` of every accepted request, in order. */
  readonly accepted: string[];
  readonly port: number;
  readonly agent: http.Agent;
  /** Closes the server and the agent; the client stays the caller's. */
  close(): Promise<void>;
}

export async function startApi(client: RedisClient, keys: Record<string, SigilKey>, storeOptions: Partial<RedisNonceStoreOptions> = {}): Promise<Api> {
  const store = new RedisNonceStore({ client, timeoutMs: 10_000, ...storeOptions });
  const accepted: string[] = [];
  const verifier = createVerifier({ keys, nonceStore: store, requiredHeaders: ['content-type'] });
  const server = createServer(
    sigilListener(verifier, (_req, res, { keyId, body }) => {
      accepted.push(`${keyId} ${new TextDecoder().decode(body)}`);
      res.writeHead(201).end();
    }),
  );
  // The agent keeps idle sockets with no timeout of its own; a failover can
  // leave them idle past Node's 5 s default, and a request sent on a socket
  // the server is closing at that moment fails with ECONNRESET.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return {
    store,
    accepted,
    port: (server.address() as AddressInfo).port,
    agent,
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
