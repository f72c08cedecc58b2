/**
 * The JSON Schemas of what `--json` prints (`schema/*-output.schema.json`), built from the TypeScript types the
 * commands print (`client/json-output.ts`, `common/workflow-contract.ts`, `common/precheck.ts`, `client/dry-run.ts`).
 * Each object is written with `object<T>()`, which the compiler holds to `T`: every field of `T` must be described,
 * no other, and a field `T` may leave out (optional, or possibly `undefined`, which JSON drops) must be wrapped in
 * `optional()` while a field always present must not be. A changed type therefore fails `tsc` here until the schema
 * follows. `tools/generate-output-schemas.ts` writes the files (`npm run generate:output-schemas`);
 * `test/output-schemas.test.ts` fails when they are out of date, and the CLI tests validate real output against them.
 *
 * The schemas allow fields they do not name (`additionalProperties` is left open): a later version may add fields.
 * Renamed fields keep their old name for a release, marked `deprecated: true` (CHANGELOG.md).
 */
import type { ExecutionStatusName, PendingActivityView } from '../client/migration-view-shape.js';
import type {
  CheckJson,
  ListRowJson,
  MigrationJson,
  ResultJson,
  StartedJson,
  StatusJson,
} from '../client/json-output.js';
import type { DryRunReport, PaidTask, PlannedCall } from '../client/dry-run.js';
import { MIGRATION_PHASES, type MigrationPhase } from '../common/migration-phases.js';
import type { MigrationKind } from '../common/migration-input.js';
import type { PrecheckOutcome } from '../common/precheck.js';
import type {
  CancelRequest,
  CutoverPolicyStatus,
  MigrationCutover,
  MigrationLastError,
  MigrationProgress,
  MigrationReport,
  MigrationRestart,
  MigrationRestarts,
  MigrationSwitch,
  MigrationTimings,
  MigrationWarning,
  ReverseSync,
  VerificationResult,
} from '../common/workflow-contract.js';

export const GENERATE_OUTPUT_SCHEMAS_COMMAND = 'npm run generate:output-schemas';

type Json = Record<string, unknown>;

/** A schema, and whether the field it describes may be absent from the JSON. */
interface Schema<Optional extends boolean = false> {
  json: Json;
  optional: Optional;
}

/** True when `K` may be absent from `T`'s JSON: an optional field, or one whose value may be `undefined`. */
type MayBeAbsent<T, K extends keyof T> = object extends Pick<T, K> ? true : undefined extends T[K] ? true : false;
type Properties<T> = { [K in keyof T]-?: Schema<MayBeAbsent<T, K>> };

const schema = (json: Json): Schema => ({ json, optional: false });
const described = (json: Json, description: string | undefined): Json =>
  description === undefined ? json : { ...json, description };

/** A field that may be absent. `deprecated` marks an old name kept for a release. */
function optional(field: Schema, options: { deprecated?: boolean } = {}): Schema<true> {
  return { json: options.deprecated ? { ...field.json, deprecated: true } : field.json, optional: true };
}
function deprecated(field: Schema): Schema {
  return { json: { ...field.json, deprecated: true }, optional: false };
}

const str = (description?: string) => schema(described({ type: 'string' }, description));
const time = (description?: string) => str(description ? `${description} (ISO 8601)` : 'ISO 8601 time');
const int = (description?: string) => schema(described({ type: 'integer' }, description));
const num = (description?: string) => schema(described({ type: 'number' }, description));
const bool = (description?: string) => schema(described({ type: 'boolean' }, description));
const nullable = (field: Schema) => schema({ ...field.json, type: [field.json.type, 'null'] });
const list = (items: Schema, description?: string) =>
  schema(described({ type: 'array', items: items.json }, description));
const record = (values: Schema, description?: string) =>
  schema(described({ type: 'object', additionalProperties: values.json }, description));

/** Every value of the union `T`, checked by the compiler: leaving one out is an error. */
function oneOf<T extends string>() {
  return <const A extends readonly T[]>(
    values: A & ([T] extends [A[number]] ? unknown : 'a value of the union is missing'),
    description?: string,
  ) => schema(described({ type: 'string', enum: [...values] }, description));
}

function object<T>(properties: Properties<T>, description?: string): Schema {
  const entries = Object.entries(properties as Record<string, Schema<boolean>>);
  return schema(
    described(
      {
        type: 'object',
        properties: Object.fromEntries(entries.map(([name, field]) => [name, field.json])),
        required: entries.filter(([, field]) => !field.optional).map(([name]) => name),
      },
      description,
    ),
  );
}

