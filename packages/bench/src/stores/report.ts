// The store bench as tables: throughput against replay off, bytes per live
// nonce, and the latency each store adds, at every concurrency measured.
import type { StoresResult } from './child.js';

export type Table = (head: readonly string[], rows: readonly (readonly string[])[], markdown: boolean) => string[];

const us = (n: number): string => `${n >= 0 ? '+' : ''}${Math.abs(n) >= 1000 ? `${(n / 1000).toFixed(2)} ms` : `${n.toFixed(0)} us`}`;

/**
 * The store section of the report.
 *
 * @example
 * lines.push(...storesSection(report.stores, table, true));
 */
export function storesSection(r: StoresResult, table: Table, markdown: boolean): string[] {
  const h = (title: string): string => (markdown ? `#### ${title}` : `== ${title}`);
  const levels = r.stores[0]?.levels.map((l) => l.concurrency) ?? [];
  const out: string[] = [h(`Replay stores, verify throughput vs replay off (${r.scenario})`), ''];
  out.push(
    ...table(
      ['store', ...levels.map((c) => `c=${c} vs off`), ...levels.map((c) => `c=${c} ops/s`)],
      r.stores.map((s) => [
        s.label,
        ...s.levels.map((l) => `${l.ratio.toFixed(2)}x (${l.ratioMin.toFixed(2)}-${l.ratioMax.toFixed(2)})`),
        ...s.levels.map((l) => Math.round(l.opsPerSec).toLocaleString('en-US')),
      ]),
      markdown,
    ),
  );
  out.push('', h('Replay stores, latency per request added vs replay off (p50 / p99)'), '');
  out.push(
    ...table(
      ['store', ...levels.map((c) => `c=${c} p50 / p99`), 'bytes per live nonce'],
      r.stores.map((s) => [
        s.label,
        ...s.levels.map((l) => (s.id === 'off' ? `${l.p50Us.toFixed(0)} us / ${l.p99Us.toFixed(0)} us (absolute)` : `${us(l.addedP50Us)} / ${us(l.addedP99Us)}`)),
        s.bytesPerNonce === undefined ? '-' : `${Math.round(s.bytesPerNonce)} B`,
      ]),
      markdown,
    ),
  );
  out.push(
    '',
    `${r.rounds} rounds, stores interleaved; ${Object.entries(r.requests).map(([c, n]) => `${n} requests at c=${c}`).join(', ')} per store and round; ` +
      `ratios per round against replay off in the same round. Bytes per nonce over ${r.bytesEntries.toLocaleString('en-US')} nonces: ` +
      r.stores.filter((s) => s.bytesMethod).map((s) => `${s.id}: ${s.bytesMethod}`).join('; ') +
      '.',
  );
  for (const s of r.skipped) out.push('', `SKIPPED ${s.id}: ${s.reason}`);
  out.push('');
  return out;
}
