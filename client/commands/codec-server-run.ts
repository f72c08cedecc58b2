/**
 * What `dcs-migrate codec-server` does once its flags are parsed: loads the key ring, starts the server, prints
 * where it listens and serves until SIGINT/SIGTERM. Loaded only when that command runs (see `codec-server.ts`).
 */
import {
  CODEC_KEY_FILE_VAR,
  CODEC_KEYS_VAR,
  CodecConfigurationError,
  loadCodecKeyRing,
} from '../../codec/codec-keys.js';
import { EncryptionCodec } from '../../codec/encryption-codec.js';
import {
  CODEC_CORS_ORIGINS_VAR,
  CODEC_TOKEN_VAR,
  DEFAULT_UI_ORIGINS,
  startCodecServer,
  UnprotectedCodecServerError,
} from '../../codec/server.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseIntFlag } from '../flags.js';
import { printLines } from '../output.js';
import { stopOnTermination } from '../../local/termination-signal.js';

export interface CodecServerFlags {
  port: string;
  host: string;
  corsOrigin: string[];
  insecureAllowNoToken?: boolean;
}

/** Origins from the flags, else DCS_MIGRATE_CODEC_CORS_ORIGINS, else the local UIs; each must be an http(s) origin. */
export function resolveCorsOrigins(flags: string[], env: Readonly<Record<string, string | undefined>>): string[] {
  const fromEnv = (env[CODEC_CORS_ORIGINS_VAR] ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  const [origins, source] =
    flags.length > 0
      ? [flags, '--cors-origin']
      : fromEnv.length > 0
        ? [fromEnv, CODEC_CORS_ORIGINS_VAR]
        : [DEFAULT_UI_ORIGINS, 'default'];
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin.replace(/\/$/, '')) {
      throw new CliError(`${source}: "${origin}" is not an origin like http://localhost:8080`, EXIT.USAGE);
    }
  }
  return origins.map((origin) => origin.replace(/\/$/, ''));
}

export async function runCodecServer(flags: CodecServerFlags): Promise<void> {
  const port = parseIntFlag('--port', flags.port, 0, 65535);
  const corsOrigins = resolveCorsOrigins(flags.corsOrigin, process.env);
  let ring;
  try {
    ring = loadCodecKeyRing(process.env);
  } catch (error) {
    if (error instanceof CodecConfigurationError) throw new CliError(error.message, EXIT.USAGE);
    throw error;
  }
  if (!ring)
    throw new CliError(`no codec keys: set ${CODEC_KEYS_VAR} (id:base64key,…) or ${CODEC_KEY_FILE_VAR}`, EXIT.USAGE);
  const token = process.env[CODEC_TOKEN_VAR]?.trim() || undefined;
  let server;
  try {
    server = await startCodecServer({
      codec: new EncryptionCodec(ring),
      host: flags.host,
      port,
      corsOrigins,
      token,
      insecureAllowNoToken: flags.insecureAllowNoToken === true,
    });
  } catch (error) {
    if (error instanceof UnprotectedCodecServerError) {
      throw new CliError(
        `--host ${flags.host}: ${error.message}. Set ${CODEC_TOKEN_VAR} to require a bearer token, listen on 127.0.0.1, ` +
          'or pass --insecure-allow-no-token when something else restricts who reaches the port (docker-compose.yml publishes it on 127.0.0.1 only)',
        EXIT.USAGE,
      );
    }
    throw new CliError(
      `the codec server could not listen on ${flags.host}:${port}: ${(error as Error).message}`,
      EXIT.FAILURE,
    );
  }
  printLines(
    `codec server listening on ${server.url} (POST /encode, /decode)`,
    `keys: ${[...ring.keys.keys()].join(', ')} (encoding with ${ring.activeKeyId})`,
    `CORS origins: ${corsOrigins.join(', ')}`,
    `auth: ${token ? `bearer token from ${CODEC_TOKEN_VAR}` : flags.insecureAllowNoToken ? 'none, by --insecure-allow-no-token' : `none (set ${CODEC_TOKEN_VAR} to require one)`}`,
    `Point the Temporal UI at it: temporal server start-dev --ui-codec-endpoint ${server.url}  (or TEMPORAL_CODEC_ENDPOINT=${server.url})`,
  );
  await stopOnTermination('codec server', () => server.stop());
}
