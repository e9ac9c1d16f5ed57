// Where a delivery may go. Resolve the host once, check every answer, and
// return the one address the connection will use: the check and the
// connect see the same address, so DNS rebinding has nothing to switch.
import { lookup as dnsLookup } from 'node:dns/promises';
import { SigilError } from '@sigil/core';
import { blockedRule, cidrContains, embeddedIpv4, formatIp, parseIp, type BlockRule, type Cidr, type IpAddress } from './ip.js';

/** One resolver answer. */
export interface LookupAnswer {
  readonly address: string;
  readonly family?: number;
}

/**
 * A resolver: every address `hostname` has. The default is `dns.lookup`
 * with `all: true`. A custom one (service discovery, tests) is checked like
 * the default.
 *
 * @example
 * const lookup: WebhookLookup = async (hostname) => [{ address: '203.0.113.7', family: 4 }];
 */
export type WebhookLookup = (hostname: string, options: { readonly signal: AbortSignal }) => Promise<readonly LookupAnswer[]>;

/** Why a destination is refused: an address rule, or `scheme` / `credentials` / `invalid-url` / `invalid-address`. */
export type DestinationRule = BlockRule | 'scheme' | 'credentials' | 'invalid-url' | 'invalid-address';

/** What the checks allow. */
export interface DestinationPolicy {
  readonly allowHttp: boolean;
  readonly allowCidrs: readonly Cidr[];
  readonly allowHosts: ReadonlySet<string>;
  readonly lookup?: WebhookLookup;
}

/** A checked destination: connect to `address`, verify TLS against `servername`. */
export interface Destination {
  readonly url: URL;
  readonly address: string;
  readonly family: 4 | 6;
  /** The host name for SNI and certificate checks; absent for an IP literal (checked against the IP). */
  readonly servername?: string;
}

const RULES = new WeakMap<SigilError, DestinationRule>();

/** Raised when a destination is refused. The detail is the rule, never an address. */
export function refused(rule: DestinationRule): SigilError {
  const error = new SigilError('destination_not_allowed', { detail: rule });
  RULES.set(error, rule);
  return error;
}

/** The rule of a refusal made by refused(), if `error` is one. */
export function refusedRule(error: unknown): DestinationRule | undefined {
  return error instanceof Error ? RULES.get(error as SigilError) : undefined;
}

/** A lookup failed (no such name, resolver down): a network error, retried. */
export class LookupFailed extends Error {
  constructor(cause: unknown) {
    super('the host name could not be resolved', { cause });
    this.name = 'LookupFailed';
  }
}

async function defaultLookup(hostname: string): Promise<readonly LookupAnswer[]> {
  return dnsLookup(hostname, { all: true, verbatim: true });
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function allowedByCidr(address: IpAddress, cidrs: readonly Cidr[]): boolean {
  const v4 = embeddedIpv4(address);
  return cidrs.some((cidr) => cidrContains(cidr, address) || (v4 !== undefined && cidrContains(cidr, v4)));
}

/** Scheme and credentials: the checks that need no resolution. */
export function checkUrl(input: string | URL, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw refused('invalid-url');
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) throw refused('scheme');
  if (url.username !== '' || url.password !== '') throw refused('credentials');
  return url;
}

/**
 * Resolves and checks `url`. Throws `destination_not_allowed` (naming the
 * rule) when ANY answer is in a blocked range and not allowed, or
 * LookupFailed when the name does not resolve.
 */
export async function resolveDestination(url: URL, policy: DestinationPolicy, signal: AbortSignal): Promise<Destination> {
  // WHATWG URL parsing already turned decimal, octal, hex and short IPv4
  // hosts into dotted decimal; parseIp reads every form anyway.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = parseIp(hostname);
  let addresses: IpAddress[];
  if (literal) {
    addresses = [literal];
  } else {
    let answers: readonly LookupAnswer[];
    try {
      answers = await abortable((policy.lookup ?? defaultLookup)(hostname, { signal }), signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new LookupFailed(error);
    }
    if (!Array.isArray(answers) || answers.length === 0) throw new LookupFailed(undefined);
    addresses = answers.map((answer) => {
      const parsed = typeof answer?.address === 'string' ? parseIp(answer.address) : undefined;
      if (!parsed) throw refused('invalid-address');
      return parsed;
    });
  }
  const hostAllowed = !literal && policy.allowHosts.has(hostname.toLowerCase().replace(/\.$/, ''));
  for (const address of addresses) {
    if (hostAllowed || allowedByCidr(address, policy.allowCidrs)) continue;
    const rule = blockedRule(address);
    if (rule) throw refused(rule);
  }
  const chosen = addresses[0]!;
  return { url, address: formatIp(chosen), family: chosen.family, ...(literal ? {} : { servername: hostname.replace(/\.$/, '') }) };
}
