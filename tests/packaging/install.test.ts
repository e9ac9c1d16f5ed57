// The published packages as a new user gets them: packed by the release
// command (pnpm pack, which is what `pnpm publish`/`changeset publish` ship),
// installed by plain npm into a fresh project outside the monorepo, then
// loaded through ESM and CJS, type-checked under every moduleResolution a
// project may use, and driven through a sign -> verify round trip on loopback.
// Needs the built packages (the root test script builds first).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CONSUMER = fileURLToPath(new URL('./consumer/', import.meta.url));
const TSC = createRequire(join(REPO, 'package.json')).resolve('typescript/lib/tsc.js');
const PUBLISHED = ['core', 'fetch', 'verify', 'redis', 'postgres', 'webhooks', 'cli'] as const;

interface Manifest {
  name: string;
  version: string;
  license?: string;
  repository?: { url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  publishConfig?: { access?: string; provenance?: boolean };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The environment for npm and node in the fresh project: none of pnpm's npm_* settings leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^npm_|^PNPM_|^NODE_OPTIONS$|^VITEST/i.test(name)) env[name] = value;
  return env;
}

async function inProject(command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd: project, env: cleanEnv(), timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in the fresh project:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

let packDir = '';
let project = '';
const tarballs = new Map<string, string>();

beforeAll(async () => {
  for (const name of PUBLISHED) {
    if (!existsSync(join(REPO, 'packages', name, 'dist'))) throw new Error(`packages/${name}/dist is missing: run "npx -y pnpm@10 run build" first`);
  }
  packDir = mkdtempSync(join(tmpdir(), 'sigil-pack-'));
  project = mkdtempSync(join(tmpdir(), 'sigil-consumer-'));
  const filters = PUBLISHED.flatMap((name) => ['--filter', `@sigil/${name}`]);
  await run('npx', ['-y', 'pnpm@10', '-r', ...filters, 'pack', '--pack-destination', packDir], { cwd: REPO, timeout: 60_000 });
  for (const file of readdirSync(packDir)) {
    const name = /^sigil-([a-z]+)-/.exec(file)?.[1];
    if (name) tarballs.set(name, join(packDir, file));
  }
  cpSync(CONSUMER, project, { recursive: true });
  // One source, checked as both module kinds.
  for (const ext of ['mts', 'cts']) cpSync(join(CONSUMER, 'entries.ts'), join(project, `entries.${ext}`));
  const rootTypesNode = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@types/node']!;
  const dependencies = Object.fromEntries(PUBLISHED.map((name) => [`@sigil/${name}`, `file:${tarballs.get(name)}`]));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh-project', private: true, type: 'module', dependencies: { ...dependencies, '@types/node': rootTypesNode } }, null, 2));
  // From the tarballs, plus their registry dependencies (zod, @noble/hashes):
  // from npm's cache when it has them.
  await inProject('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
}, 120_000);

afterAll(() => {
  for (const dir of [packDir, project]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function manifest(name: string): Manifest {
  return JSON.parse(readFileSync(join(project, 'node_modules', '@sigil', name, 'package.json'), 'utf8')) as Manifest;
}

describe('the packed tarballs', () => {
  it.each(PUBLISHED)('@sigil/%s ships a LICENSE, a README and its metadata', async (name) => {
    const { stdout } = await run('tar', ['-tzf', tarballs.get(name)!]);
    const files = stdout.split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json']));
    expect(files.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toEqual([]);
    const m = manifest(name);
    expect(m.license).toBe('MIT');
    expect(readFileSync(join(project, 'node_modules', '@sigil', name, 'LICENSE'), 'utf8')).toBe(readFileSync(join(REPO, 'LICENSE'), 'utf8'));
    expect(m.repository?.directory).toBe(`packages/${name}`);
    expect(m.repository?.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
    expect(m.homepage).toMatch(/^https:\/\//);
    expect(m.bugs?.url).toMatch(/^https:\/\/.+\/issues$/);
    expect(m.publishConfig).toEqual({ access: 'public', provenance: true });
  });

  it.each(PUBLISHED)('@sigil/%s pins its @sigil dependencies to the exact version released with it', (name) => {
    const m = manifest(name);
    const text = JSON.stringify(m);
    expect(text).not.toContain('workspace:');
    for (const [dep, range] of Object.entries({ ...m.dependencies, ...m.peerDependencies })) {
      if (dep.startsWith('@sigil/')) expect(range, `${name} -> ${dep}`).toBe(manifest(dep.slice('@sigil/'.length)).version);
    }
  });

  it.each(['redis', 'postgres'] as const)('@sigil/%s depends on @sigil/verify (its store helpers) at the exact version, never as a peer', (name) => {
    const m = manifest(name);
    expect(m.dependencies?.['@sigil/verify']).toBe(manifest('verify').version);
    expect(Object.keys(m.peerDependencies ?? {})).not.toContain('@sigil/verify');
  });
});

describe('a fresh project outside the monorepo', () => {
  it.concurrent.each(['esm.mjs', 'cjs.cjs'])('%s signs, the verifier accepts once, refuses the replay and the tampered body', async (file) => {
    const result = JSON.parse(await inProject(process.execPath, [file])) as Record<string, unknown>;
    expect(result).toEqual({
      format: file.slice(0, 3),
      accepted: [200, 'hello client-1'],
      replay: [401, 'nonce_replayed'],
      tampered: [401, 'signature_invalid'],
      redisStore: true,
      subpaths: ['function', 'function', 'function'],
    });
  });

  it.concurrent.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }, ['entries.mts', 'entries.cts', 'cli.mts']],
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, ['entries.mts', 'entries.cts', 'cli.mts']],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, ['entries.mts', 'cli.mts']],
    ['node10', { module: 'commonjs', moduleResolution: 'node10' }, ['entries.cts']],
  ] as const)('tsc --moduleResolution %s type-checks every entry point', async (label, options, files) => {
    // skipLibCheck as `tsc --init` sets it: an entry point that does not
    // resolve, or types that do not fit, still fail. (Without it, @sigil/fetch's
    // declarations need undici installed: signingInterceptor's Dispatcher type.)
    const config = { compilerOptions: { ...options, target: 'es2022', lib: ['es2022', 'dom'], types: ['node'], strict: true, noEmit: true, skipLibCheck: true }, files };
    writeFileSync(join(project, `tsconfig.${label}.json`), JSON.stringify(config));
    await inProject(process.execPath, [TSC, '-p', `tsconfig.${label}.json`]);
  }, 90_000);

  it('npx @sigil/cli keygen runs the installed command', async () => {
    const out = await inProject('npx', ['--no', '@sigil/cli', 'keygen', '--kid', 'client-1']);
    expect(out).toMatch(/^SIGIL_KEY_ID=client-1\n/);
  });
});
