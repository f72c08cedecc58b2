import type { OperationHandler } from '../context.js';
import type { EmulatedOperation } from '../emulated-operations.js';
import {
  batchRestartOnlineMigrationTasks,
  batchStopMigrationTasks,
  deleteMigrationTask,
  stopMigrationTask,
  stopMigrationTaskSync,
  updateMigrationTask,
} from './control-tasks.js';
import { exchangeInstanceIp, rollbackExchangeInstanceIp } from './ip-switch.js';
import { createMigrationTask, createOnlineMigrationTask, setOnlineMigrationTask } from './create-tasks.js';
import { showInstance } from './read-instances.js';
import {
  listMigrationTask,
  listMigrationTaskLogs,
  showJobInfo,
  showMigrationTask,
  showMigrationTaskStats,
} from './read-tasks.js';

/** The handler of every DCS operation (IAM's token call is served separately, before authentication). */
export const DCS_OPERATION_HANDLERS: Readonly<Record<EmulatedOperation, OperationHandler | undefined>> = {
  CreateMigrationTask: createMigrationTask,
  CreateOnlineMigrationTask: createOnlineMigrationTask,
  SetOnlineMigrationTask: setOnlineMigrationTask,
  ListMigrationTask: listMigrationTask,
  ShowMigrationTask: showMigrationTask,
  ShowMigrationTaskStats: showMigrationTaskStats,
  StopMigrationTask: stopMigrationTask,
  StopMigrationTaskSync: stopMigrationTaskSync,
  BatchStopMigrationTasks: batchStopMigrationTasks,
  BatchRestartOnlineMigrationTasks: batchRestartOnlineMigrationTasks,
  DeleteMigrationTask: deleteMigrationTask,
  UpdateMigrationTask: updateMigrationTask,
  ListMigrationTaskLogs: listMigrationTaskLogs,
  ExchangeInstanceIp: exchangeInstanceIp,
  RollbackExchangeInstanceIp: rollbackExchangeInstanceIp,
  ShowJobInfo: showJobInfo,
  ShowInstance: showInstance,
  KeystoneCreateUserTokenByPassword: undefined,
};
