// The Accept-Signature field (RFC 9421 section 5.1; SPEC.md section 9.13) a
// verifier accepting RFC 9421 may add to its 401s: one dictionary member,
// the label it selects by, an inner list of the components it requires and
// the algorithm it accepts. Computed once, at createVerifier().
import { BASE_COMPONENTS, componentId, serializeBareItem } from '@sigil/core/rfc9421';
import type { Policy } from './policy.js';
import { rfc9421Scheme } from './scheme-rfc9421.js';

/**
 * The field value, or undefined unless `rfc9421.acceptSignature` is on:
 * `<label>=(<required components>);alg="hmac-sha256"[;tag="<tag>"]`. The
 * content components (content-digest, content-type) depend on the request
 * and are not listed: SPEC.md section 9.10 requires them whenever the
 * request has content or a Content-Type, whatever this field says.
 */
export function acceptSignatureValue(policy: Policy): string | undefined {
  const options = policy.rfc9421;
  if (!options.acceptSignature || !policy.schemes.includes(rfc9421Scheme)) return undefined;
  const components = [...(options.requiredComponents ?? BASE_COMPONENTS), ...policy.requiredHeaders].map(componentId);
  const unique = [...new Set(components)];
  const tag = options.tag === undefined ? '' : `;tag=${serializeBareItem(options.tag)}`;
  return `${options.label ?? 'sig1'}=(${unique.join(' ')});alg="hmac-sha256"${tag}`;
}
