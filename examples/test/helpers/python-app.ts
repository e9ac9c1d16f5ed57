// Starts one of the Python example apps under Debian's /usr/bin/python3 on
// 127.0.0.1 port 0 and resolves with its port once it prints "ready <port>".
import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** The app's child process and the port it listens on; configuration goes through `env`, never argv. */
export function startPythonApp(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(PYTHON, [script, '0'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const port = /^ready (\d+)$/m.exec(out)?.[1];
      if (port) resolve({ child, port: Number(port) });
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`${basename(script)} exited ${code}: ${out}${err}`)));
  });
}
