// sigil --help, keygen, argument errors: the built binary, spawned.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importKey } from '@sigil/core';
import { afterAll, describe, expect, it } from 'vitest';
import { sigil, STACK_LINE } from './helpers.js';

const COMMANDS = ['sign', 'verify', 'canonical', 'keygen', 'vectors', 'demo'];
const tmp = mkdtempSync(join(tmpdir(), 'sigil-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('help and usage errors', () => {
  it('sigil --help lists every command and the exit codes', async () => {
    const run = await sigil(['--help']);
    expect(run.code).toBe(0);
    for (const name of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(run.stdout).toContain('Exit codes:');
    expect(run.stdout).toMatch(/^ {2}3 {2}I\/O or network error/m);
  });

  it.each(COMMANDS)('sigil %s --help prints its usage and the exit codes', async (name) => {
    const run = await sigil([name, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith(`Usage: sigil ${name}`)).toBe(true);
    expect(run.stdout).toContain('Exit codes:');
    expect(run.stderr).toBe('');
  });

  it('no command: the help on stderr, exit 2', async () => {
    const run = await sigil([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: sigil <command>');
  });

  it('an unknown command or option: one line on stderr, exit 2, no stack trace', async () => {
    for (const args of [['frob'], ['keygen', '--frob']]) {
      const run = await sigil(args);
      expect(run.code).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^sigil( keygen)?: unknown (command|option)/);
      expect(run.stderr).not.toMatch(STACK_LINE);
    }
  });

  it('refuses a secret on the command line without repeating it', async () => {
    const run = await sigil(['sign', '--secret=hunter2-very-secret', 'https://api.example.com/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('never accepted on the command line');
    expect(run.stderr).not.toContain('hunter2');
  });

  it('--debug adds the stack trace; without it there is none', async () => {
    const plain = await sigil(['verify', join(tmp, 'missing.http')], { env: { SIGIL_SECRET: 'A'.repeat(43) } });
    const debug = await sigil(['verify', '--debug', join(tmp, 'missing.http')], { env: { SIGIL_SECRET: 'A'.repeat(43) } });
    expect(plain.code).toBe(3);
    expect(plain.stderr).toMatch(/^sigil verify: cannot read .*missing\.http: ENOENT\n$/);
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(STACK_LINE);
  });
});

describe('sigil keygen', () => {
  it('prints a key id and a 32-byte base64url secret', async () => {
    const run = await sigil(['keygen']);
    expect(run.code).toBe(0);
    const [, kid] = /^SIGIL_KEY_ID=(\S+)$/m.exec(run.stdout) ?? [];
    const [, secret] = /^SIGIL_SECRET=([A-Za-z0-9_-]+)$/m.exec(run.stdout) ?? [];
    expect(kid).toMatch(/^key-[A-Za-z0-9_-]{12}$/);
    expect(importKey(secret!, { encoding: 'base64url' }).length).toBe(32);
    const again = await sigil(['keygen', '--json', '--kid', 'svc.orders']);
    const json = JSON.parse(again.stdout) as { keyId: string; secret: string };
    expect(json.keyId).toBe('svc.orders');
    expect(json.secret).not.toBe(secret);
  });

  it('--secret-out writes a mode-600 file, never overwrites one, and keeps the secret off stdout', async () => {
    const path = join(tmp, 'secret.txt');
    const run = await sigil(['keygen', '--kid', 'k1', '--secret-out', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`SIGIL_KEY_ID=k1\nSIGIL_SECRET_FILE=${path}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = await sigil(['keygen', '--secret-out', path]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('EEXIST');
  });

  it('rejects a key id outside the grammar', async () => {
    const run = await sigil(['keygen', '--kid', 'no spaces']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--kid must be');
  });
});
