/**
 * Whether and how `status` reads through Temporal's HTTP API: only when DCS_MIGRATE_TEMPORAL_HTTP names it and the
 * connection needs nothing the HTTP path does not send (client certificates, extra gRPC metadata). Otherwise, or
 * when the HTTP read cannot give the whole view, the caller reads through the SDK.
 */
import { cliPayloadCodec } from './cli-codec.js';
import { readMigrationOverHttp, type HttpRead, type HttpReadOptions } from './read-migration-http.js';
import type { TemporalConfig } from './temporal-config.js';
import { TEMPORAL_HTTP_VAR, TemporalHttp } from './temporal-http.js';

export async function readStatusOverHttp(
  config: TemporalConfig,
  workflowId: string,
  options: HttpReadOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<HttpRead> {
  const baseUrl = env[TEMPORAL_HTTP_VAR]?.trim();
  if (!baseUrl) return { sdkNeeded: `${TEMPORAL_HTTP_VAR} is not set` };
  const { apiKey, tls, metadata } = config.connectionOptions;
  const clientCertificate =
    typeof tls === 'object' && tls !== null && 'clientCertPair' in tls && tls.clientCertPair !== undefined;
  if (
    clientCertificate ||
    Object.keys(metadata ?? {}).length > 0 ||
    (apiKey !== undefined && typeof apiKey !== 'string')
  )
    return { sdkNeeded: 'the Temporal connection uses client certificates or gRPC metadata' };
  const http = new TemporalHttp({ baseUrl, namespace: config.namespace, apiKey });
  return readMigrationOverHttp(http, cliPayloadCodec(env), workflowId, options);
}
