import { describe, expect, it } from 'vitest';
import { AddressError, formatAddress, parseAddress, parseAddressList } from './address.js';

describe('parseAddress', () => {
  it('reads a host name or an IPv4 address and its port', () => {
    expect(parseAddress('10.0.0.5:6379', 'source.addrs')).toEqual({ host: '10.0.0.5', port: 6379 });
    expect(parseAddress('redis-source:1', 'source.addrs')).toEqual({ host: 'redis-source', port: 1 });
    expect(parseAddress('redis.example.com:65535', 'x')).toEqual({ host: 'redis.example.com', port: 65_535 });
  });

  it('reads an IPv6 host in brackets, without them', () => {
    expect(parseAddress('[::1]:6379', 'verify.source.address')).toEqual({ host: '::1', port: 6379 });
    expect(parseAddress('[fe80::1%eth0]:7000', 'x')).toEqual({ host: 'fe80::1%eth0', port: 7000 });
    expect(parseAddress('[2001:db8::7]', 'x', 7233)).toEqual({ host: '2001:db8::7', port: 7233 });
  });

  it('takes the default port for a host alone, and only then', () => {
    expect(parseAddress('temporal', '--address', 7233)).toEqual({ host: 'temporal', port: 7233 });
    expect(parseAddress('temporal:7234', '--address', 7233)).toEqual({ host: 'temporal', port: 7234 });
  });

  const parsing =
    (value: string, field = 'f') =>
    () =>
      parseAddress(value, field);

  it('refuses a missing port, naming the field and the value', () => {
    expect(parsing('redis-host', 'addrs')).toThrow('addrs: "redis-host" has no port (expected host:port)');
    expect(parsing('[::1]', 'verify.target.address')).toThrow('verify.target.address: "[::1]" has no port');
  });

  it('refuses a port that is not a TCP port', () => {
    for (const value of ['h:0', 'h:65536', 'h:99999', 'h:', 'h:63a', 'h:-1', 'h: 80', '[::1]:123456']) {
      const reason = 'has no valid port (must be from 1 to 65535)';
      expect(parsing(value, 'source.addrs'), value).toThrow(`source.addrs: "${value}" ${reason}`);
    }
  });

  it('refuses a missing or malformed host, and an IPv6 host without brackets', () => {
    expect(parsing(':6379')).toThrow('f: ":6379" has no host');
    expect(parsing('a b:6379')).toThrow('f: "a b:6379" has no valid host ("a b" is not a host name or IP address)');
    expect(parsing('::1:6379')).toThrow('f: "::1:6379" is an IPv6 address without brackets');
    expect(parsing('[redis]:6379')).toThrow('f: "[redis]:6379" has no IPv6 address between its brackets');
  });

  it('throws an AddressError that keeps the field and the reason apart', () => {
    const error = (() => {
      try {
        parseAddress('h:0', 'source.addrs');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(AddressError);
    expect(error).toMatchObject({ field: 'source.addrs', reason: '"h:0" has no valid port (must be from 1 to 65535)' });
  });
});

describe('parseAddressList', () => {
  it('reads comma-separated addresses, spaces around the commas allowed', () => {
    expect(parseAddressList('10.0.0.5:6379, [::1]:7000,h:1', 'addrs')).toEqual([
      { host: '10.0.0.5', port: 6379 },
      { host: '::1', port: 7000 },
      { host: 'h', port: 1 },
    ]);
  });

  it('refuses an empty list and names the bad entry of a list', () => {
    expect(() => parseAddressList(' ', 'addrs')).toThrow('addrs: is empty (expected host:port)');
    expect(() => parseAddressList('h:1,h', 'addrs')).toThrow('addrs: "h" has no port');
    expect(() => parseAddressList('h:1,,h:2', 'addrs')).toThrow('addrs: "" has no host');
  });
});

describe('formatAddress', () => {
  it('brackets an IPv6 host, and parseAddress reads back what it writes', () => {
    for (const address of [
      { host: '10.0.0.5', port: 6379 },
      { host: 'redis-source', port: 1 },
      { host: '::1', port: 7000 },
      { host: 'fe80::1%eth0', port: 65_535 },
    ]) {
      const text = formatAddress(address);
      expect(parseAddress(text, 'x')).toEqual(address);
    }
    expect(formatAddress({ host: '2001:db8::7', port: 6379 })).toBe('[2001:db8::7]:6379');
    expect(formatAddress({ host: '127.0.0.1', port: 6379 })).toBe('127.0.0.1:6379');
  });
});
