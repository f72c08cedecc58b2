import { describe, expect, it } from 'vitest';
import {
  classifyJobStatus,
  classifyStatus,
  INCREMENTAL_STATUS_SPELLINGS,
  isFinalStatus,
  isKnownStatus,
  normalizeStatus,
  readStatus,
  TASK_STATUSES,
  TaskStatus,
  type StatusClass,
} from './dcs-status.js';

describe('task status model', () => {
  it('knows all 14 documented statuses and classifies each', () => {
    expect(TASK_STATUSES).toHaveLength(14);
    for (const status of TASK_STATUSES) expect(classifyStatus(status), status).not.toBe('unknown');
  });

  it('reads both spellings of the incremental steady state as the API spelling', () => {
    const [api, corrected] = INCREMENTAL_STATUS_SPELLINGS;
    expect(normalizeStatus(corrected)).toBe(api);
    expect(normalizeStatus(` ${api.toLowerCase()} `)).toBe(api);
    expect(classifyStatus(corrected)).toBe('incremental');
    expect(classifyStatus(api)).toBe('incremental');
    expect(isFinalStatus(corrected)).toBe(false);
  });

  it('classifies every documented status once', () => {
    // The decisions of the model, restated here so that changing one is a visible, reviewed change of this table.
    const expected: Record<string, StatusClass> = {
      CREATING: 'pending',
      RUNNING: 'awaiting-configuration',
      MIGRATING: 'pending',
      FULLMIGRATING: 'pending',
      MIGRATION_SUCCESS: 'pending',
      TERMINATING: 'stopping',
      SUCCESS: 'succeeded',
      TERMINATED: 'stopped',
      RELEASED: 'stopped',
      DELETED: 'stopped',
      FAILED: 'failed',
      MIGRATION_FAILED: 'failed',
      ERROR: 'failed',
    };
    for (const [status, statusClass] of Object.entries(expected))
      expect(classifyStatus(status), status).toBe(statusClass);
    const final = TASK_STATUSES.filter(isFinalStatus);
    expect(final.sort()).toEqual([
      'DELETED',
      'ERROR',
      'FAILED',
      'MIGRATION_FAILED',
      'RELEASED',
      'SUCCESS',
      'TERMINATED',
    ]);
  });

  it('calls an undocumented status unknown rather than guessing', () => {
    expect(isKnownStatus('PAUSED')).toBe(false);
    expect(classifyStatus('PAUSED')).toBe('unknown');
    expect(classifyStatus(undefined)).toBe('unknown');
    expect(isFinalStatus('PAUSED')).toBe(false);
    expect(normalizeStatus(' paused ')).toBe('PAUSED');
  });

  it('reads a status once: kept as given, its canonical value and its class', () => {
    // What the workflow decides on (workflows/steps/read-task.ts); the string is what the activity result carried.
    expect(readStatus('FULLMIGRATING')).toEqual({
      status: 'FULLMIGRATING',
      known: TaskStatus.FullMigrating,
      statusClass: 'pending',
    });
    expect(readStatus('INCRMIGRATING')).toEqual({
      status: 'INCRMIGRATING',
      known: TaskStatus.Incremental,
      statusClass: 'incremental',
    });
    expect(readStatus('PAUSED')).toEqual({ status: 'PAUSED', known: undefined, statusClass: 'unknown' });
    for (const status of [...TASK_STATUSES, 'PAUSED', ' terminated '])
      expect(readStatus(status).statusClass, status).toBe(classifyStatus(status));
  });

  it('knows when a background job is finished', () => {
    expect(classifyJobStatus('SUCCESS')).toBe('succeeded');
    expect(classifyJobStatus('FAIL')).toBe('failed');
    expect(classifyJobStatus('failed')).toBe('failed');
    expect(classifyJobStatus('RUNNING')).toBe('running');
    expect(classifyJobStatus('INIT')).toBe('running');
  });
});
