import { describe, expect, it } from 'vitest';
import {
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  parseAuthorizationHeader,
  sha256Hex,
  signRequest,
  verifyRequestSignature,
} from './index.js';

// Published vectors (docs/dcs-api.md §4.1): A from the Huawei signing guide, B and C from the Go SDK signer tests.
describe('SDK-HMAC-SHA256 published vectors', () => {
  it('vector A (signing guide): canonical request hash and signature are byte-exact', () => {
    const request = {
      method: 'GET',
      url: 'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
      headers: {
        'Content-Type': 'application/json',
        Host: 'service.region.example.com',
        'X-Sdk-Date': '20191115T033655Z',
      },
    };
    const canonical = canonicalRequest(request, ['content-type', 'host', 'x-sdk-date']);
    expect(canonical.split('\n')[1]).toBe('/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/');
    expect(sha256Hex(canonical)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    const signature = '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe';
    expect(computeSignature(canonical, '20191115T033655Z', 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc')).toBe(signature);

    // signRequest signs every header present, which here is exactly the guide's set.
    const signed = signRequest(request, {
      accessKey: 'QTWAOYTTINDUT2QVKYUC',
      secretKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
    });
    expect(signed.headers).toEqual({
      Authorization: `SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=${signature}`,
    });
  });

  it('vector B (Go signer test1): GET signing only x-sdk-date', () => {
    const signed = signRequest(
      {
        method: 'GET',
        url: 'https://example.huaweicloud.com/path?limit=1',
        headers: { 'X-Sdk-Date': '20060102T150405Z' },
      },
      { accessKey: 'AccessKey', secretKey: 'SecretKey' },
      { signedHeaders: ['x-sdk-date'] },
    );
    expect(signed.headers['Authorization']).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    );
  });

  it('vector C (Go signer test2): POST whose body ends with a newline is hashed byte for byte', () => {
    const signed = signRequest(
      {
        method: 'POST',
        url: 'https://example.huaweicloud.com/path?key=value',
        headers: { 'X-Sdk-Date': '20060102T150405Z', 'Content-Type': 'application/json' },
        body: '{"Name":"test","Id":1}\n',
      },
      { accessKey: 'AccessKey', secretKey: 'SecretKey' },
      { signedHeaders: ['x-sdk-date'] },
    );
    expect(signed.headers['Authorization']).toContain(
      'Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59',
    );
  });
});

describe('canonical parts', () => {
  it('encodes each path segment RFC 3986 style and appends the trailing slash only to the canonical form', () => {
    expect(canonicalUri('/v2/p/migration-task/a%3Ab%20c')).toBe('/v2/p/migration-task/a%3Ab%20c/');
    // A server that receives `:` raw computes the same canonical URI as a client that encoded it.
    expect(canonicalUri('/v2/p/x/a:b')).toBe('/v2/p/x/a%3Ab/');
    expect(canonicalUri('/v2/p/')).toBe('/v2/p/');
  });

  it('sorts the query by key then value and encodes space as %20 (Go signer test vector)', () => {
    const query =
      'test=' + encodeURIComponent('一 (&=?!#%.*)') + '&multi=3&multi=1&multi=2&path=%2Ftmp%2F123&limit=1&enable=true';
    expect(canonicalQueryString(query)).toBe(
      'enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29',
    );
  });

  it('signs the Host an HTTP client sends: the URL host without the default port', () => {
    const sign = (url: string) =>
      signRequest({ method: 'GET', url, headers: {} }, { accessKey: 'a', secretKey: 'b' }, { date: new Date(0) });
    expect(sign('https://dcs.example.com:443/v2/p').canonicalRequest).toContain('\nhost:dcs.example.com\n');
    expect(sign('http://127.0.0.1:8080/v2/p').canonicalRequest).toContain('\nhost:127.0.0.1:8080\n');
  });

  it('uses UNSIGNED-PAYLOAD instead of the body hash when the request asks for it', () => {
    const canonical = canonicalRequest(
      { method: 'put', url: '/x', headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' }, body: 'bytes' },
      [],
    );
    expect(canonical.split('\n')).toEqual(['PUT', '/x/', '', '', '', 'UNSIGNED-PAYLOAD']);
  });

  it('parses the Authorization header back into its parts', () => {
    expect(
      parseAuthorizationHeader('SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=abc'),
    ).toEqual({
      accessKey: 'AK1',
      signedHeaders: ['host', 'x-sdk-date'],
      signature: 'abc',
    });
    expect(parseAuthorizationHeader('Bearer x')).toBeUndefined();
    expect(parseAuthorizationHeader('SDK-HMAC-SHA256 Access=AK1, Signature=abc')).toBeUndefined();
  });
});

describe('verifyRequestSignature', () => {
  const credentials = { accessKey: 'AK-TEST', secretKey: 'SK-TEST-secret' };
  const now = new Date('2026-01-02T03:04:05Z');
  const request = {
    method: 'POST',
    url: 'http://127.0.0.1:9999/v2/proj/migration-task/t%3A1/stop?x=1',
    headers: { 'Content-Type': 'application/json', 'X-Project-Id': 'proj' },
    body: '{"a":1}',
  };
  const sign = () => ({
    ...request,
    headers: {
      ...request.headers,
      ...signRequest(request, credentials, { date: now }).headers,
      host: '127.0.0.1:9999',
    },
  });
  const options = { secretKeyFor: (ak: string) => (ak === 'AK-TEST' ? 'SK-TEST-secret' : undefined), now };

  it('accepts what signRequest produced', () => {
    expect(verifyRequestSignature(sign(), options)).toEqual({ ok: true, accessKey: 'AK-TEST' });
  });

  it('rejects a changed body, an unknown AK, a stale date and a missing header, naming the reason', () => {
    expect(verifyRequestSignature({ ...sign(), body: '{"a":2}' }, options)).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyRequestSignature(sign(), { ...options, secretKeyFor: () => undefined })).toMatchObject({
      ok: false,
      reason: 'unknown-access-key',
    });
    expect(verifyRequestSignature(sign(), { ...options, now: new Date(now.getTime() + 16 * 60_000) })).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    const { 'X-Project-Id': _dropped, ...withoutProject } = sign().headers;
    expect(verifyRequestSignature({ ...sign(), headers: withoutProject }, options)).toMatchObject({
      ok: false,
      reason: 'signed-header-missing',
    });
    expect(verifyRequestSignature(request, options)).toMatchObject({ ok: false, reason: 'missing-authorization' });
  });

  it('never puts the SK in a rejection message', () => {
    const verdict = verifyRequestSignature({ ...sign(), body: 'tampered' }, options);
    expect(JSON.stringify(verdict)).not.toContain('SK-TEST-secret');
  });
});
