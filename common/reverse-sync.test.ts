import { describe, expect, it } from 'vitest';
import { parseMigrationInput, type MigrationInputFile } from './migration-input.js';
import { catchUpReads, fullSyncEndsAt, requestedRollbackMode, reverseSyncLine } from './reverse-sync.js';
import { reverseSyncObstacle, roughDuration } from './reverse-sync.js';

const input = (cutover: Record<string, unknown> | undefined, source: Record<string, unknown> = { instanceId: 'old' }) =>
  parseMigrationInput({
    kind: 'online',
    source,
    target: { instanceId: 'new' },
    network: { vpcId: 'v', subnetId: 's', securityGroupId: 'g' },
    method: 'incremental',
    ...(cutover ? { cutover } : {}),
  } as MigrationInputFile);

describe('reverse sync decisions (cutover.rollback)', () => {
  it('keep-writes is the default with a switch, explicit when written; no mode without a switch', () => {
    expect(requestedRollbackMode(input({ switch: 'ip' }))).toEqual({ mode: 'keep-writes', explicit: false });
    const explicit = requestedRollbackMode(input({ switch: 'domain', rollback: 'addresses-only' }));
    expect(explicit).toEqual({ mode: 'addresses-only', explicit: true });
    expect(requestedRollbackMode(input(undefined))).toBeUndefined();
    expect(() => input({ switch: 'none', rollback: 'keep-writes' })).toThrow(/needs cutover.switch ip or domain/);
  });

  it('names what stands in the way: a self-hosted source, a Proxy Cluster target, an SSL source', () => {
    expect(reverseSyncObstacle(input({ switch: 'ip' }), {})).toBeUndefined();
    expect(reverseSyncObstacle(input({ switch: 'ip' }, { addrs: '10.0.0.1:6379' }), {})).toMatch(/self-hosted/);
    expect(reverseSyncObstacle(input({ switch: 'ip' }), { targetCacheMode: 'proxy' })).toMatch(/Proxy Cluster/);
    expect(reverseSyncObstacle(input({ switch: 'ip' }), { sourceSsl: true })).toMatch(/SSL on/);
  });

  it("counts the cutover gate's reads, 3 without a gate", () => {
    expect(catchUpReads(input({ switch: 'ip' }))).toBe(3);
    expect(catchUpReads(input({ switch: 'ip', gate: { maxOffset: 10, consecutiveReads: 5 } }))).toBe(5);
  });

  it("estimates the full sync's end at its pace so far, and says it for people", () => {
    expect(fullSyncEndsAt(0, 25, 60_000)).toBe(240_000);
    expect(fullSyncEndsAt(0, 0, 60_000)).toBeUndefined();
    expect(fullSyncEndsAt(0, 100, 60_000)).toBeUndefined();
    expect(roughDuration(45_000)).toBe('45s');
    expect(roughDuration(200_000)).toBe('3m 20s');
    expect(roughDuration(3_900_000)).toBe('1h 5m');
    const endsAt = new Date(240_000).toISOString();
    const fullSync = { state: 'full-sync', taskName: 't-rev', keepsWrites: false, fullSyncProgress: 25 } as const;
    const line = reverseSyncLine({ ...fullSync, fullSyncEndsAt: endsAt }, 60_000);
    expect(line).toMatch(/^reverse task t-rev in its full sync 25%; a rollback keeps writes in about 3m, /);
    expect(line).toMatch(/until then only --force \(loses them\)$/);
    const inSync = { state: 'in-sync', taskName: 't-rev', taskId: 'r1', keepsWrites: true, offset: 0 } as const;
    const synced = reverseSyncLine({ ...inSync, remoteStatus: 'INCRMIGEATING' }, 0);
    expect(synced).toBe('reverse task t-rev (r1) INCRMIGEATING, offset 0; a rollback now keeps writes');
  });
});
