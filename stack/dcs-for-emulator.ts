/**
 * The worker's DCS client, pointed at the stack's emulator: the same client and configuration path a real worker
 * uses (`dcsClientFromEnvironment`), fed the emulator's endpoint and generated AK/SK instead of the process
 * environment, so nothing about the stack leaks into (or depends on) the operator's shell.
 */
import type { DcsMigrationApi } from '../activities/index.js';
import { DCS_ENV } from '../dcs/config.js';
import type { Emulator } from '../emulator/index.js';
import { dcsClientFromEnvironment } from '../worker/dcs-from-environment.js';

/** Environment (by dcs/config.ts's own variable names) that configures a DCS client for `emulator`. */
export function emulatorDcsEnvironment(emulator: Pick<Emulator, 'url' | 'credentials'>): Record<string, string> {
  return {
    [DCS_ENV.endpoint[0]]: emulator.url,
    [DCS_ENV.projectId[0]]: emulator.credentials.projectId,
    [DCS_ENV.accessKey[0]]: emulator.credentials.ak,
    [DCS_ENV.secretKey[0]]: emulator.credentials.sk,
  };
}

export async function dcsForEmulator(emulator: Pick<Emulator, 'url' | 'credentials'>): Promise<DcsMigrationApi> {
  return dcsClientFromEnvironment(emulatorDcsEnvironment(emulator));
}
