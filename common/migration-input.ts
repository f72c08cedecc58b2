/**
 * The one input of a migration workflow, as the CLI reads it from a YAML/JSON file and as the workflow receives
 * it. The same schema validates both ends: the CLI rejects a bad file before starting anything, and the workflow
 * re-validates what it receives (a client other than the CLI may start it) before any remote call.
 *
 * Secrets are never part of the input: Redis passwords are references (`{ env: NAME }` or `{ file: PATH }`) that
 * activities resolve on the worker at call time, so no password reaches workflow history. AK/SK come from the
 * worker's environment.
 *
 * This module is imported by workflow code: keep it free of Node built-ins and I/O.
 */
import { z } from 'zod';
import { AddressError, parseAddress, parseAddressList } from '../redis/address.js';
import { isKnownTimeZone, TIME_OF_DAY, WEEKDAYS } from './cutover-window.js';
import { allowedKeysAt, unknownFieldMessage } from './unknown-fields.js';

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `250ms`, `10s`, `5m`, `2h`, `30d` or a number of milliseconds; undefined when malformed. */
export function parseDurationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS]);
}

/** A duration written as `10s`, `5m`, `2h`, `30d`, `250ms`, or a number of milliseconds. Parsed to milliseconds. */
export const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as "10s", "5m", "2h", "30d" or milliseconds' });
    return z.NEVER;
  }
  return ms;
});

/** A duration above zero: a wait of 0 ms between polls would call DCS in a tight loop. */
const positiveDuration = duration.refine((ms) => ms > 0, 'must be longer than 0');

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A zod check that `parse` (the one address parser's) accepts the value; its reason becomes the issue. */
function validAddress(parse: (value: string) => unknown) {
  return (value: string, ctx: z.RefinementCtx<string>): void => {
    try {
      parse(value);
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      // The reason names the value; zod's path names the field.
      ctx.addIssue({ code: 'custom', message: error.reason });
    }
  };
}

/**
 * Where the worker finds a secret (`what`: a Redis password, a webhook URL): an environment variable of the
 * worker process, or a file on the worker's disk (trailing newline ignored). A literal value is refused so it can
 * never reach history.
 */
function secretRef(what: string, description: string) {
  return z
    .object(
      {
        env: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
          .optional()
          .describe(`Name of an environment variable of the worker process that holds the ${what}.`),
        file: nonEmpty
          .optional()
          .describe(`Path of a file on the worker's disk that holds the ${what} (a trailing newline is ignored).`),
      },
      { error: `a ${what} is given as a reference, { env: NAME } or { file: PATH }, never as the ${what} itself` },
    )
    .strict()
    .refine((ref) => (ref.env === undefined) !== (ref.file === undefined), 'give exactly one of env or file')
    .describe(description);
}

export const secretRefSchema = secretRef(
  'password',
  'A password reference, resolved on the worker when it connects: exactly one of `{ env: NAME }` or `{ file: PATH }`. A literal password is refused, so none reaches workflow history. Optional: leave it out for a Redis without a password.',
);
export type SecretRef = z.infer<typeof secretRefSchema>;

/**
 * `host:port[,host:port…]` as DCS expects in `addrs`. The pattern is the shape an editor checks (it reaches the JSON
 * Schema); the address parser has the last word.
 */
const addrs = z
  .string()
  .trim()
  .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, {
    message: 'must be host:port, or a comma-separated list of them',
    abort: true,
  })
  .superRefine(validAddress((value) => parseAddressList(value, 'addrs')));

const targetInstance = z
  .object({
    instanceId: nonEmpty.describe('DCS instance id of the target.'),
    password: secretRefSchema.optional(),
  })
  .strict()
  .describe('The DCS instance the data go to.');

const onlineSource = z
  .object({
    instanceId: nonEmpty.optional().describe('DCS instance id of a cloud source (give this or `addrs`).'),
    addrs: addrs
      .optional()
      .describe(
        'Address of a self-hosted Redis, `host:port` or a comma-separated list of them (give this or `instanceId`).',
      ),
    password: secretRefSchema.optional(),
  })
  .strict()
  .refine(
    (source) => (source.instanceId === undefined) !== (source.addrs === undefined),
    'give exactly one of instanceId or addrs',
  )
  .describe(
    'The Redis the data come from: exactly one of `instanceId` (a DCS instance) or `addrs` (a self-hosted Redis).',
  );

