import { describe, expect, it } from 'vitest';
import { failedOnLostConnection, readsAsConnectionLoss } from './task-failure.js';

const entry = (level: string, code: string, message: string) => ({
  at: '2026-12-01T10:00:00.000Z',
  level,
  code,
  message,
});

describe('failedOnLostConnection', () => {
  it('is true for the emulator code and for connection wording, false for a refused password or other failures', () => {
    expect(failedOnLostConnection(undefined, [entry('ERROR', 'migration.connection.lost', 'whatever the words')])).toBe(
      true,
    );
    for (const text of [
      'the connection to the source Redis at 10.0.0.5:6379 was lost',
      'cannot connect to the target Redis at 10.0.0.6:6379: connection refused',
      'cannot reach the source Redis at 10.0.0.5:6379: ECONNRESET',
      'Source redis disconnected unexpectedly',
    ])
      expect(readsAsConnectionLoss(text), text).toBe(true);
    for (const text of [
      'authentication to the source Redis failed: the password is wrong',
      'target answered with an error: OOM command not allowed',
      '',
    ])
      expect(readsAsConnectionLoss(text), text).toBe(false);
  });

  it('decides on the last ERROR entry (an earlier drop does not make a later, other failure restartable), else on the task error', () => {
    const earlierDrop = entry('ERROR', 'migration.connection.lost', 'the connection to the source was lost');
    const laterOther = entry('ERROR', 'migration.failed', 'Migration failed: the target is full.');
    expect(
      failedOnLostConnection('the target is full', [
        earlierDrop,
        entry('INFO', 'migration.restart', 'Restart requested.'),
        laterOther,
      ]),
    ).toBe(false);
    expect(
      failedOnLostConnection('the connection to the target Redis was lost', [
        entry('INFO', 'migration.full.start', 'Full migration started.'),
      ]),
    ).toBe(true);
    expect(failedOnLostConnection(undefined, [])).toBe(false);
  });
});
