import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../local/redis-server.js';
import { seedSampleData } from '../../local/sample-data.js';
import { waitFor } from '../../local/wait.js';
import { compareRedis } from '../../verify/compare.js';
import { detectBackupFormat } from './backup-format.js';
import { createDataPlane } from './index.js';
import { endpointOf, flushAll } from './test-support.js';

/**
 * Backup files made by a real redis-server (BGSAVE, BGREWRITEAOF) from seeded data; each import must reproduce
 * that server's keyspace exactly on the target. The producing server keeps running and is the comparison's source.
 */
describe('data plane: backup import', () => {
  let producer: RedisServer;
  let target: RedisServer;
  let admin: Redis;
  let files: string;
  const dataPlane = createDataPlane();
  const fixtures: Record<string, string> = {};

  beforeAll(async () => {
    files = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-backup-fixtures-'));
    producer = await startRedisServer({
      name: 'producer',
      config: { appendonly: 'yes', 'aof-use-rdb-preamble': 'yes' },
    });
    target = await startRedisServer({ name: 'target', password: 'target-pw-77' });
    admin = producer.client(0);
    await seedSampleData(endpointOf(producer), { keys: 20_000, dbs: [0, 2, 9], ttlFraction: 0.3, seed: 21 });

    await rewriteAof();
    // Writes after the rewrite land in the incremental AOF part, so the AOF fixtures need both parts to be right.
    await admin.set('after-rewrite:string', 'written after BGREWRITEAOF', 'PX', 1_200_000);
    await admin.hset('after-rewrite:hash', { a: '1', b: '2' });
    await admin.del('sample:string:0', 'sample:hash:3');
    await admin.bgsave();
    await waitFor('BGSAVE', async () => /^rdb_bgsave_in_progress:0/m.test(await admin.info('persistence')), 30_000, 50);
    fixtures.rdb = await keep(path.join(producer.dir, 'dump.rdb'), 'snapshot.rdb');
    fixtures.manifest = path.join(producer.dir, 'appendonlydir', 'appendonly.aof.manifest');
    fixtures.preambleAof = await concatenateAofParts('preamble.aof');

    await admin.config('SET', 'aof-use-rdb-preamble', 'no');
    await rewriteAof();
    await admin.set('after-plain-rewrite', 'x');
    fixtures.plainAof = await concatenateAofParts('plain.aof');
  });

  afterAll(async () => {
    admin?.disconnect();
    await producer?.stop();
    await target?.stop();
    if (files) await rm(files, { recursive: true, force: true });
  });

  async function rewriteAof(): Promise<void> {
    await admin.bgrewriteaof();
    await waitFor(
      'BGREWRITEAOF',
      async () =>
        /^aof_rewrite_in_progress:0/m.test(await admin.info('persistence')) &&
        /^aof_rewrite_scheduled:0/m.test(await admin.info('persistence')),
      30_000,
      50,
    );
    // The rewrite's new manifest is installed by the main thread just after the child exits.
    await waitFor(
      'the new AOF base',
      async () =>
        (await readdir(path.join(producer.dir, 'appendonlydir'))).filter((file) => file.includes('.base.')).length ===
        1,
      10_000,
      50,
    );
  }

  async function keep(file: string, name: string): Promise<string> {
    const copy = path.join(files, name);
    await copyFile(file, copy);
    return copy;
  }

  /** The legacy single-file AOF: the base part (RDB preamble or RESP) followed by the incremental commands. */
  async function concatenateAofParts(name: string): Promise<string> {
    const dir = path.join(producer.dir, 'appendonlydir');
    const parts = await readdir(dir);
    const base = parts.find((file) => file.includes('.base.'));
    const incr = parts.filter((file) => file.includes('.incr.')).sort();
    if (!base) throw new Error(`no AOF base in ${parts.join(', ')}`);
    const single = path.join(files, name);
    await writeFile(
      single,
      Buffer.concat(await Promise.all([base, ...incr].map((file) => readFile(path.join(dir, file))))),
    );
    return single;
  }

  async function importAndCompare(fileList: string[]): Promise<void> {
    await flushAll(target);
    const run = dataPlane.startBackupImport({ files: fileList, target: endpointOf(target) });
    await run.ended;
    expect(run.error()).toBeUndefined();
    expect(run.phase()).toBe('succeeded');
    const stats = run.stats();
    expect(stats.fullMigrationProgress).toBe(100);
    // Every key of every file is written once; keys in several files overwrite each other.
    if (fileList.length === 1) expect(stats.keysCopied).toBe(stats.targetDbSize);
    else expect(stats.keysCopied).toBeGreaterThan(stats.targetDbSize);
    const report = await compareRedis(endpointOf(producer), endpointOf(target));
    expect(report.differences).toEqual([]);
    expect(report.totalDifferences).toBe(0);
  }

  it('tells RDB and AOF files apart by their bytes', async () => {
    expect(await detectBackupFormat(fixtures.rdb as string)).toBe('rdb');
    expect(await detectBackupFormat(fixtures.preambleAof as string)).toBe('aof');
    expect(await detectBackupFormat(fixtures.plainAof as string)).toBe('aof');
    expect(await detectBackupFormat(fixtures.manifest as string)).toBe('aof-manifest');
    const valkey = path.join(files, 'valkey.rdb');
    await writeFile(
      valkey,
      Buffer.concat([Buffer.from('VALKEY080'), Buffer.from([0xfe, 0x00, 0xff]), Buffer.alloc(8)]),
    );
    expect(await detectBackupFormat(valkey)).toBe('rdb');
    const empty = path.join(files, 'empty.rdb');
    await writeFile(empty, '');
    await expect(detectBackupFormat(empty)).rejects.toThrow('backup file empty.rdb is empty');
  });

  it('imports an RDB snapshot (BGSAVE)', async () => {
    // The plain-AOF fixture was written after the snapshot: compare against the snapshot's content.
    await admin.del('after-plain-rewrite');
    await importAndCompare([fixtures.rdb as string]);
    await admin.set('after-plain-rewrite', 'x');
  });

  it('imports a single-file AOF with an RDB preamble and one of plain RESP commands', async () => {
    await importAndCompare([fixtures.plainAof as string]);
    await admin.del('after-plain-rewrite');
    await importAndCompare([fixtures.preambleAof as string]);
    await admin.set('after-plain-rewrite', 'x');
  });

  it('imports a Redis 7 multi-part AOF through its manifest', async () => {
    await importAndCompare([fixtures.manifest as string]);
  });

  it('imports several files in order, and honours an injected failure', async () => {
    await importAndCompare([fixtures.rdb as string, fixtures.plainAof as string]);
    const failing = dataPlane.startBackupImport({
      files: [fixtures.rdb as string],
      target: endpointOf(target),
      faults: { failAt: { atProgress: 50, message: 'OBS download interrupted' } },
    });
    await failing.ended;
    expect(failing.phase()).toBe('failed');
    expect(failing.error()).toBe('OBS download interrupted');
  });

  it('fails with a clear message for an RDB too new to load, a truncated RDB and a file that is no backup', async () => {
    const rdb = await readFile(fixtures.rdb as string);
    const tooNew = Buffer.from(rdb);
    tooNew.write('0099', 5, 'latin1');
    const cases: Array<[string, Buffer | string, RegExp]> = [
      ['too-new.rdb', tooNew, /^backup file too-new\.rdb could not be loaded: .*Can't handle RDB format version 99/],
      [
        'truncated.rdb',
        rdb.subarray(0, Math.floor(rdb.length / 2)),
        /^backup file truncated\.rdb could not be loaded: .*(Short read|Unexpected EOF|loading failed|Bad file format)/,
      ],
      ['notes.txt', 'just some text', /^backup file notes\.txt is neither an RDB nor an AOF file/],
    ];
    await flushAll(target);
    for (const [name, content, message] of cases) {
      const file = path.join(files, name);
      await writeFile(file, content);
      const run = dataPlane.startBackupImport({ files: [file], target: endpointOf(target) });
      await run.ended;
      expect(run.phase()).toBe('failed');
      expect(run.error()).toMatch(message);
    }
    const missing = dataPlane.startBackupImport({
      files: [path.join(files, 'absent.rdb')],
      target: endpointOf(target),
    });
    await missing.ended;
    expect(missing.error()).toBe('backup file absent.rdb cannot be read: ENOENT');
    const client = target.client();
    expect(await client.dbsize()).toBe(0);
    client.disconnect();
  });

  it('fails an RDB that loads with skipped (empty) keys, naming them, and copies nothing of it', async () => {
    // A hand-made RDB: two string keys and two empty collections, which redis-server skips ("empty keys skipped").
    const text = (value: string) => Buffer.concat([Buffer.from([value.length]), Buffer.from(value)]);
    const damaged = path.join(files, 'damaged.rdb');
    await writeFile(
      damaged,
      Buffer.concat([
        Buffer.from('REDIS0009'),
        Buffer.from([0xfe, 0x00]),
        Buffer.from([0x00]),
        text('kept:a'),
        text('1'),
        Buffer.from([0x02]),
        text('empty-set'),
        Buffer.from([0x00]),
        Buffer.from([0x04]),
        text('empty-hash'),
        Buffer.from([0x00]),
        Buffer.from([0x00]),
        text('kept:b'),
        text('2'),
        // EOF and a zero checksum (not checked).
        Buffer.from([0xff]),
        Buffer.alloc(8),
      ]),
    );
    await flushAll(target);
    const run = dataPlane.startBackupImport({ files: [damaged], target: endpointOf(target) });
    await run.ended;
    expect(run.phase()).toBe('failed');
    expect(run.error()).toBe(
      'backup file damaged.rdb is damaged: redis-server skipped 2 empty keys while loading it ("empty-set", "empty-hash"); 2 keys loaded; nothing of this file was imported',
    );
    const client = target.client();
    expect(await client.dbsize()).toBe(0);
    client.disconnect();
  });
});
