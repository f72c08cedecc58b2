import { describe, expect, it } from 'vitest';
import { createActivities } from './create-activities.js';
import { createSecretResolver } from './secrets.js';
import type { DcsMigrationApi } from './dcs-api.js';
import { DuplicateActivityError, mergeActivities } from './merge-activities.js';

describe('mergeActivities', () => {
  it('keeps every group’s activities', () => {
    const merged = mergeActivities({ a: () => 1 }, { b: () => 2 });
    expect(Object.keys(merged).sort()).toEqual(['a', 'b']);
    expect(merged.b()).toBe(2);
  });

  it('refuses a name defined twice, naming it', () => {
    expect(() => mergeActivities({ restartTask: () => 1 }, { restartTask: () => 2 })).toThrow(DuplicateActivityError);
    expect(() => mergeActivities({ restartTask: () => 1 }, { restartTask: () => 2 })).toThrow(
      /"restartTask" is defined twice/,
    );
  });

  it('builds the worker’s activities with no name defined twice', () => {
    // The factory only wires calls at build time: an API object that is never called is enough here.
    const activities = createActivities({ dcs: {} as DcsMigrationApi, secrets: createSecretResolver({ env: {} }) });
    expect(typeof activities.restartTask).toBe('function');
    expect(typeof activities.exchangeIp).toBe('function');
  });
});
