import { createHash } from 'node:crypto';
import { percentDecode, percentEncode } from './percent-encode.js';
import { normalizeHeaders, splitUrl, type SignableRequest } from './request-parts.js';

/** SHA-256 of an empty body, the payload hash of every GET. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Header that, set to {@link UNSIGNED_PAYLOAD}, takes the body out of the signature. */
export const CONTENT_SHA256_HEADER = 'x-sdk-content-sha256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Lower-case hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Canonical URI: each segment of the (wire-encoded) path decoded and re-encoded RFC 3986 style, with a `/`
 * appended when the path does not end in one. Decoding first makes a client that encodes `:` and a server that
 * receives it raw agree.
 */
export function canonicalUri(encodedPath: string): string {
  const uri = encodedPath
    .split('/')
    .map((segment) => percentEncode(percentDecode(segment)))
    .join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/**
 * Canonical query string: every `key=value` pair decoded, sorted by raw key then raw value (as the official Node
 * SDK sorts them: JavaScript string order), re-encoded and joined with `&`. A key without `=` has an empty value.
 */
export function canonicalQueryString(encodedQuery: string): string {
  const pairs = encodedQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      const key = equals === -1 ? part : part.slice(0, equals);
      const value = equals === -1 ? '' : part.slice(equals + 1);
      return [percentDecode(key), percentDecode(value)] as const;
    });
  pairs.sort(([keyA, valueA], [keyB, valueB]) => compare(keyA, keyB) || compare(valueA, valueB));
  return pairs.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The `SignedHeaders` value: lower-cased names, sorted, joined with `;`. */
export function signedHeadersValue(names: readonly string[]): string {
  return [...new Set(names.map((name) => name.toLowerCase()))].sort(compare).join(';');
}

/**
 * Canonical headers block: `name:value\n` per signed header, sorted by name, values trimmed (a server never sees
 * surrounding whitespace). A signed header missing from the request is an error: the signature cannot match.
 */
export function canonicalHeaders(headers: SignableRequest['headers'], signedHeaderNames: readonly string[]): string {
  const normalized = normalizeHeaders(headers);
  return signedHeadersValue(signedHeaderNames)
    .split(';')
    .filter((name) => name !== '')
    .map((name) => {
      const value = normalized.get(name);
      if (value === undefined) throw new Error(`signed header "${name}" is not present on the request`);
      return `${name}:${value.trim()}\n`;
    })
    .join('');
}

/** Payload hash: hex SHA-256 of the exact body bytes, or `UNSIGNED-PAYLOAD` when the request says so. */
export function payloadHash(request: Pick<SignableRequest, 'headers' | 'body'>): string {
  if (normalizeHeaders(request.headers).get(CONTENT_SHA256_HEADER) === UNSIGNED_PAYLOAD) return UNSIGNED_PAYLOAD;
  if (request.body === undefined || request.body.length === 0) return EMPTY_BODY_SHA256;
  return sha256Hex(request.body);
}

/**
 * The canonical request of SDK-HMAC-SHA256 (docs/dcs-api.md §4.1 step 2), covering exactly `signedHeaderNames`. A
 * server recomputes it with the names listed in the request's `Authorization` header.
 */
export function canonicalRequest(request: SignableRequest, signedHeaderNames: readonly string[]): string {
  const { path, query } = splitUrl(request.url);
  return [
    request.method.toUpperCase(),
    canonicalUri(path),
    canonicalQueryString(query),
    canonicalHeaders(request.headers, signedHeaderNames),
    signedHeadersValue(signedHeaderNames),
    payloadHash(request),
  ].join('\n');
}
