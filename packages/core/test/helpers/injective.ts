// The injectivity property shared by the request and response canonical
// strings: over pairs where B takes each field from A with probability 0.85
// (so equal and near-equal pairs are common), two canonical strings are
// equal if and only if the components they were built from are.
import fc from 'fast-check';
import { expect } from 'vitest';

export function assertInjective<T extends object>(
  arb: fc.Arbitrary<T>,
  build: (value: T) => { canonical: string; components: string },
  runs: fc.Parameters<unknown>,
): void {
  const fields = 16;
  const pair = fc.tuple(arb, arb, fc.array(fc.integer({ min: 0, max: 99 }), { minLength: fields, maxLength: fields })).map(([a, other, dice]) => {
    const b = { ...a };
    (Object.keys(a) as Array<keyof T>).forEach((f, i) => {
      if (dice[i % fields]! >= 85) Object.assign(b, { [f]: other[f] });
    });
    return [a, b] as const;
  });
  let equalPairs = 0;
  fc.assert(
    fc.property(pair, ([a, b]) => {
      const x = build(a);
      const y = build(b);
      if (x.canonical === y.canonical) equalPairs++;
      expect(x.canonical === y.canonical).toBe(x.components === y.components);
    }),
    runs as fc.Parameters<[readonly [T, T]]>,
  );
  expect(equalPairs).toBeGreaterThan(0);
}
