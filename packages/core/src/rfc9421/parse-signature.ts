// The header-level part of verification (SPEC.md section 9.10, steps 1-3):
// everything that can be checked before any component value, key or body
// is read. verifyRfc9421() starts with it; a verifier with a clock, an
// asynchronous key lookup and a lazy body runs it first on its own.
import type { SigilRequest } from '../request.js';
import { checkCovered } from './components.js';
import { readParams, type SignatureParamsView } from './params.js';
import { selectSignature, type SignatureSelector } from './select.js';
import type { InnerList } from './sf/types.js';

/** One received signature, parsed and checked for structure. */
export interface ParsedRfc9421Signature {
  /** Its dictionary key in Signature-Input and Signature. */
  readonly label: string;
  /** Covered components, serialised, in signed order. */
  readonly components: readonly string[];
  /** The known parameters, typed (unknown ones stay in `input`). */
  readonly params: SignatureParamsView;
  /** @internal The received inner list, for the signature base. */
  readonly input: InnerList;
  /** @internal The received MAC bytes. */
  readonly mac: Uint8Array;
}

/**
 * Parses Signature-Input and Signature, selects one signature (by label,
 * tag, or the only one) and checks the types of its parameters and its
 * covered-components list. Reads no component value, key or body. Throws
 * a SigilError: `signature_missing` (no field, nothing matches) or
 * `signature_header_malformed`.
 *
 * @example
 * const sig = parseRfc9421Signature(req, { label: 'sig1' });
 * sig.params.keyid;   // 'client-1'
 * sig.components;     // ['"@method"', '"@authority"', '"@path"', '"@query"']
 */
export function parseRfc9421Signature(request: SigilRequest | Pick<SigilRequest, 'headers'>, selector: SignatureSelector = {}): ParsedRfc9421Signature {
  const selected = selectSignature(request, selector);
  const params = readParams(selected.input.params);
  const components = checkCovered(selected.input.items, 'signature_header_malformed');
  return { label: selected.label, components, params, input: selected.input, mac: selected.mac };
}
