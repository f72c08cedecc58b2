import { afterEach, describe, expect, it } from 'vitest';
import { DcsAuthenticationError } from './errors/index.js';
import { IamTokenProvider } from './iam-token.js';
import { Secret } from './secret.js';
import { recordingAgent } from './testing/recording-agent.js';

const IAM = 'https://iam.ap-southeast-1.myhuaweicloud.com';
const agents: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
});

function provider(answer: Parameters<typeof recordingAgent>[1], clock: { now: Date }) {
  const { agent, requests } = recordingAgent(IAM, answer);
  agents.push(agent);
  const tokens = new IamTokenProvider({
    iamEndpoint: IAM,
    username: 'ops',
    password: new Secret('iam-secret-pw'),
    domainName: 'acct',
    projectId: 'proj',
    dispatcher: agent,
    timeoutMs: 5_000,
    now: () => clock.now,
  });
  return { tokens, requests };
}

describe('IamTokenProvider', () => {
  it('shares one IAM call between concurrent callers and refreshes 5 minutes before expiry', async () => {
    const clock = { now: new Date('2026-01-01T00:00:00Z') };
    let issued = 0;
    const { tokens, requests } = provider(
      () => ({
        status: 201,
        body: { token: { expires_at: '2026-01-01T01:00:00Z' } },
        headers: { 'x-subject-token': `tok-${++issued}` },
      }),
      clock,
    );
    const first = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    expect(first.map((token) => token.reveal())).toEqual(['tok-1', 'tok-1', 'tok-1']);
    clock.now = new Date('2026-01-01T00:54:59Z');
    expect((await tokens.token()).reveal()).toBe('tok-1');
    clock.now = new Date('2026-01-01T00:55:01Z');
    expect((await tokens.token()).reveal()).toBe('tok-2');
    expect(requests).toHaveLength(2);
    expect(JSON.parse(requests[0]!.body!).auth.identity.password.user.domain).toEqual({ name: 'acct' });
  });

  it('a wrong password is a DcsAuthenticationError that does not contain the password', async () => {
    const { tokens } = provider(
      (request) => ({
        status: 401,
        body: { error_code: 'IAM.0004', error_msg: `The username or password is wrong: ${request.body ?? ''}` },
      }),
      { now: new Date() },
    );
    const error = (await tokens.token().catch((e: unknown) => e)) as DcsAuthenticationError;
    expect(error).toBeInstanceOf(DcsAuthenticationError);
    expect([error.operation, error.errorCode]).toEqual(['KeystoneCreateUserTokenByPassword', 'IAM.0004']);
    expect(error.message).not.toContain('iam-secret-pw');
  });

  it('an answer without X-Subject-Token is an invalid response', async () => {
    const { tokens } = provider(() => ({ status: 201, body: { token: {} } }), { now: new Date() });
    await expect(tokens.token()).rejects.toMatchObject({ name: 'DcsInvalidResponseError' });
  });
});
