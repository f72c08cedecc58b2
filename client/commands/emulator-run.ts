/**
 * What `dcs-migrate emulator` does once its flags are parsed: checks them, starts the emulator with its instances,
 * prints how to reach it and serves until SIGINT/SIGTERM. Loaded only when that command runs (see `emulator.ts`).
 */
import path from 'node:path';
import { formatRateLimit, parseRateLimit, type RateLimit } from '../../common/rate-limit.js';
import { DCS_ENV } from '../../dcs/config.js';
import {
  emulatorCredentials,
  formatTopology,
  InstanceSpecError,
  InvalidEmulatorAccountError,
  isValidInstanceId,
  parseInstanceSpec,
  startEmulator,
  type Emulator,
  type InstanceSpec,
} from '../../emulator/index.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseIntFlag } from '../flags.js';
import { printLines } from '../output.js';
import { stopOnTermination } from '../../local/termination-signal.js';

export interface EmulatorFlags {
  port?: string;
  host: string;
  dataDir: string;
  instance: string[];
  creatingMs: string;
  terminatingMs: string;
  seed: string;
  rateLimit?: string;
}

/** `--rate-limit CALLS/WINDOW` (`200/5m`); a bad spelling is a usage error. */
export function parseRateLimitFlag(value: string): RateLimit {
  try {
    return parseRateLimit(value);
  } catch (error) {
    throw new CliError(`--rate-limit: ${(error as Error).message}`, EXIT.USAGE);
  }
}

/**
 * `--instance ID[:TYPE[:SHAPE]][@PASSWORD]` (emulator/README.md): `src`, `src@secret`, `dst:ha`, `dst:ha:2`,
 * `dst:cluster`, `dst:cluster:3x1@secret`; the older `ID:PASSWORD` still works. A bad spelling is a usage error
 * naming the part that is wrong.
 */
export function parseInstanceFlag(value: string): InstanceSpec {
  try {
    return parseInstanceSpec(value, isValidInstanceId);
  } catch (error) {
    if (error instanceof InstanceSpecError) {
      const id = value.split(/[:@]/)[0] ?? '';
      const subject = error.field === 'id' || !isValidInstanceId(id) ? '--instance' : `--instance ${id}`;
      throw new CliError(`${subject}: ${error.field}: ${error.message}`, EXIT.USAGE);
    }
    throw error;
  }
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_.:/@-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

function describe(
  emu: Emulator,
  generated: { keys: boolean; projectId: boolean },
  rateLimit: RateLimit | undefined,
): string[] {
  const exports = [`export ${DCS_ENV.endpoint[0]}=${shellQuote(emu.url)}`];
  if (generated.projectId) exports.push(`export ${DCS_ENV.projectId[0]}=${shellQuote(emu.credentials.projectId)}`);
  if (generated.keys) {
    exports.push(
      `export ${DCS_ENV.accessKey[0]}=${shellQuote(emu.credentials.ak)}`,
      `export ${DCS_ENV.secretKey[0]}=${shellQuote(emu.credentials.sk)}`,
    );
  }
  const lines = [
    `DCS emulator listening on ${emu.url} (project ${emu.credentials.projectId})`,
    generated.keys || generated.projectId
      ? '# Generated credentials: paste these lines into the shell that runs dcs-migrate.'
      : '# Using AK/SK and project id from the environment. Point the client at the emulator with:',
    ...exports,
    `Data dir: ${emu.dataDir} (OBS buckets in ${path.join(emu.dataDir, 'buckets')}/<bucket>/<file>)`,
    ...restoredLine(emu),
    `Admin API: ${emu.url}/_emulator/health`,
    ...(rateLimit ? [`Rate limit: ${formatRateLimit(rateLimit)} per project (429 APIGW.0308 beyond it)`] : []),
  ];
  const instances = emu.instances();
  if (instances.length === 0) lines.push('DCS instances: none (add with --instance ID[:TYPE[:SHAPE]][@PASSWORD])');
  else
    lines.push(
      'DCS instances:',
      // The service address is the one clients use (an IP switch moves it); the server's own port is for debugging.
      // A Redis Cluster has no service address (DCS switches no IPs of one): its masters are listed.
      ...instances.map(({ id, endpoint, service, topology }) => {
        const shards = topology?.shards ?? [];
        const standbys = shards.flatMap((shard) => shard.replicas).map((node) => `${node.host}:${node.port}`);
        const address = service
          ? `${service.host}:${service.port}  (server ${endpoint.host}:${endpoint.port}${standbys.length ? `, standby ${standbys.join(' ')}` : ''})`
          : topology?.type.mode === 'cluster'
            ? `${shards.map((shard) => `${shard.master.host}:${shard.master.port}`).join(' ')}  (masters${standbys.length ? `; replicas ${standbys.join(' ')}` : ''})`
            : `${endpoint.host}:${endpoint.port}`;
        const type = topology && topology.type.mode !== 'single' ? `  [${formatTopology(topology.type)}]` : '';
        return `  ${id}  ${address}${type}${endpoint.password ? '  (password set)' : ''}`;
      }),
    );
  lines.push('Press Ctrl+C to stop.');
  return lines;
}

/** After a restart on the same data dir: what it held, and the redis-servers a killed emulator had left running. */
function restoredLine(emu: Emulator): string[] {
  const restored = emu.restored;
  if (!restored) return [];
  const orphans = restored.orphansStopped.length;
  const held = `${restored.tasks} task(s), ${restored.instances} instance(s)`;
  const left = `; stopped ${orphans} redis-server(s) a killed emulator left running, then started them again`;
  return [`Restored from the data dir: ${held}${orphans > 0 ? left : ''}`];
}

export async function runEmulator(flags: EmulatorFlags): Promise<void> {
  const port = flags.port === undefined ? undefined : parseIntFlag('--port', flags.port, 1, 65535);
  const instances = flags.instance.map(parseInstanceFlag);
  const creatingMs = parseIntFlag('--creating-ms', flags.creatingMs, 0, 3_600_000);
  const terminatingMs = parseIntFlag('--terminating-ms', flags.terminatingMs, 0, 3_600_000);
  const seed = parseIntFlag('--seed', flags.seed, 0, 2 ** 31 - 1);
  const rateLimit = flags.rateLimit === undefined ? undefined : parseRateLimitFlag(flags.rateLimit);
  // The endpoint only feeds the client's config validation; the real port is known once the server listens.
  let credentials: ReturnType<typeof emulatorCredentials>;
  try {
    credentials = emulatorCredentials(process.env, `http://127.0.0.1:${port ?? 1}`);
  } catch (error) {
    if (error instanceof InvalidEmulatorAccountError) throw new CliError(error.message, EXIT.USAGE);
    throw error;
  }
  let emu: Emulator;
  try {
    emu = await startEmulator({
      port,
      host: flags.host,
      dataDir: path.resolve(flags.dataDir),
      credentials: { ak: credentials.ak, sk: credentials.sk, projectId: credentials.projectId },
      ...(credentials.iamUser ? { iamUser: credentials.iamUser } : {}),
      instances,
      timings: { creatingMs, terminatingMs },
      seed,
      ...(rateLimit ? { rateLimit } : {}),
    });
  } catch (error) {
    throw new CliError(
      `the emulator could not start: ${error instanceof Error ? error.message : String(error)}`,
      EXIT.FAILURE,
    );
  }
  printLines(...describe(emu, credentials.generated, rateLimit));
  await stopOnTermination('dcs emulator', () => emu.stop());
}