const migrationMethod = z
  .enum(['full', 'incremental'])
  .describe(
    "`full` copies every key once and ends at SUCCESS; `incremental` copies, then follows the source's changes (the incremental hold) until a cutover or `hold.maxDuration`.",
  );

/** How the workflow watches the remote task. Defaults suit the real DCS; tests shorten them. */
const pollingSchema = z
  .object({
    initialInterval: positiveDuration
      .default(5_000)
      .describe('First wait between status polls, and the wait right after the status changes.'),
    maxInterval: duration
      .default(60_000)
      .describe('The wait grows by `backoffFactor` while nothing changes, up to this cap. At least `initialInterval`.'),
    backoffFactor: z
      .number()
      .min(1)
      .max(10)
      .default(1.5)
      .describe('Factor the wait between polls grows by while the status does not change.'),
    pollsPerRun: z
      .number()
      .int()
      .min(1)
      .max(2_000)
      .default(300)
      .describe('Polls per workflow run before it continues as new, so history stays bounded over a 30-day hold.'),
    maxUnknownStatusPolls: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(20)
      .describe('Consecutive polls with a status dcs-migrate does not know before the workflow fails.'),
    maxFailedPolls: z
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(5)
      .describe(
        'Consecutive polls whose API calls all failed (after their own retries) before the workflow fails. Polls that failed because DCS could not be reached count against `dcsOutageTolerance` instead.',
      ),
    dcsOutageTolerance: positiveDuration
      .refine((ms) => ms <= 30 * 86_400_000, 'must be at most 30d')
      .default(3_600_000)
      .describe(
        'How long the migration rides out DCS being unreachable (no answer, HTTP 5xx, or throttled with 429 `APIGW.0308`): reads keep retrying (the remote task runs on meanwhile), and after this long without one answer it fails as `DcsUnavailable`. Its `onFailure` cleanup then waits up to as long again for DCS to come back before it gives up (the failure says the task may still be running).',
      ),
    mode: z
      .enum(['per-task', 'shared'])
      .default('per-task')
      .describe(
        "`per-task`: the workflow polls its own task on a timer (the intervals above). `shared`: it waits on the worker's shared status watcher, which lists every task of the project once per round (one call per page of 1,000 tasks) and wakes the workflows whose task changed — for many concurrent migrations in one project.",
      ),
    confirmInterval: positiveDuration
      .default(600_000)
      .describe(
        'Shared mode: the workflow still reads its task itself this often, in case the watcher missed a change.',
      ),
    progressInterval: duration
      .default(300_000)
      .describe(
        'Progress figures (ShowMigrationTaskStats) are refreshed at most this often, and whenever the status changes.',
      ),
  })
  .strict()
  .refine((p) => p.maxInterval >= p.initialInterval, {
    message: 'must be at least initialInterval',
    path: ['maxInterval'],
  })
  .describe('How the workflow watches the remote task. The defaults suit the real DCS; tests shorten them.');

/** A Redis server the worker reaches directly for verification: `host:port` (any node of a cluster), ACL user, password reference, TLS. */
const verifyServer = z
  .object({
    address: z
      .string()
      .trim()
      .regex(/^[^\s,]+:\d{1,5}$/, { message: 'must be host:port', abort: true })
      .superRefine(validAddress((value) => parseAddress(value, 'address')))
      .describe(
        '`host:port` of the Redis server, as the worker reaches it; for a cluster, any node (its masters are discovered).',
      ),
    username: z.string().min(1).max(256).optional().describe('ACL user to log in as; the default user when omitted.'),
    password: secretRefSchema.optional(),
    tls: z
      .object({
        caFile: z
          .string()
          .min(1)
          .optional()
          .describe('PEM file on the worker with the CA certificate(s) to trust instead of the system ones.'),
        insecure: z.boolean().default(false).describe("Do not verify the server's certificate."),
      })
      .strict()
      .optional()
      .describe('Connect with TLS (as `rediss://`).'),
  })
  .strict();

/**
 * Optional verification after the data are copied (after SUCCESS; for incremental, once the hold ends and before
 * the task is stopped): the worker compares source and target key by key and reports the differences.
 */
