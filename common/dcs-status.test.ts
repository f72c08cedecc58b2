import { describe, expect, it } from 'vitest';
import {
  classifyJobStatus,
  classifyStatus,
  INCREMENTAL_STATUS_SPELLINGS,
  isFinalStatus,
  isKnownStatus,
  normalizeStatus,
  TASK_STATUSES,
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
    expect(classifyStatus('CREATING')).toBe('pending');
    expect(classifyStatus('RUNNING')).toBe('awaiting-configuration');
    expect(classifyStatus('MIGRATING')).toBe('pending');
    expect(classifyStatus('FULLMIGRATING')).toBe('pending');
    expect(classifyStatus('MIGRATION_SUCCESS')).toBe('pending');
    expect(classifyStatus('TERMINATING')).toBe('stopping');
    expect(classifyStatus('SUCCESS')).toBe('succeeded');
    expect(classifyStatus('TERMINATED')).toBe('stopped');
    expect(classifyStatus('RELEASED')).toBe('stopped');
    expect(classifyStatus('DELETED')).toBe('stopped');
    expect(classifyStatus('FAILED')).toBe('failed');
    expect(classifyStatus('MIGRATION_FAILED')).toBe('failed');
    expect(classifyStatus('ERROR')).toBe('failed');
    expect(['SUCCESS', 'FAILED', 'TERMINATED', 'MIGRATION_FAILED', 'RELEASED', 'ERROR', 'DELETED'].every(isFinalStatus)).toBe(true);
    expect(['CREATING', 'RUNNING', 'MIGRATING', 'FULLMIGRATING', 'TERMINATING', 'MIGRATION_SUCCESS'].some(isFinalStatus)).toBe(false);
  });

  it('calls an undocumented status unknown rather than guessing', () => {
    expect(isKnownStatus('PAUSED')).toBe(false);
    expect(classifyStatus('PAUSED')).toBe('unknown');
    expect(classifyStatus(undefined)).toBe('unknown');
    expect(isFinalStatus('PAUSED')).toBe(false);
    expect(normalizeStatus(' paused ')).toBe('PAUSED');
  });

  it('knows when a background job is finished', () => {
    expect(classifyJobStatus('SUCCESS')).toBe('succeeded');
    expect(classifyJobStatus('FAIL')).toBe('failed');
    expect(classifyJobStatus('failed')).toBe('failed');
    expect(classifyJobStatus('RUNNING')).toBe('running');
    expect(classifyJobStatus('INIT')).toBe('running');
  });
});
