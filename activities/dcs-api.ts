/**
 * The part of the DCS client the activities use, as a type over the real client: tests and the worker inject a
 * `DcsClient`; the narrow type documents which operations a migration needs.
 */
import type { DcsClient } from '../dcs/client.js';
import type { MigrationTaskListItem } from '../dcs/schemas/index.js';

export type ListItem = MigrationTaskListItem;

export type DcsMigrationApi = Pick<
  DcsClient,
  | 'findTaskByName'
  | 'listMigrationTask'
  | 'createMigrationTask'
  | 'createOnlineMigrationTask'
  | 'setOnlineMigrationTask'
  | 'showMigrationTask'
  | 'showMigrationTaskStats'
  | 'stopMigrationTask'
  | 'deleteMigrationTask'
  | 'showJobInfo'
  | 'showInstance'
  | 'exchangeInstanceIp'
  | 'rollbackExchangeInstanceIp'
  | 'listMigrationTaskLogs'
  | 'batchRestartOnlineMigrationTasks'
>;
