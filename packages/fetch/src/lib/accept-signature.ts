// Accept-Signature (RFC 9421 section 5.1): a server's 401 may name the
// components (and parameters) it wants signed. The client answers once, and
// only within its own policy: the field is unauthenticated (unless
// verifyResponses made it signed), so whoever can answer in the server's
// place could otherwise steer what the client signs, with which key, how.
import { isSigilError, SigilError } from '@sigil/core';
import {
  componentId,
  isInnerList,
  parseDictionary,
  signRfc9421,
  type ComponentIdentifier,
  type Item,
  type Member,
} from '@sigil/core/rfc9421';
import type { SigningConfig } from '../options.js';
import type { Rfc9421Config } from './scheme-options.js';
import { rfc9421Components, rfc9421Request, withHost, type RequestParts } from './sign-parts.js';

/** @internal What `acceptSignature` settled to. */
export interface AcceptSignaturePolicy {
  readonly maxComponents: number;
}

/**
 * Why an Accept-Signature was not acted on (the `reason` of an
 * `accept-signature-refused` event):
 * - `malformed`: not an sf-dictionary of inner lists;
 * - `keyid`: it names another key than the client's own;
 * - `alg`: it asks for another algorithm than the client's;
 * - `tag`: it asks for another tag than the one the client sends;
 * - `component`: a component the client cannot produce from the request it
 *   holds, `req`, `@status`, or the signature fields themselves;
 * - `limit`: more components than `acceptSignature.maxComponents`;
 * - `retried`: this call already retried once as asked.
 */
export type AcceptRefusal = 'malformed' | 'keyid' | 'alg' | 'tag' | 'component' | 'limit' | 'retried';

/** Components no request signature may cover at a server's asking. */
const NEVER = new Set(['@status', 'signature', 'signature-input']);

class Refusal extends Error {
  constructor(readonly reason: AcceptRefusal) {
    super(reason);
  }
}

/** A SigilError of core (the request cannot produce the component) declines; anything else is a bug and propagates. */
function declined(error: unknown): Refusal {
  if (isSigilError(error)) return new Refusal('component');
  throw error;
}

function componentOf(item: Item): ComponentIdentifier {
  if (typeof item.value !== 'string') throw new Refusal('malformed');
  if (NEVER.has(item.value) || item.params.has('req')) throw new Refusal('component');
  return { name: item.value, params: item.params };
}

/** One member of the field, checked against the policy; the RFC 9421 config to sign the retry with. */
function settle(config: SigningConfig, rfc: Rfc9421Config, policy: AcceptSignaturePolicy, list: Member, parts: RequestParts): Rfc9421Config {
  if (!isInnerList(list)) throw new Refusal('malformed');
  const keyid = list.params.get('keyid');
  if (keyid !== undefined && keyid !== config.keyId) throw new Refusal('keyid');
  const alg = list.params.get('alg');
  if (alg !== undefined && alg !== rfc.key.algorithm) throw new Refusal('alg');
  const tag = list.params.get('tag');
  if (tag !== undefined && (typeof tag !== 'string' || (rfc.tag !== undefined && tag !== rfc.tag))) throw new Refusal('tag');
  if (list.items.length > policy.maxComponents) throw new Refusal('limit');
  const asked = list.items.map(componentOf);
  const request = rfc9421Request(parts, withHost(parts.headers, parts.url));
  // Only adds: the client's own components (as signParts() chooses them) first, then what was asked and is not there yet.
  const components = rfc9421Components(config, rfc, request);
  const seen = new Set<string>();
  try {
    for (const c of components) seen.add(componentId(c));
    for (const c of asked) {
      const id = componentId(c);
      if (!seen.has(id)) components.push(c);
      seen.add(id);
    }
  } catch (error) {
    throw declined(error);
  }
  const next: Rfc9421Config = { ...rfc, components, tag: typeof tag === 'string' ? tag : rfc.tag };
  // A trial signature: whatever the request cannot produce (a field it
  // lacks, a query parameter it has not, content-digest without content) is declined here.
  try {
    signRfc9421(request, rfc.key, { keyid: config.keyId, created: 0, label: rfc.label, components, contentDigest: rfc.digest, ...(next.tag === undefined ? {} : { tag: next.tag }) });
  } catch (error) {
    throw declined(error);
  }
  return next;
}

/**
 * @internal The RFC 9421 settings to retry with, as the Accept-Signature
 * field `value` asks, or the reason not to: the first member the policy
 * allows wins; none allowed reports the first member's reason.
 */
export function acceptSignature(config: SigningConfig, policy: AcceptSignaturePolicy, value: string, parts: RequestParts): Rfc9421Config | AcceptRefusal {
  const rfc = config.rfc9421;
  if (!rfc) throw new SigilError('invalid_option', { detail: "acceptSignature needs scheme 'rfc9421'" });
  let members: ReadonlyMap<string, Member>;
  try {
    members = parseDictionary(value);
  } catch (error) {
    if (!isSigilError(error)) throw error;
    return 'malformed';
  }
  if (members.size === 0) return 'malformed';
  let first: AcceptRefusal | undefined;
  for (const member of members.values()) {
    try {
      return settle(config, rfc, policy, member, parts);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      first ??= error.reason;
    }
  }
  return first!;
}
