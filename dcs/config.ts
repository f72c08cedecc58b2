import { inspect } from 'node:util';
import { z } from 'zod';
import { parseRateLimit, type RateLimit } from '../common/rate-limit.js';
import { DcsConfigurationError } from './errors/error-classes.js';
import { fieldIssues, formatIssues } from './schemas/issues.js';
import { DCS_ENV } from './env-names.js';
import { Secret } from './secret.js';

/** How the client authenticates: AK/SK signing, a ready IAM token, or an IAM user whose token it fetches. */
export type DcsCredentials =
  | { kind: 'aksk'; accessKey: Secret; secretKey: Secret; /** Temporary credentials only. */ securityToken?: Secret }
  | { kind: 'token'; token: Secret }
  | { kind: 'iam-password'; username: string; password: Secret; /** Account (domain) name. */ domainName?: string };

/** The values of the credentials (AK, SK, token, IAM password), for scrubbing them from text shown to a user. */
export function credentialValues(credentials: DcsCredentials): string[] {
  switch (credentials.kind) {
    case 'aksk':
      return [
        credentials.accessKey.reveal(),
        credentials.secretKey.reveal(),
        ...(credentials.securityToken ? [credentials.securityToken.reveal()] : []),
      ];
    case 'token':
      return [credentials.token.reveal()];
    case 'iam-password':
      return [credentials.password.reveal()];
  }
}

/** Everything the DCS client needs; build it with {@link loadDcsConfig}. Printing it never shows a secret. */
export interface DcsConfig {
  /** Origin of the DCS API, e.g. `https://dcs.ap-southeast-1.myhuaweicloud.com` (no trailing slash). */
  endpoint: string;
  region: string | undefined;
  projectId: string;
  credentials: DcsCredentials;
  /** Origin of IAM for token auth: explicit, else `https://iam.{region}.myhuaweicloud.com`, else `endpoint`. */
  iamEndpoint: string;
  timeouts: DcsTimeouts;
  /** `DCS_RATE_LIMIT`: the API rate limit a throttled client paces under from the start (`dcs/throttle.ts`). */
  rateLimit?: RateLimit;
}

export interface DcsTimeouts {
  /** Establishing the TCP/TLS connection. */
  connectMs: number;
  /** From sending the request to receiving the response headers. */
  headersMs: number;
  /** Between two chunks of the response body. */
  bodyMs: number;
}

/** Values that take precedence over the environment (CLI flags, tests). */
export interface DcsConfigOverrides {
  endpoint?: string;
  region?: string;
  projectId?: string;
  accessKey?: string;
  secretKey?: string;
  securityToken?: string;
  token?: string;
  iamUsername?: string;
  iamPassword?: string;
  iamDomain?: string;
  iamEndpoint?: string;
  timeouts?: Partial<DcsTimeouts>;
}

export { DCS_ENV };

export const DEFAULT_TIMEOUTS: DcsTimeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000 };

const origin = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .refine((value) => new URL(value).pathname === '/' && !new URL(value).search, {
    error: 'must be an origin without a path (the client adds /v2/{project_id}/…)',
  })
  // The origin form drops a trailing slash and the scheme's default port, as the Host header will.
  .transform((value) => new URL(value).origin);
const region = z.string().regex(/^[a-z]{2}(-[a-z0-9]+)+$/, { error: 'must look like ap-southeast-1' });
const projectId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1–64 letters, digits, - or _' });
const timeoutMs = z.coerce.number().int().min(1, { error: 'must be a positive number of milliseconds' });

/**
 * Reads the DCS client configuration from `env` (default `process.env`), with `overrides` taking precedence.
 * Throws {@link DcsConfigurationError} naming the variables to set; the message never includes a secret value.
 */
