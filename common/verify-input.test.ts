import { describe, expect, it } from 'vitest';
import { InvalidMigrationInputError, parseMigrationInput } from './migration-input.js';

const online = (verify: unknown) => ({
  kind: 'online',
  source: { instanceId: 'src' },
  target: { instanceId: 'tgt' },
  network: { vpcId: 'v', subnetId: 's', securityGroupId: 'g' },
  method: 'full',
  verify,
});

describe('the verify block of a migration input', () => {
  it('takes servers with password references and fills in the defaults', () => {
    const input = parseMigrationInput(
      online({
        source: { address: '10.0.0.1:6379', password: { env: 'SRC_PW' } },
        target: { address: 'redis.example:6380' },
        roundInterval: '1s',
      }),
    );
    expect(input.verify).toEqual({
      source: { address: '10.0.0.1:6379', password: { env: 'SRC_PW' } },
      target: { address: 'redis.example:6380' },
      mode: 'full',
      reverse: true,
      sampleRatio: 1,
      ttlTolerance: 1_000,
      rounds: 2,
      roundInterval: 1_000,
      maxListed: 100,
    });
    expect(parseMigrationInput(online(undefined)).verify).toBeUndefined();
  });

  it('names each bad field, and refuses a literal password', () => {
    const bad = () =>
      parseMigrationInput(
        online({
          source: { address: 'no-port', password: 'hunter2' },
          target: { address: 'h:1' },
          mode: 'deep',
          sampleRatio: 0,
        }),
      );
    expect(bad).toThrow(InvalidMigrationInputError);
    const fields = (() => {
      try {
        bad();
      } catch (error) {
        return (error as InvalidMigrationInputError).problems.map(({ field }) => field).sort();
      }
      return [];
    })();
    expect(fields).toEqual(['verify.mode', 'verify.sampleRatio', 'verify.source.address', 'verify.source.password']);
    expect(() => bad()).not.toThrow(/hunter2/);
  });
});
