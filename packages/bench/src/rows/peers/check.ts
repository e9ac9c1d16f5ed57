// The correctness check every peer row runs before it is timed: its output
// verifies with the same library's verification, and each tampered variant
// of the request is rejected. A row that signs nothing cannot pass.
import { tamperBody, type Scenario } from '../../scenarios.js';

/** Verifies one request shape; resolves true when the signature is accepted. */
export type Accepts = (variant: Variant) => Promise<boolean>;

/** The request a verifier sees: the signed one, or one with a part changed. */
export interface Variant {
  readonly target: string;
  readonly body: Buffer;
  readonly bodyText: string;
  /** A replacement value for the last signed header (see tamperedHeader). */
  readonly headerValue?: string;
}

/** The header the `header` variant changes: the last signed one besides host. */
export const tamperedHeader = (s: Scenario): string => s.signed.at(-1) ?? 'host';

/** The variant's header fields as a lowercase-keyed object. */
export function variantHeaders(s: Scenario, v: Variant): Record<string, string> {
  const name = tamperedHeader(s);
  return Object.fromEntries(s.headers.map(([n, value]) => [n, n === name && v.headerValue !== undefined ? v.headerValue : value]));
}

/** The original request and the tampered variants a verifier must refuse. */
export function variants(s: Scenario): { original: Variant; tampered: Array<[string, Variant]> } {
  const original: Variant = { target: s.target, body: s.body, bodyText: s.bodyText };
  const tampered: Array<[string, Variant]> = [
    ['body', { ...original, body: tamperBody(s.body), bodyText: tamperBody(s.body).toString('latin1') }],
    ['target', { ...original, target: `${s.target}${s.query ? '&' : '?'}admin=1` }],
    ['header', { ...original, headerValue: 'tampered' }],
  ];
  return { original, tampered };
}

/**
 * Throws unless `accepts` takes the original and refuses every tampered
 * variant in `covers` (the parts the scheme claims to protect).
 */
export async function checkPeer(
  name: string,
  s: Scenario,
  accepts: Accepts,
  covers: ReadonlyArray<'body' | 'target' | 'header'> = ['body', 'target', 'header'],
): Promise<void> {
  const { original, tampered } = variants(s);
  if (!(await accepts(original))) throw new Error(`${name}: its own signature did not verify`);
  for (const [part, variant] of tampered) {
    if (!covers.includes(part as 'body')) continue;
    if (part === 'body' && s.body.length === 0) continue;
    let accepted: boolean;
    try {
      accepted = await accepts(variant);
    } catch {
      accepted = false;
    }
    if (accepted) throw new Error(`${name}: a request with a tampered ${part} was accepted`);
  }
}
