// The address rules as a table, plus properties: parse/format round trips,
// every address inside a blocked range is blocked, and the IPv6 forms that
// embed an IPv4 address are judged by it.
import fc from 'fast-check';
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  BLOCKED_RANGES,
  blockedRule,
  cidrContains,
  EMBEDDED_V4,
  formatCidr,
  formatIp,
  parseCidr,
  parseIp,
  type BlockRule,
  type IpAddress,
} from '../src/lib/ip.js';

const ip = (text: string): IpAddress => {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(`unparsable ${text}`);
  return parsed;
};

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0x7F000001', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['10.0x10.0100', '10.16.0.64'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'],
    ['::', '::'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['::127.0.0.1', '::7f00:1'],
    ['64:ff9b::10.0.0.1', '64:ff9b::a00:1'],
    ['FD00:EC2:0:0:0:0:0:254', 'fd00:ec2::254'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ])('%s reads as %s', (text, formatted) => {
    expect(formatIp(ip(text))).toBe(formatted);
  });

  it.each([
    '', '256.0.0.1', '1.2.3.4.5', '1..2', '.1', '1.', '08', '0x1g', '4294967296', '1.16777216', '1.2.65536',
    ':::', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', '::1.2.3', '::256.1.1.1', '::01.2.3.4', 'fe80::1%eth0', 'g::', 'localhost', '[::1', ' 1.2.3.4',
  ])('refuses %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('agrees with node:net isIP on canonical forms', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        expect(isIP(text)).not.toBe(0);
        expect(parseIp(text)).toBeDefined();
      }),
    );
  });
});

const v4 = fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }).map((value): IpAddress => ({ family: 4, value }));
const v6 = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map((value): IpAddress => ({ family: 6, value }));

describe('formatIp / parseIp', () => {
  it('round-trip every IPv4 and IPv6 value', () => {
    fc.assert(fc.property(fc.oneof(v4, v6), (address) => {
      expect(parseIp(formatIp(address))).toEqual(address);
    }), { numRuns: 2000 });
  });

  it('format IPv6 as node:net does (RFC 5952)', () => {
    fc.assert(
      fc.property(v6, (address) => {
        const text = formatIp(address);
        // The WHATWG URL parser serialises IPv6 by the same RFC 5952 rules.
        expect(new URL(`http://[${text}]/`).hostname).toBe(`[${text}]`);
      }),
      { numRuns: 1000 },
    );
  });

  it('read the inet_aton forms the WHATWG URL parser reads, to the same address', () => {
    fc.assert(
      fc.property(v4, fc.integer({ min: 1, max: 4 }), fc.constantFrom(8, 10, 16), (address, parts, radix) => {
        const bytes = [24n, 16n, 8n, 0n].map((shift) => (address.value >> shift) & 0xffn);
        const head = bytes.slice(0, parts - 1);
        const last = bytes.slice(parts - 1).reduce((acc, b) => (acc << 8n) | b, 0n);
        const write = (n: bigint) => (radix === 16 ? `0x${n.toString(16)}` : radix === 8 ? `0${n.toString(8)}` : n.toString());
        const text = [...head, last].map(write).join('.');
        expect(parseIp(text)).toEqual(address);
        expect(new URL(`http://${text}/`).hostname).toBe(formatIp(address));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseCidr', () => {
  it('round-trips and refuses host bits, bad prefixes and non-canonical IPv4', () => {
    expect(formatCidr(parseCidr('10.0.0.0/8')!)).toBe('10.0.0.0/8');
    expect(formatCidr(parseCidr('::1')!)).toBe('::1/128');
    expect(formatCidr(parseCidr('127.0.0.1')!)).toBe('127.0.0.1/32');
    for (const bad of ['10.0.0.1/8', '10.0.0.0/33', '::/129', '10/8', '0x0a.0.0.0/8', '10.0.0.0/08', '10.0.0.0/', 'x']) expect(parseCidr(bad), bad).toBeUndefined();
  });
});

// One table row per default rule: a sample inside, and the rule it gets.
const SAMPLES: readonly [string, BlockRule][] = [
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.0.0.5', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.254', 'cgnat'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['169.254.0.1', 'link-local'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['192.88.99.1', 'reserved'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['fe80::1', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fec0::1', 'reserved'],
  ['fc00::1', 'unique-local'],
  ['fd00:ec2::254', 'unique-local'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  ['2001::1', 'reserved'],
  ['100::1', 'reserved'],
  ['64:ff9b:1::1', 'reserved'],
  ['5f00::1', 'reserved'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:10.1.2.3', 'private'],
  ['::127.0.0.1', 'loopback'],
  ['::10.0.0.1', 'private'],
  ['::8.8.8.8', 'reserved'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::169.254.169.254', 'link-local'],
  ['64:ff9b::192.168.0.1', 'private'],
  ['2002:7f00:1::', 'loopback'],
  ['2002:a9fe:a9fe::1', 'link-local'],
  ['2002:c0a8:101::', 'private'],
  ['::2:3', 'unspecified'],
  ['1::', 'reserved'],
  ['4000::1', 'reserved'],
  ['e000::1', 'reserved'],
];

describe('blockedRule', () => {
  it.each(SAMPLES)('%s is refused as %s', (text, rule) => {
    expect(blockedRule(ip(text))).toBe(rule);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.215.14', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.167.255.255', '198.17.255.255', '198.20.0.0', '223.255.255.255', '2606:4700::1111', '2a00:1450::1', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:808:808::1'])(
    '%s (public) is allowed',
    (text) => {
      expect(blockedRule(ip(text))).toBeUndefined();
    },
  );

  it('every range of the table has a sample', () => {
    for (const row of BLOCKED_RANGES) {
      const range = parseCidr(row.cidr)!;
      expect(SAMPLES.some(([text, rule]) => rule === row.rule && cidrContains(range, ip(text))), row.cidr).toBe(true);
    }
  });

  it('every address in a blocked range is blocked', () => {
    const rows = BLOCKED_RANGES.map((row) => parseCidr(row.cidr)!);
    fc.assert(
      fc.property(fc.constantFrom(...rows), fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), (range, random) => {
        const hostBits = BigInt((range.family === 4 ? 32 : 128) - range.prefix);
        const address: IpAddress = { family: range.family, value: range.base | (random & ((1n << hostBits) - 1n)) };
        expect(blockedRule(address)).toBeDefined();
      }),
      { numRuns: 5000 },
    );
  });

  it('an IPv6 form that embeds an IPv4 address is blocked exactly when that address is (mapped, NAT64, 6to4)', () => {
    const forms = EMBEDDED_V4.filter((row) => row.cidr !== '::/96').map((row) => ({ ...row, range: parseCidr(row.cidr)! }));
    fc.assert(
      fc.property(fc.constantFrom(...forms), v4, fc.bigInt({ min: 0n, max: 2n ** 80n - 1n }), (form, inner, low) => {
        const value = form.range.base | (inner.value << BigInt(form.shift)) | (form.shift ? low : 0n);
        expect(blockedRule({ family: 6, value })).toBe(blockedRule(inner));
      }),
      { numRuns: 3000 },
    );
  });

  it('IPv4-compatible addresses are always refused', () => {
    fc.assert(fc.property(v4, (inner) => {
        expect(blockedRule({ family: 6, value: inner.value })).toBeDefined();
      }));
  });
});
