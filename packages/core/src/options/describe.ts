// One readable line from a zod error: the path of the option and what is
// wrong with it. Messages state expectations and types, never values.
import type { $ZodError, $ZodIssue } from 'zod/v4/core';

/**
 * How {@link describeIssue} reads an issue.
 *
 * @example
 * describeIssue(parsed.error, 'options', { descend: true }); // 'keys.client-1.scope.methods.0: methods must be HTTP method tokens'
 */
export interface DescribeIssueOptions {
  /**
   * For a union, explain the branch that got furthest (the first one on a
   * tie), and for a record key, the key's own issue, instead of zod's
   * summary ("Invalid input"). Default false.
   */
  readonly descend?: boolean;
}

function deepest(issue: $ZodIssue): { path: PropertyKey[]; message: string } {
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

/**
 * `path.to.option: message` for the first issue, `root` when it has no path.
 *
 * @example
 * describeIssue(parsed.error, 'options'); // 'maxEntries: Too small: expected number to be >=1'
 */
export function describeIssue(error: $ZodError, root: string, options: DescribeIssueOptions = {}): string {
  const issue = error.issues[0];
  if (!issue) return `${root}: invalid`;
  const { path, message } = options.descend ? deepest(issue) : { path: issue.path, message: issue.message };
  return `${path.length ? path.map(String).join('.') : root}: ${message}`;
}
