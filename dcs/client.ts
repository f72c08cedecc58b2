import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { Agent, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { credentialValues, loadDcsConfig, type DcsConfig, type DcsConfigOverrides } from './config.js';
import { DcsAuthenticationError, DcsValidationError } from './errors/error-classes.js';
import { errorFromTransportFailure } from './errors/map-error.js';
import { secretsInBody } from './errors/scrub-secrets.js';
import { IamTokenProvider } from './iam-token.js';
import { findOperation, OPERATIONS, type OperationName, type OperationSpec, type PathParamName } from './operations.js';
import { findTasksByName, listAllMigrationTasks } from './pagination.js';
import { buildUrl } from './request/build-url.js';
import { readResponse } from './request/read-response.js';
import { send } from './request/send.js';
import { traceDcsRequest } from './request/trace.js';
import { validateInput, type ValidatedInput } from './request/validate-input.js';
import { retryDelayMs } from '../common/backoff.js';
import { CLIENT_READ_BACKOFF, mayRetryCall, retryDelayHint } from './retry.js';
import type * as S from './schemas/index.js';
import { signRequest } from './signing/sign-request.js';
import type { DcsThrottle, ThrottleStats } from './throttle.js';

type Spec<N extends OperationName> = (typeof OPERATIONS)[N];
/** The result type of an operation (undefined for 204 operations). */
export type OperationResult<N extends OperationName> =
  Spec<N> extends { response: infer R extends z.ZodType } ? z.output<R> : undefined;
type QueryOf<N extends OperationName> = Spec<N> extends { query: infer Q extends z.ZodType } ? z.input<Q> : never;
type BodyOf<N extends OperationName> = Spec<N> extends { body: infer B extends z.ZodType } ? z.input<B> : never;

/** Input of {@link DcsClient.call}: path parameters, query and body as the operation defines them. */
export interface OperationInput<N extends OperationName = OperationName> {
  path?: Partial<Record<PathParamName, string>>;
  query?: QueryOf<N>;
  body?: BodyOf<N>;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call (e.g. the activity's cancellation signal). */
  signal?: AbortSignal;
}

export interface DcsClientOptions {
  /** From {@link loadDcsConfig}. */
  config: DcsConfig;
  /**
   * undici dispatcher to send through (a MockAgent in tests, a shared Agent, a proxy). Default: an own keep-alive
   * Agent with the configured connect timeout, closed by {@link DcsClient.close}.
   */
  dispatcher?: Dispatcher;
  /** Clock for `X-Sdk-Date`. Default: the system clock. */
  now?: () => Date;
  /** Sent as User-Agent (not signed). */
  userAgent?: string;
  /**
   * Times a failed read (GET) is tried again when the error is retryable, with backoff (`CLIENT_READ_BACKOFF`).
   * Default 0: inside Temporal activities the retry policy owns retrying. Writes are never repeated here.
   */
  retries?: number;
  /**
   * The client's own throttle (`dcs/throttle.ts`): holds every call while DCS throttles (429) or does not answer,
   * and paces calls under a known or learned rate limit. None by default; the worker passes one, shared by all its
   * migrations.
   */
  throttle?: DcsThrottle;
}

/**
 * Typed client of the DCS v2 data-migration API. One method per SDK operation (camelCase SDK names) plus
 * {@link DcsClient.call} for any operation by name. Every request is validated before a byte is sent; every
 * failure is a {@link DcsError} subclass. It does not retry unless `retries` is set (reads only): callers
 * (Temporal) decide, with `isRetryable`.
 */
export class DcsClient {
  readonly #config: DcsConfig;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #now: () => Date;
  readonly #userAgent: string;
  readonly #tokens: IamTokenProvider | undefined;
  readonly #retries: number;
  readonly #throttle: DcsThrottle | undefined;

  constructor(options: DcsClientOptions) {
    this.#config = options.config;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Agent({
        connect: { timeout: options.config.timeouts.connectMs },
        keepAliveTimeout: 10_000,
        keepAliveMaxTimeout: 60_000,
        connections: 16,
      });
    this.#now = options.now ?? (() => new Date());
    this.#userAgent = options.userAgent ?? 'dcs-migrate';
    this.#retries = Math.max(0, Math.floor(options.retries ?? 0));
    this.#throttle = options.throttle;
    const credentials = options.config.credentials;
    this.#tokens =
      credentials.kind === 'iam-password'
        ? new IamTokenProvider({
            iamEndpoint: options.config.iamEndpoint,
            username: credentials.username,
            password: credentials.password,
            domainName: credentials.domainName,
            projectId: options.config.projectId,
            dispatcher: this.#dispatcher,
            timeoutMs: options.config.timeouts.headersMs,
            now: this.#now,
          })
        : undefined;
  }

  /** A client configured from the environment (see `loadDcsConfig`). */
  static fromEnv(
    env: Readonly<Record<string, string | undefined>> = process.env,
    overrides: DcsConfigOverrides = {},
    options: Omit<DcsClientOptions, 'config'> = {},
  ): DcsClient {
    return new DcsClient({ ...options, config: loadDcsConfig(env, overrides) });
  }

  /** The throttle's counts (calls sent, refused while held or over the pace), when the client has one. */
  throttleStats(): ThrottleStats | undefined {
    return this.#throttle?.stats();
  }

  /** The values of this client's credentials, for scrubbing them from text (task logs) before it is shown or stored. */
  credentialValues(): string[] {
    return credentialValues(this.#config.credentials);
  }

  /** The API origin this client talks to. */
  get endpoint(): string {
    return this.#config.endpoint;
  }

  get projectId(): string {
    return this.#config.projectId;
  }

  /**
   * Calls any operation by SDK name (or kebab-case, for the CLI). Path parameters, query and body are checked
   * against the operation's schemas first; an unknown name or bad input throws DcsValidationError.
   */
  async call<N extends OperationName>(
    name: N,
    input?: OperationInput<N>,
    options?: CallOptions,
  ): Promise<OperationResult<N>>;
  async call(
    name: string,
    input?: { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown },
    options?: CallOptions,
  ): Promise<unknown>;
  async call(
    name: string,
    input: { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown } = {},
    options: CallOptions = {},
  ): Promise<unknown> {
    const spec = findOperation(name);
    if (!spec) {
      throw new DcsValidationError(`unknown DCS operation "${name}"`, [
        { field: 'operation', message: `"${name}" is not an operation` },
      ]);
    }
    const validated = validateInput(spec, input);
    for (let retry = 0; ; retry++) {
      try {
        const send = () => this.#send(spec, validated, secretsInBody(input.body), options);
        return await (this.#throttle ? this.#throttle.run(spec.name, send, options.signal) : send());
      } catch (error) {
        if (retry >= this.#retries || !mayRetryCall(spec.method, error) || options.signal?.aborted) throw error;
        await sleep(
          retryDelayMs(retry + 1, retryDelayHint(error), CLIENT_READ_BACKOFF),
          undefined,
          options.signal ? { signal: options.signal } : undefined,
        ).catch((abort: unknown) => {
          throw errorFromTransportFailure(abort, { operation: spec.name, endpoint: this.#config.endpoint }) ?? abort;
        });
      }
    }
  }

  /** CreateMigrationTask: create a backup-file import task. */
  createMigrationTask(body: S.CreateMigrationTaskBody, options?: CallOptions) {
    return this.call('CreateMigrationTask', { body }, options);
  }
  /** CreateOnlineMigrationTask: create an online task; its id is `instance_id`, its creation job `job_id`. */
  createOnlineMigrationTask(body: S.CreateOnlineMigrationTaskBody, options?: CallOptions) {
    return this.call('CreateOnlineMigrationTask', { body }, options);
  }
  /** SetOnlineMigrationTask: configure and start an online task. */
  setOnlineMigrationTask(taskId: string, body: S.SetOnlineMigrationTaskBody, options?: CallOptions) {
    return this.call('SetOnlineMigrationTask', { path: { task_id: taskId }, body }, options);
  }
  /** ListMigrationTask: one page (offset is an item offset; the API's default limit is 10). */
  listMigrationTask(query: S.ListMigrationTaskQuery = {}, options?: CallOptions) {
    return this.call('ListMigrationTask', { query }, options);
  }
  /** ShowMigrationTask: task detail. An unknown id fails with DcsTaskNotFoundError. */
  showMigrationTask(taskId: string, options?: CallOptions) {
    return this.call('ShowMigrationTask', { path: { task_id: taskId } }, options);
  }
  /** ShowMigrationTaskStats: progress of an online task. */
  showMigrationTaskStats(taskId: string, options?: CallOptions) {
    return this.call('ShowMigrationTaskStats', { path: { task_id: taskId } }, options);
  }
  /** StopMigrationTask: asynchronous stop (TERMINATING, then TERMINATED). */
  stopMigrationTask(taskId: string, options?: CallOptions) {
    return this.call('StopMigrationTask', { path: { task_id: taskId } }, options);
  }
  /** StopMigrationTaskSync: stop synchronization (204). */
  stopMigrationTaskSync(taskId: string, options?: CallOptions) {
    return this.call('StopMigrationTaskSync', { path: { task_id: taskId } }, options);
  }
  /** BatchStopMigrationTasks: per-task delivery results. */
  batchStopMigrationTasks(body: S.BatchMigrationTasksBody, options?: CallOptions) {
    return this.call('BatchStopMigrationTasks', { body }, options);
  }
  /** BatchRestartOnlineMigrationTasks: per-task delivery results. */
  batchRestartOnlineMigrationTasks(body: S.BatchMigrationTasksBody, options?: CallOptions) {
    return this.call('BatchRestartOnlineMigrationTasks', { body }, options);
  }
  /** DeleteMigrationTask: a DELETE with a JSON body; unknown ids are ignored by the API. */
  deleteMigrationTask(body: S.DeleteMigrationTaskBody, options?: CallOptions) {
    return this.call('DeleteMigrationTask', { body }, options);
  }
  /** UpdateMigrationTask: set the auto-reconnect mode. */
  updateMigrationTask(taskId: string, body: S.UpdateMigrationTaskBody, options?: CallOptions) {
    return this.call('UpdateMigrationTask', { path: { task_id: taskId }, body }, options);
  }
  /** ListMigrationTaskLogs: one page of a task's logs. */
  listMigrationTaskLogs(taskId: string, query: S.ListMigrationTaskLogsQuery = {}, options?: CallOptions) {
    return this.call('ListMigrationTaskLogs', { path: { task_id: taskId }, query }, options);
  }
  /** ExchangeInstanceIp: switch IPs during incremental migration (204; progress in `task_status`). */
  exchangeInstanceIp(taskId: string, body: S.ExchangeInstanceIpBody, options?: CallOptions) {
    return this.call('ExchangeInstanceIp', { path: { task_id: taskId }, body }, options);
  }
  /** RollbackExchangeInstanceIp: undo an IP switch (204). */
  rollbackExchangeInstanceIp(taskId: string, options?: CallOptions) {
    return this.call('RollbackExchangeInstanceIp', { path: { task_id: taskId } }, options);
  }
  /** ShowJobInfo: a background job, e.g. the creation of an online task's migration machine. */
  showJobInfo(jobId: string, options?: CallOptions) {
    return this.call('ShowJobInfo', { path: { job_id: jobId } }, options);
  }

  /** ShowInstance: a DCS instance's status, engine, memory and access settings. An unknown id fails with DcsNotFoundError (DCS.3022). */
  showInstance(instanceId: string, options?: CallOptions) {
    return this.call('ShowInstance', { path: { instance_id: instanceId } }, options);
  }

  /** Every task, page by page (item offsets) until an empty page. `name` filters on the server side. */
  listAllMigrationTasks(
    options: { name?: string; pageSize?: number } & CallOptions = {},
  ): Promise<S.MigrationTaskListItem[]> {
    return listAllMigrationTasks((query) => this.listMigrationTask(query, options), options);
  }

  /** The task with this id in the list, or undefined. The list is authoritative after a delete (docs/dcs-api.md §6.6). */
  async findTaskById(taskId: string, options: CallOptions = {}): Promise<S.MigrationTaskListItem | undefined> {
    return (await this.listAllMigrationTasks(options)).find((task) => task.task_id === taskId);
  }

  /** The first task whose name is exactly `name` (the server-side filter may match more loosely), or undefined. */
  async findTaskByName(name: string, options: CallOptions = {}): Promise<S.MigrationTaskListItem | undefined> {
    return (await findTasksByName((query) => this.listMigrationTask(query, options), name))[0];
  }

  /** Closes the client's own connection pool (not an injected dispatcher). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  toString(): string {
    return `DcsClient(${this.#config.endpoint}, project ${this.#config.projectId}, auth ${this.#config.credentials.kind})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  toJSON(): Record<string, string> {
    return { endpoint: this.#config.endpoint, projectId: this.#config.projectId, auth: this.#config.credentials.kind };
  }

  async #send(
    spec: OperationSpec,
    validated: ValidatedInput,
    bodySecrets: string[],
    options: CallOptions,
  ): Promise<unknown> {
    const url = buildUrl(this.#config.endpoint, spec, this.#config.projectId, validated.path, validated.query);
    return traceDcsRequest({ operation: spec.name, method: spec.method, url }, async (answered) => {
      const headers = await this.#authenticate(spec.method, url, validated.bodyText);
      const answer = await send(
        this.#dispatcher,
        {
          operation: spec.name,
          method: spec.method,
          url,
          headers,
          bodyText: validated.bodyText,
          signal: options.signal,
        },
        this.#config.timeouts,
      );
      answered(answer);
      try {
        return readResponse(spec, answer, [...this.#secrets(), ...bodySecrets]);
      } catch (error) {
        // A rejected token is dropped so that the next call fetches a fresh one.
        if (error instanceof DcsAuthenticationError) this.#tokens?.invalidate();
        throw error;
      }
    });
  }

  async #authenticate(method: string, url: string, bodyText: string | undefined): Promise<Record<string, string>> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    const credentials = this.#config.credentials;
    if (credentials.kind === 'aksk') {
      // As the official SDK: X-Project-Id and (temporary credentials) X-Security-Token are signed with the rest.
      headers['X-Project-Id'] = this.#config.projectId;
      if (credentials.securityToken) headers['X-Security-Token'] = credentials.securityToken.reveal();
      const signed = signRequest(
        { method, url, headers, body: bodyText },
        { accessKey: credentials.accessKey.reveal(), secretKey: credentials.secretKey.reveal() },
        { date: this.#now() },
      );
      Object.assign(headers, signed.headers);
    } else {
      const token = credentials.kind === 'token' ? credentials.token : await this.#tokens!.token();
      headers['X-Auth-Token'] = token.reveal();
    }
    headers['User-Agent'] = this.#userAgent;
    return headers;
  }

  #secrets(): string[] {
    const credentials = this.#config.credentials;
    if (credentials.kind === 'aksk') {
      return [
        credentials.accessKey.reveal(),
        credentials.secretKey.reveal(),
        ...(credentials.securityToken ? [credentials.securityToken.reveal()] : []),
      ];
    }
    if (credentials.kind === 'token') return [credentials.token.reveal()];
    return [credentials.password.reveal()];
  }
}
