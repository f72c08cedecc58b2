import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../common/backoff.js';
import { CLIENT_READ_BACKOFF, isRetryable, mayRetryCall, retryDelayHint } from '../retry.js';
import {
  DCS_ERROR_CLASSES,
  DCS_ERROR_NAMES,
  DcsError,
  DcsRateLimitedError,
  DcsValidationError,
  errorFromHttpAnswer,
  errorFromTransportFailure,
  NON_RETRYABLE_DCS_ERROR_NAMES,
  parseRetryAfter,
  scrubSecrets,
  secretsInBody,
} from './index.js';

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  return errorFromHttpAnswer({
    operation: 'ShowMigrationTask',
    status,
    headers: { 'x-request-id': 'req-123', ...headers },
    bodyText: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('errorFromHttpAnswer: the HTTP status + error_code table', () => {
  // [status, error_code, expected class, retryable]
  const rows: Array<[number, string | undefined, string, boolean]> = [
    [400, 'DCS.4133', 'DcsTaskNotFoundError', false],
    [400, 'DCS.4957', 'DcsWrongStateError', false],
    [400, 'DCS.4063', 'DcsBadRequestError', false],
    [400, 'DCS.4855', 'DcsBadRequestError', false],
    // The migration-matrix refusals (codes of the emulator's choice: Proxy Cluster source, SSL target, AOF into a cluster).
    [400, 'DCS.4981', 'DcsBadRequestError', false],
    [400, 'DCS.4982', 'DcsBadRequestError', false],
    [400, 'DCS.4983', 'DcsBadRequestError', false],
    [401, 'APIGW.0301', 'DcsAuthenticationError', false],
    [401, 'DCS.1001', 'DcsAuthenticationError', false],
    [401, 'DCS.1002', 'DcsAuthenticationError', false],
    [403, 'DCS.2003', 'DcsPermissionDeniedError', false],
    [404, 'DCS.4001', 'DcsNotFoundError', false],
    [404, 'DCS.3022', 'DcsNotFoundError', false],
    [405, 'DCS.5001', 'DcsApiError', false],
    [408, undefined, 'DcsTimeoutError', true],
    [409, undefined, 'DcsApiError', false],
    [429, 'APIGW.0308', 'DcsRateLimitedError', true],
    [500, 'DCS.5000', 'DcsServerError', true],
    [502, undefined, 'DcsServerError', true],
    [503, undefined, 'DcsServerError', true],
  ];
  for (const [status, code, name, retryable] of rows) {
    it(`HTTP ${status} ${code ?? '(no code)'} → ${name} (retryable: ${retryable})`, () => {
      const error = answer(status, code ? { error_code: code, error_msg: 'the message', error_ext_msg: null } : '');
      expect(error.name).toBe(name);
      expect(error).toBeInstanceOf(DcsError);
      expect(error.retryable).toBe(retryable);
      expect(isRetryable(error)).toBe(retryable);
      expect(error.httpStatus).toBe(status);
      expect(error.errorCode).toBe(code);
      expect(error.requestId).toBe('req-123');
      expect(error.operation).toBe('ShowMigrationTask');
    });
  }

  it('DCS.4133 is task-not-found on any status, and the error_code wins over the status', () => {
    expect(answer(404, { error_code: 'DCS.4133', error_msg: 'x' }).name).toBe('DcsTaskNotFoundError');
  });

  it('reads the nested {error:{code,message}} body and an HTML 502 page', () => {
    const nested = answer(400, { error: { code: 'DCS.4957', message: 'wrong state' } });
    expect([nested.name, nested.errorCode]).toEqual(['DcsWrongStateError', 'DCS.4957']);
    expect(nested.message).toBe('ShowMigrationTask failed: HTTP 400 DCS.4957: wrong state (request id req-123)');
    const html = answer(502, '<html>Bad Gateway</html>');
    expect([html.name, html.errorCode]).toEqual(['DcsServerError', undefined]);
  });

  it('takes the request id from the body when the header is missing', () => {
    const error = errorFromHttpAnswer({
      status: 401,
      headers: {},
      bodyText: JSON.stringify({ error_code: 'APIGW.0301', error_msg: 'x', request_id: 'body-id' }),
    });
    expect(error.requestId).toBe('body-id');
  });

  it('429 carries Retry-After as milliseconds (seconds or HTTP date)', () => {
    const seconds = answer(429, { error_code: 'APIGW.0308', error_msg: 'throttled' }, { 'retry-after': '7' });
    expect(seconds).toBeInstanceOf(DcsRateLimitedError);
    expect(retryDelayHint(seconds)).toBe(7000);
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(retryDelayHint(answer(429, ''))).toBeUndefined();
    expect(retryDelayHint(answer(503, '', { 'retry-after': '2' }))).toBe(2000);
    expect(retryDelayHint(answer(400, '', { 'retry-after': '2' }))).toBeUndefined();
  });

  it('scrubs secrets echoed in the API message', () => {
    const error = errorFromHttpAnswer({
      operation: 'SetOnlineMigrationTask',
      status: 401,
      headers: {},
      bodyText: JSON.stringify({
        error_code: 'APIGW.0301',
        error_msg:
          'Incorrect IAM authentication information: ak MYACCESSKEY1 not exist, canonicalRequest:POST|/v2/p/|x-security-token:TEMPTOKEN999|"password":"hunter22"',
      }),
      secrets: ['MYACCESSKEY1', 'MY-SECRET-KEY'],
    });
    for (const secret of ['MYACCESSKEY1', 'TEMPTOKEN999', 'hunter22']) expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain('TEMPTOKEN999');
  });
});

describe('errorFromTransportFailure', () => {
  const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });
  const rows: Array<[string, string]> = [
    ['UND_ERR_CONNECT_TIMEOUT', 'DcsTimeoutError'],
    ['UND_ERR_HEADERS_TIMEOUT', 'DcsTimeoutError'],
    ['UND_ERR_BODY_TIMEOUT', 'DcsTimeoutError'],
    ['ETIMEDOUT', 'DcsTimeoutError'],
    ['UND_ERR_SOCKET', 'DcsNetworkError'],
    ['ECONNRESET', 'DcsNetworkError'],
    ['ECONNREFUSED', 'DcsNetworkError'],
    ['ENOTFOUND', 'DcsNetworkError'],
    ['EAI_AGAIN', 'DcsNetworkError'],
    ['EPIPE', 'DcsNetworkError'],
  ];
  for (const [code, name] of rows) {
    it(`${code} → ${name}, retryable`, () => {
      const error = errorFromTransportFailure(withCode(code), {
        operation: 'ListMigrationTask',
        endpoint: 'https://dcs.x',
      });
      expect(error?.name).toBe(name);
      expect(error?.retryable).toBe(true);
      expect(isRetryable(withCode(code))).toBe(true);
    });
  }

  it('finds the code in a wrapped cause (fetch failed → ECONNREFUSED)', () => {
    const wrapped = new TypeError('fetch failed', {
      cause: withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
    });
    expect(errorFromTransportFailure(wrapped)?.name).toBe('DcsNetworkError');
  });

  it('an abort is not retryable; a programming error is not a transport failure', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(errorFromTransportFailure(abort)?.name).toBe('DcsAbortedError');
    expect(isRetryable(abort)).toBe(false);
    expect(errorFromTransportFailure(withCode('ERR_INVALID_ARG_TYPE'))).toBeUndefined();
    expect(isRetryable(new TypeError('x is not a function'))).toBe(false);
  });
});

