/**
 * The emulator's account: the AK/SK, project id and IAM user its API accepts. Taken from the same DCS_* variables
 * the DCS client reads (so a client configured from the environment talks to it as is), generated where unset.
 * Here, not in the CLI, because both `dcs-migrate emulator` and the docker-compose entry point start emulators.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DCS_ENV, loadDcsConfig } from '../dcs/config.js';
import type { EmulatorCredentials, EmulatorIamUser } from './context.js';

/** The environment's DCS_* values cannot serve as the emulator's account. */
export class InvalidEmulatorAccountError extends Error {
  override name = 'InvalidEmulatorAccountError';
}

/** Generates an AK/SK pair and project id shaped like Huawei's (20-char AK, 40-char SK, 32-hex project id). */
export function generateCredentials(): EmulatorCredentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const ak = [...randomBytes(20)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return { ak, sk: randomBytes(30).toString('base64url').slice(0, 40), projectId: randomUUID().replaceAll('-', '') };
}

/**
 * Credentials for the emulator: the environment's (validated by the client's own loader, so both agree), with
 * whatever is unset generated. Returns which parts were generated so they can be printed. Throws
 * {@link InvalidEmulatorAccountError} when the environment's values are unusable.
 */
export function emulatorCredentials(
  env: Readonly<Record<string, string | undefined>>,
  endpoint: string,
): {
  ak: string;
  sk: string;
  projectId: string;
  iamUser?: EmulatorIamUser;
  generated: { keys: boolean; projectId: boolean };
} {
  const isSet = (names: readonly string[]) => names.some((name) => (env[name] ?? '').trim() !== '');
  const generated = generateCredentials();
  const keysSet = isSet(DCS_ENV.accessKey) || isSet(DCS_ENV.secretKey);
  const projectSet = isSet(DCS_ENV.projectId);
  const load = (overrides: Parameters<typeof loadDcsConfig>[1]) => {
    try {
      return loadDcsConfig(env, overrides);
    } catch (error) {
      throw new InvalidEmulatorAccountError(error instanceof Error ? error.message : String(error), { cause: error });
    }
  };
  const base = { endpoint, ...(projectSet ? {} : { projectId: generated.projectId }) };
  // With DCS_IAM_USERNAME / DCS_IAM_PASSWORD set, the emulator's IAM accepts that user, so token auth works too.
  const iamConfig = !keysSet && isSet(DCS_ENV.iamUsername) ? load(base) : undefined;
  const iamCreds = iamConfig?.credentials;
  const iamUser: EmulatorIamUser | undefined =
    iamCreds?.kind === 'iam-password'
      ? { name: iamCreds.username, password: iamCreds.password.reveal(), domain: iamCreds.domainName }
      : undefined;
  const config = load({ ...base, ...(keysSet ? {} : { accessKey: generated.ak, secretKey: generated.sk }) });
  const creds = config.credentials;
  if (creds.kind !== 'aksk') throw new InvalidEmulatorAccountError('the emulator needs AK/SK credentials');
  const ak = creds.accessKey.reveal();
  const sk = creds.secretKey.reveal();
  return {
    ak,
    sk,
    projectId: config.projectId,
    ...(iamUser ? { iamUser } : {}),
    generated: { keys: !keysSet, projectId: !projectSet },
  };
}
