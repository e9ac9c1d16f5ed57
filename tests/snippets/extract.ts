// Code blocks of Markdown files, with where they are and what the docs say
// about running them. A block may be preceded (directly, or with blank lines
// between) by one HTML comment that configures its test:
//
//   <!-- snippet name=verifier -->            the block is module ./verifier.ts
//   <!-- snippet throws=origin_not_allowed --> it must fail, with this in stderr
//   <!-- snippet                              lines after the first are hidden
//   const nonceStore = new MemoryNonceStore();   setup, prepended to the block
//   -->
//
// Nothing else in the comment is allowed, so a typo fails instead of being
// ignored.

/** One fenced code block. */
export interface Block {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string's first word, lowercased ('' when untagged). */
  readonly lang: string;
  /** The block's text, with the fence's indentation removed. */
  readonly code: string;
  /** `name=`: other blocks of the same file import it as `./<name>.js`. */
  readonly name?: string;
  /** `throws=`: the block must fail, and its stderr must contain this. */
  readonly throws?: string;
  /** Hidden setup lines, prepended when the block is checked and run. */
  readonly setup: string;
  /** A problem with the block's comment, reported as a failure. */
  readonly error?: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([A-Za-z0-9_+-]*)/;
const OPTION = /^(name|throws)=([A-Za-z0-9_.:-]+)$/;

interface Directive {
  name?: string;
  throws?: string;
  setup: string;
  error?: string;
}

function parseDirective(comment: string): Directive {
  const [head = '', ...rest] = comment.split('\n');
  const directive: Directive = { setup: rest.join('\n') };
  for (const word of head.trim().split(/\s+/).slice(1)) {
    const m = OPTION.exec(word);
    if (!m) {
      directive.error = `unknown snippet option "${word}" (expected name=ID or throws=CODE)`;
      continue;
    }
    if (m[1] === 'name') directive.name = m[2]!;
    else directive.throws = m[2]!;
  }
  return directive;
}

/** The fenced code blocks of `text`, in order. */
export function extractBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let pending: Directive | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*<!--\s*snippet\b/.test(line)) {
      const start = i;
      while (i < lines.length && !lines[i]!.includes('-->')) i++;
      const body = lines.slice(start, i + 1).join('\n').replace(/^\s*<!--\s*/, '').replace(/-->\s*$/, '');
      pending = parseDirective(body.replace(/\n$/, ''));
      continue;
    }
    const open = FENCE.exec(line);
    if (!open) {
      if (line.trim() !== '') pending = undefined;
      continue;
    }
    const indent = open[1]!.length;
    const fence = open[2]!;
    const lang = open[3]!.toLowerCase();
    const code: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      const t = l.trim();
      if (t.startsWith(fence) && t.replace(fence[0] === '`' ? /`/g : /~/g, '') === '') break;
      code.push(l.slice(Math.min(indent, l.length - l.trimStart().length)));
    }
    blocks.push({
      file,
      line: i + 1,
      lang,
      code: code.join('\n'),
      setup: pending?.setup ?? '',
      ...(pending?.name === undefined ? {} : { name: pending.name }),
      ...(pending?.throws === undefined ? {} : { throws: pending.throws }),
      ...(pending?.error === undefined ? {} : { error: pending.error }),
    });
    pending = undefined;
    i = j;
  }
  return blocks;
}

/** How each language is exercised. */
export const LANGUAGES = {
  ts: 'typescript',
  typescript: 'typescript',
  js: 'typescript',
  javascript: 'typescript',
  sh: 'shell',
  bash: 'shell',
  shell: 'shell',
  python: 'python',
  py: 'python',
  json: 'json',
  // Output samples, wire formats and SQL statements: shown, not run (the SQL
  // of @sigil/postgres is its nonceTableSql() and store, tested in the package).
  text: 'text',
  http: 'text',
  sql: 'text',
} as const;

export type Kind = (typeof LANGUAGES)[keyof typeof LANGUAGES];

/** The kind of a block, or undefined for an untagged or unknown language. */
export function kindOf(block: Block): Kind | undefined {
  return Object.prototype.hasOwnProperty.call(LANGUAGES, block.lang) ? LANGUAGES[block.lang as keyof typeof LANGUAGES] : undefined;
}

/** `README.md:42` for messages. */
export function where(block: Block): string {
  return `${block.file}:${block.line}`;
}
