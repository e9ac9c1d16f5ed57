// The slice of Express's req/res these tests use, typed here so the tests
// type-check whether `express` resolves to @types/express or to an untyped
// ambient module (examples/express-types.d.ts declares one for now).
import type { SigilExpressRequest } from '../../src/adapters/express/index.js';

export type Req = SigilExpressRequest;
export interface Res {
  json(body: unknown): unknown;
  status(code: number): Res;
}
export type Next = (error?: unknown) => void;
