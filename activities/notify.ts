/**
 * Notifications: one phase change of a migration POSTed to one webhook. The URL is a secret reference (Slack's
 * URLs hold the token that lets anyone post), resolved here, right before the request, and never written into a
 * result, a log line or an error message. The payload holds only what the status query shows anyway.
 *
 * Failures are typed for the retry policy: an answer that says "try later" (408, 429, 5xx) or no answer at all is
 * retried; any other refusal (a 404 for a revoked Slack URL, a URL that is not one) is not.
 */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { NotifyEvent, WebhookSettings } from '../common/migration-input.js';
import type { MigrationLastError, MigrationPhase } from '../common/workflow-contract.js';
import type { Attempted } from './results.js';
import { SecretUnavailableError, type SecretResolver } from './secrets.js';

/** What happened, as the workflow knows it: no secrets (error messages are scrubbed by the activities that raised them). */
export interface PhaseChange {
  event: NotifyEvent;
  phase: MigrationPhase;
  from: MigrationPhase;
  /** Workflow time of the change. */
  at: string;
  taskName?: string | undefined;
  taskId?: string | undefined;
  remoteStatus?: string | undefined;
  /** Why the migration failed (`failed` only). */
  error?: Pick<MigrationLastError, 'type' | 'message'> | undefined;
}

export interface NotificationRequest {
  /** The input field of the webhook, for messages: `notify.webhooks[0]`. */
  field: string;
  webhook: Pick<WebhookSettings, 'url' | 'format'>;
  change: PhaseChange;
}

/** The JSON body of a `json` webhook. */
export interface NotificationPayload extends PhaseChange {
  source: 'dcs-migrate';
  /** The migration's workflow id. */
  migration: string;
}

/** A webhook that answers slowly must not hold an activity slot for long; the retry policy tries again. */
const REQUEST_TIMEOUT_MS = 10_000;

export function createNotifyActivities(secrets: SecretResolver) {
  return {
    /** POSTs one phase change to one webhook. */
    async sendNotification(request: NotificationRequest): Promise<Attempted> {
      const { workflowExecution, attempt } = activityInfo();
      const url = await resolveUrl(secrets, request);
      const payload: NotificationPayload = {
        source: 'dcs-migrate',
        migration: workflowExecution?.workflowId ?? '',
        ...request.change,
      };
      const body = JSON.stringify(request.webhook.format === 'slack' ? { text: slackText(payload) } : payload);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'User-Agent': 'dcs-migrate' },
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await response.body?.cancel();
      } catch (error) {
        // fetch's messages and causes may name the URL; only the error code leaves this activity.
        throw ApplicationFailure.retryable(
          `${request.field}: webhook unreachable (${failureCode(error)})`,
          'WebhookUnreachable',
        );
      }
      if (response.ok) return { attempts: attempt };
      const message = `${request.field}: webhook answered HTTP ${response.status}`;
      if (response.status === 408 || response.status === 429 || response.status >= 500)
        throw ApplicationFailure.retryable(message, 'WebhookFailed');
      throw ApplicationFailure.nonRetryable(message, 'WebhookRejected');
    },
  };
}

async function resolveUrl(secrets: SecretResolver, request: NotificationRequest): Promise<URL> {
  const field = `${request.field}.url`;
  let value: string;
  try {
    value = await secrets.resolve(request.webhook.url, field);
  } catch (error) {
    if (error instanceof SecretUnavailableError)
      throw ApplicationFailure.nonRetryable(error.message, 'SecretUnavailable');
    throw error;
  }
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    const where =
      request.webhook.url.env !== undefined
        ? `environment variable ${request.webhook.url.env}`
        : `file ${request.webhook.url.file ?? ''}`;
    throw ApplicationFailure.nonRetryable(`${field}: ${where} does not hold an http(s) URL`, 'SecretUnavailable');
  }
  return url;
}

function failureCode(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
  return error instanceof Error ? error.name : 'error';
}

/** One line a person reads in a channel. */
export function slackText(payload: NotificationPayload): string {
  const task = payload.taskName ? ` (task ${payload.taskName}${payload.taskId ? `, ${payload.taskId}` : ''})` : '';
  const remote = payload.remoteStatus ? `, remote status ${payload.remoteStatus}` : '';
  const error = payload.error ? `: ${payload.error.type}: ${payload.error.message}` : '';
  return `dcs-migrate: migration ${payload.migration}${task} is ${payload.phase} (was ${payload.from})${remote}${error}`;
}
