import { randomBytes } from 'node:crypto';

export interface IssuedToken {
  token: string;
  projectId: string;
  userName: string;
  issuedAt: number;
  expiresAt: number;
}

/** IAM tokens issued by the emulator's `POST /v3/auth/tokens`. Tokens are secrets: never log them. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly ttlMs: number) {}

  issue(projectId: string, userName: string, now = Date.now()): IssuedToken {
    // Real tokens are long opaque strings starting with "MII"; keep the look so length limits are exercised.
    const token = `MII${randomBytes(96).toString('base64url')}`;
    const issued = { token, projectId, userName, issuedAt: now, expiresAt: now + this.ttlMs };
    this.tokens.set(token, issued);
    return issued;
  }

  /** `undefined` for a token this emulator never issued (or issued before a reset). */
  find(token: string): IssuedToken | undefined {
    return this.tokens.get(token);
  }

  /** Makes a token expire now (tests of DCS.1002). */
  expire(token: string): void {
    const issued = this.tokens.get(token);
    if (issued) issued.expiresAt = Date.now() - 1;
  }

  clear(): void {
    this.tokens.clear();
  }
}
