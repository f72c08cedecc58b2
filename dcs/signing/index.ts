/**
 * AK/SK request signing (`SDK-HMAC-SHA256`, docs/dcs-api.md §4.1), usable on both sides: `signRequest` for a client,
 * `verifyRequestSignature` (or `parseAuthorizationHeader` + `canonicalRequest` + `computeSignature`) for a server.
 */
export { formatAuthorizationHeader, parseAuthorizationHeader, type SdkAuthorization } from './authorization-header.js';
export {
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  CONTENT_SHA256_HEADER,
  EMPTY_BODY_SHA256,
  payloadHash,
  sha256Hex,
  signedHeadersValue,
  UNSIGNED_PAYLOAD,
} from './canonical-request.js';
export { percentDecode, percentEncode } from './percent-encode.js';
export { splitUrl, type SignableRequest } from './request-parts.js';
export { signRequest, type AkSkCredentials, type SignedRequestHeaders, type SignOptions } from './sign-request.js';
export {
  computeSignature,
  formatSdkDate,
  parseSdkDate,
  SDK_DATE_HEADER,
  SIGNING_ALGORITHM,
  stringToSign,
} from './signature.js';
export {
  verifyRequestSignature,
  type SignatureRejection,
  type SignatureVerdict,
  type VerifyOptions,
} from './verify-request.js';
