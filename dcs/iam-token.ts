import { request, type Dispatcher } from 'undici';
import { DcsInvalidResponseError } from './errors/error-classes.js';
import { errorFromHttpAnswer, errorFromTransportFailure } from './errors/map-error.js';
import { Secret } from './secret.js';

/** How to get a project-scoped token from IAM (`POST /v3/auth/tokens`, password identity). */
export interface IamPasswordLogin {
  iamEndpoint: string;
  username: string;
  password: Secret;
  domainName?: string | undefined;
  projectId: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  now?: () => Date;
}

// Refresh this long before IAM's expiry, so a token never expires between being read and being checked.
const REFRESH_MARGIN_MS = 5 * 60_000;
// IAM tokens live 24 h; used when the answer does not say.
const DEFAULT_LIFETIME_MS = 24 * 3_600_000;

/**
 * Fetches an IAM token on first use and caches it until shortly before it expires. Concurrent callers share one
 * fetch. `invalidate()` drops it (after a 401 saying the token is invalid or expired).
 */
export class IamTokenProvider {
  #cached: { token: Secret; refreshAt: number } | undefined;
  #pending: Promise<Secret> | undefined;

  constructor(private readonly login: IamPasswordLogin) {}

  async token(): Promise<Secret> {
    const now = (this.login.now ?? (() => new Date()))().getTime();
    if (this.#cached && now < this.#cached.refreshAt) return this.#cached.token;
    this.#pending ??= this.#fetch(now).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  invalidate(): void {
    this.#cached = undefined;
  }

  async #fetch(now: number): Promise<Secret> {
    const operation = 'KeystoneCreateUserTokenByPassword';
    const url = `${this.login.iamEndpoint}/v3/auth/tokens`;
    const body = JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: {
              name: this.login.username,
              password: this.login.password.reveal(),
              ...(this.login.domainName ? { domain: { name: this.login.domainName } } : {}),
            },
          },
        },
        scope: { project: { id: this.login.projectId } },
      },
    });
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: 'POST',
        dispatcher: this.login.dispatcher,
        headers: { 'content-type': 'application/json;charset=utf8' },
        body,
        headersTimeout: this.login.timeoutMs,
        bodyTimeout: this.login.timeoutMs,
      });
    } catch (failure) {
      throw errorFromTransportFailure(failure, { operation, endpoint: this.login.iamEndpoint }) ?? failure;
    }
    const text = await response.body.text();
    const headers = response.headers as Record<string, string | string[] | undefined>;
    if (response.statusCode < 200 || response.statusCode > 299) {
      throw errorFromHttpAnswer({
        operation,
        status: response.statusCode,
        headers,
        bodyText: text,
        secrets: [this.login.password.reveal()],
      });
    }
    const subject = headers['x-subject-token'];
    const tokenValue = Array.isArray(subject) ? subject[0] : subject;
    if (!tokenValue) {
      throw new DcsInvalidResponseError(
        `${operation} answered without an X-Subject-Token header`,
        [{ field: 'X-Subject-Token', message: 'is required' }],
        {
          operation,
          httpStatus: response.statusCode,
        },
      );
    }
    const token = new Secret(tokenValue);
    this.#cached = { token, refreshAt: Math.max(now, expiresAt(text, now) - REFRESH_MARGIN_MS) };
    return token;
  }
}

function expiresAt(bodyText: string, now: number): number {
  try {
    const parsed = JSON.parse(bodyText) as { token?: { expires_at?: unknown } };
    const at = typeof parsed.token?.expires_at === 'string' ? Date.parse(parsed.token.expires_at) : Number.NaN;
    return Number.isNaN(at) ? now + DEFAULT_LIFETIME_MS : at;
  } catch {
    return now + DEFAULT_LIFETIME_MS;
  }
}
