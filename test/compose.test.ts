/**
 * docker-compose.yml cannot be run here (no Docker engine), so this test reads it and checks it against what the
 * code itself expects: the worker's Temporal and DCS configuration loaders must accept the worker's environment,
 * the emulator must serve the same account on the port the worker calls, the Redis services behind the DCS
 * instances must have the passwords the migration inputs reference, the search attributes must be those of
 * common/search-attributes.ts, and every depends_on condition must be satisfiable.
 */
import { accessSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { register as registerWorkerCommand } from '../client/commands/worker.js';
import { resolveTemporalConfig } from '../client/temporal-config.js';
import {
  parseDurationMs,
  parseMigrationInput,
  type MigrationInput,
  type SecretRef,
} from '../common/migration-input.js';
import { searchAttributeCliSpecs } from '../common/search-attributes.js';
import { resolveCorsOrigins } from '../client/commands/codec-server-run.js';
import { loadCodecKeyRing } from '../codec/codec-keys.js';
import { CODEC_CORS_ORIGINS_VAR } from '../codec/server.js';
import { DCS_ENV, loadDcsConfig } from '../dcs/config.js';
import { EMULATOR_COMPOSE_ENV, parseComposeInstances } from '../docker/emulator-compose.js';
import { projectRoot } from '../local/tools.js';
import { IMAGE_JEMALLOC_PATH } from '../worker/allocator.js';
import { resolveWorkerSettings, type WorkerFlags } from '../worker/worker-options.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  network_mode?: string;
  restart?: string;
  stop_grace_period?: string;
}

/** `${NAME:-default}` / `${NAME}` as compose interpolates them, with nothing set in the shell (the defaults apply). */
function interpolate(value: string): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_, _name: string, fallback: string | undefined) => fallback ?? '',
  );
}

const compose = parseYaml(readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function envOf(name: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service(name).environment ?? {}).map(([key, value]) => [key, interpolate(String(value))]),
  );
}

/** `[address:]host:container[/protocol]`, the short syntax; the address is undefined when omitted (every interface). */
function publishedPorts(name: string): Array<{ address: string | undefined; host: number; container: number }> {
  return (service(name).ports ?? []).map((spec) => {
    const parts = interpolate(String(spec))
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const [container, host] = [Number(parts.pop()), Number(parts.pop())];
    return { address: parts.length > 0 ? parts.join(':') : undefined, host, container };
  });
}

/** The flags commander hands the `worker` action for the compose service's command. */
async function workerFlags(args: string[]): Promise<WorkerFlags> {
  const program = new Command().exitOverride();
  registerWorkerCommand(program);
  let captured: WorkerFlags | undefined;
  program.commands
    .find((command) => command.name() === 'worker')
    ?.action((flags: WorkerFlags) => {
      captured = flags;
    });
  await program.parseAsync(args, { from: 'user' });
  if (!captured) throw new Error('the worker command did not run');
  return captured;
}

function examples(): Array<{ file: string; input: MigrationInput }> {
  const dir = path.join(projectRoot, 'examples');
  return readdirSync(dir).map((file) => ({
    file,
    input: parseMigrationInput(parseYaml(readFileSync(path.join(dir, file), 'utf8'))),
  }));
}

function secretRefs(input: MigrationInput): SecretRef[] {
  const refs: Array<SecretRef | undefined> = [input.target.password];
  if (input.kind !== 'backup_import') refs.push(input.source.password);
  return refs.filter((ref): ref is SecretRef => ref !== undefined);
}

