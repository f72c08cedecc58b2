import { request } from 'undici';
import { signRequest } from '../../dcs/signing/index.js';
import { waitFor } from '../../local/wait.js';
import type { Emulator } from '../index.js';

/** Where the emulator answers and whom it accepts: an in-process `Emulator`, or one run as a process. */
export type DcsEndpoint = Pick<Emulator, 'url' | 'credentials'>;

type Answer = Promise<TestResponse>;

/** A response as tests look at it. */
export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or the raw text when the body is not JSON, or undefined when empty. */
  // Tests assert on the wire JSON itself (its shape is what they check), so it is left untyped here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface CallOptions {
  /** JSON-serialised when not a string; a string is sent as is (for malformed-body tests). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Sign with these keys instead of the emulator's. */
  credentials?: { ak: string; sk: string };
  /** Send unsigned (for auth tests), optionally with an IAM token. */
  unsigned?: boolean;
  token?: string;
  /** Change the request after signing: the signature must then fail. */
  tamper?: (request: { path: string; headers: Record<string, string>; body: string | undefined }) => void;
  signingDate?: Date;
}

/**
 * Calls the emulator over real HTTP with a real AK/SK signature (the client's signer, as the official SDK does:
 * content-type, host, x-project-id and x-sdk-date signed). `path` is relative to `/v2/{project_id}` unless it
 * starts with `//` (then taken from the root, minus one slash).
 */
export async function callDcs(emu: DcsEndpoint, method: string, path: string, options: CallOptions = {}): Answer {
  const fullPath = path.startsWith('//') ? path.slice(1) : `/v2/${emu.credentials.projectId}${path}`;
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Project-Id': emu.credentials.projectId,
    ...options.headers,
  };
  if (options.token !== undefined) headers['X-Auth-Token'] = options.token;
  if (!options.unsigned) {
    const credentials = options.credentials ?? emu.credentials;
    const signed = signRequest(
      { method, url: `${emu.url}${fullPath}`, headers, body },
      { accessKey: credentials.ak, secretKey: credentials.sk },
      { date: options.signingDate },
    );
    Object.assign(headers, signed.headers);
  }
  const sent = { path: fullPath, headers, body };
  options.tamper?.(sent);
  const response = await request(`${emu.url}${sent.path}`, {
    method: method as 'GET',
    headers: sent.headers,
    body: sent.body,
  });
  const text = await response.body.text();
  let parsed: unknown;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.statusCode, headers: response.headers, body: parsed };
}

/** Waits until Show returns one of `statuses` and answers the detail. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the task detail as sent on the wire
export async function waitForStatus(emu: DcsEndpoint, id: string, statuses: string[], waitMs = 30_000): Promise<any> {
  return waitFor(
    `task ${id} to reach ${statuses.join('|')}`,
    async () => {
      const response = await callDcs(emu, 'GET', `/migration-task/${id}`);
      if (response.status !== 200) throw new Error(`Show answered ${response.status} ${JSON.stringify(response.body)}`);
      return statuses.includes(response.body.status) ? response.body : undefined;
    },
    waitMs,
  );
}
