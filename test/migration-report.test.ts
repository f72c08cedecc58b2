import { describe, expect, it } from 'vitest';
import { parseMigrationInput } from '../common/migration-input.js';
import { initialState, reportOf, resultOf, statusOf, type MigrationState } from '../workflows/state.js';

/** A state exactly as the code before `MigrationReport` wrote it (carried across a continue-as-new over the upgrade). */
const stateFromBeforeTheReport = {
  phase: 'incremental-hold',
  taskName: 'dcsm-upgrade',
  taskId: 'task-1',
  jobId: 'job-1',
  configured: true,
  remoteStatus: 'INCRMIGEATING',
  progress: { offset: 0, sourceDbSize: 10, targetDbSize: 10 },
  lastError: undefined,
  apiCalls: { findTaskByName: 4, showTaskStats: 1 },
  activityAttempts: 6,
  polls: 4,
  unchangedPolls: 2,
  unknownStatusPolls: 0,
  failedPolls: 0,
  continuedAsNew: 1,
  progressReadAt: '2026-01-01T00:04:00.000Z',
  timings: {
    startedAt: '2026-01-01T00:00:00.000Z',
    migratingAt: '2026-01-01T00:01:00.000Z',
    holdStartedAt: '2026-01-01T00:02:00.000Z',
  },
  cancel: undefined,
  cutover: { requestedAt: '2026-01-01T00:05:00.000Z', by: 'operator', note: 'go' },
};

describe('the migration report', () => {
  it('is the same in the status and the result, from one state', () => {
    const state: MigrationState = JSON.parse(JSON.stringify(stateFromBeforeTheReport)) as MigrationState;
    const verification = { outcome: 'clean', totalDifferences: 0 } as const;
    const report = reportOf(state, verification);
    expect(report).toEqual({
      taskName: 'dcsm-upgrade',
      taskId: 'task-1',
      remoteStatus: 'INCRMIGEATING',
      progress: { offset: 0, sourceDbSize: 10, targetDbSize: 10 },
      timings: stateFromBeforeTheReport.timings,
      apiCalls: { findTaskByName: 4, showTaskStats: 1 },
      activityAttempts: 6,
      polls: 4,
      continuedAsNew: 1,
      progressReadAt: '2026-01-01T00:04:00.000Z',
      cutover: { requestedAt: '2026-01-01T00:05:00.000Z', by: 'operator', note: 'go' },
      verification,
    });
    const input = parseMigrationInput({
      kind: 'online',
      source: { addrs: '10.0.0.5:6379' },
      target: { instanceId: 't' },
      network: { vpcId: 'v', subnetId: 's', securityGroupId: 'g' },
      method: 'incremental',
    });
    expect(statusOf(state, input, verification)).toEqual({
      ...report,
      kind: 'online',
      phase: 'incremental-hold',
      lastError: undefined,
      cancel: undefined,
    });
    state.remoteStatus = 'TERMINATED';
    expect(resultOf(state, 'cut-over', verification)).toEqual({
      ...report,
      remoteStatus: 'TERMINATED',
      outcome: 'cut-over',
    });
  });

  it('copies, so a later change of the state does not change an answer already given', () => {
    const state = initialState(new Date('2026-01-01T00:00:00.000Z'));
    const status = statusOf(state, undefined);
    state.apiCalls['findTaskByName'] = 1;
    state.timings.taskCreatedAt = '2026-01-01T00:00:01.000Z';
    expect(status.apiCalls).toEqual({});
    expect(status.timings).toEqual({ startedAt: '2026-01-01T00:00:00.000Z' });
    expect(status).not.toHaveProperty('cutover');
    expect(resultOf(state, 'succeeded')).toMatchObject({ taskId: '', taskName: '', remoteStatus: '' });
  });
});
