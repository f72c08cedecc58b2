import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  CreateMigrationTaskBody,
  CreateOnlineMigrationTaskResponse,
  ExchangeInstanceIpBody,
  fieldIssues,
  ListMigrationTaskQuery,
  ListMigrationTaskResponse,
  MigrationTaskDetail,
  MigrationTaskStats,
  SetOnlineMigrationTaskBody,
  toNumber,
} from './index.js';

/** The fields a schema complains about, as users would read them. */
function rejectedFields(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return fieldIssues(result.error, { input }).map((issue) => `${issue.field}: ${issue.message}`);
}

const setBody = {
  migration_method: 'incremental_migration',
  resume_mode: 'auto',
  bandwidth_limit_mb: '123',
  source_instance: { addrs: '192.168.1.1:6379,192.168.0.0:6379', password: 'xxxxxx' },
  target_instance: { id: 'cf4a05df-1c38-47c5-bb5a-0a7b3673b3bd' },
};

describe('SetOnlineMigrationTaskBody', () => {
  it('accepts the documented example, and sends bandwidth_limit_mb as a string whether given as string or number', () => {
    expect(SetOnlineMigrationTaskBody.parse(setBody).bandwidth_limit_mb).toBe('123');
    expect(SetOnlineMigrationTaskBody.parse({ ...setBody, bandwidth_limit_mb: 10240 }).bandwidth_limit_mb).toBe(
      '10240',
    );
  });

  it('rejects bandwidth outside 1–10240 or not a whole number, naming the field', () => {
    for (const bad of [0, '0', 10241, '10241', 1.5, 'fast', '']) {
      expect(rejectedFields(SetOnlineMigrationTaskBody, { ...setBody, bandwidth_limit_mb: bad })[0]).toMatch(
        /^bandwidth_limit_mb: /,
      );
    }
  });

  it('accepts the explicit nulls the API example sends, but needs id or addrs on each side', () => {
    expect(
      SetOnlineMigrationTaskBody.safeParse({
        ...setBody,
        source_instance: { id: null, addrs: '10.0.0.1:6379', password: null },
      }).success,
    ).toBe(true);
    expect(rejectedFields(SetOnlineMigrationTaskBody, { ...setBody, source_instance: { password: 'p' } })).toEqual([
      'source_instance: needs id or addrs',
    ]);
  });

  it('names missing fields and bad enum values', () => {
    const { resume_mode: _omitted, ...withoutResume } = setBody;
    expect(rejectedFields(SetOnlineMigrationTaskBody, withoutResume)).toEqual(['resume_mode: is required']);
    expect(rejectedFields(SetOnlineMigrationTaskBody, { ...setBody, resume_mode: 5 })[0]).toMatch(
      /^resume_mode: Invalid option/,
    );
    expect(rejectedFields(SetOnlineMigrationTaskBody, { ...setBody, migration_method: 'partial' })[0]).toMatch(
      /^migration_method: /,
    );
  });

  it('rejects a misspelt field instead of dropping it', () => {
    expect(rejectedFields(SetOnlineMigrationTaskBody, { ...setBody, bandwith_limit_mb: '5' })).toEqual([
      'bandwith_limit_mb: is not a known field',
    ]);
  });
});

