// What a shell block in the docs may run: commands that exist for a reader
// of this repository. Installs, servers and network calls are not run; their
// names are checked instead (a script that exists, a CLI command that exists,
// a package that is published, a file that is there).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A problem on a 0-based line of the block. */
export interface ShellProblem {
  readonly line: number;
  readonly message: string;
}

/** Commands a doc may name without more checking (system tools, shell builtins). */
const PLAIN = new Set([
  'cd', 'export', 'echo', 'cat', 'printf', 'curl', 'git', 'apt-get', 'openssl', 'redis-cli', 'redis-server', 'psql', 'pg_ctlcluster',
  'pip', 'pip3', 'python3', 'python', 'docker', 'diff', 'jq', 'kill', 'wait', 'sleep', 'mkdir', 'rm', 'ls', 'sha256sum',
]);
const CLI_COMMANDS = new Set(['sign', 'verify', 'canonical', 'keygen', 'vectors', 'webhook', 'demo', 'help', '--help', '-h', '--version', '-V']);
/** pnpm commands (not scripts) the docs may use. */
const PNPM_BUILTINS = new Set(['install', 'i', 'add', 'exec', 'dlx', 'pack', 'publish', 'why', 'list', 'ls', 'update', 'outdated', 'audit']);

interface Workspace {
  readonly rootScripts: Set<string>;
  readonly rootBins: Set<string>;
  /** Package name -> its scripts and whether it is private. */
  readonly packages: Map<string, { scripts: Set<string>; private: boolean }>;
}

function workspace(repo: string): Workspace {
  const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { name: string; private?: boolean; scripts?: Record<string, string> };
  const root = read(join(repo, 'package.json'));
  const packages = new Map<string, { scripts: Set<string>; private: boolean }>();
  for (const dir of readdirSync(join(repo, 'packages'))) {
    const file = join(repo, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = read(file);
    packages.set(pkg.name, { scripts: new Set(Object.keys(pkg.scripts ?? {})), private: pkg.private === true });
  }
  const binDir = join(repo, 'node_modules', '.bin');
  return { rootScripts: new Set(Object.keys(root.scripts ?? {})), rootBins: new Set(existsSync(binDir) ? readdirSync(binDir) : []), packages };
}

/** Splits a line into words, keeping quoted strings whole (quotes removed) and dropping a trailing comment. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"((?:\\.|[^"\\])*)"|(#.*)$|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) {
    if (m[3] !== undefined) break;
    out.push(m[1] ?? m[2] ?? m[4]!);
  }
  return out;
}

/** The line without its comment: from an unquoted `#` at a word start. */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** The simple commands of a line: split on && || ; | and with each $( ... ) inside as a command of its own. */
function commands(full: string): string[][] {
  const line = stripComment(full);
  const inner = [...line.matchAll(/\$\(([^()]*)\)/g)].map((m) => m[1]!);
  const outer = line.replace(/\$\(([^()]*)\)/g, 'SUBST');
  return [outer, ...inner]
    .flatMap((text) => text.split(/&&|\|\||;|\|/))
    .map((part) => words(part))
    .map((ws) => {
      let i = 0;
      while (i < ws.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(ws[i]!)) i++; // VAR=value prefixes
      return ws.slice(i);
    })
    .filter((ws) => ws.length > 0);
}

function checkCli(args: string[]): string | undefined {
  const command = args.find((a) => !a.startsWith('--debug'));
  if (command === undefined) return undefined;
  return CLI_COMMANDS.has(command) ? undefined : `"${command}" is not a sigil command`;
}

function checkPnpm(args: string[], ws: Workspace): string | undefined {
  let filter: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--filter' || arg === '-F') filter = args[++i];
    else if (arg.startsWith('--filter=')) filter = arg.slice('--filter='.length);
    else if (arg === '-r' || arg === '--recursive' || arg === '-w' || arg === '--silent' || arg === '-s') continue;
    else break;
  }
  let name = args[i];
  if (name === undefined) return 'pnpm with no command';
  if (name === 'run') name = args[i + 1] ?? '';
  else if (PNPM_BUILTINS.has(name)) return undefined;
  if (filter !== undefined) {
    const pkg = ws.packages.get(filter);
    if (!pkg) return `--filter ${filter}: no such workspace package`;
    return pkg.scripts.has(name) ? undefined : `${filter} has no "${name}" script`;
  }
  if (ws.rootScripts.has(name) || ws.rootBins.has(name)) return undefined;
  return `"${name}" is neither a root script nor a pnpm command`;
}

function checkCommand(argv: string[], ws: Workspace, repo: string): string | undefined {
  const [command, ...args] = argv as [string, ...string[]];
  if (command === 'SUBST') return undefined;
  if (command === 'pnpm' || command === 'corepack') return `bare "${command}": write npx -y pnpm@10 (nothing to install globally)`;
  if (command === 'sigil') return checkCli(args);
  if (command === 'npx') {
    const rest = args.filter((a) => a !== '-y' && a !== '--yes' && a !== '--no');
    const [pkg, ...more] = rest;
    if (pkg === undefined) return 'npx with no package';
    if (pkg === 'sigil') return '"npx sigil" runs an unrelated npm package: write npx @sigil/cli';
    if (pkg === 'pnpm@10') return checkPnpm(more, ws);
    if (pkg === '@sigil/cli') return checkCli(more);
    if (ws.rootBins.has(pkg)) return undefined;
    return `npx ${pkg}: not a command of this repository`;
  }
  if (command === 'npm') {
    const [sub, ...pkgs] = args;
    if (sub !== 'install' && sub !== 'i') return sub === 'test' || sub === 'run' ? undefined : `npm ${sub ?? ''}: not a command the docs need`;
    for (const name of pkgs.filter((p) => !p.startsWith('-'))) {
      const bare = name.replace(/(?<=.)@[^/]*$/, '');
      const pkg = ws.packages.get(bare);
      if (bare.startsWith('@sigil/') && (!pkg || pkg.private)) return `npm install ${name}: not a published package of this repository`;
    }
    return undefined;
  }
  if (command === 'node') {
    const file = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '--import' && args[i - 1] !== '-e');
    if (file === undefined || file.includes('dist/')) return undefined; // dist/ exists after the build
    return existsSync(join(repo, file)) ? undefined : `node ${file}: no such file in the repository`;
  }
  if (PLAIN.has(command)) return undefined;
  return `"${command}" is not a command the docs may assume`;
}

/** The problems of a shell block (syntax is checked separately, with bash -n). */
export function checkShell(code: string, repo: string): ShellProblem[] {
  const ws = workspace(repo);
  const problems: ShellProblem[] = [];
  const lines = code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let text = lines[i]!;
    const start = i;
    while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]!}`;
    for (const argv of commands(text)) {
      const message = checkCommand(argv, ws, repo);
      if (message !== undefined) problems.push({ line: start + 1, message });
    }
  }
  return problems;
}
