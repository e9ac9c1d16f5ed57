// Every Python test module (test-vectors/reference/python/test_*.py) under
// Debian's /usr/bin/python3, which has the optional extras from apt (Flask,
// requests, httpx, redis, gunicorn, Starlette, uvicorn). The root
// `pnpm test:python` runs the same modules under the stdlib-only python3 on
// PATH, where the modules needing an extra skip loudly. Under CI=true this run
// sets SIGIL_PYTHON_EXTRAS=required: a missing extra fails, never skips.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const REFERENCE = fileURLToPath(new URL('../../test-vectors/reference/python/', import.meta.url));
const CI = process.env.CI === 'true';
const hasPython = existsSync(PYTHON);
if (!hasPython) {
  if (CI) throw new Error(`${PYTHON} is required in CI (Debian's python3 with the apt extras, see .ci/run)`);
  console.warn(`\n${'!'.repeat(72)}\n!! SKIPPING the Python tests under ${PYTHON}: it does not exist.\n${'!'.repeat(72)}\n`);
}

function unittest(pattern: string): Promise<{ status: number | null; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PYTHONDONTWRITEBYTECODE: '1' };
  if (CI) env.SIGIL_PYTHON_EXTRAS = 'required';
  if (process.env.SIGIL_REDIS_URL) env.SIGIL_REDIS_URL = process.env.SIGIL_REDIS_URL;
  const child = spawn(PYTHON, ['-m', 'unittest', 'discover', '-s', REFERENCE, '-p', pattern], { cwd: REFERENCE, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

describe.skipIf(!hasPython)(`the Python package's tests under ${PYTHON}`, () => {
  it('pass, with no module skipped under CI=true', { timeout: 300_000 }, async () => {
    const run = await unittest('test_*.py');
    if (/SKIPPING Python tests/.test(run.stderr)) console.warn(run.stderr.split('\n').filter((l) => l.startsWith('!!')).join('\n'));
    expect(run.stderr).toMatch(/\nOK( \(skipped=\d+\))?\n$/);
    expect(run.status).toBe(0);
    if (CI) expect(run.stderr).not.toMatch(/skipped=/);
  });
});