describe('the error-class contract', () => {
  it('lists every class by its stable name, with fixed retryability', () => {
    const names = DCS_ERROR_CLASSES.map((ErrorClass) => {
      const instance =
        ErrorClass === DcsValidationError || ErrorClass.name === 'DcsInvalidResponseError'
          ? new (ErrorClass as typeof DcsValidationError)('m', [])
          : ErrorClass === DcsRateLimitedError
            ? new DcsRateLimitedError('m', undefined)
            : new (ErrorClass as unknown as new (m: string) => DcsError)('m');
      expect(instance.name).toBe(ErrorClass.name);
      return [instance.name, instance.retryable] as const;
    });
    expect(names.map(([name]) => name)).toEqual([...DCS_ERROR_NAMES]);
    expect(names.filter(([, retryable]) => !retryable).map(([name]) => name)).toEqual([
      ...NON_RETRYABLE_DCS_ERROR_NAMES,
    ]);
    expect(new Set(DCS_ERROR_NAMES).size).toBe(DCS_ERROR_NAMES.length);
  });

  it('derives the catalog from every exported class, and only transient failures are retryable', () => {
    // The catalog is derived from the module's exports; this pins what it must contain, so dropping a class or
    // changing a class's retryability is a visible decision.
    expect(DCS_ERROR_CLASSES.length).toBe(16);
    expect(DCS_ERROR_NAMES.filter((name) => !NON_RETRYABLE_DCS_ERROR_NAMES.includes(name))).toEqual([
      'DcsRateLimitedError',
      'DcsServerError',
      'DcsNetworkError',
      'DcsTimeoutError',
      'DcsUnparseableResponseError',
    ]);
  });
});

describe('scrubSecrets', () => {
  it('removes known values and password/token assignments but leaves ordinary words', () => {
    expect(scrubSecrets('task:abc password=p4ss "token": "t0k" sk=SKVALUE', ['SKVALUE'])).toBe(
      'task:abc password=[REDACTED] "token": "[REDACTED]" sk=[REDACTED]',
    );
    // A Redis error quoting the refused command: `AUTH pw` and `AUTH user pw` look alike, so the word after the
    // first goes too (better one word too many than half a password); `key=value` words are left to the rule above.
    expect(scrubSecrets('ERR AUTH s3cr3t-pw failed; HELLO 3 AUTH default pw2 x')).toBe(
      'ERR AUTH [REDACTED]; HELLO 3 AUTH [REDACTED] x',
    );
    expect(scrubSecrets('AUTH pw password=p2')).toBe('AUTH [REDACTED] password=[REDACTED]');
    expect(secretsInBody({ source_instance: { password: 'a' }, target_instance: { password: 'b', id: 'x' } })).toEqual([
      'a',
      'b',
    ]);
  });
});

describe('retry helpers', () => {
  it('the client read backoff doubles from 250 ms, is capped at 8 s, jitters between half and all of the step, and honours Retry-After as a floor', () => {
    const delay = (retry: number, error: unknown, random: () => number) =>
      retryDelayMs(retry, retryDelayHint(error), CLIENT_READ_BACKOFF, random);
    const most = () => 0.999999;
    expect([1, 2, 3, 10].map((retry) => delay(retry, new Error('x'), most))).toEqual([250, 500, 1000, 8000]);
    expect([1, 2, 3, 10].map((retry) => delay(retry, new Error('x'), () => 0))).toEqual([125, 250, 500, 4000]);
    const throttled = errorFromHttpAnswer({ status: 429, headers: { 'retry-after': '3' }, bodyText: '' });
    expect(delay(1, throttled, most)).toBe(3000);
  });

  it('only reads may be repeated by the client', () => {
    const server = errorFromHttpAnswer({ status: 500, headers: {}, bodyText: '' });
    expect([mayRetryCall('GET', server), mayRetryCall('POST', server), mayRetryCall('DELETE', server)]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