const verifySchema = z
  .object({
    source: verifyServer.describe('The source Redis server, reached directly by the worker.'),
    target: verifyServer.describe('The target Redis server, reached directly by the worker.'),
    mode: z
      .enum(['outline', 'length', 'full'])
      .default('full')
      .describe('`outline` (existence, type), `length` (+ length, TTL) or `full` (+ value).'),
    reverse: z.boolean().default(true).describe('Also scan the target for keys the source does not have.'),
    sampleRatio: z.number().gt(0).max(1).default(1).describe('Compare only about this fraction of the keys.'),
    keysPerSecond: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Rate limit of the comparison, in keys per second; unlimited when omitted.'),
    ttlTolerance: duration.default(1_000).describe('TTLs of source and target may differ by this much.'),
    rounds: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(2)
      .describe("Re-check rounds over the previous round's differences (writes still in flight resolve themselves)."),
    roundInterval: duration.default(5_000).describe('Wait before each re-check round.'),
    maxListed: z
      .number()
      .int()
      .min(0)
      .max(1_000)
      .default(100)
      .describe('Differences listed in the result (all are counted).'),
  })
  .strict()
  .describe(
    'Optional verification after the data are copied (after SUCCESS; for incremental, once the hold ends and before the task is stopped): the worker compares source and target key by key and reports the differences.',
  );
export type VerifySettings = z.output<typeof verifySchema>;

/** Incremental only: how long to hold in sync before stopping without an operator cutover. */
const holdSchema = z
  .object({
    maxDuration: duration
      .optional()
      .describe(
        'Stop the task this long after it got in sync, unless an operator cut over first; no deadline when omitted.',
      ),
  })
  .strict()
  .optional()
  .describe('Incremental only: the incremental hold. Without it the hold lasts until `dcs-migrate cutover`.');

/** `HH:MM`, 24-hour, in the window's time zone. */
const timeOfDay = z.string().regex(TIME_OF_DAY, 'must be a time of day as HH:MM (24-hour), e.g. "02:00"');

/**
 * Incremental only: when the hold may end (mode, gate, window, deadline) and what happens then: `switch` moves the
 * clients to the target (DCS IP switching) before the task is stopped; the rollback settings say how long and how
 * the switch can be undone.
 */
