import { describe, expect, it } from 'vitest';
import { findOperation, OPERATION_NAMES, OPERATIONS, operationNameToKebab } from './operations.js';

describe('operation table', () => {
  it('has the 16 SDK migration operations and ShowInstance with their documented method, path and success code', () => {
    expect(OPERATION_NAMES).toHaveLength(17);
    const rows = OPERATION_NAMES.map(
      (name) => `${name} ${OPERATIONS[name].method} ${OPERATIONS[name].path} ${OPERATIONS[name].successStatus}`,
    );
    expect(rows).toEqual([
      'CreateMigrationTask POST /v2/{project_id}/migration-task 200',
      'CreateOnlineMigrationTask POST /v2/{project_id}/migration/instance 200',
      'SetOnlineMigrationTask POST /v2/{project_id}/migration/{task_id}/task 200',
      'ListMigrationTask GET /v2/{project_id}/migration-tasks 200',
      'ShowMigrationTask GET /v2/{project_id}/migration-task/{task_id} 200',
      'ShowMigrationTaskStats GET /v2/{project_id}/migration-task/{task_id}/stats 200',
      'StopMigrationTask POST /v2/{project_id}/migration-task/{task_id}/stop 200',
      'StopMigrationTaskSync POST /v2/{project_id}/migration-task/{task_id}/sync-stop 204',
      'BatchStopMigrationTasks POST /v2/{project_id}/migration-task/batch-stop 200',
      'BatchRestartOnlineMigrationTasks POST /v2/{project_id}/migration-tasks/batch-restart 200',
      'DeleteMigrationTask DELETE /v2/{project_id}/migration-tasks/delete 200',
      'UpdateMigrationTask PUT /v2/{project_id}/migration-task/{task_id} 200',
      'ListMigrationTaskLogs GET /v2/{project_id}/migration-task/{task_id}/logs 200',
      'ExchangeInstanceIp POST /v2/{project_id}/migration-task/{task_id}/exchange-ip 204',
      'RollbackExchangeInstanceIp POST /v2/{project_id}/migration-task/{task_id}/rollback-ip 204',
      'ShowJobInfo GET /v2/{project_id}/jobs/{job_id} 200',
      'ShowInstance GET /v2/{project_id}/instances/{instance_id} 200',
    ]);
  });

  it('declares exactly the path parameters its template uses', () => {
    for (const name of OPERATION_NAMES) {
      const spec = OPERATIONS[name];
      const inTemplate = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((p) => p !== 'project_id');
      expect(inTemplate, name).toEqual([...spec.pathParams]);
    }
  });

  it('finds operations by SDK name or kebab-case', () => {
    expect(findOperation('show-migration-task')?.name).toBe('ShowMigrationTask');
    expect(findOperation('ShowMigrationTask')?.name).toBe('ShowMigrationTask');
    expect(findOperation('batch-restart-online-migration-tasks')?.name).toBe('BatchRestartOnlineMigrationTasks');
    expect(findOperation('show-nothing')).toBeUndefined();
    expect(operationNameToKebab('ShowJobInfo')).toBe('show-job-info');
  });
});
