// What every vector generator shares: stable serialisation, vector ids that
// are unique across the whole suite, the published JSON Schema's header, and
// writing the files next to test-vectors/.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Stable JSON: 2-space indent, trailing newline. Key order is the order of construction. */
export function serialize(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Records each vector's id in `ids` (shared by all files); a repeated id is a generator bug. */
export function claimIds(ids: Set<string>, vectors: ReadonlyArray<{ readonly id: string }>): void {
  for (const v of vectors) {
    if (ids.has(v.id)) throw new Error(`generator bug: duplicate vector id ${v.id}`);
    ids.add(v.id);
  }
}

/** A generated JSON Schema with the title and description it is published under. */
export function schemaFile(generated: Record<string, unknown>, title: string, description: string): string {
  const { $schema, ...rest } = generated;
  return serialize({ $schema, title, description, ...rest });
}

/** Writes `files` (names relative to test-vectors/) when `moduleUrl` is the script being run. */
export function writeWhenRun(moduleUrl: string, files: () => Record<string, string>): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  const dir = fileURLToPath(new URL('../', import.meta.url));
  for (const [name, text] of Object.entries(files())) {
    writeFileSync(`${dir}${name}`, text);
    console.log(`wrote test-vectors/${name} (${text.length} bytes)`);
  }
}
