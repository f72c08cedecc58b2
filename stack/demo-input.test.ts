import { describe, expect, it } from 'vitest';
import { parseMigrationInput } from '../common/migration-input.js';
import { demoMigrationInput } from './demo-input.js';

describe('the demo migration input of up', () => {
  it('switches IPs at the cutover between single or master/standby instances, and nothing with a Redis Cluster', () => {
    expect(demoMigrationInput()).toMatchObject({
      kind: 'online',
      method: 'incremental',
      cutover: { switch: 'ip', rollbackWindow: 0 },
    });
    expect(demoMigrationInput({ cluster: true })).toMatchObject({
      kind: 'online',
      method: 'incremental',
      cutover: { switch: 'none' },
    });
    // Both parse as a migration file does.
    expect(() => parseMigrationInput(demoMigrationInput())).not.toThrow();
    expect(() => parseMigrationInput(demoMigrationInput({ cluster: true }))).not.toThrow();
  });
});