describe('CreateMigrationTaskBody', () => {
  const obsImport = {
    task_name: 'dcs-test',
    migration_type: 'backupfile_import',
    migration_method: 'full_amount_migration',
    backup_files: { file_source: 'self_build_obs', bucket_name: 'bucket', files: [{ file_name: 'a.rdb', size: 754 }] },
    target_instance: { id: 'target-1', password: 'pw' },
  };

  it('accepts an OBS import and a backup-record import', () => {
    expect(CreateMigrationTaskBody.parse(obsImport).backup_files?.files?.[0]?.size).toBe('754');
    expect(
      CreateMigrationTaskBody.safeParse({
        ...obsImport,
        backup_files: { file_source: 'backup_record', backup_id: 'b-1' },
      }).success,
    ).toBe(true);
  });

  it('requires bucket_name and files for OBS, backup_id for a backup record', () => {
    expect(
      rejectedFields(CreateMigrationTaskBody, { ...obsImport, backup_files: { file_source: 'self_build_obs' } }),
    ).toEqual([
      'backup_files.bucket_name: is required when file_source is self_build_obs',
      'backup_files.files: needs at least one file when file_source is self_build_obs',
    ]);
    expect(
      rejectedFields(CreateMigrationTaskBody, { ...obsImport, backup_files: { file_source: 'backup_record' } }),
    ).toEqual(['backup_files.backup_id: is required when file_source is backup_record']);
    expect(
      rejectedFields(CreateMigrationTaskBody, {
        ...obsImport,
        backup_files: { ...obsImport.backup_files, files: [{ size: '1' }] },
      }),
    ).toEqual(['backup_files.files[0].file_name: is required']);
  });

  it('names nested fields: target_instance.id, source_instance.addrs', () => {
    expect(rejectedFields(CreateMigrationTaskBody, { ...obsImport, target_instance: {} })).toEqual([
      'target_instance.id: is required',
    ]);
    expect(
      rejectedFields(CreateMigrationTaskBody, {
        ...obsImport,
        migration_type: 'online_migration',
        source_instance: { password: 'x' },
      }),
    ).toEqual(['source_instance.addrs: is required']);
  });
});

describe('other requests', () => {
  it('ExchangeInstanceIp sends is_exchange_domain=false when omitted, as the live API accepts', () => {
    expect(ExchangeInstanceIpBody.parse({ exchanged_ip: ['10.0.0.1'] })).toEqual({
      exchanged_ip: ['10.0.0.1'],
      is_exchange_domain: false,
    });
  });

  it('list query accepts numeric strings (CLI flags) and bounds limit to 1–1000', () => {
    expect(ListMigrationTaskQuery.parse({ offset: '20', limit: '10' })).toEqual({ offset: 20, limit: 10 });
    expect(rejectedFields(ListMigrationTaskQuery, { limit: 1001 })).toEqual(['limit: must be at most 1000']);
    expect(rejectedFields(ListMigrationTaskQuery, { offset: -1 })).toEqual(['offset: must be at least 0']);
  });
});

describe('responses', () => {
  it('keeps unknown fields and job_id, and requires the ids and status', () => {
    expect(CreateOnlineMigrationTaskResponse.parse({ instance_id: 't-1', job_id: 'j-1', extra: 1 })).toEqual({
      instance_id: 't-1',
      job_id: 'j-1',
      extra: 1,
    });
    expect(rejectedFields(CreateOnlineMigrationTaskResponse, { job_id: 'j' })).toEqual(['instance_id: is required']);
    expect(rejectedFields(MigrationTaskDetail, { task_id: 't-1' })).toEqual(['status: is required']);
  });

  it('reads task details with nulls, odd timestamps and numeric strings', () => {
    const detail = MigrationTaskDetail.parse({
      task_id: 't-1',
      status: 'INCRMIGEATING',
      created_at: '202404011057',
      description: null,
      bandwidth_limit_mb: 100,
      source_instance: { addrs: '10.0.0.1:6379', port: '6379', password: 'echoed' },
      new_field: { nested: true },
    });
    expect(detail.new_field).toEqual({ nested: true });
    expect(detail.source_instance?.port).toBe('6379');
  });

  it('accepts stats as numbers or strings and reads them as numbers', () => {
    const stats = MigrationTaskStats.parse({
      full_migration_progress: 100,
      offset: '0',
      target_ops: '12.5',
      is_migrating: true,
    });
    expect([toNumber(stats.full_migration_progress), toNumber(stats.offset), toNumber(stats.target_ops)]).toEqual([
      100, 0, 12.5,
    ]);
    expect(toNumber('45%')).toBe(45);
    expect(toNumber('n/a')).toBeUndefined();
  });

  it('reads a list without migration_tasks as an empty page', () => {
    expect(ListMigrationTaskResponse.parse({ count: 0 }).migration_tasks).toEqual([]);
  });
});
