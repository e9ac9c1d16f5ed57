import net from 'node:net';

/**
 * A port on 127.0.0.1 that was free a moment ago (the OS picked it). Nothing
 * listens there when this resolves: connect to it to test "refused", or give
 * it to a server you start.
 *
 * @example
 * const client = new Redis(`redis://127.0.0.1:${await freePort()}`); // refused
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
