/** The worker's Worker Deployment settings: both or neither, from flags or the environment, refused naming the flag. */
import { describe, expect, it } from 'vitest';
import { workerDeploymentOptions } from './deployment.js';
import { resolveWorkerSettings } from './worker-options.js';
import { InvalidWorkerSettingsError } from './worker-errors.js';

describe('the worker deployment version', () => {
  it('is off without a name and a build id: an unversioned worker, as servers without Worker Versioning need', () => {
    expect(resolveWorkerSettings({}, {}).deployment).toBeUndefined();
  });

  it('comes from the flags or the environment, flags first, and pins workflows', () => {
    const env = { DCS_MIGRATE_DEPLOYMENT_NAME: 'dcs-migrate', DCS_MIGRATE_BUILD_ID: '2026-12-07.1' };
    const fromEnv = resolveWorkerSettings({}, env).deployment;
    expect(fromEnv).toEqual({ deploymentName: 'dcs-migrate', buildId: '2026-12-07.1' });
    const flags = { deploymentName: 'blue', buildId: 'abc123' };
    expect(resolveWorkerSettings(flags, env).deployment).toEqual({ deploymentName: 'blue', buildId: 'abc123' });
    expect(workerDeploymentOptions({ deploymentName: 'blue', buildId: 'abc123' })).toEqual({
      useWorkerVersioning: true,
      version: { deploymentName: 'blue', buildId: 'abc123' },
      defaultVersioningBehavior: 'PINNED',
    });
  });

  it('needs both: either alone is refused naming the missing flag and its variable', () => {
    const nameOnly = () => resolveWorkerSettings({ deploymentName: 'blue' }, {});
    expect(nameOnly).toThrow(InvalidWorkerSettingsError);
    expect(nameOnly).toThrow(/^--build-id \(or DCS_MIGRATE_BUILD_ID\): required with --deployment-name/);
    expect(() => resolveWorkerSettings({}, { DCS_MIGRATE_BUILD_ID: '7' })).toThrow(
      /^--deployment-name \(or DCS_MIGRATE_DEPLOYMENT_NAME\): required with --build-id/,
    );
  });

  it('refuses what Temporal would refuse, naming the flag: empty, spaces, a dot in the name, too long', () => {
    const version = (deploymentName: string, buildId: string) => {
      const flags = { deploymentName, buildId };
      return () => resolveWorkerSettings(flags, {});
    };
    expect(version(' ', '1')).toThrow(/--deployment-name .*must not be empty/);
    expect(version('a b', '1')).toThrow(/--deployment-name .*spaces/);
    expect(version('dcs.migrate', '1')).toThrow(/--deployment-name .*must not contain "\."/);
    expect(version('d', 'x'.repeat(256))).toThrow(/--build-id .*at most 255/);
    // A dot is fine in a build id (versions like 1.4.2).
    expect(resolveWorkerSettings({ deploymentName: 'd', buildId: '1.4.2' }, {}).deployment?.buildId).toBe('1.4.2');
  });
});
