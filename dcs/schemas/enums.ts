import { z } from 'zod';

/** `backupfile_import` (import backup files) or `online_migration` (deprecated on CreateMigrationTask). */
export const MigrationType = z.enum(['backupfile_import', 'online_migration']);
/** Full copy only, or full copy followed by incremental sync that runs until stopped. */
export const MigrationMethod = z.enum(['full_amount_migration', 'incremental_migration']);
/** `auto` reconnects forever (may trigger a full resync); `manual` does not. */
export const ResumeMode = z.enum(['auto', 'manual']);
export const NetworkType = z.enum(['vpc', 'vpn']);
/** Where backup files come from: an OBS bucket, or a DCS backup record. */
export const FileSource = z.enum(['self_build_obs', 'backup_record']);
export const LogLevel = z.enum(['INFO', 'ERROR']);

export type MigrationType = z.infer<typeof MigrationType>;
export type MigrationMethod = z.infer<typeof MigrationMethod>;
export type ResumeMode = z.infer<typeof ResumeMode>;
export type NetworkType = z.infer<typeof NetworkType>;
export type FileSource = z.infer<typeof FileSource>;
export type LogLevel = z.infer<typeof LogLevel>;
