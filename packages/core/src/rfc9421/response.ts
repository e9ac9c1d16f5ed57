// Responses (RFC 9421 section 2.4): @status, the response's own fields, and
// components marked `req`, read from the request the response answers.
import { SigilError } from '../errors.js';
import { checkStatus, type SigilResponse } from '../response/canonicalize.js';
import { requestResolver, type ComponentResolver, type SignatureBaseOptions } from './base.js';
import type { ComponentIdentifier } from './components.js';
import { fieldValue } from './fields.js';
import { hasContent } from './policy.js';
import { headerValue } from '../request.js';
import type { Rfc9421Request } from './request.js';
import type { Parameters } from './sf/types.js';

function malformed(detail: string): SigilError {
  return new SigilError('signature_header_malformed', { detail });
}

/**
 * @internal Reads a response's components: `@status`; fields of the
 * response; anything with `req` from `request` (without `req`, which only
 * says where to read). No request: a `req` component is `invalid_option`.
 */
export function responseResolver(response: SigilResponse, request: Rfc9421Request | undefined, options: SignatureBaseOptions): ComponentResolver {
  if (typeof response !== 'object' || response === null) throw new SigilError('invalid_option', { detail: 'response' });
  let fromRequest: ComponentResolver | undefined;
  return (name: string, params: Parameters) => {
    if (params.has('req')) {
      if (params.get('req') !== true) throw malformed('req must be the boolean true');
      if (name === '@status') throw malformed('@status;req names no request component');
      if (request === undefined) throw new SigilError('invalid_option', { detail: 'a req component needs the request the response answers' });
      fromRequest ??= requestResolver(request, options);
      const rest = new Map(params);
      rest.delete('req');
      return fromRequest(name, rest);
    }
    if (name === '@status') {
      if (params.size > 0) throw malformed('@status takes no parameters');
      checkStatus(response.status);
      return String(response.status);
    }
    if (name.startsWith('@')) throw malformed(`${name} has no value on a response: read it from the request with req`);
    return fieldValue(response.headers, name, params, options.structuredFields);
  };
}

/**
 * The components Sigil signs on a response, and requires of one, by default
 * (SPEC.md section 11.8): `@status`, `content-digest` when the response has
 * content, `content-type` when it has one, then bound to the request:
 * `@method`, `@authority`, `@path`, `@query` and the request's signature
 * (`signature-input` and `signature` by its label), each with `req`.
 *
 * @example
 * defaultResponseComponents({ status: 200, headers: [] }, 'sig1');
 * // ['@status', {name:'@method',params:{req:true}}, ..., {name:'signature',params:{key:'sig1',req:true}}]
 */
export function defaultResponseComponents(response: SigilResponse, requestLabel = 'sig1'): Array<string | ComponentIdentifier> {
  const list: Array<string | ComponentIdentifier> = ['@status'];
  if (hasContent(response)) list.push('content-digest');
  if (headerValue(response.headers, 'content-type') !== undefined) list.push('content-type');
  for (const name of ['@method', '@authority', '@path', '@query']) list.push({ name, params: { req: true } });
  list.push({ name: 'signature-input', params: { key: requestLabel, req: true } });
  list.push({ name: 'signature', params: { key: requestLabel, req: true } });
  return list;
}
