import { createHmac } from 'node:crypto';
import { sha256Hex } from './canonical-request.js';

/** The algorithm name that starts the `Authorization` header and the string to sign. */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
/** Header carrying the signing time, `YYYYMMDDTHHMMSSZ` in UTC. */
export const SDK_DATE_HEADER = 'x-sdk-date';

/** Formats a time as the `X-Sdk-Date` header value, e.g. `20191115T033655Z`. */
export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Parses an `X-Sdk-Date` value; `undefined` when it is not `YYYYMMDDTHHMMSSZ`. */
export function parseSdkDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `SDK-HMAC-SHA256\n{X-Sdk-Date}\n{hex SHA-256 of the canonical request}`. */
export function stringToSign(canonicalRequestText: string, sdkDate: string): string {
  return [SIGNING_ALGORITHM, sdkDate, sha256Hex(canonicalRequestText)].join('\n');
}

/** Lower-case hex HMAC-SHA256 of the string to sign, keyed with the SK (no derived key for this algorithm). */
export function computeSignature(canonicalRequestText: string, sdkDate: string, secretKey: string): string {
  return createHmac('sha256', secretKey).update(stringToSign(canonicalRequestText, sdkDate)).digest('hex');
}
