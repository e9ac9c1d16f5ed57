// IP addresses as numbers, CIDR ranges, and the table of ranges a webhook
// may not be sent to. One module so the rules live in one place and one
// property test covers them.
//
// Addresses are parsed leniently (every form inet_aton(3) accepts for IPv4:
// decimal, octal and hex parts, 1 to 4 of them) because a resolver answer in
// such a form would otherwise be handed to the OS resolver, which reads it
// the same lenient way. What is connected to is always formatIp() of the
// parsed value, never the text.

/** An IPv4 (32-bit) or IPv6 (128-bit) address. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** A CIDR range. `base` has no bits set past `prefix`. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
}

/** The rule that refuses an address (or a URL: `scheme`, `invalid-address`). */
export type BlockRule =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'cgnat'
  | 'benchmarking'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'reserved';

const BITS = { 4: 32, 6: 128 } as const;
const V4_PART = /^(?:0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$/;

function ipv4Part(text: string): bigint | undefined {
  if (!V4_PART.test(text) || text.length > 34) return undefined;
  if (/^0[xX]/.test(text)) return text.length === 2 ? 0n : BigInt(text);
  if (text.length > 1 && text.startsWith('0')) return BigInt(`0o${text.slice(1)}`);
  return BigInt(text);
}

/** IPv4 in any inet_aton form: `127.0.0.1`, `2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`. */
export function parseIpv4(text: string): IpAddress | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const values: bigint[] = [];
  for (const part of parts) {
    const value = ipv4Part(part);
    if (value === undefined) return undefined;
    values.push(value);
  }
  const last = values.pop()!;
  let value = 0n;
  for (const [index, part] of values.entries()) {
    if (part > 255n) return undefined;
    value |= part << BigInt(8 * (3 - index));
  }
  // The last part fills every byte the others left.
  if (last >= 1n << BigInt(8 * (4 - values.length))) return undefined;
  return { family: 4, value: value | last };
}

function strictIpv4(text: string): bigint | undefined {
  if (!/^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/.test(text)) return undefined;
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(part), 0n);
}

/** IPv6 text (RFC 4291 section 2.2, an optional dotted IPv4 tail; no zone, no brackets). */
export function parseIpv6(text: string): IpAddress | undefined {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let head = text;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = strictIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    head = text.slice(0, lastColon + 1);
    // `::ffff:` keeps its `::`; `1:2:3:4:5:6:` loses the colon before the tail.
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const group = (part: string): bigint[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => BigInt(`0x${g}`));
  };
  const left = group(halves[0]!);
  const right = halves.length === 2 ? group(halves[1]!) : [];
  if (!left || !right) return undefined;
  const given = left.length + right.length + tail.length;
  let groups: bigint[];
  if (halves.length === 2) {
    if (given > 7) return undefined;
    groups = [...left, ...Array<bigint>(8 - given).fill(0n), ...right, ...tail];
  } else {
    if (given !== 8) return undefined;
    groups = [...left, ...tail];
  }
  return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | g, 0n) };
}

/** An IPv4 (any inet_aton form) or IPv6 address; `[...]` brackets allowed. Undefined for anything else. */
export function parseIp(text: string): IpAddress | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) return undefined;
  if (text.startsWith('[') && text.endsWith(']')) return parseIpv6(text.slice(1, -1));
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/** Dotted decimal, or RFC 5952 IPv6 (lowercase, longest zero run of 2+ groups as `::`). */
export function formatIp(address: IpAddress): string {
  if (address.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((address.value >> shift) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((address.value >> BigInt(16 * (7 - i))) & 0xffffn));
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** `a.b.c.d/n` or `x::/n` (a bare address is a /32 or /128). Host bits must be zero. */
export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const parsed = address.includes(':') ? parseIpv6(address) : strictIpv4(address) === undefined ? undefined : parseIpv4(address);
  if (!parsed) return undefined;
  const bits = BITS[parsed.family];
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1);
  if (!/^(?:0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) return undefined;
  const prefix = Number(prefixText);
  if (parsed.value & hostMask(parsed.family, prefix)) return undefined;
  return { family: parsed.family, base: parsed.value, prefix };
}

function hostMask(family: 4 | 6, prefix: number): bigint {
  return (1n << BigInt(BITS[family] - prefix)) - 1n;
}

/** `a.b.c.d/n` text of a range. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.base })}/${cidr.prefix}`;
}

/** True when `address` lies in `cidr` (same family only). */
export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  return cidr.family === address.family && (address.value & ~hostMask(cidr.family, cidr.prefix)) === cidr.base;
}

/** One row of the default block table. */
export interface BlockedRange {
  readonly cidr: string;
  readonly rule: BlockRule;
  /** What the range is (RFC 6890 and the IANA special-purpose registries). */
  readonly note: string;
}

/**
 * Ranges refused by default, most specific first. IPv6 space outside
 * 2000::/3 (global unicast) is refused as `reserved` even where no row
 * names it; the IPv6 forms that embed an IPv4 address (EMBEDDED_V4) are
 * judged by the embedded address.
 */
