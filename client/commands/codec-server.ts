/**
 * `dcs-migrate codec-server`: serves the payload codec to the Temporal Web UI so it shows encrypted workflow
 * data decoded (point the UI at it with `--ui-codec-endpoint` / `TEMPORAL_CODEC_ENDPOINT`). Keys come from the
 * same DCS_MIGRATE_CODEC_* variables as the worker's; runs until SIGINT/SIGTERM. The command is defined here; what
 * it does is in `codec-server-run.ts`, loaded only when it runs.
 */
import type { Command } from 'commander';
import { CODEC_CORS_ORIGINS_VAR, CODEC_KEY_FILE_VAR, CODEC_KEYS_VAR, CODEC_TOKEN_VAR } from '../../codec/codec-env.js';
import type { CodecServerFlags } from './codec-server-run.js';

export function register(program: Command): void {
  program
    .command('codec-server')
    .description('Serve the payload encryption codec to the Temporal Web UI (decrypts what the UI shows).')
    .option('--port <port>', 'TCP port (0: a free port)', '8888')
    .option(
      '--host <address>',
      `address to listen on; a non-loopback one needs ${CODEC_TOKEN_VAR} (or --insecure-allow-no-token)`,
      '127.0.0.1',
    )
    .option(
      '--insecure-allow-no-token',
      'listen on a non-loopback --host without a token, when the network in front restricts who reaches it',
    )
    .option(
      '--cors-origin <origin>',
      `a UI origin allowed to call it (repeatable; default: ${CODEC_CORS_ORIGINS_VAR} or the local UIs)`,
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .addHelpText(
      'after',
      `\nKeys: ${CODEC_KEYS_VAR}=id:base64key,… (or ${CODEC_KEY_FILE_VAR}) and DCS_MIGRATE_CODEC_ACTIVE_KEY, as for the worker.\n` +
        `With ${CODEC_TOKEN_VAR} set, every call must carry "Authorization: Bearer <token>".\n` +
        'Exit code 0 after SIGINT/SIGTERM, 2 for bad settings.',
    )
    .action(async (flags: CodecServerFlags) => (await import('./codec-server-run.js')).runCodecServer(flags));
}
