import { verifyRequestSignature, type SignableRequest } from '../../dcs/signing/index.js';
import type { EmulatorContext } from '../context.js';
import { apiErrors } from './api-error.js';

/** Header values that are secrets and must not show up in the canonical request an error message quotes. */
const SECRET_HEADER_LINE = /^(x-security-token|x-auth-token):.*$/gim;

/**
 * Authenticates a DCS request as the API gateway does: an IAM token (`X-Auth-Token`) issued by this emulator, or
 * an AK/SK signature (`SDK-HMAC-SHA256`, 15 minutes of clock skew) of the emulator's key pair. Then checks that
 * the project in the path (and in `X-Project-Id`, when sent) is the emulator's. Throws a EmulatorApiError otherwise.
 */
export function authenticate(ctx: EmulatorContext, request: SignableRequest, pathProjectId: string): void {
  const header = (name: string): string | undefined => {
    const value = Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1];
    return typeof value === 'string' ? value : value?.join(',');
  };
  const token = header('x-auth-token');
  if (token !== undefined) {
    const issued = ctx.tokens.find(token.trim());
    if (!issued) throw apiErrors.invalidToken();
    if (issued.expiresAt <= ctx.now()) throw apiErrors.expiredToken();
    if (issued.projectId !== pathProjectId) throw apiErrors.tokenProjectMismatch();
  } else {
    const verdict = verifyRequestSignature(request, {
      secretKeyFor: (accessKey) => (accessKey === ctx.credentials.ak ? ctx.credentials.sk : undefined),
      now: new Date(ctx.now()),
    });
    if (!verdict.ok) {
      // The gateway echoes the unknown AK; access keys are treated as secrets here, so the message leaves it out.
      if (verdict.reason === 'unknown-access-key') throw apiErrors.signature('ak not exist');
      throw apiErrors.signature(
        verdict.message
          .replace(/^Incorrect IAM authentication information: /, '')
          .replace(SECRET_HEADER_LINE, '$1:***'),
      );
    }
  }
  if (pathProjectId !== ctx.credentials.projectId) {
    throw apiErrors.invalidProjectId('the project ID in the path does not match the credentials');
  }
  const headerProject = header('x-project-id');
  if (headerProject !== undefined && headerProject.trim() !== pathProjectId) {
    throw apiErrors.invalidProjectId('X-Project-Id does not match the project ID in the path');
  }
}
