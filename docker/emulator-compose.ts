/**
 * The DCS emulator as docker-compose runs it: the compose file's two Redis services registered as DCS instances
 * (`emu.registerInstance`), the account (AK/SK, project id) from the same DCS_* variables the worker reads, and a
 * fixed port. The emulator listens on 127.0.0.1 only, so the worker shares this container's network namespace
 * (`network_mode: service:dcs-emulator`) and reaches it at http://127.0.0.1:PORT.
 *
 *   DCS_EMULATOR_INSTANCES="dcs-source=redis-source:6379@SOURCE_REDIS_PASSWORD dcs-target=redis-target:6379@TARGET_REDIS_PASSWORD"
 *
 * Each entry is `id=host:port[@ENV_NAME]`: the password is read from ENV_NAME, so no secret sits in the spec.
 */
import { emulatorCredentials, startEmulator } from '../emulator/index.js';
import { stopOnTermination } from '../local/termination-signal.js';

export const EMULATOR_COMPOSE_ENV = {
  instances: 'DCS_EMULATOR_INSTANCES',
  port: 'DCS_EMULATOR_PORT',
  dataDir: 'DCS_EMULATOR_DATA_DIR',
} as const;

export interface ComposeInstance {
  id: string;
  host: string;
  port: number;
  /** Name of the environment variable holding the password. */
  passwordEnv?: string;
}

const ENTRY = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,63})=([^\s:@]+):(\d{1,5})(?:@([A-Za-z_][A-Za-z0-9_]*))?$/;

/** Parses DCS_EMULATOR_INSTANCES; throws naming the bad entry. */
export function parseComposeInstances(spec: string): ComposeInstance[] {
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((entry) => {
      const match = ENTRY.exec(entry);
      if (!match) throw new Error(`${EMULATOR_COMPOSE_ENV.instances}: "${entry}" is not id=host:port[@PASSWORD_ENV]`);
      const [, id = '', host = '', port = '', passwordEnv] = match;
      return { id, host, port: Number(port), ...(passwordEnv ? { passwordEnv } : {}) };
    });
}

async function main(): Promise<void> {
  const port = Number(process.env[EMULATOR_COMPOSE_ENV.port] ?? '8000');
  const instances = parseComposeInstances(process.env[EMULATOR_COMPOSE_ENV.instances] ?? '');
  // The same rule as `dcs-migrate emulator`: the account the worker's DCS client is configured with.
  const { ak, sk, projectId, generated } = emulatorCredentials(process.env, `http://127.0.0.1:${port}`);
  if (generated.keys || generated.projectId)
    throw new Error(
      'set HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and DCS_PROJECT_ID: the worker must use the same account',
    );
  // 0.0.0.0: inside a container the published port must reach the emulator from outside the container.
  const emu = await startEmulator({
    host: '0.0.0.0',
    port,
    dataDir: process.env[EMULATOR_COMPOSE_ENV.dataDir] ?? '/data',
    credentials: { ak, sk, projectId },
  });
  for (const instance of instances) {
    const password = instance.passwordEnv ? process.env[instance.passwordEnv] : undefined;
    if (instance.passwordEnv && !password) throw new Error(`${instance.id}: ${instance.passwordEnv} is not set`);
    emu.registerInstance({
      id: instance.id,
      host: instance.host,
      port: instance.port,
      ...(password ? { password } : {}),
    });
  }
  console.log(
    `DCS emulator on ${emu.url}, project ${emu.credentials.projectId}, instances ${instances.map((i) => `${i.id} → ${i.host}:${i.port}`).join(', ')}`,
  );
  await stopOnTermination('dcs emulator', () => emu.stop());
}

// Run only as the container's entry point, not when the compose test imports the parser.
if (process.argv[1]?.endsWith('emulator-compose.ts')) {
  main().catch((error: unknown) => {
    console.error(`dcs emulator: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
