/**
 * The names of what the emulator serves, shared by its HTTP layer (routing, the request log) and its fault rules.
 * A file of its own, below both, so neither imports the other for them. Named apart from the client's
 * `OPERATIONS`/`OperationName` (dcs/operations.ts), which this extends with IAM's token call.
 */
import { OPERATION_NAMES } from '../dcs/operations.js';

/** Operations the emulator serves: the operations of the client's table (16 data-migration ones and ShowInstance), plus IAM's token call. */
export const EMULATED_OPERATIONS = [...OPERATION_NAMES, 'KeystoneCreateUserTokenByPassword'] as const;

export type EmulatedOperation = (typeof EMULATED_OPERATIONS)[number];

/** Operations that start a data-plane run: the only ones data-plane faults attach to. */
export const RUN_STARTING_OPERATIONS: ReadonlySet<EmulatedOperation> = new Set<EmulatedOperation>([
  'CreateMigrationTask',
  'SetOnlineMigrationTask',
  'BatchRestartOnlineMigrationTasks',
]);

/** Operations that start an IP switch: the only ones IP-switch faults attach to. */
export const IP_SWITCH_OPERATIONS: ReadonlySet<EmulatedOperation> = new Set<EmulatedOperation>([
  'ExchangeInstanceIp',
  'RollbackExchangeInstanceIp',
]);
