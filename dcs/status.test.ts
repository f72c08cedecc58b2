import { describe, expect, it } from 'vitest';
import {
  isAwaitingConfiguration,
  isFailed,
  isJobFinished,
  isKnownStatus,
  isSteadyIncremental,
  isSucceeded,
  isTerminal,
  MIGRATION_TASK_STATUSES,
  normalizeStatus,
  statusPhase,
} from './status.js';

describe('task status model', () => {
  it('knows all 14 documented statuses', () => {
    expect(MIGRATION_TASK_STATUSES).toHaveLength(14);
    for (const status of MIGRATION_TASK_STATUSES) expect(statusPhase(status)).not.toBe('unknown');
  });

  it('treats both spellings of the incremental status as the same steady state', () => {
    expect(normalizeStatus('INCRMIGRATING')).toBe('INCRMIGEATING');
    expect(normalizeStatus(' incrmigeating ')).toBe('INCRMIGEATING');
    expect(isSteadyIncremental('INCRMIGRATING')).toBe(true);
    expect(isSteadyIncremental('INCRMIGEATING')).toBe(true);
    expect(isTerminal('INCRMIGEATING')).toBe(false);
  });

  it('classifies terminal, failed, succeeded and waiting statuses', () => {
    expect(['SUCCESS', 'FAILED', 'TERMINATED', 'MIGRATION_FAILED', 'RELEASED', 'ERROR', 'DELETED'].every(isTerminal)).toBe(true);
    expect(['CREATING', 'RUNNING', 'MIGRATING', 'FULLMIGRATING', 'TERMINATING', 'MIGRATION_SUCCESS'].some(isTerminal)).toBe(false);
    expect(isFailed('MIGRATION_FAILED')).toBe(true);
    expect(isSucceeded('MIGRATION_SUCCESS')).toBe(true);
    expect(isAwaitingConfiguration('RUNNING')).toBe(true);
  });

  it('answers conservatively for an undocumented status', () => {
    expect(isKnownStatus('PAUSED')).toBe(false);
    expect(statusPhase('PAUSED')).toBe('unknown');
    expect(isTerminal('PAUSED')).toBe(false);
  });

  it('knows when a job is finished', () => {
    expect(isJobFinished('SUCCESS')).toBe(true);
    expect(isJobFinished('FAIL')).toBe(true);
    expect(isJobFinished('RUNNING')).toBe(false);
  });
});
