/**
 * The activity side's two pure pieces: the one DcsError → ApplicationFailure conversion (types, retryability,
 * Retry-After) and the resolution of password references (values never in messages).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createSecretResolver, SecretUnavailableError } from '../activities/secrets.js';
import { toApplicationFailure } from '../activities/to-application-failure.js';
import { retryDelayOf } from '../common/retry-delay-detail.js';
import {
  DcsAuthenticationError,
  DcsBadRequestError,
  DcsNetworkError,
  DcsNotFoundError,
  DcsPermissionDeniedError,
  DcsRateLimitedError,
  DcsServerError,
  DcsTimeoutError,
  DcsWrongStateError,
} from '../dcs/errors/index.js';
import { useTempDir } from './harness/temp-dir.js';

const backoff = { initialMs: 1_000, factor: 2, maxMs: 30_000 };

function convert(error: unknown, attempt = 1): ApplicationFailure {
  const converted = toApplicationFailure(error, attempt, backoff);
  expect(converted).toBeInstanceOf(ApplicationFailure);
  return converted as ApplicationFailure;
}

describe('DcsError → ApplicationFailure', () => {
  it('client errors are non-retryable and keep their class name as the failure type', () => {
    for (const error of [
      new DcsBadRequestError('bad', { httpStatus: 400, errorCode: 'DCS.4063' }),
      new DcsWrongStateError('state', { httpStatus: 400, errorCode: 'DCS.4957' }),
      new DcsAuthenticationError('auth', { httpStatus: 401 }),
      new DcsPermissionDeniedError('denied', { httpStatus: 403 }),
      new DcsNotFoundError('missing', { httpStatus: 404 }),
    ]) {
      const failure = convert(error);
      expect(failure.type).toBe(error.name);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.nextRetryDelay).toBeUndefined();
      expect(failure.message).toBe(error.message);
    }
  });

  it('server, network and timeout errors are retried with a growing, jittered delay', () => {
    for (const error of [
      new DcsServerError('boom', undefined, { httpStatus: 503 }),
      new DcsNetworkError('reset'),
      new DcsTimeoutError('slow'),
    ]) {
      const first = convert(error, 1);
      expect(first.type).toBe(error.name);
      expect(first.nonRetryable).toBe(false);
      expect(Number(first.nextRetryDelay)).toBeGreaterThanOrEqual(500);
      expect(Number(first.nextRetryDelay)).toBeLessThanOrEqual(1_000);
      const fifth = convert(error, 5);
      expect(Number(fifth.nextRetryDelay)).toBeGreaterThanOrEqual(8_000);
      expect(Number(fifth.nextRetryDelay)).toBeLessThanOrEqual(16_000);
    }
  });

  it('429 and 5xx wait at least as long as Retry-After says', () => {
    const failure = convert(new DcsRateLimitedError('slow down', 12_000, { httpStatus: 429 }), 1);
    expect(failure.nonRetryable).toBe(false);
    expect(Number(failure.nextRetryDelay)).toBe(12_000);
    expect(Number(convert(new DcsServerError('busy', 9_000, { httpStatus: 503 }), 2).nextRetryDelay)).toBe(9_000);
  });

  it('puts the delay in the details too, where workflow code can read it (its decoder drops nextRetryDelay)', () => {
    const throttled = convert(new DcsRateLimitedError('slow down', 12_000, { httpStatus: 429 }), 1);
    expect(retryDelayOf(throttled.details)).toBe(12_000);
    const unexpected = convert(new TypeError('cannot read x of undefined'), 3);
    expect(retryDelayOf(unexpected.details)).toBe(Number(unexpected.nextRetryDelay));
    expect(retryDelayOf(convert(new DcsNotFoundError('missing', { httpStatus: 404 })).details)).toBeUndefined();
  });

  it('carries status, code and request id as details for the UI', () => {
    const failure = convert(
      new DcsServerError('boom', undefined, {
        operation: 'ListMigrationTask',
        httpStatus: 500,
        errorCode: 'DCS.5000',
        requestId: 'req-1',
      }),
    );
    expect(failure.details?.[0]).toEqual({
      operation: 'ListMigrationTask',
      httpStatus: 500,
      errorCode: 'DCS.5000',
      requestId: 'req-1',
      dcsUnavailable: true,
    });
  });

  it('says when DCS is unavailable (no answer, 5xx, 429, or held back unsent by the throttle), for the outage tolerance', () => {
    const unavailable = [
      new DcsNetworkError('refused'),
      new DcsTimeoutError('slow'),
      new DcsServerError('boom', undefined, { httpStatus: 502 }),
      new DcsRateLimitedError('APIGW.0308', undefined, { httpStatus: 429 }),
    ];
    for (const error of unavailable)
      expect(convert(error).details?.[0], error.name).toMatchObject({ dcsUnavailable: true });
    for (const error of [
      new DcsBadRequestError('bad', { httpStatus: 400 }),
      new DcsWrongStateError('state', { httpStatus: 400 }),
    ]) {
      expect(convert(error).details?.[0], error.name).not.toHaveProperty('dcsUnavailable');
    }
    // The throttle's refusal: the hold it names is the floor of the next delay, and the call was never sent.
    const held = convert(
      new DcsNetworkError('ListMigrationTask not sent: …', { local: true, retryAfterMs: 20_000 }),
      1,
    );
    expect(held.type).toBe('DcsNetworkError');
    expect(Number(held.nextRetryDelay)).toBe(20_000);
    expect(held.details?.[0]).toMatchObject({ dcsUnavailable: true, notSent: true });
  });

  it('a missing secret is non-retryable; an unexpected error is retried', () => {
    expect(convert(new SecretUnavailableError('source.password: environment variable X is not set')).nonRetryable).toBe(
      true,
    );
    const unexpected = convert(new TypeError('cannot read x of undefined'));
    expect(unexpected.type).toBe('TypeError');
    expect(unexpected.nonRetryable).toBe(false);
  });
});

describe('password references', () => {
  const dir = useTempDir('dcs-migrate-secrets-');

  it('reads an environment variable or a file (without its trailing newline)', async () => {
    const file = path.join(dir.path, 'target');
    await writeFile(file, 'from-file-pw\n');
    const secrets = createSecretResolver({ env: { SRC_PW: 'from-env-pw' } });
    expect(await secrets.resolve({ env: 'SRC_PW' }, 'source.password')).toBe('from-env-pw');
    expect(await secrets.resolve({ file }, 'target.password')).toBe('from-file-pw');
  });

  it('fails naming the field and the reference, never a value', async () => {
    const secrets = createSecretResolver({ env: { OTHER: 'leak-me-not' } });
    await expect(secrets.resolve({ env: 'MISSING_PW' }, 'source.password')).rejects.toThrow(
      /source\.password: environment variable MISSING_PW is not set/,
    );
    await expect(secrets.resolve({ file: path.join(dir.path, 'absent') }, 'target.password')).rejects.toThrow(
      /target\.password: cannot read password file .*ENOENT/,
    );
    const empty = path.join(dir.path, 'empty');
    await writeFile(empty, '');
    await expect(secrets.resolve({ file: empty }, 'target.password')).rejects.toBeInstanceOf(SecretUnavailableError);
  });
});
