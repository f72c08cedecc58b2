/**
 * A backup file in the stack's OBS stand-in, so examples/backup-import.json runs unchanged against `npm start`:
 * an RDB snapshot of the seeded source (SAVE), copied to `<emulator data dir>/buckets/<bucket>/<file>`, the object
 * the example names. Other files for other imports go to the same folder (emulator/README.md, "Backup files").
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { connectRedis } from '../redis/connect.js';
import { redisOptions } from '../redis/connection-options.js';
import type { RedisEndpoint } from '../redis/endpoint.js';

/** The object examples/backup-import.json imports. */
export const STACK_SAMPLE_BACKUP = { bucket: 'redis-backups', file: 'dump-2026-11-23.rdb' } as const;

/** Snapshots `source` and puts the RDB into the bucket under `bucketsDir`; returns the file's path. */
export async function writeSampleBackup(source: RedisEndpoint, bucketsDir: string): Promise<string> {
  const client = await connectRedis(redisOptions(source, { maxRetriesPerRequest: 1 }));
  try {
    await client.save();
    const [, dir] = (await client.config('GET', 'dir')) as [string, string];
    const [, file] = (await client.config('GET', 'dbfilename')) as [string, string];
    const bucket = path.join(bucketsDir, STACK_SAMPLE_BACKUP.bucket);
    await mkdir(bucket, { recursive: true });
    const target = path.join(bucket, STACK_SAMPLE_BACKUP.file);
    await copyFile(path.join(dir, file), target);
    return target;
  } finally {
    client.disconnect();
  }
}
