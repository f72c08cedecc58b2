/**
 * The part of the DCS client the activities use. Typed after the client's own request/response schemas, so a
 * change there shows up here at compile time.
 */
import type { z } from 'zod';
import type {
  CreateMigrationTaskBody,
  CreateOnlineMigrationTaskBody,
  CreateOnlineMigrationTaskResponse,
  DeleteMigrationTaskBody,
  JobInfo,
  MigrationTaskDetail,
  MigrationTaskListItem,
  MigrationTaskResult,
  MigrationTaskStats,
  SetOnlineMigrationTaskBody,
} from '../dcs/schemas/index.js';

export type ListItem = z.output<typeof MigrationTaskListItem>;

export interface DcsMigrationApi {
  findTaskByName(name: string): Promise<ListItem | undefined>;
  createMigrationTask(body: CreateMigrationTaskBody): Promise<z.output<typeof MigrationTaskResult>>;
  createOnlineMigrationTask(body: CreateOnlineMigrationTaskBody): Promise<z.output<typeof CreateOnlineMigrationTaskResponse>>;
  setOnlineMigrationTask(taskId: string, body: SetOnlineMigrationTaskBody): Promise<z.output<typeof MigrationTaskResult>>;
  showMigrationTask(taskId: string): Promise<z.output<typeof MigrationTaskDetail>>;
  showMigrationTaskStats(taskId: string): Promise<z.output<typeof MigrationTaskStats>>;
  stopMigrationTask(taskId: string): Promise<z.output<typeof MigrationTaskDetail>>;
  deleteMigrationTask(body: DeleteMigrationTaskBody): Promise<unknown>;
  showJobInfo(jobId: string): Promise<z.output<typeof JobInfo>>;
}
