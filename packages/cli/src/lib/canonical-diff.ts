// Line-by-line comparison of two canonical strings, naming each line by its
// role in SPEC.md section 2.1, so "what differs" reads as "the target".

const FIXED = ['tag', 'algorithm', 'key id', 'timestamp', 'nonce', 'method', 'target', 'header list'];

function roleOf(index: number, lines: readonly string[]): string {
  if (index < FIXED.length) return FIXED[index]!;
  if (index === lines.length - 1) return 'body digest';
  const name = lines[index]!.split(':', 1)[0];
  return `header ${name}`;
}

/** The lines where `computed` and `expected` differ, described; empty when equal. */
export function diffCanonical(computed: string, expected: string): string[] {
  const a = computed.split('\n');
  const b = expected.replace(/\r?\n$/, '').split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    out.push(`line ${i + 1} (${roleOf(i, a[i] === undefined ? b : a)}):`);
    out.push(`  computed: ${a[i] === undefined ? '(none)' : JSON.stringify(a[i])}`);
    out.push(`  compared: ${b[i] === undefined ? '(none)' : JSON.stringify(b[i])}`);
  }
  return out;
}
