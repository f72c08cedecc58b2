/**
 * Addresses as text, `host:port`: the one parser and formatter, so that an IPv6 host is bracketed (`[::1]:6379`)
 * everywhere and a bad address fails with the same words wherever it is read (input file, DCS answers, CLI flags).
 * Pure (no I/O, no Redis client): the input schema and workflow code use it too.
 */

/** Where a server listens: a host name or IP (an IPv6 literal without its brackets) and a TCP port. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * A malformed address. `reason` names the value but not the field, for callers that name the field their own way
 * (a zod issue path, a DCS error's parameter); the message names both.
 */
export class AddressError extends Error {
  override name = 'AddressError';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

// A host name or IPv4 address: letters, digits, dots, dashes (and the underscores of container names).
const NAME = /^[A-Za-z0-9_.-]+$/;
// An IPv6 literal, with an optional zone (`fe80::1%eth0`).
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?$/;

/**
 * Parses `host:port`, `[ipv6]:port`, or (with `defaultPort`) a host alone. `field` names where the value came
 * from, for the error. An IPv6 host without brackets is refused: `fe80::1:6379` could end in a port or not.
 */
export function parseAddress(value: string, field: string, defaultPort?: number): HostPort {
  const fail = (reason: string): never => {
    throw new AddressError(field, `"${value}" ${reason}`);
  };
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(value);
  let host: string;
  let portText: string | undefined;
  if (bracketed) {
    [, host = '', portText] = bracketed;
    if (!IPV6.test(host)) fail('has no IPv6 address between its brackets');
  } else {
    if (value.split(':').length > 2) fail('is an IPv6 address without brackets: write it as [::1]:6379');
    const separator = value.lastIndexOf(':');
    host = separator >= 0 ? value.slice(0, separator) : value;
    portText = separator >= 0 ? value.slice(separator + 1) : undefined;
    if (host === '') fail('has no host (expected host:port)');
    if (!NAME.test(host)) fail(`has no valid host ("${host}" is not a host name or IP address)`);
  }
  if (portText === undefined && defaultPort !== undefined) return { host, port: defaultPort };
  if (portText === undefined) return fail('has no port (expected host:port)');
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65_535) fail('has no valid port (must be from 1 to 65535)');
  return { host, port };
}

/** Parses `host:port[,host:port…]` (spaces around the commas allowed), as DCS takes a cluster's masters. */
export function parseAddressList(value: string, field: string): HostPort[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.every((item) => item === '')) throw new AddressError(field, 'is empty (expected host:port)');
  return items.map((item) => parseAddress(item, field));
}

/** `host:port`, with an IPv6 host in brackets: the form `parseAddress` reads back. */
export function formatAddress({ host, port }: HostPort): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