export const cutoverSchema = z
  .object({
    mode: z
      .enum(['manual', 'auto'])
      .default('manual')
      .describe(
        '`manual` (default): the hold ends when an operator asks (`dcs-migrate cutover`), once the gate and the window allow it. `auto`: it ends by itself as soon as the gate holds inside the window.',
      ),
    gate: z
      .object({
        maxOffset: z
          .number()
          .int()
          .min(0)
          .describe(
            'Highest offset (changes not yet applied to the target) that counts as in sync; 0 = fully caught up.',
          ),
        consecutiveReads: z
          .number()
          .int()
          .min(1)
          .max(1_000)
          .default(3)
          .describe(
            'Consecutive progress reads the offset must stay at or below `maxOffset` for; a higher offset, a failed read or a status other than incremental starts the count again.',
          ),
      })
      .strict()
      .optional()
      .describe(
        'The lag gate, in both modes: the cutover waits until the offset has stayed at or below `maxOffset` for `consecutiveReads` reads in a row. While the gate is armed (`auto`, or a manual request waiting) progress is read at every poll. No gate when omitted.',
      ),
    window: z
      .object({
        start: timeOfDay.describe('When the window opens, `HH:MM` in `timeZone`.'),
        end: timeOfDay.describe('When it closes, `HH:MM`; earlier than `start` means the next day (`22:00`–`02:00`).'),
        timeZone: z
          .string()
          .refine(isKnownTimeZone, 'must be an IANA time zone name, e.g. "Asia/Shanghai" or "UTC"')
          .describe('IANA time zone of `start` and `end` (daylight saving time applies).'),
        days: z
          .array(z.enum(WEEKDAYS))
          .min(1, 'list at least one day, or leave `days` out for every day')
          .optional()
          .describe('Weekdays on which the window starts (`mon` … `sun`, in `timeZone`); every day when omitted.'),
      })
      .strict()
      .refine((window) => window.start !== window.end, { message: 'must differ from start', path: ['end'] })
      .optional()
      .describe(
        'A daily window for the cutover: a request outside it waits for the next opening (and says so); `auto` cuts over only inside it. Any time when omitted.',
      ),
    onDeadline: z
      .enum(['cutover', 'fail', 'hold'])
      .optional()
      .describe(
        'What `hold.maxDuration` does when it passes before the cutover: `cutover` (default) stops the task whatever the gate and the window say; `fail` fails the migration (`onFailure` applies to the task); `hold` keeps holding until the policy lets the cutover run.',
      ),
    switch: z
      .enum(['none', 'ip', 'domain'])
      .default('none')
      .describe(
        "`none`: stop the task at the cutover, clients move by themselves. `ip`: switch the instances' IPs (ExchangeInstanceIp) first, so clients of the source reach the target; `domain`: the domain names too. Only between two DCS instances with the same port and password (checked before anything is created).",
      ),
    rollbackWindow: duration
      .default(600_000)
      .describe(
        'After a switch, how long `dcs-migrate rollback` (or a failed post-switch check) can switch back before the task is stopped.',
      ),
    afterRollback: z
      .enum(['hold', 'end'])
      .default('hold')
      .describe(
        'After a rollback: `hold` restarts the task and holds again (a later cutover switches again), `end` ends the migration as rolled back.',
      ),
    rollback: z
      .enum(['keep-writes', 'addresses-only'])
      .optional()
      .describe(
        "What a rollback after a switch restores. `keep-writes`: right after the switch a reverse online migration task (the target as source, the source as target, incremental) keeps the source following the target for the rollback window, and a rollback first waits until it has caught up, so the source holds every write made on the target since the switch; DCS bills it like the migration's own task while it runs. `addresses-only`: the rollback switches the IPs back only; writes made on the target after the switch stay there. When omitted: `keep-writes` where DCS can run the reverse task (not from a Proxy Cluster target, not into a source with SSL on), else `addresses-only` with a warning (`dcs-migrate check` says which).",
      ),
    canaryKey: z
      .string()
      .min(1)
      .max(512)
      .optional()
      .describe(
        "A key the post-switch check writes (with a 60 s TTL) and reads back through the source's old address; omit to only check which server answers.",
      ),
  })
  .strict()
  .describe(
    'Incremental only: when the hold ends and what the cutover does. Without it, the hold ends at once on `dcs-migrate cutover`, or at `hold.maxDuration`, and the cutover stops the task (clients move by themselves).',
  );
export type CutoverSettings = z.output<typeof cutoverSchema>;

/** The refinements an incremental kind shares: `hold` and `cutover` only for method incremental, and together. */
function refineHoldAndCutover(
  input: { method: string; hold?: { maxDuration?: number } | undefined; cutover?: CutoverSettings | undefined },
  ctx: z.RefinementCtx,
): void {
  for (const field of ['hold', 'cutover'] as const) {
    if (input[field] !== undefined && input.method !== 'incremental')
      ctx.addIssue({ code: 'custom', message: 'only applies to method "incremental"', path: [field] });
  }
  if (input.cutover?.onDeadline !== undefined && input.hold?.maxDuration === undefined)
    ctx.addIssue({
      code: 'custom',
      message: 'needs hold.maxDuration (the deadline it acts on)',
      path: ['cutover', 'onDeadline'],
    });
  if (input.cutover?.rollback !== undefined && input.cutover.switch === 'none')
    ctx.addIssue({ code: 'custom', message: 'needs cutover.switch ip or domain', path: ['cutover', 'rollback'] });
}

/** The pre-flight checks before anything is created (`common/precheck.ts` lists them; docs/migration-file.md, "Pre-flight checks"). */
const precheckSchema = z
  .object({
    mode: z
      .enum(['enforce', 'warn', 'off'], { error: 'must be "enforce", "warn" or "off"' })
      .default('enforce')
      .describe(
        '`enforce`: a failing check stops the migration before anything is created (failure `PrecheckFailed`); `warn`: failing checks are logged and the migration goes on; `off`: no checks.',
      ),
    redis: z
      .boolean()
      .default(false)
      .describe(
        "Also run the checks that connect to the Redis servers from the worker (passwords, replication settings, an empty target, eviction, big keys). Off by default: a worker often runs outside the instances' network. `dcs-migrate check` runs them unless given `--no-redis`.",
      ),
    memoryMargin: z
      .number()
      .min(0)
      .max(10)
      .default(0.1)
      .describe(
        "`target-memory`: the target's free memory must be at least the source's used memory times (1 + this margin).",
      ),
    bigKeyBytes: z
      .number()
      .int()
      .min(1)
      .default(10 * 1024 * 1024)
      .describe(
        '`source-big-keys`: a sampled key whose MEMORY USAGE is at least this many bytes is a big key (a warning).',
      ),
    sampleKeys: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .default(1_000)
      .describe('`source-big-keys`: how many keys of the source are sampled (SCAN) and measured.'),
  })
  .strict()
  .describe(
    'Pre-flight checks, run before anything is created remotely. Each has a stable id (docs/migration-file.md, "Pre-flight checks").',
  );
