/**
 * RFC 3986 percent-encoding as the SDK-HMAC-SHA256 canonical form wants it: UTF-8 bytes, only the unreserved
 * characters `A-Z a-z 0-9 - _ . ~` left as they are, everything else `%XX` with upper-case hex (space is `%20`,
 * never `+`).
 */
export function percentEncode(value: string): string {
  // encodeURIComponent already produces upper-case UTF-8 escapes; it only leaves `! ' ( ) *` too many unescaped.
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Decodes one path segment or query component as received on the wire. A malformed escape (a stray `%`) is kept
 * literally instead of failing, so a verifier can still compute a canonical form and report a signature mismatch.
 */
export function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
