/**
 * TLS for a connection to Redis (`rediss://`): the options an endpoint carries and the ioredis `tls` option they
 * become, so that the verifier, the data plane and the worker's probes trust servers alike. Pure: reading a CA file
 * is the caller's job.
 */
export interface RedisTlsOptions {
  /** PEM text (not a path) of the CA certificate(s) to trust instead of the system's. */
  ca?: string | undefined;
  /**
   * The name to check the server's certificate against (and to send as SNI), when it is not the host dialled: e.g.
   * a certificate for a hostname reached by IP.
   */
  servername?: string | undefined;
  /** Do not verify the server's certificate (neither its chain nor its name). */
  insecure?: boolean | undefined;
}

/** The `tls` option of an ioredis client (node:tls connect options) for `tls`. */
export function tlsSocketOptions(tls: RedisTlsOptions): {
  ca?: string;
  servername?: string;
  rejectUnauthorized: boolean;
  checkServerIdentity?: () => undefined;
} {
  return {
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
    rejectUnauthorized: !tls.insecure,
    ...(tls.insecure ? { checkServerIdentity: () => undefined } : {}),
  };
}
