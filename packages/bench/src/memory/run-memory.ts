// Orchestrator side of the memory measurement: one child per mode, the
// 16 MiB upload for the stream mode sent from this process.
import { runNode, send, startNode } from '../lib/child.js';
import { presign } from '../rows/sigil-verify.js';
import { scenario } from '../scenarios.js';
import type { MemoryResult } from './child.js';

/**
 * Measures extra memory of verifying a 16 MiB body, directly and through
 * the Node adapter.
 *
 * @example
 * const [direct, stream] = await runMemory();
 */
export async function runMemory(): Promise<MemoryResult[]> {
  const direct = JSON.parse(await runNode('memory', ['direct'], ['--expose-gc'])) as MemoryResult;
  const server = await startNode<{ port: number }>('memory', ['stream'], ['--expose-gc']);
  try {
    const s = scenario('body-16mib', true);
    const [request] = presign(s, 1);
    const headers = Object.fromEntries(request!.headers as Array<[string, string]>);
    const reply = await send(server.ready.port, s.method, s.target, headers, s.body);
    if (reply.status !== 200) throw new Error(`memory stream: status ${reply.status}`);
    const stream = JSON.parse(reply.text) as MemoryResult;
    for (const m of [direct, stream]) if (!m.verified) throw new Error(`memory ${m.mode}: the request did not verify`);
    return [direct, stream];
  } finally {
    await server.stop();
  }
}
