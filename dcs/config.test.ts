import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadDcsConfig } from './config.js';
import { DcsConfigurationError } from './errors/index.js';

const base = { HUAWEICLOUD_SDK_PROJECT_ID: 'proj1', CLOUD_SDK_AK: 'AKVALUE123', CLOUD_SDK_SK: 'SKVALUE456' };

function configError(env: Record<string, string>): DcsConfigurationError {
  try {
    loadDcsConfig(env);
  } catch (error) {
    if (error instanceof DcsConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('loadDcsConfig', () => {
  it('derives the endpoint from the region, or takes DCS_ENDPOINT as given', () => {
    expect(loadDcsConfig({ ...base, DCS_REGION: 'ap-southeast-1' }).endpoint).toBe(
      'https://dcs.ap-southeast-1.myhuaweicloud.com',
    );
    const local = loadDcsConfig({ ...base, DCS_ENDPOINT: 'http://127.0.0.1:8123/' });
    expect(local.endpoint).toBe('http://127.0.0.1:8123');
    expect(loadDcsConfig({ ...base, DCS_ENDPOINT: 'https://dcs.example.com:443' }).endpoint).toBe(
      'https://dcs.example.com',
    );
    // With an explicit endpoint (the emulator) IAM defaults to the same origin.
    expect(local.iamEndpoint).toBe('http://127.0.0.1:8123');
    expect(loadDcsConfig({ ...base, HUAWEICLOUD_SDK_REGION: 'eu-west-101' }).iamEndpoint).toBe(
      'https://iam.eu-west-101.myhuaweicloud.com',
    );
  });

  it('reads CLOUD_SDK_* (Huawei samples) first, HUAWEICLOUD_SDK_* otherwise; overrides win', () => {
    const fromSdkNames = loadDcsConfig({
      DCS_REGION: 'cn-north-4',
      DCS_PROJECT_ID: 'p2',
      HUAWEICLOUD_SDK_AK: 'AK-B',
      HUAWEICLOUD_SDK_SK: 'SK-B',
      HUAWEICLOUD_SDK_SECURITY_TOKEN: 'TOKEN-B',
    });
    expect(fromSdkNames.projectId).toBe('p2');
    expect(fromSdkNames.credentials.kind).toBe('aksk');
    if (fromSdkNames.credentials.kind === 'aksk') {
      expect(fromSdkNames.credentials.accessKey.reveal()).toBe('AK-B');
      expect(fromSdkNames.credentials.securityToken?.reveal()).toBe('TOKEN-B');
    }
    const overridden = loadDcsConfig(
      { ...base, DCS_REGION: 'cn-north-4' },
      { endpoint: 'http://localhost:9', projectId: 'other', timeouts: { headersMs: 5 } },
    );
    expect([overridden.endpoint, overridden.projectId, overridden.timeouts.headersMs]).toEqual([
      'http://localhost:9',
      'other',
      5,
    ]);
  });

  it('takes a ready token, or IAM user credentials, when there is no AK/SK', () => {
    const token = loadDcsConfig({ DCS_REGION: 'cn-north-4', DCS_PROJECT_ID: 'p', DCS_AUTH_TOKEN: 'tok' });
    expect(token.credentials.kind).toBe('token');
    const iam = loadDcsConfig({
      DCS_REGION: 'cn-north-4',
      DCS_PROJECT_ID: 'p',
      DCS_IAM_USERNAME: 'u',
      DCS_IAM_PASSWORD: 'pw',
      DCS_IAM_DOMAIN: 'acct',
    });
    expect(iam.credentials).toMatchObject({ kind: 'iam-password', username: 'u', domainName: 'acct' });
  });

  it('names every missing or bad variable at once, and never a secret value', () => {
    const error = configError({ CLOUD_SDK_AK: 'AKVALUE123', DCS_REGION: 'Not A Region' });
    expect(error.message).toContain(
      'DCS_REGION or HUAWEICLOUD_SDK_REGION or CLOUD_SDK_REGION: must look like ap-southeast-1',
    );
    expect(error.message).toContain('HUAWEICLOUD_SDK_PROJECT_ID or DCS_PROJECT_ID');
    expect(error.message).toContain(
      'the access key is set but the secret key is not: set CLOUD_SDK_SK or HUAWEICLOUD_SDK_SK',
    );
    expect(error.message).not.toContain('AKVALUE123');
    expect(configError({ ...base }).message).toContain('set DCS_ENDPOINT, or a region');
    expect(configError({ ...base, DCS_ENDPOINT: 'ftp://x' }).message).toContain('DCS_ENDPOINT: must be an http(s) URL');
    expect(configError({ ...base, DCS_ENDPOINT: 'https://x/v2' }).message).toContain(
      'DCS_ENDPOINT: must be an origin without a path',
    );
    expect(configError({ DCS_ENDPOINT: 'http://x', DCS_PROJECT_ID: 'p' }).message).toContain('no credentials');
    expect(configError({ ...base, DCS_ENDPOINT: 'http://x', DCS_REQUEST_TIMEOUT_MS: 'soon' }).message).toContain(
      'DCS_REQUEST_TIMEOUT_MS',
    );
  });

  it('prints without secrets', () => {
    const config = loadDcsConfig({ ...base, DCS_ENDPOINT: 'http://127.0.0.1:1' });
    const shown = `${inspect(config, { depth: 5 })} ${JSON.stringify(config)} ${String(config.credentials.kind === 'aksk' && config.credentials.secretKey)}`;
    expect(shown).not.toContain('SKVALUE456');
    expect(shown).not.toContain('AKVALUE123');
  });
});
