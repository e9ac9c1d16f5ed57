// Printing: one table per scenario, a ratio matrix, memory, end to end and
// the targets, as plain text for the terminal and as Markdown for README.md.
import type { E2EResult } from './e2e/run-e2e.js';
import { median } from './harness.js';
import type { MemoryResult } from './memory/child.js';
import type { StoresResult } from './stores/child.js';
import { storesSection } from './stores/report.js';
import type { Verdict } from './targets.js';
import { webhooksSection, type WebhookBenchGroup } from './webhooks/run-webhooks.js';
import type { ScenarioResult } from './worker.js';

/** Everything one `pnpm bench` run produced (also the JSON written to results/). */
export interface BenchReport {
  readonly date: string;
  readonly quick: boolean;
  readonly machine: {
    readonly cpus: number;
    readonly model: string;
    readonly node: string;
    readonly platform: string;
    readonly loadavgStart: readonly number[];
    readonly loadavgEnd: readonly number[];
  };
  readonly scenarios: readonly ScenarioResult[];
  readonly memory: readonly MemoryResult[];
  readonly e2e: E2EResult | null;
  /** The replay-store bench (absent in reports recorded before it existed, null when skipped). */
  readonly stores?: StoresResult | null;
  /** Webhook verification against the vendors' libraries (absent in older reports, null when skipped). */
  readonly webhooks?: readonly WebhookBenchGroup[] | null;
  readonly verdicts: readonly Verdict[];
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (n: number): string => `${(n / (1 << 20)).toFixed(1)} MiB`;
const mark = (v: Verdict): string => (v.met === null ? 'not run' : v.met ? 'met' : 'MISSED');

type Cell = string;

function table(head: readonly Cell[], rows: readonly (readonly Cell[])[], markdown: boolean): string[] {
  if (markdown) {
    const line = (cells: readonly Cell[]) => `| ${cells.join(' | ')} |`;
    return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)];
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly Cell[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)];
}

/**
 * The row another row is read against in the same run: Sigil verify for the
 * peers' verify rows, the unsigned fetch for the client response rows.
 */
function baselineOf(row: ScenarioResult['rows'][number]): string | undefined {
  if (row.group === 'peer' && / verify/.test(row.name)) return 'Sigil verify';
  if (/^(signing fetch|interceptor)\b/.test(row.name)) return 'fetch unsigned (loopback)';
  return undefined;
}

/** Median over rounds of (row ops/s / its baseline's ops/s in that round). */
function vsBaseline(s: ScenarioResult, row: ScenarioResult['rows'][number]): string {
  const name = baselineOf(row);
  const base = name === undefined ? undefined : s.rows.find((r) => r.name === name);
  if (!base) return '';
  return `${median(row.samples.map((v, i) => v / base.samples[i]!)).toFixed(2)}x`;
}

function scenarioTable(s: ScenarioResult, markdown: boolean): string[] {
  const rows = s.rows.map((r) => [
    r.name,
    int(r.opsPerSec),
    `±${(r.spread * 50).toFixed(0)}%`,
    `${r.ratio.toFixed(2)}x`,
    `${r.ratioMin.toFixed(2)}-${r.ratioMax.toFixed(2)}`,
    vsBaseline(s, r),
  ]);
  return [markdown ? `#### ${s.title}` : `== ${s.title}`, '', ...table(['row', 'ops/s', 'spread', 'vs floor', 'rounds', 'vs Sigil verify / unsigned fetch'], rows, markdown), ''];
}

