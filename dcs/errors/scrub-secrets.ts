/** What replaces a secret in any text the client shows. */
export const REDACTED = '[REDACTED]';

// Values of these keys are secrets wherever they appear: JSON (`"password":"x"`), headers or canonical requests
// (`x-security-token:x`), query-ish text (`password=x`).
const SECRET_KEY = String.raw`(?:password|passwd|pwd|secret[_-]?key|sk|security[_-]?token|x-security-token|auth[_-]?token|x-auth-token|x-subject-token|token)`;
const SECRET_ASSIGNMENT = new RegExp(String.raw`((?<![A-Za-z0-9_-])"?${SECRET_KEY}"?\s*[:=]\s*"?)([^"\s,;&|}]+)`, 'gi');
// The gateway echoes the AK in `ak <AK> not exist` and the Authorization header in `Access=<AK>`.
const ACCESS_KEY_ECHO = /(\bak |\bAccess=)([^\s,;|]+)/g;
// A Redis server or client library quoting the command it refused: `AUTH <password>` or `AUTH <user> <password>`.
const REDIS_AUTH_ECHO = /(\bAUTH\s+)([^\s,;|=]+)(\s+[^\s,;|=]+(?=[\s,;|]|$))?/g;

/**
 * Removes secrets from text that may be shown to a user: every known secret value (AK, SK, tokens, passwords sent
 * in the request), then anything that looks like a secret assignment. Short known values (< 4 chars) are only
 * caught by the patterns, so that scrubbing does not shred ordinary words.
 */
export function scrubSecrets(text: string, knownSecrets: Iterable<string | undefined> = []): string {
  let scrubbed = text;
  const values = [...knownSecrets].filter((value): value is string => typeof value === 'string' && value.length >= 4);
  // Longest first, so a secret that contains another is removed whole.
  for (const value of values.sort((a, b) => b.length - a.length)) scrubbed = scrubbed.split(value).join(REDACTED);
  return scrubbed
    .replace(SECRET_ASSIGNMENT, (_match, prefix: string) => `${prefix}${REDACTED}`)
    .replace(ACCESS_KEY_ECHO, (_match, prefix: string) => `${prefix}${REDACTED}`)
    .replace(REDIS_AUTH_ECHO, (_match, prefix: string) => `${prefix}${REDACTED}`);
}

/** Collects the values of password-like fields anywhere in a request body, so they can be scrubbed from errors. */
export function secretsInBody(body: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === 'string') {
      if (key !== undefined && /password|secret|token/i.test(key)) found.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (value !== null && typeof value === 'object') {
      for (const [childKey, child] of Object.entries(value)) visit(child, childKey);
    }
  };
  visit(body, undefined);
  return found;
}

/**
 * A copy of a response with every password/secret/token field replaced by `[REDACTED]`: DCS echoes instance
 * passwords in task details (docs/dcs-api.md §6 quirk 9), and nothing the client prints may show them.
 */
export function redactSecretFields<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => redactSecretFields(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      /password|secret|token/i.test(key) && child !== null && child !== undefined && child !== ''
        ? REDACTED
        : redactSecretFields(child),
    ]),
  ) as T;
}