export function loadDcsConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: DcsConfigOverrides = {},
): DcsConfig {
  const read = (names: readonly string[]): string | undefined => {
    for (const name of names) {
      const value = env[name]?.trim();
      if (value) return value;
    }
    return undefined;
  };
  const pick = <K extends keyof typeof DCS_ENV & keyof DcsConfigOverrides>(key: K): string | undefined => {
    const override = overrides[key];
    return typeof override === 'string' && override.trim() !== '' ? override.trim() : read(DCS_ENV[key]);
  };
  const problems: string[] = [];
  const check = <T>(schema: z.ZodType<T>, value: unknown, field: string): T | undefined => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    problems.push(formatIssues(fieldIssues(result.error, { root: field })));
    return undefined;
  };
  const names = (key: keyof typeof DCS_ENV) => DCS_ENV[key].join(' or ');

  const regionValue = pick('region');
  const checkedRegion = regionValue === undefined ? undefined : check(region, regionValue, names('region'));
  const explicitEndpoint = pick('endpoint');
  let endpoint: string | undefined;
  if (explicitEndpoint !== undefined) endpoint = check(origin, explicitEndpoint, names('endpoint'));
  else if (checkedRegion !== undefined) endpoint = `https://dcs.${checkedRegion}.myhuaweicloud.com`;
  else if (regionValue === undefined) problems.push(`set ${names('endpoint')}, or a region with ${names('region')}`);

  const projectValue = pick('projectId');
  const checkedProject =
    projectValue === undefined
      ? (problems.push(`set the project id with ${names('projectId')}`), undefined)
      : check(projectId, projectValue, names('projectId'));

  const credentials = readCredentials(pick, names, problems);

  const explicitIam = pick('iamEndpoint');
  const iamEndpoint =
    explicitIam !== undefined
      ? check(origin, explicitIam, names('iamEndpoint'))
      : checkedRegion !== undefined && explicitEndpoint === undefined
        ? `https://iam.${checkedRegion}.myhuaweicloud.com`
        : endpoint;

  const connect = overrides.timeouts?.connectMs ?? read(DCS_ENV.connectTimeoutMs);
  const request = read(DCS_ENV.requestTimeoutMs);
  const timeouts: DcsTimeouts = {
    connectMs:
      connect === undefined ? DEFAULT_TIMEOUTS.connectMs : (check(timeoutMs, connect, names('connectTimeoutMs')) ?? 0),
    headersMs:
      overrides.timeouts?.headersMs ??
      (request === undefined
        ? DEFAULT_TIMEOUTS.headersMs
        : (check(timeoutMs, request, names('requestTimeoutMs')) ?? 0)),
    bodyMs:
      overrides.timeouts?.bodyMs ??
      (request === undefined ? DEFAULT_TIMEOUTS.bodyMs : (check(timeoutMs, request, names('requestTimeoutMs')) ?? 0)),
  };

  const rateLimitText = read(DCS_ENV.rateLimit);
  let rateLimit: RateLimit | undefined;
  if (rateLimitText !== undefined) {
    try {
      rateLimit = parseRateLimit(rateLimitText);
    } catch (error) {
      problems.push(`${names('rateLimit')}: ${(error as Error).message}`);
    }
  }

  if (
    problems.length > 0 ||
    endpoint === undefined ||
    checkedProject === undefined ||
    credentials === undefined ||
    iamEndpoint === undefined
  ) {
    throw new DcsConfigurationError(`DCS client configuration is incomplete: ${[...new Set(problems)].join('; ')}`);
  }
  const config: DcsConfig = {
    endpoint,
    region: checkedRegion,
    projectId: checkedProject,
    credentials,
    iamEndpoint,
    timeouts,
    ...(rateLimit ? { rateLimit } : {}),
  };
  return withSafeInspect(config);
}

function readCredentials(
  pick: (
    key: 'accessKey' | 'secretKey' | 'securityToken' | 'token' | 'iamUsername' | 'iamPassword' | 'iamDomain',
  ) => string | undefined,
  names: (key: keyof typeof DCS_ENV) => string,
  problems: string[],
): DcsCredentials | undefined {
  const accessKey = pick('accessKey');
  const secretKey = pick('secretKey');
  if (accessKey !== undefined || secretKey !== undefined) {
    if (accessKey === undefined)
      problems.push(`the secret key is set but the access key is not: set ${names('accessKey')}`);
    if (secretKey === undefined)
      problems.push(`the access key is set but the secret key is not: set ${names('secretKey')}`);
    if (accessKey === undefined || secretKey === undefined) return undefined;
    const securityToken = pick('securityToken');
    return {
      kind: 'aksk',
      accessKey: new Secret(accessKey),
      secretKey: new Secret(secretKey),
      ...(securityToken === undefined ? {} : { securityToken: new Secret(securityToken) }),
    };
  }
  const token = pick('token');
  if (token !== undefined) return { kind: 'token', token: new Secret(token) };
  const username = pick('iamUsername');
  const password = pick('iamPassword');
  if (username !== undefined || password !== undefined) {
    if (username === undefined || password === undefined) {
      problems.push(`token authentication needs both ${names('iamUsername')} and ${names('iamPassword')}`);
      return undefined;
    }
    const domainName = pick('iamDomain');
    return {
      kind: 'iam-password',
      username,
      password: new Secret(password),
      ...(domainName === undefined ? {} : { domainName }),
    };
  }
  problems.push(
    `no credentials: set ${names('accessKey')} and ${names('secretKey')} (AK/SK), or ${names('token')}, or ${names('iamUsername')} and ${names('iamPassword')}`,
  );
  return undefined;
}

/** Makes `util.inspect`/`console.log` of the config show the auth kind only. */
function withSafeInspect(config: DcsConfig): DcsConfig {
  Object.defineProperty(config, inspect.custom, {
    enumerable: false,
    value: () =>
      `DcsConfig { endpoint: '${config.endpoint}', projectId: '${config.projectId}', auth: '${config.credentials.kind}' }`,
  });
  return config;
}