export type PrecheckSettings = z.output<typeof precheckSchema>;

/**
 * Online kinds only: restart the same remote task (BatchRestartOnlineMigrationTasks) when it fails because a
 * connection was lost. Off unless the block is given: DCS restarts a task by copying everything again, which an
 * operator should choose knowingly; `restart: {}` turns it on with conservative defaults (3 restarts, 30 s then
 * doubling up to 5 min apart). A failure for any other reason (wrong password, a full target) is never restarted
 * automatically: trying again cannot fix it.
 */
const restartSchema = z
  .object({
    maxAttempts: z
      .number()
      .int()
      .min(0)
      .max(20)
      .default(3)
      .describe('Restarts after a lost connection before the migration fails (0: never restart automatically).'),
    backoff: z
      .object({
        initial: positiveDuration.default(30_000).describe('Wait before the first restart.'),
        factor: z.number().min(1).max(10).default(2).describe('Growth of the wait per restart.'),
        max: positiveDuration.default(300_000).describe('Longest wait between restarts.'),
      })
      .strict()
      .prefault({})
      .refine((b) => b.max >= b.initial, { message: 'must be at least initial', path: ['max'] })
      .describe(
        'Wait before each restart: `initial`, times `factor` per restart, at most `max`, with jitter (common/backoff.ts).',
      ),
    waitForOperator: duration
      .default(0)
      .describe(
        'When the task failed and no automatic restart is left (or the failure was not a lost connection), wait this long for `dcs-migrate restart` before the migration fails; 0 fails at once.',
      ),
  })
  .strict()
  .optional()
  .describe(
    'Online kinds only: restart the same remote task when it fails on a lost connection (DCS copies everything again). Off when omitted; `restart: {}` allows 3 restarts.',
  );
export type RestartSettings = z.output<typeof restartSchema>;

/**
 * What a notification is about. Each phase change sends exactly one event: `in-sync` on entering the incremental
 * hold, `cutover`, `succeeded`, `failed` and `cancelled` on the terminal phases, `phase` for every other one.
 */
