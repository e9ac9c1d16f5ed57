// An undici Agent whose every connection goes to one checked address. The
// URL keeps its host name, so the Host header, SNI and the certificate
// check all use the name; only the socket's address is pinned.
import { Agent, buildConnector } from 'undici';
import type { WebhookTlsOptions } from '../options.js';
import type { Destination } from './destination.js';

// Defence in depth: the pinned host is always an IP literal, so Node never
// resolves it. Should a name ever reach the socket, fail instead of resolving.
function refuseLookup(_hostname: string, _options: unknown, callback: (error: Error) => void): void {
  callback(new Error('webhook sender: unexpected DNS lookup at connect'));
}

/** An Agent for one attempt, pinned to `destination.address`. Destroy it when done. */
export function pinnedAgent(destination: Destination, tls: WebhookTlsOptions, timeoutMs: number): Agent {
  const connector = buildConnector({
    ...(tls.ca === undefined ? {} : { ca: tls.ca as string | Buffer | (string | Buffer)[] }),
    timeout: timeoutMs,
    lookup: refuseLookup,
    rejectUnauthorized: true,
  } as buildConnector.BuildOptions);
  return new Agent({
    connections: 1,
    pipelining: 1,
    connect: (options, callback) =>
      connector({ ...options, hostname: destination.address, ...(destination.servername ? { servername: destination.servername } : {}) }, callback),
  });
}
