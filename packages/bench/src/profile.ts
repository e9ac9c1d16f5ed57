// `node dist/profile.js [sign|verify|floor] [ops]`: runs one operation of the
// typical request under the V8 CPU profiler (the profiler `node --cpu-prof`
// drives, started through node:inspector so that setup such as pre-signing
// the verify requests stays out of the profile), then prints where the time
// went: self time per function and per source file. The .cpuprofile is kept
// in results/tmp/ for Chrome DevTools.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { floorRow } from './rows/floor.js';
import { sigilSignRow } from './rows/sigil-sign.js';
import { sigilVerifyRow } from './rows/sigil-verify.js';
import { scenario } from './scenarios.js';

const OPS = { sign: sigilSignRow, verify: sigilVerifyRow, floor: floorRow } as const;
type Op = keyof typeof OPS;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time per function and per file, from a .cpuprofile, as printable lines. */
export function summarize(profile: { nodes: ProfileNode[] }, top = 25): string[] {
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url ? url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/packages\//, '') : '(native)';
    const fn = `${functionName || '(anonymous)'}  ${file}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    byFile.set(file, (byFile.get(file) ?? 0) + hits);
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    'self time by function:',
    ...sorted(byFunction).map(([name, n]) => `  ${pct(n)}  ${name}`),
    'self time by file:',
    ...sorted(byFile).map(([name, n]) => `  ${pct(n)}  ${name}`),
  ];
}

async function main(op: Op, ops: number): Promise<void> {
  const row = await OPS[op](scenario('typical'));
  await row.check();
  const warm = Math.min(ops, 20_000);
  await row.before?.(warm);
  for (let i = 0; i < warm; i++) await row.op();
  await row.before?.(ops);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const start = performance.now();
  for (let i = 0; i < ops; i++) await row.op();
  const ms = performance.now() - start;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const dir = fileURLToPath(new URL('../results/tmp', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/profile-${op}.cpuprofile`;
  writeFileSync(file, JSON.stringify(profile));
  const lines = summarize(profile as unknown as { nodes: ProfileNode[] });
  process.stdout.write(`${op}: ${ops} ops in ${Math.round(ms)} ms (${Math.round((ops * 1000) / ms)} ops/s while profiled)\n${lines.join('\n')}\nprofile: ${file}\n`);
}

const [name = 'sign', count = '100000'] = process.argv.slice(2);
if (!(name in OPS)) throw new Error(`usage: profile.js [${Object.keys(OPS).join('|')}] [ops]`);
await main(name as Op, Number(count));