/** The report as lines of text (`markdown` for README.md). */
export function formatReport(report: BenchReport, markdown = false): string[] {
  const m = report.machine;
  const out: string[] = [
    `${report.quick ? 'QUICK smoke run (BENCH_QUICK=1), numbers not representative. ' : ''}${report.date}`,
    `${m.cpus} CPUs, ${m.model}, Node ${m.node} (${m.platform}); load average ${m.loadavgStart.map((x) => x.toFixed(1)).join(' ')} at start, ${m.loadavgEnd.map((x) => x.toFixed(1)).join(' ')} at end`,
    '',
  ];
  for (const s of report.scenarios) out.push(...scenarioTable(s, markdown));
  if (report.memory.length > 0) {
    out.push(markdown ? '#### Memory, verifying a 16 MiB body' : '== memory, verifying a 16 MiB body', '');
    const rows = report.memory.map((x) => [x.mode, mib(x.maxRssDelta), mib(x.sampledRssDelta), mib(x.arrayBuffersDelta), `${(x.extraBytes / x.bodyBytes).toFixed(2)}x body`]);
    out.push(...table(['mode', 'max RSS +', 'sampled RSS +', 'ArrayBuffers +', 'extra peak'], rows, markdown), '');
  }
  if (report.e2e) {
    const e = report.e2e;
    const pinned = e.pinned ? `, server pinned to CPU ${e.pinned.server} and load to CPU ${e.pinned.load} (taskset)` : e.pinned === null ? ', NOT pinned' : '';
    const title = `End to end (node:http, the bench's prebuilt-request generator in a second process${pinned})`;
    out.push(markdown ? `#### ${title}` : `== ${title.toLowerCase()}`, '');
    const label: Record<string, string> = {
      plain: 'plain server',
      floor: 'raw floor in the handler',
      verify: 'with verifier (memory store)',
      'verify-signed': 'with verifier and response signing (memory store)',
      'verify-redis': 'with verifier (Redis, auto-pipelining)',
      'verify-pg': 'with verifier (PostgreSQL, pg Pool)',
    };
    const present = Object.keys(label).filter((mode) => e.servers[mode as keyof typeof e.servers]);
    const server = (mode: string) => e.servers[mode as keyof typeof e.servers]!;
    const plainCpu = e.servers.plain.userMicros + e.servers.plain.systemMicros;
    const rows = present.map((mode) => {
      const x = server(mode);
      const trials = x.trials.map((t) => int(t.requestsPerSec)).join(' / ');
      const cost = mode === 'plain' ? '-' : `${((1 - x.ratio) * 100).toFixed(1)}%`;
      // A server bound by its own CPU (busy near 100%) has a throughput share of about plain's CPU per request over
      // its own; one the load generator kept waiting shows a smaller share in throughput than in CPU.
      const cpuCost = mode === 'plain' ? '-' : `${((1 - plainCpu / (x.userMicros + x.systemMicros)) * 100).toFixed(1)}%`;
      const busy = `${Math.round(x.busy * 100)}%`;
      return [label[mode]!, int(x.rps), trials, `${(x.ratio * 100).toFixed(1)}%`, cost, x.userMicros.toFixed(0), x.systemMicros.toFixed(0), cpuCost, busy, x.loadMicros.toFixed(0)];
    });
    const head = ['server', 'req/s (median)', 'trials', 'of plain', 'costs', 'user us/req', 'system us/req', 'costs, by server CPU', 'server busy', 'load gen us/req'];
    out.push(...table(head, rows, markdown));
    const extra = (mode: string) => (server(mode).userMicros - e.servers.plain.userMicros).toFixed(0);
    out.push(
      '',
      `${e.requests} requests per trial, ${e.connections} connections. Verifying costs ${((1 - e.servers.verify.ratio) * 100).toFixed(1)}% of the plain throughput ` +
        `(+${extra('verify')} us server user CPU per request); the floor's work alone costs ${((1 - e.servers.floor.ratio) * 100).toFixed(1)}% (+${extra('floor')} us).` +
        present
          .filter((m) => m === 'verify-redis' || m === 'verify-pg')
          .map((m) => ` ${m === 'verify-redis' ? 'Redis' : 'PostgreSQL'} adds ${((e.servers.verify.ratio - server(m).ratio) * 100).toFixed(1)} points over the memory store.`)
          .join('') +
        ` Signing every response (signResponses: true) runs at ${(e.signedRatio * 100).toFixed(1)}% of the verifying server's throughput ` +
        `(+${(server('verify-signed').userMicros - e.servers.verify.userMicros).toFixed(0)} us server user CPU per request).`,
      ...(e.skipped ?? []).map((x) => `SKIPPED ${x.mode}: ${x.reason}`),
      '',
    );
  }
  if (report.stores) out.push(...storesSection(report.stores, table, markdown));
  if (report.webhooks) out.push(...webhooksSection(report.webhooks, table, markdown));
  out.push(markdown ? '#### Targets' : '== targets', '');
  out.push(...table(['target', 'measured', ''], report.verdicts.map((v) => [v.target, v.measured, mark(v)]), markdown));
  return out;
}
