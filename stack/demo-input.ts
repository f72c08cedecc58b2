/**
 * The migration input of the local stack's demo (`dcs-migrate up`, the UI browser test): the stack's two
 * instances, passwords by environment reference. Here rather than with the demo's driver (client/up/) because it
 * is data about the stack, which tests use without the CLI.
 */
import type { MigrationInputFile } from '../common/migration-input.js';
import { STACK_INSTANCES, STACK_PASSWORD_ENV } from './start-stack.js';

export interface DemoInputOptions {
  /**
   * A Redis Cluster on either side: the cutover only stops the task (`switch: none`, the clients move by
   * themselves), because DCS switches no IPs of a Redis Cluster (and the switch-eligibility check refuses it).
   */
  cluster?: boolean;
}

/** The demo's migration input: what an operator would write in a file (see examples/online-incremental.yaml). */
export function demoMigrationInput(options: DemoInputOptions = {}): MigrationInputFile {
  return {
    kind: 'online',
    description: 'dcs-migrate local stack: incremental migration rehearsal',
    source: { instanceId: STACK_INSTANCES.source, password: { env: STACK_PASSWORD_ENV.source } },
    target: { instanceId: STACK_INSTANCES.target, password: { env: STACK_PASSWORD_ENV.target } },
    network: { vpcId: 'vpc-local', subnetId: 'subnet-local', securityGroupId: 'sg-local' },
    method: 'incremental',
    resumeMode: 'auto',
    // Progress on every poll: the demo waits for offset 0 before its cutover, and the metrics show it moving.
    polling: { initialInterval: '1s', maxInterval: '2s', progressInterval: '1s' },
    // The cutover moves the clients: the source's address reaches the target afterwards (no canary key: the demo
    // compares the two servers key by key, and a canary would be a key only the target has). Not for a cluster.
    cutover: options.cluster ? { switch: 'none' } : { switch: 'ip', rollbackWindow: 0 },
  };
}
