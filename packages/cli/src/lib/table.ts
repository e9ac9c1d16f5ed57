// Plain-text tables: columns padded to their widest cell, a rule under the
// heading. No colours, so the output reads the same in a log file.

/** Formats rows under a heading as aligned columns, one line per row. */
export function formatTable(heading: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = heading.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(heading), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}
