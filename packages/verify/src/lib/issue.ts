// The verifier's reading of a zod error: core's describeIssue, descending
// into unions and record keys (a bad `keys` entry names its own problem).
import { describeIssue as describe } from '@sigil/core/options';
import type { $ZodError } from 'zod/v4/core';

/** `path.to.option: message`, `root` when the issue has no path. */
export function describeIssue(error: $ZodError, root: string): string {
  return describe(error, root, { descend: true });
}
