// @sigil/core/options: how every Sigil package validates its options with
// zod/mini and words the first problem. For Sigil's own packages and for
// stores or adapters built on them; no zod code is loaded by this entry.
export { issueMessage } from './message.js';
export { parseOptions } from './parse.js';
export type { ParsedOptions } from './parse.js';
export { describeIssue } from './describe.js';
export type { DescribeIssueOptions } from './describe.js';