const EXECUTION_STATUSES = oneOf<ExecutionStatusName>()(
  [
    'UNSPECIFIED',
    'RUNNING',
    'COMPLETED',
    'FAILED',
    'CANCELLED',
    'TERMINATED',
    'CONTINUED_AS_NEW',
    'TIMED_OUT',
    'PAUSED',
    'UNKNOWN',
  ],
  "Temporal's execution status of the run",
);
const PHASE = (description: string) =>
  schema({ type: 'string', enum: [...MIGRATION_PHASES] satisfies MigrationPhase[], description });
const REMOTE_STATUS =
  'the DCS task status in its one spelling (common/dcs-status.ts): CREATING, RUNNING, FULLMIGRATING, INCRMIGEATING, SUCCESS, TERMINATED, FAILED, …';

const precheckOutcome = object<PrecheckOutcome>(
  {
    id: str('stable check id, e.g. target-running (docs/migration-file.md, "Pre-flight checks")'),
    verdict: oneOf<PrecheckOutcome['verdict']>()(['pass', 'warn', 'fail']),
    title: str('what was checked'),
    evidence: str('what was seen (never a secret)'),
    remedy: optional(str('what to do when the verdict is not pass')),
  },
  'one pre-flight check',
);

const progress = object<MigrationProgress>(
  {
    fullMigrationProgress: optional(num('full sync progress, 0–100')),
    offset: optional(num('changes not yet applied to the target; 0 = in sync')),
    sourceDbSize: optional(num('keys on the source')),
    targetDbSize: optional(num('keys on the target')),
    targetOps: optional(num()),
    targetInputKbps: optional(num()),
    isMigrating: optional(bool()),
  },
  'progress figures from ShowMigrationTaskStats (online tasks)',
);

const timings = object<MigrationTimings>(
  {
    startedAt: time(),
    taskCreatedAt: optional(time()),
    migratingAt: optional(time()),
    holdStartedAt: optional(time()),
    stopRequestedAt: optional(time()),
    finishedAt: optional(time()),
  },
  'milestones reached so far (workflow time)',
);

/** A cutover as read back: every field may be absent (a worker older than the report says only that one was requested). */
const cutover = object<Partial<MigrationCutover>>(
  {
    by: optional(oneOf<MigrationCutover['by']>()(['operator', 'auto', 'deadline'])),
    requestedAt: optional(time('when the cutover was accepted, or the deadline noticed')),
    note: optional(str("the operator's note")),
    decidedAt: optional(time("when the cutover policy let the hold's end run; absent while it waits")),
    reason: optional(str('why it was decided then')),
  },
  "why and when the incremental hold ended (or is ending); set once the hold's end was requested",
);

const verification = object<VerificationResult>(
  {
    outcome: oneOf<VerificationResult['outcome']>()(['clean', 'differences', 'error']),
    error: optional(str()),
    mode: optional(str('outline, length or full')),
    totalDifferences: optional(int()),
    byKind: optional(record(int(), 'differences per kind (MISSING, EXTRA, TYPE, VALUE, TTL)')),
    keysCompared: optional(int()),
    rounds: optional(int()),
    durationMs: optional(num()),
    differences: optional(
      list(
        object<NonNullable<VerificationResult['differences']>[number]>({
          db: int(),
          shard: optional(str("host:port the key was scanned on (a cluster's master)")),
          key: str('the key, printable'),
          kind: str(),
          detail: str(),
        }),
        'the first differences (verify.maxListed)',
      ),
    ),
  },
  'what the verify step found; present once it ended',
);

const REVERSE_RUNNING: Array<ReverseSync['state']> = ['creating', 'full-sync', 'in-sync', 'lagging'];
const REVERSE_STATES: Array<ReverseSync['state']> = [...REVERSE_RUNNING, 'failed', 'stopped', 'deleted', 'unavailable'];
const reverseSync = object<ReverseSync>(
  {
    state: oneOf<ReverseSync['state']>()(REVERSE_STATES),
    taskName: str(),
    taskId: optional(str()),
    remoteStatus: optional(str()),
    fullSyncProgress: optional(num('percent')),
    fullSyncEndsAt: optional(time('when its full sync should end: a rollback keeps writes from then on')),
    offset: optional(num('changes on the target not yet applied to the source')),
    keepsWrites: bool('a rollback now keeps the writes made on the target since the switch'),
    reason: optional(str()),
    startedAt: optional(time()),
    inSyncAt: optional(time()),
    endedAt: optional(time()),
    deletesCarried: optional(
      num('keys the rollback deleted from the source: deleted on the target before the reverse task’s full sync'),
    ),
  },
  'cutover.rollback keep-writes: the reverse task (target → source) of the rollback window',
);

