import { SIGNING_ALGORITHM } from './signature.js';

/** The three parts of an `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header. */
export interface SdkAuthorization {
  accessKey: string;
  /** Lower-case header names, in the order listed. */
  signedHeaders: string[];
  signature: string;
}

/** Builds the `Authorization` header value. */
export function formatAuthorizationHeader(auth: SdkAuthorization): string {
  return `${SIGNING_ALGORITHM} Access=${auth.accessKey}, SignedHeaders=${auth.signedHeaders.join(';')}, Signature=${auth.signature}`;
}

/**
 * Parses an `Authorization` header of the SDK-HMAC-SHA256 scheme; `undefined` when it is absent, of another
 * scheme, or lacks one of the three parts. Tolerates missing spaces after the commas.
 */
export function parseAuthorizationHeader(value: string | undefined): SdkAuthorization | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!trimmed.startsWith(`${SIGNING_ALGORITHM} `)) return undefined;
  const parts = new Map<string, string>();
  for (const part of trimmed.slice(SIGNING_ALGORITHM.length + 1).split(',')) {
    const equals = part.indexOf('=');
    if (equals === -1) return undefined;
    parts.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const accessKey = parts.get('Access');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!accessKey || !signedHeaders || !signature) return undefined;
  return { accessKey, signedHeaders: signedHeaders.split(';').map((name) => name.toLowerCase()), signature };
}
