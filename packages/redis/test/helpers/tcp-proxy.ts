// A real TCP proxy in front of Redis, so a test can cut or stall the
// connection a client holds (no mocked client, no pausing the shared server).
import net from 'node:net';

export class TcpProxy {
  /** While true, bytes from clients are swallowed: Redis never answers. */
  stalled = false;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #target: { host: string; port: number };

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = net.createServer((client) => this.#pipe(client));
  }

  /** Listens on 127.0.0.1 on a random port, forwarding to `redisUrl`. */
  static async start(redisUrl: string): Promise<TcpProxy> {
    const { hostname, port } = new URL(redisUrl);
    const proxy = new TcpProxy({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) });
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Cuts every open connection (Redis "went away"); new ones still work. */
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
