// `npx -y pnpm@10 size`: what Sigil costs a user, per published package and
// for two typical programs, so dependency work (zod -> zod/mini) can be
// measured. Needs the built packages (the script builds first).
//
// - install size: the packages packed by pnpm and installed by npm into a
//   fresh project outside the monorepo; per package, the bytes on disk of the
//   package and everything it pulls in (its dependency closure), and zod's share;
// - bundle size: esbuild, minified, of everything a package exports (platform
//   neutral, or node for the packages with Node adapters), and of a typical signing client and a typical verifying Worker
//   (browser/worker conditions), raw and gzipped, with zod's share, and the
//   largest parts of those two (scripts/bundles.ts defines them; the
//   bundle-size test in tests/packaging holds them to their budgets).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, CLIENT, largestInputs, TARGETS, WORKER, type Bundled } from './bundles.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const PUBLISHED = ['core', 'fetch', 'verify', 'redis', 'cli'] as const;

/** Bytes of every file under `dir`. */
function du(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += du(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const pct = (part: number, whole: number) => `${whole === 0 ? 0 : Math.round((part / whole) * 100)}%`;

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

function installSizes(): string[][] {
  const packDir = mkdtempSync(join(tmpdir(), 'sigil-size-pack-'));
  const project = mkdtempSync(join(tmpdir(), 'sigil-size-app-'));
  try {
    const filters = PUBLISHED.flatMap((name) => ['--filter', `@sigil/${name}`]);
    execFileSync('npx', ['-y', 'pnpm@10', '-r', ...filters, 'pack', '--pack-destination', packDir], { cwd: REPO, stdio: 'ignore' });
    const tarballs = Object.fromEntries(readdirSync(packDir).map((file) => [`@sigil/${/^sigil-([a-z]+)-/.exec(file)![1]}`, `file:${join(packDir, file)}`]));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'size', private: true, dependencies: tarballs }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio: 'ignore' });
    const modules = join(project, 'node_modules');
    const deps = (name: string) => Object.keys((JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')) as { dependencies?: object }).dependencies ?? {});
    return PUBLISHED.map((short) => {
      const closure = new Set<string>();
      const queue = [`@sigil/${short}`];
      while (queue.length > 0) {
        const name = queue.shift()!;
        if (closure.has(name)) continue;
        closure.add(name);
        queue.push(...deps(name));
      }
      const sizes = [...closure].map((name) => [name, du(join(modules, name))] as const);
      const total = sizes.reduce((sum, [, size]) => sum + size, 0);
      const own = sizes.find(([name]) => name === `@sigil/${short}`)![1];
      const zod = sizes.find(([name]) => name === 'zod')?.[1] ?? 0;
      return [`@sigil/${short}`, kib(own), mib(total), `${mib(zod)} (${pct(zod, total)})`, String(closure.size)];
    });
  } finally {
    rmSync(packDir, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  }
}

const ENTRIES: Record<(typeof PUBLISHED)[number], string> = {
  core: "export * from '@sigil/core'; export * from '@sigil/core/vectors'; export * from '@sigil/core/rfc9421';",
  fetch: "export * from '@sigil/fetch';",
  verify: "export * from '@sigil/verify'; export * from '@sigil/verify/fetch';",
  redis: "export * from '@sigil/redis';",
  cli: "export * from '@sigil/cli';",
};

const bundleRow = (name: string, b: Bundled, target = '') => [name, kib(b.bytes), kib(b.gzip), `${kib(b.zod)} (${pct(b.zod, b.bytes)})`, target];

execFileSync('npx', ['-y', 'pnpm@10', '--silent', '-r', ...PUBLISHED.flatMap((name) => ['--filter', `@sigil/${name}`]), 'run', 'build'], { cwd: REPO, stdio: 'ignore' });
const installed = installSizes();
const bundles: string[][] = [];
// core and fetch are runtime-neutral; verify (Node adapters), redis and the CLI are bundled for Node.
for (const name of PUBLISHED) bundles.push(bundleRow(`@sigil/${name} (everything it exports)`, await bundle(ENTRIES[name], name === 'core' || name === 'fetch' ? 'neutral' : 'node')));
const client = await bundle(CLIENT, 'browser');
const worker = await bundle(WORKER, 'browser');
bundles.push(bundleRow('signing client (createSigningFetch)', client, `< ${TARGETS.client / 1024} KiB`));
bundles.push(bundleRow('verifying Worker (sigilFetchHandler)', worker, `< ${TARGETS.worker / 1024} KiB`));
const largest = (b: Bundled) => largestInputs(b, 8).map(([name, bytes]) => `  ${kib(bytes).padStart(9)}  ${name}`).join('\n');

process.stdout.write(`Sigil size report (${new Date().toISOString().slice(0, 10)}, Node ${process.version})

Install (npm, from the pnpm-packed tarballs; the package and its dependency closure on disk):

${table(['package', 'package itself', 'with dependencies', 'of which zod', 'packages'], installed)}

Bundles (esbuild --bundle --minify, ESM; optional peers and node: built-ins external):

${table(['bundle', 'minified', 'gzip', 'of which zod', 'target'], bundles)}

Largest parts of the signing client:
${largest(client)}

Largest parts of the verifying Worker:
${largest(worker)}
`);
