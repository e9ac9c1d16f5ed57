// A spy on the socket layer: every net.connect / tls.connect in this
// process (undici's connector calls them), with the host it was given.
// Tests assert that a refused destination produced no connect at all, and
// that every connect went to a loopback address; a connect to any other
// address is intercepted (it throws before the socket exists).
import net from 'node:net';
import tls from 'node:tls';
import { vi } from 'vitest';

export interface ConnectSpy {
  readonly hosts: string[];
  restore(): void;
}

function hostOf(args: unknown[]): string {
  const first = args[0];
  if (typeof first === 'object' && first !== null) return String((first as { host?: unknown }).host ?? 'localhost');
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

export function spyOnConnects(): ConnectSpy {
  const hosts: string[] = [];
  const originalNet = net.connect;
  const originalTls = tls.connect;
  // Only loopback traffic leaves a test: any other host is recorded and
  // the connect fails here, before a packet is sent.
  const guard = (args: unknown[]) => {
    const host = hostOf(args);
    hosts.push(host);
    if (!isLoopback(host)) throw Object.assign(new Error('test guard: connect to a non-loopback address intercepted'), { code: 'ETESTGUARD' });
  };
  const netSpy = vi.spyOn(net, 'connect').mockImplementation(((...args: unknown[]) => {
    guard(args);
    return (originalNet as (...a: unknown[]) => net.Socket)(...args);
  }) as typeof net.connect);
  const tlsSpy = vi.spyOn(tls, 'connect').mockImplementation(((...args: unknown[]) => {
    guard(args);
    return (originalTls as (...a: unknown[]) => tls.TLSSocket)(...args);
  }) as typeof tls.connect);
  return {
    hosts,
    restore: () => {
      netSpy.mockRestore();
      tlsSpy.mockRestore();
    },
  };
}

/** True for 127.0.0.0/8 and ::1 (and their mapped form). */
export function isLoopback(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || /^::ffff:127\./.test(host);
}
