// Child processes and loopback HTTP for the orchestrator. Every child runs
// a script from this package's dist/ with the same node binary.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

/** Absolute path of a built entry (dist/<name>.js). */
export const distScript = (name: string): string => fileURLToPath(new URL(`./${name}.js`, import.meta.url));

/** True when util-linux `taskset` runs here (Linux). */
export const canPin = (): boolean => spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;

/** `node ...` or, pinned to one CPU, `taskset -c <cpu> node ...`. */
function command(name: string, args: readonly string[], nodeArgs: readonly string[], cpu: number | undefined): [string, string[]] {
  const node = [...nodeArgs, distScript(name), ...args];
  return cpu === undefined ? [process.execPath, node] : ['taskset', ['-c', String(cpu), process.execPath, ...node]];
}

/** Runs `node [nodeArgs] dist/<name>.js [args]` to completion (pinned to `cpu` when given); resolves its stdout. */
export function runNode(name: string, args: readonly string[], nodeArgs: readonly string[] = [], cpu?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(...command(name, args, nodeArgs, cpu), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${name} ${args.join(' ')} exited with ${code}`))));
  });
}

/** A long-running child that printed one JSON line when ready. */
export interface Started<T> {
  readonly ready: T;
  readonly child: ChildProcess;
  /** Closes its stdin (its cue to exit), waits for the exit, resolves what it printed after the ready line. */
  stop(): Promise<string>;
}

/** Starts dist/<name>.js (pinned to `cpu` when given) and waits for the first line of its stdout, parsed as JSON. */
export function startNode<T>(name: string, args: readonly string[], nodeArgs: readonly string[] = [], cpu?: number): Promise<Started<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(...command(name, args, nodeArgs, cpu), { stdio: ['pipe', 'pipe', 'inherit'] });
    let buffered = '';
    let ready = false;
    const exited = new Promise<void>((done) => child.on('close', () => done()));
    const onData = (text: string): void => {
      buffered += text;
      const end = buffered.indexOf('\n');
      if (ready || end < 0) return;
      ready = true;
      const first = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      const stop = async (): Promise<string> => {
        child.stdin!.end();
        await exited;
        return buffered;
      };
      resolve({ ready: JSON.parse(first) as T, child, stop });
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.on('error', reject);
    void exited.then(() => reject(new Error(`${name} exited before it was ready`)));
  });
}

/** One request to 127.0.0.1:port; resolves the status and the response text. */
export function send(
  port: number,
  method: string,
  path: string,
  headers: Readonly<Record<string, string>>,
  body?: Uint8Array,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
