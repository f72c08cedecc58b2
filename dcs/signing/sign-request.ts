import { formatAuthorizationHeader } from './authorization-header.js';
import { canonicalRequest } from './canonical-request.js';
import { normalizeHeaders, type SignableRequest } from './request-parts.js';
import { computeSignature, formatSdkDate, SDK_DATE_HEADER } from './signature.js';

/** An access key pair; `secretKey` never leaves this process except as an HMAC key. */
export interface AkSkCredentials {
  accessKey: string;
  secretKey: string;
}

export interface SignOptions {
  /** Signing time when the request has no `X-Sdk-Date` yet. Default: now. */
  date?: Date;
  /**
   * Headers to sign. Default, as the official Node SDK: every header on the request, plus `host` (from the URL
   * when the request has no Host header) and `x-sdk-date`. `Authorization` is never signed.
   */
  signedHeaders?: readonly string[];
}

export interface SignedRequestHeaders {
  /** Headers to add to the request: `X-Sdk-Date` (when it was not already there) and `Authorization`. */
  headers: Record<string, string>;
  /** The lower-case names that were signed, sorted. */
  signedHeaders: string[];
  /** The canonical request that was signed (contains no secret; useful to debug a mismatch). */
  canonicalRequest: string;
}

/**
 * Signs a request with AK/SK (`SDK-HMAC-SHA256`, docs/dcs-api.md §4.1). `host` is signed as the URL's host, which is
 * what HTTP clients (undici included) send; a request that overrides Host must pass it in `headers`.
 */
export function signRequest(
  request: SignableRequest,
  credentials: AkSkCredentials,
  options: SignOptions = {},
): SignedRequestHeaders {
  const present = normalizeHeaders(request.headers);
  present.delete('authorization');
  const added: Record<string, string> = {};
  let sdkDate = present.get(SDK_DATE_HEADER);
  if (sdkDate === undefined) {
    sdkDate = formatSdkDate(options.date ?? new Date());
    added['X-Sdk-Date'] = sdkDate;
    present.set(SDK_DATE_HEADER, sdkDate);
  }
  if (!present.has('host') && /^[a-z][a-z0-9+.-]*:\/\//i.test(request.url)) {
    // URL.host drops the scheme's default port, exactly as undici's Host header does.
    present.set('host', new URL(request.url).host);
  }
  const signedHeaders = [...(options.signedHeaders ?? present.keys())].map((name) => name.toLowerCase()).sort();
  const headersForSigning = Object.fromEntries(present);
  const canonical = canonicalRequest({ ...request, headers: headersForSigning }, signedHeaders);
  const signature = computeSignature(canonical, sdkDate, credentials.secretKey);
  added['Authorization'] = formatAuthorizationHeader({
    accessKey: credentials.accessKey,
    signedHeaders: [...new Set(signedHeaders)],
    signature,
  });
  return { headers: added, signedHeaders: [...new Set(signedHeaders)], canonicalRequest: canonical };
}
