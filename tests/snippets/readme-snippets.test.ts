// Every code block of README.md and the package READMEs is exercised, so a
// snippet that does not work fails CI, naming its file and line:
// - ts/js: type-checked together (strict, against the sources), then each run
//   as a program by run-snippet.ts, on loopback only: requests to
//   *.example.com reach a real verifier, servers it starts get a signed and
//   an unsigned request, exported Fetch handlers a signed one;
// - sh: `bash -n`, and every command must be one this repository provides
//   (`npx -y pnpm@10 <script>`, `npx @sigil/cli <command>`, `npm install` of a
//   published package, a file that exists...): installs and servers are not run;
// - python (README.md, the package READMEs and sigil-http's): compiled, then,
//   when Debian's python3 has Flask, each run by run_snippet.py the same way:
//   api.example.com is a real verifier, every app it defines gets a signed and
//   an unsigned request;
// - json: parsed;
// - text/http/sql: output samples, wire formats, statements, shown only. An untagged block
//   fails: say what it is.
// Blocks take options and hidden setup from an HTML comment (extract.ts).
// Needs the built packages (the root test script builds first).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exportKey, generateKey } from '@sigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBlocks, kindOf, where, type Block } from './extract.js';
import { startRedisCluster, type RedisCluster } from './redis-cluster.js';
import { startExampleApi } from './example-api.js';
import { checkShell } from './shell.js';
import type { SnippetReport } from './run-snippet.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
// Inside examples/ so snippets resolve what a reader installs (express, hono,
// ioredis...) from examples/node_modules and the root's, and from OUT/node_modules
// (linkReaderInstalls). Ignored by git, removed after.
const OUT = join(REPO, 'examples', '.snippets');
const RUNNER = fileURLToPath(new URL('./run-snippet.ts', import.meta.url));
const PY_RUNNER = fileURLToPath(new URL('./run_snippet.py', import.meta.url));
const TSC = join(REPO, 'node_modules', 'typescript', 'lib', 'tsc.js');

const MARKDOWN = [
  'README.md',
  ...readdirSync(join(REPO, 'packages')).map((p) => `packages/${p}/README.md`),
  // sigil-http, the Python package.
  'test-vectors/reference/python/README.md',
].filter((f) => existsSync(join(REPO, f)));
const BLOCKS = MARKDOWN.flatMap((file) => extractBlocks(file, readFileSync(join(REPO, file), 'utf8')));
const byKind = (kind: string) => BLOCKS.filter((b) => kindOf(b) === kind);
const TS = byKind('typescript');

const slug = (file: string) => (file === 'README.md' ? 'readme' : file.split('/')[1]!);
const setupLines = (block: Block) => (block.setup === '' ? 0 : block.setup.split('\n').length);
/** The generated file of a TypeScript block. */
const tsFile = (block: Block) => join(OUT, slug(block.file), `${block.name ?? `L${block.line}`}.ts`);

/**
 * What a reader's `npm install` of the docs gives them and examples/ does not
 * depend on: every published (not private) package of this repository, and
 * the peer dependencies it documents (pg, postgres...) with their types, as
 * the package's own devDependencies installed them. Linked into
 * OUT/node_modules; nothing private, nothing the packages do not name.
 */
function linkReaderInstalls(): void {
  const modules = join(OUT, 'node_modules');
  const link = (name: string, target: string) => {
    const at = join(modules, name);
    if (existsSync(at) || existsSync(join(REPO, 'examples', 'node_modules', name)) || existsSync(join(REPO, 'node_modules', name))) return;
    mkdirSync(join(at, '..'), { recursive: true });
    symlinkSync(target, at, 'dir');
  };
  for (const dir of readdirSync(join(REPO, 'packages'))) {
    const manifest = join(REPO, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; private?: boolean; peerDependencies?: Record<string, string> };
    if (pkg.private === true) continue;
    link(pkg.name, join(REPO, 'packages', dir));
    for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
      for (const name of [peer, `@types/${peer.replace(/^@([^/]+)\//, '$1__')}`]) {
        const installed = join(REPO, 'packages', dir, 'node_modules', name);
        if (existsSync(installed)) link(name, installed);
      }
    }
  }
}

