// Real servers on 127.0.0.1 with a random port, and a TLS certificate made
// on the spot with the system's openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { serve, type HttpBindings } from '@hono/node-server';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Listens on 127.0.0.1:0 and resolves the origin. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server, dropping idle keep-alive connections. */
export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A self-signed certificate for 127.0.0.1. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sigil-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes `head` (and optionally more) on a raw TCP connection and resolves
 * the response head as text, as soon as it arrives: a server that answers
 * without waiting for the body is seen to do so.
 */
export function rawRequest(host: string, head: string, more?: (socket: Socket) => void): Promise<string> {
  const [hostname, port] = host.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(head);
      more?.(socket);
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', (error) => (text.includes('\r\n\r\n') ? resolve(text) : reject(error)));
    socket.on('close', () => resolve(text));
  });
}

/** The request head for rawRequest(). */
export function head(method: string, target: string, headers: Record<string, string | number>): string {
  return `${method} ${target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

/** Serves a Fetch handler with @hono/node-server on 127.0.0.1:0; resolves the server and its host. */
export function serveFetch(
  fetch: (request: Request, env: HttpBindings) => Response | Promise<Response>,
): Promise<{ server: Server; host: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: fetch as Parameters<typeof serve>[0]['fetch'], port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ server, host: `127.0.0.1:${info.port}` }),
    ) as Server;
  });
}
