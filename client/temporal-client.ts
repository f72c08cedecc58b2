/**
 * The CLI's Temporal client: connects with the resolved configuration and turns "cannot reach Temporal" into
 * exit code 5 with the address in the message (never the API key).
 */
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { CodecConfigurationError } from '../codec/codec-keys.js';
import { loadDataConverter } from '../codec/data-converter.js';
import { MissingKeysCodec } from '../codec/encryption-codec.js';
import { MISSING_KEYS_HINT } from './cli-codec.js';
import { CliError, EXIT } from './exit-codes.js';
import { probeAddress } from './probe-address.js';
import { resolveTemporalConfig, type TemporalConfig } from './temporal-config.js';
import type { TemporalFlags } from './temporal-flags.js';

const UNREACHABLE_HINT =
  'Is the stack running (`npm start`, or `docker compose up`)? The address comes from --address, TEMPORAL_ADDRESS or the --profile of TEMPORAL_CONFIG_FILE.';

export interface CliTemporal {
  client: Client;
  config: TemporalConfig;
  close(): Promise<void>;
}

/** Connects to Temporal; the caller closes it (`using`-style: `try { … } finally { await temporal.close() }`). */
export async function connectTemporal(flags: TemporalFlags = {}): Promise<CliTemporal> {
  const config = resolveTemporalConfig(flags);
  const dataConverter = cliDataConverter();
  const probe = await probeAddress(config.address);
  if (!probe.ok)
    throw new CliError(
      `cannot reach Temporal at ${config.address}: ${probe.reason}. ${UNREACHABLE_HINT}`,
      EXIT.UNREACHABLE,
    );
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...config.connectionOptions, connectTimeout: 5_000 });
  } catch (error) {
    throw new CliError(
      `cannot reach Temporal at ${config.address}: ${firstLine(error)}. ${UNREACHABLE_HINT}`,
      EXIT.UNREACHABLE,
    );
  }
  return {
    client: new Client({ connection, namespace: config.namespace, dataConverter }),
    config,
    close: () => connection.close(),
  };
}

/** Runs `fn` with a connected client and always closes the connection. */
export async function withTemporal<T>(flags: TemporalFlags, fn: (temporal: CliTemporal) => Promise<T>): Promise<T> {
  const temporal = await connectTemporal(flags);
  try {
    return await fn(temporal);
  } finally {
    await temporal.close();
  }
}

/**
 * Payload encryption keys from DCS_MIGRATE_CODEC_* (the worker's keys); a bad setting exits 2 naming the variable.
 * Without keys, reading encrypted data fails with an error saying which variable to set.
 */
function cliDataConverter(): DataConverter {
  try {
    return loadDataConverter(process.env) ?? { payloadCodecs: [new MissingKeysCodec(MISSING_KEYS_HINT)] };
  } catch (error) {
    if (error instanceof CodecConfigurationError) throw new CliError(error.message, EXIT.USAGE);
    throw error;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
