export { signatureBase } from './base.js';
export type { SignatureBaseOptions } from './base.js';
export { componentId, MAX_COMPONENTS } from './components.js';
export type { ComponentIdentifier, ComponentInput } from './components.js';
export { DERIVED_COMPONENTS } from './derived.js';
export { contentDigest, checkContentDigest } from './digest.js';
export type { DigestAlgorithm, CheckContentDigestOptions } from './digest.js';
export { KNOWN_STRUCTURED_FIELDS } from './fields.js';
export type { StructuredFieldType } from './fields.js';
export { rfc9421Key, RFC9421_ALGORITHMS } from './keys.js';
export type { Rfc9421Algorithm, Rfc9421Key, Rfc9421KeyLookup } from './keys.js';
export type { SignatureParamsInput, SignatureParamsView } from './params.js';
export { BASE_COMPONENTS, contentComponents, defaultComponents, checkComponentCoverage, requireSigilParams } from './policy.js';
export type { SigilSignatureParams } from './policy.js';
export { parseRfc9421Signature } from './parse-signature.js';
export type { ParsedRfc9421Signature } from './parse-signature.js';
export type { Rfc9421Request } from './request.js';
export type { SignatureSelector } from './select.js';
export { parseDictionary, parseList, parseItem } from './sf/parse.js';
export { serializeDictionary, serializeList, serializeItem, serializeInnerList, serializeParams, serializeBareItem } from './sf/serialize.js';
export { SfToken, SfDecimal, isInnerList } from './sf/types.js';
export type { BareItem, Dictionary, InnerList, Item, List, Member, Parameters } from './sf/types.js';
export { signRfc9421 } from './sign.js';
export type { SignRfc9421Options, SignRfc9421Result } from './sign.js';
export { verifyRfc9421 } from './verify.js';
export type { VerifyRfc9421Options, Rfc9421VerifyResult, Rfc9421VerifySuccess, Rfc9421VerifyFailure } from './verify.js';
export { rfc9421VectorSchema, rfc9421VectorFileSchema, parseRfc9421VectorFile, rfc9421VectorJsonSchema } from './vectors.js';
export type {
  Rfc9421Vector,
  Rfc9421VectorFile,
  Rfc9421PositiveVector,
  Rfc9421NegativeVector,
  Rfc9421DigestVector,
  Rfc9421VectorRequest,
  Rfc9421VectorKey,
} from './vectors.js';
export { defaultResponseComponents } from './response.js';
export { signRfc9421Response } from './sign-response.js';
export type { SignRfc9421ResponseOptions } from './sign-response.js';
export { verifyRfc9421Response } from './verify-response.js';
export type { VerifyRfc9421ResponseOptions } from './verify-response.js';