const switchReport = object<MigrationSwitch>(
  {
    mode: oneOf<MigrationSwitch['mode']>()(['ip', 'domain']),
    state: oneOf<MigrationSwitch['state']>()(['refused', 'switching', 'switched', 'rolling-back', 'rolled-back']),
    requestedAt: optional(time()),
    switchedAt: optional(time()),
    check: optional(
      object<NonNullable<MigrationSwitch['check']>>(
        { outcome: oneOf<'passed' | 'failed'>()(['passed', 'failed']), evidence: str() },
        "the post-switch check through the source's old address",
      ),
    ),
    rollback: optional(
      object<NonNullable<MigrationSwitch['rollback']>>({
        by: oneOf<'operator' | 'check'>()(['operator', 'check']),
        requestedAt: time(),
        finishedAt: optional(time()),
        note: optional(str()),
        reason: optional(str()),
        force: optional(bool('rollback --force: without waiting for the reverse task')),
        keptWrites: optional(bool('the source held every write made on the target since the switch')),
      }),
    ),
    eligibility: optional(list(precheckOutcome, 'the eligibility checks that did not pass')),
    switches: optional(int('how many times the clients were switched')),
    rollbackMode: optional(oneOf<'keep-writes' | 'addresses-only'>()(['keep-writes', 'addresses-only'])),
    reverse: optional(reverseSync),
    rollbackRefused: optional(
      object<NonNullable<MigrationSwitch['rollbackRefused']>>(
        { at: time(), reason: str() },
        'the last operator rollback called off because the reverse task could not keep the writes',
      ),
    ),
  },
  'cutover.switch only: the client switch and its rollback, once the switch step began',
);

const restart = object<MigrationRestart>({
  at: time(),
  by: oneOf<MigrationRestart['by']>()(['policy', 'operator']),
  reason: str('why the task had failed, scrubbed of secrets'),
  note: optional(str()),
});

/** What the `status` answer and the result share (`MigrationReport`), but for the fields each types its own way. */
const report = {
  taskName: optional(str('the DCS task name')),
  taskId: optional(str('the DCS task id')),
  remoteStatus: optional(str(REMOTE_STATUS)),
  progress: optional(progress),
  timings,
  apiCalls: record(int(), 'activity executions that completed, per activity (one DCS operation each)'),
  activityAttempts: int('attempts those activities took in total, retries included'),
  polls: int(),
  watcherWaits: optional(int('shared polling: waits on the worker’s status watcher')),
  continuedAsNew: int('how many times the workflow continued as new'),
  progressReadAt: optional(time('when progress was last read from DCS; on a finished run, progress is as of then')),
  cutover: optional(cutover),
  verification: optional(verification),
  prechecks: optional(list(precheckOutcome, 'the pre-flight checks that warned or failed')),
  switch: optional(switchReport),
  restarts: optional(
    object<MigrationRestarts>(
      {
        count: int(),
        byPolicy: int('restarts the policy made (they count against restart.maxAttempts)'),
        last: restart,
      },
      'restarts of the remote task; absent until the first one',
    ),
  ),
  restartPending: optional(
    object<NonNullable<MigrationReport['restartPending']>>(
      { until: time(), by: oneOf<'policy' | 'operator'>()(['policy', 'operator']), reason: str() },
      'set while the task has failed and the workflow waits before restarting it',
    ),
  ),
} satisfies Properties<Omit<MigrationReport, 'cutover'> & { cutover?: Partial<MigrationCutover> }>;

