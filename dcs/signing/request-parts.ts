/**
 * The parts of an HTTP request that the signature covers, in a shape both sides have at hand: the client before
 * sending, and a server (the emulator) after receiving.
 */
export interface SignableRequest {
  /** HTTP verb; compared upper-cased. */
  method: string;
  /**
   * The URL as sent on the wire: absolute (`https://host/v2/p/x?a=1`) or origin-relative (`/v2/p/x?a=1`), with
   * path segments and query components percent-encoded.
   */
  url: string;
  /** Request headers; names are matched case-insensitively; repeated values are joined with `,`. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The exact body bytes sent (a string is taken as UTF-8). Absent means empty. */
  body?: string | Uint8Array | undefined;
}

/** Splits a wire URL into its (still encoded) path and query string, without normalising either. */
export function splitUrl(url: string): { path: string; query: string } {
  const withoutOrigin = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const withoutFragment = withoutOrigin.split('#', 1)[0] ?? '';
  const queryStart = withoutFragment.indexOf('?');
  const path = queryStart === -1 ? withoutFragment : withoutFragment.slice(0, queryStart);
  const query = queryStart === -1 ? '' : withoutFragment.slice(queryStart + 1);
  return { path: path === '' ? '/' : path, query };
}

/** Lower-cases header names and flattens repeated values, dropping absent ones. */
export function normalizeHeaders(headers: SignableRequest['headers']): Map<string, string> {
  const normalized = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    normalized.set(name.toLowerCase(), typeof value === 'string' ? value : value.join(','));
  }
  return normalized;
}
