import { describe, expect, it } from 'vitest';
import { parseMigrationInput } from './migration-input.js';
import { switchEligibility, switchRefusal } from './switch-eligibility.js';

const base = {
  kind: 'online',
  source: { instanceId: 'dcs-source', password: { env: 'S' } },
  target: { instanceId: 'dcs-target', password: { env: 'T' } },
  network: { vpcId: 'v', subnetId: 's', securityGroupId: 'g' },
  method: 'incremental',
  cutover: { switch: 'ip' },
};

describe('switchEligibility', () => {
  it('asks nothing of a migration without a switch', () => {
    expect(switchEligibility(parseMigrationInput({ ...base, cutover: undefined }))).toEqual([]);
    expect(switchEligibility(parseMigrationInput({ ...base, cutover: { switch: 'none' } }))).toEqual([]);
  });

  it('passes a DCS pair with the same password, port and no cluster, and reports only the facts given', () => {
    const input = parseMigrationInput(base);
    expect(switchEligibility(input).map((o) => o.id)).toEqual(['switch-dcs-instances', 'switch-incremental']);
    const outcomes = switchEligibility(input, {
      samePassword: true,
      ports: { source: 6379, target: 6379 },
      cluster: { source: false, target: false },
    });
    expect(outcomes.every((o) => o.verdict === 'pass')).toBe(true);
    expect(switchRefusal(outcomes)).toBeUndefined();
  });

  it('fails a self-hosted source, a full migration, different passwords, ports or a cluster, with a remedy each', () => {
    const selfHosted = parseMigrationInput({ ...base, source: { addrs: 'redis:6379' } });
    expect(switchEligibility(selfHosted).find((o) => o.id === 'switch-dcs-instances')?.verdict).toBe('fail');
    // A full migration cannot ask for a switch at all: the input refuses a cutover block outside incremental.
    expect(() => parseMigrationInput({ ...base, method: 'full' })).toThrow(
      'cutover: only applies to method "incremental"',
    );
    const outcomes = switchEligibility(parseMigrationInput(base), {
      samePassword: false,
      ports: { source: 6379, target: 6380 },
      cluster: { source: true, target: false },
      publicAccess: { source: false, target: true },
    });
    const failed = outcomes.filter((o) => o.verdict === 'fail');
    expect(failed.map((o) => o.id)).toEqual([
      'switch-same-password',
      'switch-same-port',
      'switch-not-cluster',
      'switch-no-public-access',
    ]);
    expect(failed.every((o) => o.remedy)).toBe(true);
    expect(switchRefusal(outcomes)).toMatch(
      /^the clients cannot be switched \(cutover\.switch\): switch-same-password: .*; switch-same-port: source port 6379, target port 6380/,
    );
  });

  it('the input names a bad switch value by its field', () => {
    expect(() => parseMigrationInput({ ...base, cutover: { switch: 'dns' } })).toThrow(/cutover\.switch/);
    expect(() => parseMigrationInput({ ...base, cutover: { switch: 'ip', rollbackWindow: 'soon' } })).toThrow(
      /cutover\.rollbackWindow/,
    );
  });
});