const cutoverPolicy = object<CutoverPolicyStatus>(
  {
    mode: oneOf<CutoverPolicyStatus['mode']>()(['manual', 'auto']),
    requested: bool('an operator asked for the cutover'),
    gate: optional(
      object<NonNullable<CutoverPolicyStatus['gate']>>({
        maxOffset: int(),
        consecutiveReads: int(),
        reads: int('consecutive progress reads so far with the offset at or below maxOffset'),
        lastOffset: optional(int()),
        holds: bool(),
      }),
    ),
    window: optional(
      object<NonNullable<CutoverPolicyStatus['window']>>({
        description: str('e.g. 02:00–04:00 Asia/Shanghai'),
        open: bool(),
        opensAt: optional(time()),
        closesAt: optional(time()),
      }),
    ),
    deadline: optional(
      object<NonNullable<CutoverPolicyStatus['deadline']>>({
        at: time(),
        onDeadline: oneOf<'cutover' | 'fail' | 'hold'>()(['cutover', 'fail', 'hold']),
        passed: bool(),
      }),
    ),
    ready: bool('nothing holds the cutover back'),
    waitingFor: list(str(), 'what the cutover waits for, one reason each; empty when ready'),
    summary: str('cutting over now, or waiting for …'),
  },
  'incremental migrations that may still cut over: the cutover policy, live',
);

const status = object<StatusJson>(
  {
    ...report,
    kind: optional(oneOf<MigrationKind>()(['backup_import', 'online', 'legacy_online'])),
    phase: PHASE('where the migration is'),
    lastError: optional(
      object<MigrationLastError>(
        { type: str('the failure type, e.g. DcsServerError or ScheduleToClose'), message: str(), at: time() },
        'the last error',
      ),
    ),
    cancel: optional(
      object<CancelRequest>({ reason: str(), delete: optional(bool()) }, 'the cancel request, once one arrived'),
    ),
    cutoverPolicy: optional(cutoverPolicy),
    warnings: optional(
      list(
        object<MigrationWarning>({
          field: str('what it is about, e.g. notify.webhooks[0]'),
          message: str(),
          at: time(),
        }),
        'the latest warnings (at most 10): something went wrong without failing the migration',
      ),
    ),
    cutoverRequested: deprecated(bool('deprecated: use cutover (present once a cutover was requested)')),
  },
  'the `status` query answer: absent when no worker answered (statusUnavailable says why)',
);

const result = object<ResultJson>(
  {
    ...report,
    outcome: oneOf<ResultJson['outcome']>()(['succeeded', 'cut-over', 'rolled-back']),
    taskId: str('the DCS task id'),
    taskName: str('the DCS task name'),
    remoteStatus: str('the final DCS task status: SUCCESS, or TERMINATED after a cutover'),
    finalStatus: deprecated(str('deprecated: use remoteStatus (the same value)')),
    holdEndedBy: optional(
      oneOf<NonNullable<ResultJson['holdEndedBy']>>()(
        ['operator', 'auto', 'deadline'],
        'deprecated: use cutover.by (the same value)',
      ),
      {
        deprecated: true,
      },
    ),
  },
  'the result of a run that completed',
);

const pendingActivity = object<PendingActivityView>({
  activity: str('the activity type, e.g. createOnlineTask'),
  state: str('scheduled, started, cancel-requested, paused, …'),
  attempt: int('the attempt running or coming next (1 = the first)'),
  lastFailure: optional(str("first line of the last attempt's failure")),
  nextAttemptAt: optional(time('when the next attempt is scheduled')),
});

const migration = object<MigrationJson>({
  workflowId: str(),
  runId: str('the latest run'),
  execution: EXECUTION_STATUSES,
  startTime: time(),
  closeTime: optional(time()),
  phase: optional(PHASE('the DcsPhase search attribute: readable even when no worker runs')),
  remoteStatus: optional(str(`the DcsRemoteStatus search attribute: ${REMOTE_STATUS}`)),
  taskId: optional(str('the DcsTaskId search attribute')),
  migrationType: optional(str('the DcsMigrationType search attribute, e.g. online:incremental')),
  taskQueue: optional(str("the task queue the run's worker must poll")),
  status: optional(status),
  statusUnavailable: optional(
    str('why status is absent: no worker polls the task queue, the answer cannot be decrypted, none in time'),
  ),
  pendingActivities: optional(
    list(pendingActivity, 'activities scheduled or running now: a retrying DCS call shows here'),
  ),
  result: optional(result),
  failure: optional(str('the failure message of a run that failed, was cancelled, terminated or timed out')),
  hint: optional(str('what to do about the failure or the retries, when known')),
  remoteTaskOnFailure: optional(str('a failed run: what it did to its remote task (input onFailure)')),
  ui: optional(nullable(str('the migration in the Temporal UI (status only); null when no UI is known'))),
});

