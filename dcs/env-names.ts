/*
 * Apart from config.ts (which validates with zod) so that what only needs the names, e.g. the CLI's hint for
 * refused credentials, does not load zod.
 */

/**
 * The environment variables read, first match wins. `CLOUD_SDK_*` is what Huawei's own samples use;
 * `HUAWEICLOUD_SDK_*` what its SDKs read. The emulator reads the same names, so one shell configures both.
 */
export const DCS_ENV = {
  endpoint: ['DCS_ENDPOINT'],
  region: ['DCS_REGION', 'HUAWEICLOUD_SDK_REGION', 'CLOUD_SDK_REGION'],
  projectId: ['HUAWEICLOUD_SDK_PROJECT_ID', 'DCS_PROJECT_ID', 'CLOUD_SDK_PROJECT_ID'],
  accessKey: ['CLOUD_SDK_AK', 'HUAWEICLOUD_SDK_AK'],
  secretKey: ['CLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SK'],
  securityToken: ['HUAWEICLOUD_SDK_SECURITY_TOKEN', 'CLOUD_SDK_SECURITY_TOKEN'],
  token: ['DCS_AUTH_TOKEN'],
  iamUsername: ['DCS_IAM_USERNAME'],
  iamPassword: ['DCS_IAM_PASSWORD'],
  iamDomain: ['DCS_IAM_DOMAIN'],
  iamEndpoint: ['DCS_IAM_ENDPOINT', 'HUAWEICLOUD_SDK_IAM_ENDPOINT'],
  connectTimeoutMs: ['DCS_CONNECT_TIMEOUT_MS'],
  requestTimeoutMs: ['DCS_REQUEST_TIMEOUT_MS'],
  /** The tenant's API rate limit to pace under from the start (`200/5m`); otherwise learned from a 429. */
  rateLimit: ['DCS_RATE_LIMIT'],
} as const;
