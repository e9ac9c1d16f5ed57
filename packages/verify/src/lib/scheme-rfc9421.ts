// The RFC 9421 steps of the pipeline (SPEC.md section 9.10): Signature-Input
// and Signature parsed and the Sigil parameters required (step 4), required
// components covered (6), signature base, MAC and Content-Digest (9-10), all
// with core's functions. The shared steps around them are those of v1.
import type { SigilKey } from '@sigil/core';
import {
  BASE_COMPONENTS,
  checkComponentCoverage,
  contentComponents,
  parseRfc9421Signature,
  requireSigilParams,
  rfc9421Key,
  verifyRfc9421,
  type ComponentInput,
  type Rfc9421Key,
  type Rfc9421Request,
} from '@sigil/core/rfc9421';
import type { VerifierRequest } from '../types.js';
import type { Policy } from './policy.js';
import { declaresContent, firstFieldLine, requestScheme } from './request-parts.js';
import { nonceEntry, type Scheme, type SchemeSignature } from './scheme.js';
import { screenQuery } from './scheme-v1.js';

// Keys are bound to hmac-sha256 once, not once per request.
const bound = new WeakMap<SigilKey, Rfc9421Key>();
function bind(key: SigilKey): Rfc9421Key {
  let found = bound.get(key);
  if (!found) bound.set(key, (found = rfc9421Key(key, 'hmac-sha256')));
  return found;
}

/**
 * The components the policy requires (SPEC.md section 9.10): core's
 * BASE_COMPONENTS, or `rfc9421.requiredComponents` in their place; then,
 * whatever that list, the content components (content-digest when there
 * is content, content-type when present) unless opted out by name
 * (`rfc9421.allowUnsignedContent`, `allowUnsignedContentType`); then
 * `requiredHeaders` as field components. Before the body is read, a head
 * that declares content stands for the content itself.
 */
function required(policy: Policy, request: Rfc9421Request, announcesContent = false): ComponentInput[] {
  const list: ComponentInput[] = [...(policy.rfc9421.requiredComponents ?? BASE_COMPONENTS)];
  for (const component of contentComponents(request, announcesContent)) {
    const optedOut = component === 'content-digest' ? policy.rfc9421.allowUnsignedContent === true : policy.allowUnsignedContentType;
    if (!optedOut && !list.includes(component)) list.push(component);
  }
  return [...list, ...policy.requiredHeaders];
}

/** The names of the covered fields (`"content-type"` -> `content-type`), derived components left out. */
function fieldNames(components: readonly string[]): string[] {
  const names = new Set<string>();
  for (const id of components) {
    const name = id.slice(1, id.indexOf('"', 1));
    if (!name.startsWith('@')) names.add(name);
  }
  return [...names];
}

/** Step 4 for RFC 9421. Throws core's SigilErrors (`signature_missing`, `signature_header_malformed`, `key_unknown`, `unsupported_algorithm`). */
function parseRfc9421(policy: Policy, request: VerifierRequest): SchemeSignature {
  const { label, tag, structuredFields } = policy.rfc9421;
  const selector = { ...(label === undefined ? {} : { label }), ...(tag === undefined ? {} : { tag }) };
  const message: Rfc9421Request = { method: request.method, target: request.target, headers: request.headers, scheme: requestScheme(policy, request) };
  const signature = parseRfc9421Signature(message, selector);
  const params = requireSigilParams(signature.params);
  const claim = { keyId: params.keyid, created: params.created, ...(params.expires === undefined ? {} : { expires: params.expires }) };
  return {
    claim,
    replay: (settled) => nonceEntry(settled, claim, params.nonce),
    binding: () => ({ scheme: 'rfc9421', request: message, label: signature.label }),
    checkCoverage: () => checkComponentCoverage(signature.components, required(policy, message, declaresContent(request.headers))),
    verifyMac(body, keys, uncovered = false) {
      const received: Rfc9421Request = { ...message, body };
      const result = verifyRfc9421(received, keys.map(bind), {
        ...selector,
        ...(structuredFields ? { structuredFields } : {}),
        requiredComponents: uncovered ? [] : required(policy, received),
      });
      if (!result.ok) return { ok: false, code: result.code, ...(result.base === undefined ? {} : { canonical: result.base }) };
      return {
        ok: true,
        index: result.keyIndex,
        details: {
          scheme: 'rfc9421',
          algorithm: result.algorithm,
          signedHeaders: fieldNames(result.components),
          components: result.components,
          label: result.label,
          ...(params.expires === undefined ? {} : { expires: params.expires }),
        },
      };
    },
  };
}

/**
 * The RFC 9421 scheme (SPEC.md section 9): selected by a Signature-Input
 * field. Its nonces and key ids share v1's syntax and the one nonce store.
 */
export const rfc9421Scheme: Scheme<string> = Object.freeze({
  name: 'rfc9421',
  keys: 'request',
  screen: screenQuery,
  // Core's parser reads Signature-Input and Signature itself.
  detect: (request: VerifierRequest) => firstFieldLine(request.headers, 'signature-input'),
  parse: parseRfc9421,
});
