import { timingSafeEqual } from 'node:crypto';
import { parseAuthorizationHeader } from './authorization-header.js';
import { canonicalRequest } from './canonical-request.js';
import { normalizeHeaders, type SignableRequest } from './request-parts.js';
import { computeSignature, parseSdkDate, SDK_DATE_HEADER } from './signature.js';

/** Why a signature was refused; a server maps every reason to HTTP 401 `APIGW.0301`. */
export type SignatureRejection =
  | 'missing-authorization'
  | 'malformed-authorization'
  | 'missing-date'
  | 'expired'
  | 'unknown-access-key'
  | 'signed-header-missing'
  | 'mismatch';

export type SignatureVerdict =
  | { ok: true; accessKey: string }
  | { ok: false; reason: SignatureRejection; message: string; canonicalRequest?: string };

export interface VerifyOptions {
  /** Returns the SK of an AK, or `undefined` when the AK is unknown. */
  secretKeyFor(accessKey: string): string | undefined;
  /** Server time. Default: now. */
  now?: Date;
  /** Largest accepted distance between `X-Sdk-Date` and server time. Default: 15 minutes, as the gateway. */
  maxClockSkewMs?: number;
}

/**
 * Server side of AK/SK signing: recomputes the signature over the headers the request lists in `SignedHeaders`
 * and compares it in constant time. Messages follow the gateway's wording and never contain the SK.
 */
export function verifyRequestSignature(request: SignableRequest, options: VerifyOptions): SignatureVerdict {
  const headers = normalizeHeaders(request.headers);
  const authorizationValue = headers.get('authorization');
  if (authorizationValue === undefined) {
    return reject('missing-authorization', 'Incorrect IAM authentication information: Authorization header is missing');
  }
  const auth = parseAuthorizationHeader(authorizationValue);
  if (!auth) {
    return reject(
      'malformed-authorization',
      'Incorrect IAM authentication information: Authorization header is not SDK-HMAC-SHA256',
    );
  }
  const sdkDate = headers.get(SDK_DATE_HEADER);
  const signedAt = sdkDate === undefined ? undefined : parseSdkDate(sdkDate);
  if (sdkDate === undefined || signedAt === undefined) {
    return reject(
      'missing-date',
      'Incorrect IAM authentication information: X-Sdk-Date header is missing or malformed',
    );
  }
  const now = options.now ?? new Date();
  if (Math.abs(now.getTime() - signedAt.getTime()) > (options.maxClockSkewMs ?? 15 * 60_000)) {
    return reject(
      'expired',
      `Incorrect IAM authentication information: calc aksk signature fail:signature expired, signature time:${sdkDate},server time:${formatForMessage(now)}`,
    );
  }
  const secretKey = options.secretKeyFor(auth.accessKey);
  if (secretKey === undefined) {
    return reject('unknown-access-key', `Incorrect IAM authentication information: ak ${auth.accessKey} not exist`);
  }
  const missing = auth.signedHeaders.find((name) => !headers.has(name));
  if (missing !== undefined) {
    return reject(
      'signed-header-missing',
      `Incorrect IAM authentication information: signed header ${missing} is not present`,
    );
  }
  const canonical = canonicalRequest(request, auth.signedHeaders);
  const expected = Buffer.from(computeSignature(canonical, sdkDate, secretKey));
  const actual = Buffer.from(auth.signature.toLowerCase());
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return {
      ok: false,
      reason: 'mismatch',
      message: `Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest:${canonical}`,
      canonicalRequest: canonical,
    };
  }
  return { ok: true, accessKey: auth.accessKey };
}

function reject(reason: SignatureRejection, message: string): SignatureVerdict {
  return { ok: false, reason, message };
}

function formatForMessage(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