describe('docker-compose.yml', () => {
  it('has the Temporal server on PostgreSQL with its schema step, the setup step, the UI, the emulator, two Redis servers and the worker', () => {
    for (const name of [
      'postgresql',
      'temporal-admin-tools',
      'temporal',
      'temporal-setup',
      'temporal-ui',
      'dcs-emulator',
      'redis-source',
      'redis-target',
      'worker',
    ]) {
      expect(services[name], name).toBeDefined();
    }
    expect(service('temporal').image).toMatch(/^temporalio\/server:/);
    expect(envOf('temporal').DB).toBe('postgres12');
    expect(envOf('temporal').POSTGRES_SEEDS).toBe('postgresql');
    expect(envOf('temporal').POSTGRES_PWD).toBe(envOf('postgresql').POSTGRES_PASSWORD);
    expect(envOf('temporal-admin-tools').POSTGRES_PWD).toBe(envOf('postgresql').POSTGRES_PASSWORD);
    expect(Object.values(services).some((s) => s.image?.startsWith('temporalio/auto-setup'))).toBe(false);
    expect(publishedPorts('temporal')).toContainEqual({ address: '127.0.0.1', host: 7233, container: 7233 });
    expect(publishedPorts('temporal-ui')).toContainEqual({ address: '127.0.0.1', host: 8080, container: 8080 });
    expect(envOf('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('publishes every port on 127.0.0.1 only: the codec server, the emulator admin API and the metrics have no auth', () => {
    const published = Object.keys(services).flatMap((name) => publishedPorts(name).map((port) => ({ name, ...port })));
    expect(published.map(({ name, host }) => `${name}:${host}`).sort()).toEqual(
      [
        'codec-server:8888',
        'dcs-emulator:8000',
        'dcs-emulator:9464',
        'grafana:3000',
        'prometheus:9090',
        'temporal-ui:8080',
        'temporal:7233',
        'temporal:7243',
      ].sort(),
    );
    for (const port of published) expect(port.address, `${port.name} publishes ${port.host}`).toBe('127.0.0.1');
    // Long-syntax entries ({ target, published, host_ip }) would escape the check above: there are none.
    for (const [name, svc] of Object.entries(services))
      for (const spec of svc.ports ?? []) expect(typeof spec, `${name}: ports entry`).toBe('string');
  });

  it('makes every depends_on condition satisfiable: healthy needs a healthcheck, completed needs a one-shot service', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(svc.depends_on ?? {})) {
        const target = service(dependency);
        if (condition === 'service_healthy')
          expect(target.healthcheck, `${name} waits for ${dependency} to be healthy`).toBeDefined();
        else if (condition === 'service_completed_successfully')
          expect(target.restart, `${name} waits for ${dependency} to complete`).toBe('no');
        else expect(condition).toBe('service_started');
      }
    }
    // The worker starts only once the namespace and search attributes exist and the emulator answers.
    expect(service('worker').depends_on?.['temporal-setup']?.condition).toBe('service_completed_successfully');
    expect(service('worker').depends_on?.['dcs-emulator']?.condition).toBe('service_healthy');
  });

  it('registers exactly the search attributes of common/search-attributes.ts in the namespace the worker uses', () => {
    const setup = envOf('temporal-setup');
    expect(setup.DCS_MIGRATE_SEARCH_ATTRIBUTES?.split(/\s+/)).toEqual(searchAttributeCliSpecs());
    const worker = resolveTemporalConfig({}, envOf('worker'));
    expect(setup.TEMPORAL_NAMESPACE).toBe(worker.namespace);
    expect(setup.TEMPORAL_ADDRESS).toBe(worker.address);
    const script = readFileSync(path.join(projectRoot, 'docker/temporal/create-namespace.sh'), 'utf8');
    expect(script).toContain('temporal operator search-attribute create');
    expect(script).toContain('temporal operator namespace create');
  });

  it('gives the worker a Temporal address the Temporal service listens on', () => {
    const { address } = resolveTemporalConfig({}, envOf('worker'));
    const [host, port] = address.split(':');
    expect(services[host ?? '']).toBeDefined();
    expect(service(host ?? '').healthcheck?.test.join(' ')).toContain(String(port));
  });

  it('configures the worker’s DCS client for the emulator, with the account the emulator serves', () => {
    const workerDcs = loadDcsConfig(envOf('worker'));
    const emulatorEnv = envOf('dcs-emulator');
    const emulatorDcs = loadDcsConfig(emulatorEnv, {
      endpoint: `http://127.0.0.1:${emulatorEnv[EMULATOR_COMPOSE_ENV.port]}`,
    });
    expect(workerDcs.projectId).toBe(emulatorDcs.projectId);
    expect(workerDcs.credentials.kind).toBe('aksk');
    if (workerDcs.credentials.kind === 'aksk' && emulatorDcs.credentials.kind === 'aksk') {
      expect(workerDcs.credentials.accessKey.reveal()).toBe(emulatorDcs.credentials.accessKey.reveal());
      expect(workerDcs.credentials.secretKey.reveal()).toBe(emulatorDcs.credentials.secretKey.reveal());
    }
    // The emulator listens on 127.0.0.1 only: the worker must share its network namespace to reach it there.
    const endpoint = new URL(workerDcs.endpoint);
    expect(endpoint.port).toBe(emulatorEnv[EMULATOR_COMPOSE_ENV.port]);
    expect(endpoint.hostname).toBe('127.0.0.1');
    expect(service('worker').network_mode).toBe('service:dcs-emulator');
    expect(service('dcs-emulator').healthcheck?.test.join(' ')).toContain(
      `127.0.0.1:${endpoint.port}/_emulator/health`,
    );
    expect(Object.keys(envOf('worker'))).toContain(DCS_ENV.endpoint[0]);
  });

  it('backs each DCS instance with a Redis service whose password is the one the emulator and the worker are given', () => {
    const emulatorEnv = envOf('dcs-emulator');
    const instances = parseComposeInstances(emulatorEnv[EMULATOR_COMPOSE_ENV.instances] ?? '');
    expect(instances.map((i) => i.id).sort()).toEqual(['dcs-source', 'dcs-target']);
    for (const instance of instances) {
      const redis = service(instance.host);
      const command = (redis.command ?? []).map(interpolate);
      expect(command[0]).toBe('redis-server');
      const password = command[command.indexOf('--requirepass') + 1];
      expect(instance.passwordEnv).toBeDefined();
      expect(emulatorEnv[instance.passwordEnv ?? '']).toBe(password);
      expect(envOf('worker')[instance.passwordEnv ?? '']).toBe(password);
      expect(instance.port).toBe(6379);
      expect(service('dcs-emulator').depends_on?.[instance.host]?.condition).toBe('service_healthy');
    }
  });

  it('runs the worker command with flags the worker accepts, metrics where its healthcheck and the published port look', async () => {
    const worker = service('worker');
    expect(worker.command?.[0]).toBe('worker');
    const settings = resolveWorkerSettings(await workerFlags(worker.command ?? []), envOf('worker'));
    expect(settings.metricsPort).toBeDefined();
    expect(worker.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${settings.metricsPort}/metrics`);
    // Ports of a service in another's network namespace are published by that other service.
    expect(publishedPorts('dcs-emulator')).toContainEqual({
      address: '127.0.0.1',
      host: settings.metricsPort,
      container: settings.metricsPort,
    });
    // compose must wait longer than the worker lets running activities finish, or it kills them mid-call.
    expect(parseDurationMs(worker.stop_grace_period ?? '10s')).toBeGreaterThan(settings.shutdownGraceMs);
  });

  it('lets the example migrations run as they are: their instances exist and their password variables are set on the worker', () => {
    const registered = new Set(
      parseComposeInstances(envOf('dcs-emulator')[EMULATOR_COMPOSE_ENV.instances] ?? '').map((i) => i.id),
    );
    const workerEnv = envOf('worker');
    for (const { file, input } of examples()) {
      expect(registered.has(input.target.instanceId), `${file}: target ${input.target.instanceId}`).toBe(true);
      if (input.kind === 'online' && input.source.instanceId)
        expect(registered.has(input.source.instanceId), `${file}: source`).toBe(true);
      for (const ref of secretRefs(input))
        if (ref.env) expect(workerEnv[ref.env], `${file}: ${ref.env} on the worker`).toBeTruthy();
    }
  });

  it('encrypts payloads: worker and codec server share valid keys, the UI decodes through the codec server it can reach', () => {
    const workerRing = loadCodecKeyRing(envOf('worker'));
    const codecRing = loadCodecKeyRing(envOf('codec-server'));
    expect(workerRing?.activeKeyId).toBeDefined();
    expect(codecRing?.activeKeyId).toBe(workerRing?.activeKeyId);
    expect(
      codecRing?.keys
        .get(codecRing.activeKeyId)
        ?.equals(workerRing?.keys.get(workerRing.activeKeyId) ?? Buffer.alloc(0)),
    ).toBe(true);

    const codec = service('codec-server');
    expect(codec.image).toBe(service('dcs-emulator').image);
    expect(codec.command?.slice(0, 1)).toEqual(['codec-server']);
    const port = Number(codec.command?.[(codec.command?.indexOf('--port') ?? -2) + 1]);
    expect(codec.command?.[(codec.command?.indexOf('--host') ?? -2) + 1]).toBe('0.0.0.0');
    // No token by default, so listening on 0.0.0.0 needs the explicit opt-out (its port is published on 127.0.0.1).
    expect(envOf('codec-server').DCS_MIGRATE_CODEC_TOKEN).toBe('');
    expect(codec.command).toContain('--insecure-allow-no-token');
    expect(publishedPorts('codec-server')).toContainEqual({ address: '127.0.0.1', host: port, container: port });
    expect(codec.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port}/decode`);
    // The browser calls the codec server at its published port, from the UI's published origin.
    expect(envOf('temporal-ui').TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${port}`);
    const uiPort = publishedPorts('temporal-ui')[0]?.host;
    expect(resolveCorsOrigins([], envOf('codec-server'))).toContain(`http://localhost:${uiPort}`);
    expect(envOf('codec-server')[CODEC_CORS_ORIGINS_VAR]).toBeDefined();
  });

  it('builds the project image from files that exist, and mounts scripts that exist and run', () => {
    const build = service('dcs-emulator').build;
    expect(build).toBeDefined();
    expect(existsSync(path.join(projectRoot, build?.context ?? '', build?.dockerfile ?? ''))).toBe(true);
    expect(service('worker').image).toBe(service('dcs-emulator').image);
    const dockerfile = readFileSync(path.join(projectRoot, build?.dockerfile ?? ''), 'utf8');
    expect(dockerfile).toContain('tools/bundle-workflows.ts');
    expect(dockerfile).toMatch(/ENV DCS_MIGRATE_WORKFLOW_BUNDLE=/);
    // The worker runs on jemalloc: the image installs it, links it where worker/allocator.ts looks first, preloads it.
    expect(dockerfile).toMatch(/apt-get install[^\n]*libjemalloc2/);
    expect(dockerfile).toContain(`ln -s "$(find /usr/lib -name libjemalloc.so.2 | head -n 1)" ${IMAGE_JEMALLOC_PATH}`);
    expect(dockerfile).toMatch(new RegExp(`LD_PRELOAD=${IMAGE_JEMALLOC_PATH.replaceAll('.', '\\.')}$`, 'm'));
    for (const [name, svc] of Object.entries(services)) {
      for (const volume of svc.volumes ?? []) {
        const hostPath = volume.split(':')[0] ?? '';
        if (!hostPath.startsWith('./')) {
          expect(compose.volumes, `${name}: named volume ${hostPath}`).toHaveProperty(hostPath);
          continue;
        }
        const resolved = path.join(projectRoot, hostPath);
        expect(existsSync(resolved), `${name}: ${hostPath}`).toBe(true);
        if (resolved.endsWith('.sh')) accessSync(resolved, constants.X_OK);
      }
    }
    const emulatorEntry = service('dcs-emulator').entrypoint ?? [];
    expect(existsSync(path.join(projectRoot, emulatorEntry.at(-1) ?? ''))).toBe(true);
  });
});
