// Finding one signature among the members of Signature-Input and Signature
// (RFC 9421 sections 4.1-4.3): by label, by tag, or the only one there is.
import { isSigilError, SigilError } from '../errors.js';
import { headerValue, type SigilRequest } from '../request.js';
import { parseDictionary } from './sf/parse.js';
import { isInnerList, type InnerList } from './sf/types.js';

/** How to choose among several signatures. */
export interface SignatureSelector {
  /** The dictionary key of the signature. */
  readonly label?: string;
  /** The value of its `tag` parameter; exactly one signature may carry it. */
  readonly tag?: string;
}

/** One signature, as received. */
export interface SelectedSignature {
  readonly label: string;
  readonly input: InnerList;
  readonly mac: Uint8Array;
}

function malformed(detail: string): SigilError {
  return new SigilError('signature_header_malformed', { detail });
}

function field(request: Pick<SigilRequest, 'headers'>, name: string) {
  let value: string | undefined;
  try {
    value = headerValue(request.headers, name);
  } catch (error) {
    if (isSigilError(error, 'header_value_invalid')) throw malformed(`${name} holds a forbidden character or is too long`);
    throw error;
  }
  if (value === undefined) throw new SigilError('signature_missing', { detail: `no ${name} field` });
  return parseDictionary(value);
}

/**
 * @internal Parses both fields and returns the selected signature. Throws
 * `signature_missing` when nothing matches and `signature_header_malformed`
 * for bad syntax or an ambiguous choice.
 */
export function selectSignature(request: Pick<SigilRequest, 'headers'>, selector: SignatureSelector): SelectedSignature {
  const inputs = field(request, 'signature-input');
  const signatures = field(request, 'signature');
  let labels = [...inputs.keys()];
  if (selector.label !== undefined) labels = labels.filter((l) => l === selector.label);
  if (selector.tag !== undefined) {
    labels = labels.filter((l) => {
      const member = inputs.get(l)!;
      return isInnerList(member) && member.params.get('tag') === selector.tag;
    });
  }
  if (labels.length === 0) throw new SigilError('signature_missing', { detail: 'no signature matches the label or tag' });
  if (labels.length > 1) throw malformed('several signatures match: select one by label or tag');
  const label = labels[0]!;
  const input = inputs.get(label)!;
  const sig = signatures.get(label);
  if (!isInnerList(input)) throw malformed('a Signature-Input member must be an inner list');
  if (sig === undefined) throw new SigilError('signature_missing', { detail: 'Signature has no member for the label' });
  if (isInnerList(sig) || !(sig.value instanceof Uint8Array)) throw malformed('a Signature member must be a byte sequence');
  return { label, input, mac: sig.value };
}