export const NOTIFY_EVENTS = ['phase', 'in-sync', 'cutover', 'succeeded', 'failed', 'cancelled'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** A webhook URL by reference: Slack's and others' URLs hold the token that lets anyone post. */
export const webhookUrlRefSchema = secretRef(
  'webhook URL',
  'Where the URL is, as a reference (`{ env: NAME }` or `{ file: PATH }`) resolved on the worker when it sends: webhook URLs often hold a token (Slack), so the URL itself never reaches workflow history.',
);

const webhookSchema = z
  .object({
    url: webhookUrlRefSchema,
    format: z
      .enum(['json', 'slack'])
      .default('json')
      .describe(
        '`json`: the event as a JSON object (`event`, `migration`, `phase`, `from`, …); `slack`: a Slack-compatible `{ "text": … }` message.',
      ),
    events: z
      .array(z.enum(NOTIFY_EVENTS))
      .min(1, 'list at least one event, or leave events out for all of them')
      .optional()
      .describe(
        'The events sent to this webhook, all when omitted: `phase` (any other phase change), `in-sync` (the incremental hold began: ready for cutover), `cutover`, `succeeded`, `failed`, `cancelled`.',
      ),
  })
  .strict();

/** Optional webhooks told about phase changes; a failing webhook never fails the migration (a status warning). */
const notifySchema = z
  .object({
    webhooks: z
      .array(webhookSchema)
      .min(1, 'list at least one webhook')
      .max(10, 'at most 10 webhooks')
      .describe('The webhooks to POST events to.'),
  })
  .strict()
  .describe(
    'Optional notifications: each phase change is POSTed to the webhooks, in order, from the worker, with retries. A webhook that keeps failing never fails the migration: it shows as a warning in the status. Payloads carry no secrets.',
  );
export type NotifySettings = z.output<typeof notifySchema>;
export type WebhookSettings = NotifySettings['webhooks'][number];

const commonFields = {
  taskName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{3,63}$/, 'must be 4–64 characters: a letter, then letters, digits, - or _')
    .optional()
    .describe('Exact DCS task name. Derived from the workflow id when omitted; either way it is the idempotency key.'),
  description: z.string().max(1024).optional().describe('Free text, sent to DCS as the task description.'),
  polling: pollingSchema.prefault({}),
  deleteOnCancel: z
    .boolean()
    .default(false)
    .describe(
      'Delete the remote task after stopping it on cancellation (the cancel signal can override it per request).',
    ),
  onFailure: z
    .enum(['stop', 'delete', 'keep'])
    .default('stop')
    .describe(
      'What happens to the remote task when the migration fails after creating it (a paid migration machine keeps running otherwise): `stop` it and wait for TERMINATED (default), `delete` it once stopped, or `keep` it running (to inspect it; stop it yourself). A task that already ended (FAILED, stopped, deleted) is left as it is.',
    ),
  verify: verifySchema.optional(),
  prechecks: precheckSchema.prefault({}),
  targetNotEmpty: z
    .enum(['refuse', 'overwrite'], {
      error:
        'must be "refuse" (stop when the target already holds keys) or "overwrite" (migrate into it; keys with the same name are replaced)',
    })
    .default('refuse')
    .describe(
      "What the `target-empty` pre-flight check does when the target already holds keys: `refuse` fails the check, `overwrite` only warns (keys with the same name are replaced; the target's other keys stay).",
    ),
  notify: notifySchema.optional(),
};

const backupImportSchema = z
  .object({
    kind: z
      .literal('backup_import')
      .describe(
        'Backup import: DCS loads backup files (from an OBS bucket, or a DCS backup record) into the target instance.',
      ),
    ...commonFields,
    target: targetInstance,
    backup: z
      .discriminatedUnion('source', [
        z
          .object({
            source: z.literal('obs').describe('Files in an OBS bucket (`self_build_obs`).'),
            bucket: nonEmpty.describe('Name of the OBS bucket that holds the files.'),
            files: z
              .array(
                z
                  .object({
                    name: nonEmpty.describe('Object name of the file in the bucket.'),
                    size: z.string().optional().describe('File size, passed to DCS as given.'),
                    updatedAt: z.string().optional().describe('Last modification time, passed to DCS as given.'),
                  })
                  .strict(),
              )
              .min(1, 'list at least one file')
              .describe('The backup files to import, at least one.'),
          })
          .strict(),
        z
          .object({
            source: z.literal('backup_record').describe('A DCS backup record (`backup_record`).'),
            backupId: nonEmpty.describe('Id of the DCS backup record.'),
          })
          .strict(),
      ])
      .describe(
        'Where the backup comes from: `source` picks `obs` (files in a bucket) or `backup_record` (a DCS backup).',
      ),
  })
  .strict();

const onlineSchema = z
  .object({
    kind: z
      .literal('online')
      .describe(
        'Online migration (CreateOnlineMigrationTask): DCS creates a migration machine in your network and copies from a DCS instance or a self-hosted Redis.',
      ),
    ...commonFields,
    source: onlineSource,
    target: targetInstance,
    network: z
      .object({
        vpcId: nonEmpty.describe('VPC id.'),
        subnetId: nonEmpty.describe('Subnet id.'),
        securityGroupId: nonEmpty.describe('Security group id.'),
      })
      .strict()
      .describe('Where DCS creates the migration machine.'),
    method: migrationMethod,
    resumeMode: z
      .enum(['auto', 'manual'])
      .default('manual')
      .describe('`auto` reconnects forever after a source drop (may trigger a full resync); `manual` fails the task.'),
    bandwidthLimitMb: z
      .number()
      .int()
      .min(1)
      .max(10_240)
      .optional()
      .describe('Bandwidth limit of the migration (DCS `bandwidth_limit_mb`); no limit when omitted.'),
    hold: holdSchema,
    cutover: cutoverSchema.optional(),
    restart: restartSchema,
  })
  .strict()
  .superRefine(refineHoldAndCutover);

