/**
 * Failure messages as `status` and `watch` show them: one line each. The DCS gateway's answer to a bad
 * signature quotes the canonical request it computed (about ten lines, `docs/dcs-api.md` signing); it only helps
 * someone debugging the signer, so it is kept for `--verbose` and replaced by a pointer otherwise. A refused
 * signature or token means the *worker's* DCS credentials are wrong: the hint names the variables it reads.
 */
import { DCS_ENV } from '../dcs/env-names.js';

/** `, canonicalRequest:METHOD\n/uri/\n…\n<payload hash>` as the gateway (and the emulator) append it. */
const CANONICAL_REQUEST = /,?\s*canonicalRequest:[\s\S]*?\n(?:[0-9a-f]{64}|UNSIGNED-PAYLOAD)(?![0-9a-f])/g;

/** `message` without the canonical request the gateway quotes (unless `verbose`), on one line. */
export function conciseFailure(message: string, verbose = false): string {
  if (verbose) return message;
  const cut = message
    .replace(CANONICAL_REQUEST, ' (canonical request: add --verbose)')
    // Cut to its first line already (a pending activity's last failure).
    .replace(/,?\s*canonicalRequest:[^\n]*$/, ' (canonical request: add --verbose)');
  return cut.replace(/\s*\n\s*/g, ' ');
}

/** True for a DCS answer that refused the worker's credentials (HTTP 401, `APIGW.0301`, a bad token). */
export function isCredentialFailure(type: string | undefined, message: string | undefined): boolean {
  if (type === 'DcsAuthenticationError') return true;
  return message !== undefined && /\bHTTP 401\b|APIGW\.0301|Incorrect IAM authentication information/.test(message);
}

/** One line: which of the worker's variables carry the DCS credentials and project. */
export function credentialHint(): string {
  // In the order the worker reads them: the first one set wins.
  const names = (list: readonly string[]) => list.join(' or ');
  return (
    `the worker's DCS credentials were refused: check ${names(DCS_ENV.accessKey)}, ${names(DCS_ENV.secretKey)} ` +
    `and ${names(DCS_ENV.projectId)} in the worker's environment (not this CLI's)`
  );
}
