import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { defaultBigKeyLimits, type BigKeyLimits } from './big-key-copy.js';
import { detectBackupFormat, type BackupFormat } from './backup-format.js';
import { RedisConnections } from './connections.js';
import type { BackupImportOptions } from './contract.js';
import { DataPlaneError } from './failures.js';
import { copyKeyspace } from './full-copy.js';
import { KeyCopier } from './key-copy.js';
import { checkPermissions } from './permissions.js';
import { RunBase } from './run-base.js';
import { loadBackup, type LoadedBackup } from './temp-redis.js';

/**
 * A backup import: each file, in order, is loaded by a temporary redis-server and its keyspace copied into the
 * target with the same per-key copy as an online migration, so a later file's keys overwrite an earlier one's.
 * Progress counts the files done plus the share of the current file's keys copied.
 */
export class BackupImportRun extends RunBase {
  private readonly target: RedisConnections;
  private loadedSource: RedisConnections | undefined;

  constructor(
    private readonly options: BackupImportOptions,
    private readonly bigKeys: BigKeyLimits = defaultBigKeyLimits,
  ) {
    super(options.faults, () => ({ source: this.loadedSource, target: this.target }));
    this.target = new RedisConnections('target', options.target, `dcs-migrate-import-${randomUUID().slice(0, 8)}`);
    this.begin();
  }

  protected pendingChanges(): number {
    return 0;
  }

  protected async run(): Promise<void> {
    try {
      if (this.options.files.length === 0) throw new DataPlaneError('the backup import names no files', false);
      const formats: BackupFormat[] = [];
      // Check every file before touching the target, so a bad second file does not leave half an import.
      for (const file of this.options.files) formats.push(await detectBackupFormat(file));
      await checkPermissions(this.target, 'target', false);
      for (const [index, file] of this.options.files.entries()) {
        if (this.lifecycle.stopRequested) break;
        await this.importFile(file, formats[index] ?? 'rdb', index);
      }
      if (this.lifecycle.stopRequested) return await this.finish('stopped');
      this.setProgress(100);
      await this.finish('succeeded');
    } catch (error) {
      const failure = error instanceof DataPlaneError ? error : new DataPlaneError(String(error), false);
      await this.finish('failed', failure.message);
    }
  }

  private async importFile(file: string, format: BackupFormat, index: number): Promise<void> {
    const files = this.options.files.length;
    const loaded: LoadedBackup = await loadBackup(file, format);
    const source = new RedisConnections('backup file', { socketPath: loaded.socketPath });
    this.loadedSource = source;
    try {
      refuseSkippedKeys(path.basename(file), await loaded.log());
      const copier = new KeyCopier(source, this.target, this.meter, undefined, this.bigKeys);
      await copyKeyspace(source, copier, {
        onProgress: (copied, total) => {
          const share = total === 0 ? 1 : Math.min(1, copied / total);
          this.setProgress(Math.min(99, Math.floor(((index + share) / files) * 100)));
        },
        shouldStop: () => this.lifecycle.stopRequested,
      });
      await this.poller.refresh();
    } finally {
      this.loadedSource = undefined;
      await source.close();
      await loaded.stop();
    }
  }

  private setProgress(progress: number): void {
    this.progress = progress;
    this.faults.check(progress);
  }

  private async finish(phase: 'succeeded' | 'failed' | 'stopped', error?: string): Promise<void> {
    await this.poller.refresh();
    this.poller.stop();
    await this.target.close();
    this.lifecycle.finish(phase, error);
  }
}

/**
 * A file that loads only in part is damaged: redis-server skips keys it cannot use (Redis 7 logs "rdbLoadObject
 * skipping empty key: <name>" and "Done loading RDB, keys loaded: N, keys expired: M, empty keys skipped: K",
 * for an RDB and an AOF's RDB preamble alike). The import then fails, naming the file and the keys, before
 * anything of that file reaches the target, rather than succeeding with the keys missing: DCS reports a damaged
 * backup as a failed import (task FAILED, an ERROR log line), the emulator does the same.
 */
export function refuseSkippedKeys(name: string, log: string): void {
  const report = /Done loading RDB, keys loaded: (\d+), keys expired: (\d+), empty keys skipped: (\d+)/.exec(log);
  const names = [...log.matchAll(/skipping empty key: (.*)$/gm)].map((match) => match[1]!.trim());
  const skipped = Number(report?.[3] ?? names.length);
  if (skipped === 0) return;
  // redis-server names the first 10 skipped keys only.
  const named = names.slice(0, 5).map((key) => JSON.stringify(key.length > 60 ? `${key.slice(0, 57)}...` : key));
  const more = skipped > named.length ? `, and ${skipped - named.length} more` : '';
  const loaded = report ? `; ${report[1]} keys loaded` : '';
  throw new DataPlaneError(
    `backup file ${name} is damaged: redis-server skipped ${skipped} empty key${skipped === 1 ? '' : 's'} while loading it (${named.join(', ') || 'unnamed'}${more})${loaded}; nothing of this file was imported`,
    false,
  );
}