let certDir = '';
let cluster: RedisCluster | undefined;
const env: Record<string, string> = {};
/** tsc over every block, started in beforeAll so it runs while the blocks run. */
let typecheck: Promise<{ code: number | null; stdout: string; stderr: string }>;

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  linkReaderInstalls();
  for (const block of TS) {
    mkdirSync(join(OUT, slug(block.file)), { recursive: true });
    // `export {}`: every block is a module, even one without import/export.
    writeFileSync(tsFile(block), `${block.setup === '' ? '' : `${block.setup}\n`}${block.code}\nexport {};\n`);
  }
  writeFileSync(
    join(OUT, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.check.json', compilerOptions: { noUnusedLocals: false, noUnusedParameters: false }, include: ['**/*.ts'] }),
  );
  typecheck = spawnAsync(process.execPath, [TSC, '-p', join(OUT, 'tsconfig.json'), '--pretty', 'false'], {}, 110_000);
  certDir = mkdtempSync(join(tmpdir(), 'sigil-snippets-'));
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=api.example.com', '-addext', 'subjectAltName=DNS:example.com,DNS:*.example.com',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
  ]);
  Object.assign(env, {
    SIGIL_KEY_ID: 'client-1',
    SIGIL_SECRET: exportKey(generateKey(), 'base64url'),
    NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem'),
    SNIPPET_TLS_KEY: join(certDir, 'key.pem'),
    SNIPPET_TLS_CERT: join(certDir, 'cert.pem'),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  });
  // Only when a block documents Redis Cluster (it reads REDIS_CLUSTER_NODES).
  if (TS.some((b) => `${b.setup}\n${b.code}`.includes('REDIS_CLUSTER_NODES'))) {
    cluster = await startRedisCluster();
    env.REDIS_CLUSTER_NODES = cluster.nodes;
  }
}, 30_000);

afterAll(() => {
  cluster?.stop();
  rmSync(OUT, { recursive: true, force: true });
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe('the documentation code blocks', () => {
  it('were found (README.md, every package README, the Python package README)', () => {
    expect(MARKDOWN.length).toBeGreaterThanOrEqual(7);
    expect(MARKDOWN).toContain('test-vectors/reference/python/README.md');
    expect(TS.length).toBeGreaterThan(20);
  });

  it('each say what they are: a known language tag, valid snippet options', () => {
    const problems = BLOCKS.flatMap((b) => [
      ...(kindOf(b) === undefined ? [`${where(b)}: ${b.lang === '' ? 'untagged block' : `unknown language "${b.lang}"`}: tag it (ts, sh, python, json, or text for output)`] : []),
      ...(b.error ? [`${where(b)}: ${b.error}`] : []),
    ]);
    expect(problems).toEqual([]);
  });

  it.concurrent('ts/js blocks type-check (strict, as one program per block)', async () => {
    const result = await typecheck;
    const problems = result.stdout
      .split('\n')
      .filter((line) => line.includes('error TS'))
      .map((line) => {
        const m = /\.snippets\/([^/]+)\/([^(]+)\.ts\((\d+),(\d+)\): (.*)$/.exec(line);
        const block = m && TS.find((b) => slug(b.file) === m[1] && (b.name ?? `L${b.line}`) === m[2]);
        if (!m || !block) return line;
        const inBlock = Number(m[3]) - setupLines(block);
        return inBlock >= 1 ? `${block.file}:${block.line + inBlock}:${m[4]}: ${m[5]}` : `${where(block)} (hidden setup line ${m[3]}): ${m[5]}`;
      });
    expect(problems).toEqual([]);
  }, 120_000);
});

describe.each(TS.map((b) => [where(b), b] as const))('ts block %s', (_where, block) => {
  it.concurrent('runs: exits 0 (or fails as it says), every request it makes is accepted', async () => {
    // Each block its own loopback address, so blocks run side by side.
    const index = TS.indexOf(block);
    const ip = `127.1.${index >> 8}.${(index & 0xff) + 1}`;
    const child = spawnAsync(process.execPath, ['--import', 'tsx', RUNNER, tsFile(block)], { ...env, SNIPPET_IP: ip });
    const { code, stdout, stderr } = await child;
    const line = stdout.split('\n').reverse().find((l) => l.startsWith('SNIPPET-REPORT '));
    const report = line ? (JSON.parse(line.slice('SNIPPET-REPORT '.length)) as SnippetReport) : undefined;
    const context = `${where(block)}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
    if (block.throws !== undefined) {
      expect(code, context).not.toBe(0);
      expect(stderr, context).toContain(block.throws);
      return;
    }
    expect(code, context).toBe(0);
    expect(report, context).toBeDefined();
    expect(report!.api.filter((status) => status >= 300), `${where(block)}: requests the example.com verifier refused`).toEqual([]);
    for (const server of report!.servers) {
      expect(server.signed, `${where(block)}: a signed POST to the server it starts`).toBeLessThan(300);
      expect(server.unsigned, `${where(block)}: an unsigned POST to the server it starts`).toBe(401);
    }
    for (const handler of report!.handlers) expect(handler.signed, `${where(block)}: a signed request to its ${handler.name} handler`).toBeLessThan(300);
  }, 60_000);
});

describe.each(byKind('shell').map((b) => [where(b), b] as const))('sh block %s', (_where, block) => {
  it('is valid shell and uses only commands this repository provides', () => {
    const syntax = spawnSync('bash', ['-n'], { input: block.code, encoding: 'utf8' });
    expect(syntax.stderr.replace(/bash: line (\d+)/g, (_m, n: string) => `${block.file}:${block.line + Number(n)}`), where(block)).toBe('');
    expect(checkShell(block.code, REPO).map((p) => `${block.file}:${block.line + p.line}: ${p.message}`)).toEqual([]);
  });
});

const FLASK = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { encoding: 'utf8' }).status === 0;
const PY = byKind('python');
describe.each(PY.map((b) => [where(b), b] as const))('python block %s', (_where, block) => {
  it.concurrent('compiles, and runs under Debian python3: its apps take a signed request and refuse an unsigned one, its example.com calls are accepted', async () => {
    const source = `${block.setup}\n${block.code}`;
    const compiled = await spawnAsync('python3', ['-c', 'import sys; compile(sys.stdin.read(), sys.argv[1], "exec")', where(block)], {}, 20_000, source);
    expect(compiled.stderr, where(block)).toBe('');
    if (!FLASK) {
      if (process.env.CI === 'true') throw new Error(`${where(block)}: Flask is missing from /usr/bin/python3 (apt-get install -y python3-flask)`);
      console.warn(`SKIPPED running ${where(block)}: /usr/bin/python3 has no Flask (apt-get install -y python3-flask)`);
      return;
    }
    // Its own loopback address for api.example.com, apart from the ts blocks' 127.1.x.y.
    const ip = `127.2.0.${PY.indexOf(block) + 1}`;
    const api: number[] = [];
    const servers = await startExampleApi({
      ip,
      keyId: env.SIGIL_KEY_ID!,
      secret: env.SIGIL_SECRET!,
      tlsKeyFile: env.SNIPPET_TLS_KEY!,
      tlsCertFile: env.SNIPPET_TLS_CERT!,
      onStatus: (status) => api.push(status),
    });
    try {
      const { code, stdout, stderr } = await spawnAsync(
        '/usr/bin/python3',
        // A RuntimeWarning fails the block: sigil.redis warns (and goes on) when it cannot read Redis's eviction policy.
        ['-W', 'error::RuntimeWarning', PY_RUNNER, block.file, String(block.line)],
        {
          ...env,
          SNIPPET_IP: ip,
          REQUESTS_CA_BUNDLE: env.SNIPPET_TLS_CERT!,
          SSL_CERT_FILE: env.SNIPPET_TLS_CERT!,
          PYTHONPATH: join(REPO, 'test-vectors', 'reference', 'python'),
          PYTHONDONTWRITEBYTECODE: '1',
        },
        20_000,
        JSON.stringify({ setup: block.setup, code: block.code }),
      );
      const line = stdout.split('\n').reverse().find((l) => l.startsWith('SNIPPET-REPORT '));
      const report = line ? (JSON.parse(line.slice('SNIPPET-REPORT '.length)) as { servers: Array<{ route: string; signed: number; unsigned: number }> }) : undefined;
      const context = `${where(block)}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
      expect(code, context).toBe(0);
      expect(report, context).toBeDefined();
      expect(api.filter((status) => status >= 300), `${where(block)}: requests the example.com verifier refused`).toEqual([]);
      // A block that builds an app must have had it served: an app kind run_snippet.py does not know fails here.
      if (/\b(Flask|FastAPI|Starlette)\(|\bSigilMiddleware\b/.test(block.code)) expect(report!.servers.length, `${where(block)}: routes of its app exercised`).toBeGreaterThan(0);
      for (const server of report!.servers) {
        expect(server.signed, `${where(block)}: a signed ${server.route}`).toBeLessThan(300);
        expect(server.unsigned, `${where(block)}: an unsigned ${server.route}`).toBe(401);
      }
    } finally {
      for (const server of servers) server.close();
    }
  }, 30_000);
});

describe.each(byKind('json').map((b) => [where(b), b] as const))('json block %s', (_where, block) => {
  it('parses', () => {
    expect(() => JSON.parse(block.code), where(block)).not.toThrow();
  });
});

function spawnAsync(
  command: string,
  args: string[],
  extraEnv: Record<string, string>,
  timeout = 45_000,
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: REPO, env: { ...process.env, ...extraEnv }, timeout, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}
