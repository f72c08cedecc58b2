/**
 * The part of `dcs-migrate up`'s summary that tells the operator how to reach the stack from another shell: the
 * env file to `source` (everything, secrets included, mode 0600), the non-secret `export` lines it holds, the names
 * of the secrets it holds (never their values), the instances and the OBS bucket folder, and — loudly — the
 * default ports that were taken.
 */
import { displayPath, printableExports } from '../../stack/stack-env.js';
import { movedPortsWarning, STACK_INSTANCES, STACK_PASSWORD_ENV, type LocalStack } from '../../stack/start-stack.js';

export function stackEnvSummary(stack: LocalStack): string[] {
  const { exports, secretNames } = printableExports(stack.env.entries);
  const file = displayPath(stack.env.file);
  const lines: string[] = [];
  if (stack.movedPorts.length > 0)
    lines.push(movedPortsWarning(stack.movedPorts, '127.0.0.1', stack.temporal.port, stack.env.file));
  lines.push(
    `From another shell: source ${file}` +
      (stack.env.isDefault ? ` (or ${displayPath(stack.env.defaultFile)}, the first stack running here)` : ''),
    `  then e.g. npx dcs-migrate start --file examples/online-full.yaml --wait, npx dcs-migrate list, temporal workflow list`,
    `  it sets (mode 0600, removed when the stack stops):`,
    ...exports.map((line) => `    ${line}`),
    `    and the secrets, not shown here: ${secretNames.join(', ')}`,
    `  DCS instances: ${STACK_INSTANCES.source} ${instanceAt(stack, 'source')} (password in ${STACK_PASSWORD_ENV.source}), ` +
      `${STACK_INSTANCES.target} ${instanceAt(stack, 'target')} (password in ${STACK_PASSWORD_ENV.target}); ` +
      'also reachable as redis-source:6379 / redis-target:6379 in a migration file, like in docker-compose',
    `  OBS buckets (backup import): ${stack.bucketsDir}/<bucket>/<file>`,
  );
  return lines;
}

/**
 * Where an instance is: its address, or for a Redis Cluster its masters (any one of them, like the env file's URL,
 * tells a client — and `dcs-migrate verify` — the whole cluster).
 */
function instanceAt(stack: LocalStack, side: 'source' | 'target'): string {
  if (stack.topologies[side].mode !== 'cluster') return hostPort(stack[side]);
  const masters = stack.emulator
    .instance(STACK_INSTANCES[side])
    .topology?.shards.map((shard) => hostPort(shard.master)) ?? [hostPort(stack[side])];
  return `(a Redis Cluster of ${masters.length} masters: ${masters.join(', ')})`;
}

function hostPort(endpoint: { host: string; port: number }): string {
  return `${endpoint.host}:${endpoint.port}`;
}
