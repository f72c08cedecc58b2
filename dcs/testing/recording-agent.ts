import { MockAgent } from 'undici';

/** One request as the client handed it to undici. */
export interface RecordedRequest {
  method: string;
  /** Path and query exactly as sent (percent-encoded). */
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * An undici MockAgent that records every request to `origin` and answers each with `answer(request)`. Net
 * connections are disabled, so a request the script does not expect fails loudly instead of leaving the machine.
 */
export function recordingAgent(origin: string, answer: (request: RecordedRequest) => ScriptedAnswer) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const requests: RecordedRequest[] = [];
  agent
    .get(origin)
    .intercept({ path: () => true, method: () => true })
    .reply((options) => {
      const headers: Record<string, string> = {};
      const given = options.headers ?? {};
      const entries = given instanceof Headers ? [...given.entries()] : Object.entries(given);
      for (const [name, value] of entries) headers[name.toLowerCase()] = String(value);
      const recorded: RecordedRequest = {
        method: options.method,
        path: options.path,
        headers,
        body:
          typeof options.body === 'string'
            ? options.body
            : options.body == null
              ? undefined
              : Buffer.from(options.body as Uint8Array).toString('utf8'),
      };
      requests.push(recorded);
      const scripted = answer(recorded);
      const data =
        scripted.body === undefined
          ? ''
          : typeof scripted.body === 'string'
            ? scripted.body
            : JSON.stringify(scripted.body);
      return {
        statusCode: scripted.status,
        data,
        responseOptions: { headers: { 'content-type': 'application/json', ...scripted.headers } },
      };
    })
    .persist();
  return { agent, requests };
}
