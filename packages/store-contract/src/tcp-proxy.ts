// A real TCP proxy in front of a store's server, so a test can cut or stall
// the connection a client holds (no mocked client, no pausing the shared
// server).
import net from 'node:net';

/** Where the proxy forwards to. */
export interface ProxyTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * Listens on 127.0.0.1 on a random port and forwards every connection to the
 * target.
 *
 * @example
 * const proxy = await TcpProxy.start({ host: '127.0.0.1', port: 6379 });
 * const client = new Redis(`redis://127.0.0.1:${proxy.port}`);
 * proxy.stalled = true; // the next command reaches the proxy and stops there
 * proxy.cut();          // the server "went away"
 */
export class TcpProxy {
  /** While true, bytes from clients are swallowed: the server never answers. */
  stalled = false;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #target: ProxyTarget;

  private constructor(target: ProxyTarget) {
    this.#target = target;
    this.#server = net.createServer((client) => this.#pipe(client));
  }

  /** Starts a proxy to `target` (a `{ host, port }` or a URL such as `redis://127.0.0.1:6379`). */
  static async start(target: ProxyTarget | string, defaultPort = 6379): Promise<TcpProxy> {
    const resolved =
      typeof target === 'string'
        ? (({ hostname, port }) => ({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || defaultPort) }))(new URL(target))
        : target;
    const proxy = new TcpProxy(resolved);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** The proxy's address as a URL with `protocol` (`redis:`, `postgres:`). */
  url(protocol = 'redis:'): string {
    return `${protocol}//127.0.0.1:${this.port}`;
  }

  /** Cuts every open connection (the server "went away"); new ones still work. */
  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  /** Cuts every connection and stops accepting new ones. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.cut();
    await closed;
  }

  #pipe(client: net.Socket): void {
    const upstream = net.connect(this.#target);
    this.#sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (!this.stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) socket.on('close', end).on('error', end);
  }
}
