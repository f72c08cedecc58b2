import { request, type Dispatcher } from 'undici';
import { errorFromTransportFailure } from '../errors/map-error.js';
import type { DcsTimeouts } from '../config.js';
import type { Answer } from './read-response.js';

export interface OutgoingRequest {
  operation: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyText: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Sends one request over undici and reads the whole answer. Transport failures (refused, reset, DNS, timeouts,
 * aborts) become client errors; the client never retries here.
 */
export async function send(dispatcher: Dispatcher, outgoing: OutgoingRequest, timeouts: DcsTimeouts): Promise<Answer> {
  try {
    const response = await request(outgoing.url, {
      dispatcher,
      method: outgoing.method as Dispatcher.HttpMethod,
      headers: outgoing.headers,
      body: outgoing.bodyText,
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
      ...(outgoing.signal ? { signal: outgoing.signal } : {}),
    });
    const bodyText = await response.body.text();
    return { status: response.statusCode, headers: response.headers as Answer['headers'], bodyText };
  } catch (failure) {
    throw (
      errorFromTransportFailure(failure, { operation: outgoing.operation, endpoint: new URL(outgoing.url).origin }) ??
      failure
    );
  }
}
