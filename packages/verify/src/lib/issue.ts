// One readable line from a zod error: the path of the option and what is
// wrong with it. Zod messages state expectations and types, never values.
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/**
 * For a union, the branch that got furthest explains the mistake best (the
 * first one on a tie); for a record key, the key's own issue.
 */
function deepest(issue: Issue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let best: { path: PropertyKey[]; message: string } | undefined;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (!first) continue;
      const found = deepest(first);
      if (!best || found.path.length > best.path.length) best = found;
    }
    if (best) return { path: [...issue.path, ...best.path], message: best.message };
  }
  if (issue.code === 'invalid_key' && issue.issues[0]) return { path: issue.path, message: issue.issues[0].message };
  return { path: issue.path, message: issue.message };
}

/** `path.to.option: message`, `root` when the issue has no path. */
export function describeIssue(error: z.ZodError, root: string): string {
  const issue = error.issues[0];
  if (!issue) return `${root}: invalid`;
  const { path, message } = deepest(issue);
  return `${path.length ? path.map(String).join('.') : root}: ${message}`;
}