const started = object<StartedJson>({
  workflowId: str(),
  runId: str('the first run'),
  namespace: str(),
  taskQueue: str(),
  ui: nullable(str('the migration in the Temporal UI; null when no UI is known')),
});

const listRow = object<ListRowJson>(
  {
    workflowId: str(),
    runId: str(),
    execution: EXECUTION_STATUSES,
    phase: nullable(str('DcsPhase (null until the workflow sets it)')),
    remoteStatus: nullable(str('DcsRemoteStatus')),
    taskId: nullable(str('DcsTaskId')),
    migrationType: nullable(str('DcsMigrationType')),
    startTime: time(),
    closeTime: nullable(time()),
  },
  'one migration, from Temporal visibility',
);

const check = object<CheckJson>({
  ok: bool('false when a check failed (exit 6); warnings leave it true'),
  outcomes: list(precheckOutcome),
});

const dryRun = object<DryRunReport>({
  ok: bool('false when a check failed (with prechecks.mode enforce) or a reference does not resolve (exit 6)'),
  workflowId: str(),
  taskName: str('the DCS task name the migration would use'),
  references: list(
    object<DryRunReport['references'][number]>({
      field: str('e.g. source.password'),
      reference: str('env NAME or file PATH; the value is never printed'),
      resolves: bool(),
      reason: optional(str('why it does not resolve')),
    }),
    'every password reference of the file, resolved in this shell',
  ),
  outcomes: list(precheckOutcome, 'the pre-flight checks (empty with prechecks.mode off)'),
  calls: list(
    object<PlannedCall>({
      operation: str('DCS operation, or verifyData (no DCS call)'),
      kind: oneOf<PlannedCall['kind']>()(['read', 'write', 'worker']),
      why: str(),
    }),
    'the DCS calls the migration would make, in order',
  ),
  paidTasks: list(
    object<PaidTask>({
      taskName: str(),
      role: oneOf<PaidTask['role']>()(['migration', 'reverse']),
      runs: str('how long it runs'),
    }),
    "the DCS tasks the migration would create (billed while they run); `reverse`: the rollback window's",
  ),
});

/** The output schemas, by command. */
export const OUTPUT_SCHEMAS = {
  status: {
    file: 'schema/status-output.schema.json',
    title: 'dcs-migrate status --json',
    description:
      'One read of a migration, as `dcs-migrate status --json` prints it; `watch --json` and `start --wait --json` print the same, without `ui`. See docs/cli.md.',
    root: migration,
  },
  list: {
    file: 'schema/list-output.schema.json',
    title: 'dcs-migrate list --json',
    description: 'The migrations `dcs-migrate list --json` found, newest first. See docs/cli.md.',
    root: list(listRow),
  },
  check: {
    file: 'schema/check-output.schema.json',
    title: 'dcs-migrate check --json',
    description:
      'The pre-flight checks of a migration file, as `dcs-migrate check --json` prints them. See docs/cli.md.',
    root: check,
  },
  start: {
    file: 'schema/start-output.schema.json',
    title: 'dcs-migrate start --json',
    description:
      'The migration `dcs-migrate start --json` started. With `--wait` it prints the final state instead (status-output.schema.json), with `--dry-run` the plan (dry-run-output.schema.json). See docs/cli.md.',
    root: started,
  },
  'dry-run': {
    file: 'schema/dry-run-output.schema.json',
    title: 'dcs-migrate start --dry-run --json',
    description: 'What a start would do, as `dcs-migrate start --dry-run --json` prints it. See docs/cli.md.',
    root: dryRun,
  },
} as const;

export type OutputSchemaName = keyof typeof OUTPUT_SCHEMAS;

/** One output schema as a JSON document. */
export function outputSchema(name: OutputSchemaName): Json {
  const { title, description, root } = OUTPUT_SCHEMAS[name];
  const { description: _rootDescription, ...body } = root.json;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:dcs-migrate:${name}-output`,
    title,
    description,
    ...body,
  };
}

/** Every output schema file, by path relative to the project root. */
export function outputSchemaFiles(): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(OUTPUT_SCHEMAS) as OutputSchemaName[]).map((name) => [
      OUTPUT_SCHEMAS[name].file,
      `${JSON.stringify(outputSchema(name), null, 2)}\n`,
    ]),
  );
}