const legacyOnlineSchema = z
  .object({
    kind: z
      .literal('legacy_online')
      .describe(
        'The deprecated one-call online migration (CreateMigrationTask with migration_type online_migration), for accounts without CreateOnlineMigrationTask.',
      ),
    ...commonFields,
    source: z
      .object({
        addrs: addrs.describe('Address of the source Redis, `host:port` or a comma-separated list of them.'),
        password: secretRefSchema.optional(),
      })
      .strict()
      .describe('The Redis the data come from, by address.'),
    target: targetInstance,
    method: migrationMethod,
    networkType: z.enum(['vpc', 'vpn']).optional().describe('How DCS reaches the source: `vpc` or `vpn`.'),
    hold: holdSchema,
    cutover: cutoverSchema.optional(),
    restart: restartSchema,
  })
  .strict()
  .superRefine(refineHoldAndCutover);

/** The migration input: `kind` picks the flow. */
export const migrationInputSchema = z.discriminatedUnion('kind', [
  backupImportSchema,
  onlineSchema,
  legacyOnlineSchema,
]);

/** The input as written in a file or passed to `client.workflow.start` (durations may be strings, defaults absent). */
export type MigrationInputFile = z.input<typeof migrationInputSchema>;
/** The validated input: defaults applied, durations in milliseconds. */
export type MigrationInput = z.output<typeof migrationInputSchema>;
export type MigrationKind = MigrationInput['kind'];
/** The validated input of one kind (`MigrationInputOf<'online'>`): what activity requests pick their fields from. */
export type MigrationInputOf<K extends MigrationKind> = Extract<MigrationInput, { kind: K }>;
/**
 * What the workflow receives as its first argument: a parsed {@link MigrationInput} when started through the CLI
 * or `buildMigrationStartOptions`, or an input as a file would hold it when a client starts the workflow directly
 * (durations as strings, defaults absent). The workflow validates either before use, and refuses anything else
 * with a non-retryable `InvalidMigrationInput` failure; parsing is idempotent, so a parsed input validates to
 * itself (common/migration-input.test.ts).
 */
export type MigrationWorkflowInput = MigrationInput | MigrationInputFile;
export type PollingSettings = MigrationInput['polling'];

/** Why an input was refused, one line per problem, each naming its field (`target.instanceId: must not be empty`). */
export class InvalidMigrationInputError extends Error {
  override name = 'InvalidMigrationInputError';
  constructor(readonly problems: Array<{ field: string; message: string }>) {
    super(`invalid migration input: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  }
}

/**
 * A top-level `$schema` string names the JSON Schema an editor checks the file against
 * (schema/migration-input.schema.json allows it): it is for the editor, and is left out before validation.
 */
function withoutSchemaKey(raw: unknown): unknown {
  if (
    raw === null ||
    typeof raw !== 'object' ||
    Array.isArray(raw) ||
    typeof (raw as { $schema?: unknown }).$schema !== 'string'
  )
    return raw;
  const { $schema: _schema, ...rest } = raw as Record<string, unknown>;
  return rest;
}

/** Validates a migration input; throws {@link InvalidMigrationInputError} naming every bad field. */
export function parseMigrationInput(file: unknown): MigrationInput {
  const raw = withoutSchemaKey(file);
  const result = migrationInputSchema.safeParse(raw);
  if (result.success) return result.data;
  const fieldOf = (path: readonly PropertyKey[]) => (path.length > 0 ? path.map(String).join('.') : '(input)');
  throw new InvalidMigrationInputError(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? // One problem per unknown key, named by its own path, with the closest allowed key when one is close.
          issue.keys.map((key) => ({
            field: fieldOf([...issue.path, key]),
            message: unknownFieldMessage(key, allowedKeysAt(migrationInputSchema, raw, issue.path)),
          }))
        : [
            {
              field: fieldOf(issue.path),
              // zod says "expected string, received undefined" for a missing field; say it the way a person would.
              message: /received undefined$/.test(issue.message) ? 'is required' : issue.message,
            },
          ],
    ),
  );
}
