import { describe, expect, it } from 'vitest';
import { conciseFailure, credentialHint, isCredentialFailure } from './failure-text.js';

const HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const REFUSED =
  'ListMigrationTask failed: HTTP 401 APIGW.0301: Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest:GET\n' +
  `/v2/p1/migration-tasks/\nlimit=10\ncontent-type:application/json\nhost:127.0.0.1:4000\nx-sdk-date:20260101T000000Z\n\ncontent-type;host;x-sdk-date\n${HASH}` +
  ' (request id abc123)';

describe('conciseFailure', () => {
  it('replaces the canonical request a refused signature quotes by a pointer to --verbose, keeping the request id', () => {
    expect(conciseFailure(REFUSED)).toBe(
      'ListMigrationTask failed: HTTP 401 APIGW.0301: Incorrect IAM authentication information: verify aksk signature fail (canonical request: add --verbose) (request id abc123)',
    );
    expect(conciseFailure(REFUSED, true)).toBe(REFUSED);
  });

  it('cuts a canonical request already cut to its first line, and joins other multi-line messages on one line', () => {
    expect(conciseFailure('x failed: verify aksk signature fail, canonicalRequest:GET')).toBe(
      'x failed: verify aksk signature fail (canonical request: add --verbose)',
    );
    expect(conciseFailure('first\n  second')).toBe('first second');
    expect(conciseFailure('plain message; remote task 1 stopped (TERMINATED)')).toBe(
      'plain message; remote task 1 stopped (TERMINATED)',
    );
  });
});

describe('the credential hint', () => {
  it('applies to refused credentials only, and names the variables the worker reads', () => {
    expect(isCredentialFailure('DcsAuthenticationError', 'x')).toBe(true);
    expect(isCredentialFailure(undefined, REFUSED)).toBe(true);
    expect(
      isCredentialFailure('DcsNetworkError', 'ListMigrationTask failed: could not reach the endpoint (ECONNREFUSED)'),
    ).toBe(false);
    expect(credentialHint()).toMatch(
      /worker's DCS credentials.*HUAWEICLOUD_SDK_AK.*HUAWEICLOUD_SDK_SK.*DCS_PROJECT_ID/,
    );
    expect(credentialHint()).not.toContain('\n');
  });
});