export const BLOCKED_RANGES: readonly BlockedRange[] = [
  { cidr: '0.0.0.0/8', rule: 'unspecified', note: '"this network"; 0.0.0.0 reaches the local host on Linux' },
  { cidr: '10.0.0.0/8', rule: 'private', note: 'RFC 1918' },
  { cidr: '100.64.0.0/10', rule: 'cgnat', note: 'shared address space (RFC 6598)' },
  { cidr: '127.0.0.0/8', rule: 'loopback', note: 'loopback' },
  { cidr: '169.254.0.0/16', rule: 'link-local', note: 'link-local, including the 169.254.169.254 metadata service' },
  { cidr: '172.16.0.0/12', rule: 'private', note: 'RFC 1918' },
  { cidr: '192.0.0.0/24', rule: 'reserved', note: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', rule: 'documentation', note: 'TEST-NET-1' },
  { cidr: '192.88.99.0/24', rule: 'reserved', note: 'former 6to4 relay anycast' },
  { cidr: '192.168.0.0/16', rule: 'private', note: 'RFC 1918' },
  { cidr: '198.18.0.0/15', rule: 'benchmarking', note: 'RFC 2544' },
  { cidr: '198.51.100.0/24', rule: 'documentation', note: 'TEST-NET-2' },
  { cidr: '203.0.113.0/24', rule: 'documentation', note: 'TEST-NET-3' },
  { cidr: '224.0.0.0/4', rule: 'multicast', note: 'multicast' },
  { cidr: '255.255.255.255/32', rule: 'broadcast', note: 'limited broadcast' },
  { cidr: '240.0.0.0/4', rule: 'reserved', note: 'future use' },
  { cidr: '::/128', rule: 'unspecified', note: 'unspecified' },
  { cidr: '::1/128', rule: 'loopback', note: 'loopback' },
  { cidr: '64:ff9b:1::/48', rule: 'reserved', note: 'local-use NAT64 (RFC 8215)' },
  { cidr: '100::/64', rule: 'reserved', note: 'discard-only (RFC 6666)' },
  { cidr: '2001:2::/48', rule: 'benchmarking', note: 'RFC 5180' },
  { cidr: '2001:db8::/32', rule: 'documentation', note: 'RFC 3849' },
  { cidr: '2001::/23', rule: 'reserved', note: 'IETF protocol assignments, Teredo (2001::/32) included' },
  { cidr: '3fff::/20', rule: 'documentation', note: 'RFC 9637' },
  { cidr: '5f00::/16', rule: 'reserved', note: 'SRv6 SIDs (RFC 9602)' },
  { cidr: 'fc00::/7', rule: 'unique-local', note: 'unique local, including the fd00:ec2::254 metadata service' },
  { cidr: 'fe80::/10', rule: 'link-local', note: 'link-local' },
  { cidr: 'fec0::/10', rule: 'reserved', note: 'deprecated site-local' },
  { cidr: 'ff00::/8', rule: 'multicast', note: 'multicast' },
];

/** IPv6 ranges that carry an IPv4 address, and where it sits (bits from the right). */
export const EMBEDDED_V4: readonly { readonly cidr: string; readonly shift: number; readonly note: string }[] = [
  { cidr: '::ffff:0:0/96', shift: 0, note: 'IPv4-mapped' },
  { cidr: '::/96', shift: 0, note: 'IPv4-compatible (deprecated)' },
  { cidr: '64:ff9b::/96', shift: 0, note: 'NAT64 (RFC 6052)' },
  { cidr: '2002::/16', shift: 80, note: '6to4' },
];

const blocked = BLOCKED_RANGES.map((row) => ({ ...row, range: parseCidr(row.cidr)! }));
const embedded = EMBEDDED_V4.map((row) => ({ ...row, range: parseCidr(row.cidr)! }));
const GLOBAL_UNICAST = parseCidr('2000::/3')!;
const V4_COMPATIBLE = embedded[1]!.range;

/** The IPv4 address an IPv6 address embeds (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedIpv4(address: IpAddress): IpAddress | undefined {
  if (address.family !== 6) return undefined;
  for (const row of embedded) {
    if (cidrContains(row.range, address)) return { family: 4, value: (address.value >> BigInt(row.shift)) & 0xffffffffn };
  }
  return undefined;
}

/** The rule that refuses `address` by default, or undefined when it may be sent to. */
export function blockedRule(address: IpAddress): BlockRule | undefined {
  for (const row of blocked) if (cidrContains(row.range, address)) return row.rule;
  const v4 = embeddedIpv4(address);
  if (v4) {
    const rule = blockedRule(v4);
    if (rule) return rule;
    // Nothing legitimate uses IPv4-compatible addresses any more.
    return cidrContains(V4_COMPATIBLE, address) ? 'reserved' : undefined;
  }
  if (address.family === 6 && !cidrContains(GLOBAL_UNICAST, address)) return 'reserved';
  return undefined;
}
