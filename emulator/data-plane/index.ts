import { BackupImportRun } from './backup-import.js';
import { bigKeyLimits, type BigKeyLimits } from './big-key-copy.js';
import type { BackupImportOptions, DataPlane, DataPlaneRun, OnlineMigrationOptions } from './contract.js';
import { defaultResumePolicy, OnlineMigrationRun, type ResumePolicy } from './online-migration.js';
import { createTimelineDataPlane, type TimelineSettings } from './timeline.js';

export type * from './contract.js';
export { instanceSideEndpoint } from './redis-address.js';
export type { ResumePolicy } from './online-migration.js';
export type { BigKeyLimits } from './big-key-copy.js';
export type { PhaseChange, TimelineSettings } from './timeline.js';

export interface DataPlaneSettings {
  /** How runs with resume mode `auto` reconnect (tests shorten it). */
  resume?: ResumePolicy;
  /** When a collection is copied in chunks instead of by DUMP (tests and benchmarks lower it; see big-key-copy.ts). */
  bigKeys?: Partial<BigKeyLimits>;
  /** Move no data: runs advance on this schedule instead (benchmarks of the orchestration, see timeline.ts). */
  timeline?: TimelineSettings;
}

/**
 * The emulator's data plane: moves keys for real between redis-servers. Runs start immediately and work in the
 * background; the control plane reads `phase()` and `stats()` whenever it answers a request.
 */
export function createDataPlane(settings: DataPlaneSettings = {}): DataPlane {
  if (settings.timeline) return createTimelineDataPlane(settings.timeline);
  const resume = settings.resume ?? defaultResumePolicy;
  const bigKeys = bigKeyLimits(settings.bigKeys);
  return {
    startOnlineMigration: (options: OnlineMigrationOptions): DataPlaneRun =>
      new OnlineMigrationRun(options, resume, bigKeys),
    startBackupImport: (options: BackupImportOptions): DataPlaneRun => new BackupImportRun(options, bigKeys),
  };
}
