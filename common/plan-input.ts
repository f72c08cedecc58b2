/**
 * A fleet plan (issue 26): several migrations described and run together. One YAML or JSON file holds `defaults`
 * (any field of a migration file), `items` (a stable `key` each, plus the migration fields it overrides) and the
 * policy: order and pace (`waves`, or a `ramp` with a canary), `maxConcurrency`, `failureTolerance`, `onHalt`, and
 * how items cut over (`cutover`). The migration fields are the migration input's own schema
 * (`common/migration-input.ts`): each item is validated as the migration it becomes once merged with the defaults
 * (`common/plan-merge.ts`), so nothing here restates a migration field.
 *
 * A bad plan is refused before anything starts, every problem naming its item and field: an unknown field (with
 * "did you mean"), a duplicate key, two items on one target instance, a wave naming an unknown item, an item that
 * is not a valid migration once merged.
 *
 * Imported by the CLI and by the validation activity, never by workflow code (the schema library stays out of the
 * sandbox): the workflow imports this module's types only.
 */
import { z } from 'zod';
import {
  cutoverSchema,
  duration,
  InvalidMigrationInputError,
  parseMigrationInput,
  type MigrationInput,
} from './migration-input.js';
import { mergeItem, type PlanItemFile } from './plan-merge.js';
import { DEFAULT_ETA_PRIOR, PERCENT } from './plan-policy.js';
import { planProblems, type PlanProblem } from './plan-problems.js';
import { allowedKeysAt, unknownFieldMessage } from './unknown-fields.js';

/** A plan id: the plan workflow's id, and the prefix of every item's workflow id (`<plan id>.<key>`). */
export const PLAN_ID = /^[A-Za-z0-9][A-Za-z0-9_:-]{0,99}$/;
/** An item key: stable across edits of the file, unique in the plan. */
export const ITEM_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const MAX_PLAN_ITEMS = 10_000;

const itemKey = z.string().regex(ITEM_KEY, 'must be 1–64 characters: a letter or digit, then letters, digits, - or _');

/** Any field of a migration file: checked once merged, as the migration each item becomes. */
const migrationFields = z.record(z.string(), z.unknown());

const waveSchema = z
  .object({
    name: z
      .string()
      .regex(ITEM_KEY, 'must be 1–64 characters: a letter or digit, then letters, digits, - or _')
      .optional()
      .describe('A name for the status and the `--wave` of `plan cutover`; `wave-1`, `wave-2`, … when omitted.'),
    items: z.array(itemKey).min(1, 'list at least one item key').describe('The keys of the items in this wave.'),
  })
  .strict();

const rampSchema = z
  .object({
    canary: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe(
        'The first this many items (in file order) run first and must reach their goal before any other starts.',
      ),
    factor: z
      .number()
      .gt(1)
      .max(10)
      .default(2)
      .describe(
        'After the canary, concurrency starts at `canary × factor` and grows by this factor each time as many ' +
          'items reached their goal, up to `maxConcurrency`.',
      ),
  })
  .strict()
  .describe(
    'Order and pace without waves: a canary first, then concurrency growing up to `maxConcurrency` (not with `waves`).',
  );

const toleranceSchema = z
  .union([
    z.number().int().min(0),
    z
      .string()
      .regex(PERCENT, 'must be a count (0, 3) or a share of the items ("10%")')
      .refine((text) => Number(PERCENT.exec(text)?.[1]) <= 100, 'must be at most 100%'),
  ])
  .default(0)
  .describe(
    'Failed items the plan tolerates: a count, or a share of the items (`"10%"`, rounded down). One more halts ' +
      'the plan: nothing new starts. 0 (default): the first failure halts.',
  );

const planCutoverSchema = z
  .object({
    mode: z
      .enum(['each', 'together'])
      .default('each')
      .describe(
        '`each`: every item cuts over as its own `cutover` settings allow. `together`: the items of a group (a ' +
          'wave, or the whole plan) are told to cut over at once, once every one of them is in sync (incremental ' +
          'items only).',
      ),
    scope: z
      .enum(['wave', 'plan'])
      .default('wave')
      .describe('`together` only: the group that cuts over at once, each `wave` or the whole `plan`.'),
    trigger: z
      .enum(['manual', 'auto'])
      .default('manual')
      .describe(
        '`together` only: `manual` waits for `dcs-migrate plan cutover` (refused, naming the items not in sync, ' +
          'until all are); `auto` cuts the group over as soon as all are in sync (inside `window`).',
      ),
    window: cutoverSchema.shape.window.describe(
      "`together` only: the group is told to cut over only inside this daily window (each item's own window " +
        'still applies too).',
    ),
  })
  .strict()
  .prefault({})
  .describe('How the items cut over (incremental migrations).');

const etaSchema = z
  .object({
    rate: z
      .object({
        bytesPerSecond: z
          .number()
          .positive()
          .default(DEFAULT_ETA_PRIOR.bytesPerSecond)
          .describe("Bytes of the source's used memory copied per second in the full sync."),
        keysPerSecond: z
          .number()
          .positive()
          .default(DEFAULT_ETA_PRIOR.keysPerSecond)
          .describe('Keys copied per second in the full sync (added to the bytes term: a cost per key).'),
      })
      .strict()
      .prefault({})
      .describe('The full-sync rate assumed before any item finished its full sync.'),
    overhead: duration
      .default(DEFAULT_ETA_PRIOR.overheadMs)
      .describe(
        "An item's time outside its full sync (checks, creating the task, the end), assumed before any item " +
          'reached its goal.',
      ),
  })
  .strict()
  .prefault({})
  .describe(
    "The ETA's first assumptions: each item's full sync is estimated from its source's used memory and key count " +
      'at this rate; once items finish, the plan learns the real rate from them (`plan status`).',
  );

export const planInputSchema = z
  .object({
    id: z
      .string()
      .regex(PLAN_ID, 'must be 1–100 characters: a letter or digit, then letters, digits, _, : or -')
      .optional()
      .describe(
        "The plan id (the plan workflow's id, and the prefix of its items' ids); `plan start --id` overrides it. " +
          'Starting a plan again with the same id resumes it: items already started are never started twice.',
      ),
    description: z.string().max(1024).optional().describe('Free text, shown in the status.'),
    defaults: migrationFields
      .default({})
      .describe(
        "Fields every item's migration gets unless the item sets them: any field of a migration file " +
          '(docs/migration-file.md).',
      ),
    items: z
      .array(z.object({ key: itemKey.describe("The item's stable key, unique in the plan.") }).catchall(z.unknown()))
      .min(1, 'list at least one item')
      .max(MAX_PLAN_ITEMS, `at most ${MAX_PLAN_ITEMS} items`)
      .describe('The migrations: a `key` each, and the migration fields that differ from `defaults`.'),
    waves: z
      .array(waveSchema)
      .min(1, 'list at least one wave')
      .optional()
      .describe(
        'Explicit order: each wave starts once every item of the previous one reached its goal (or failed). ' +
          'Every item in exactly one wave. Not with `ramp`.',
      ),
    ramp: rampSchema.optional(),
    maxConcurrency: z.number().int().min(1).max(1_000).default(10).describe('Items running at once, at most.'),
    failureTolerance: toleranceSchema,
    onHalt: z
      .enum(['continue', 'cancel'])
      .default('continue')
      .describe(
        'When the plan halts (a failure beyond `failureTolerance`): `continue` lets the running items go on ' +
          '(default), `cancel` cancels them.',
      ),
    cutover: planCutoverSchema,
    eta: etaSchema,
  })
  .strict();

/** The plan as written in a file or passed to the workflow (defaults absent). */
export type PlanInputFile = z.input<typeof planInputSchema>;
/** The validated plan: policy defaults applied; `defaults` and items' fields as written (each validated merged). */
export type PlanInput = z.output<typeof planInputSchema> & { items: PlanItemFile[] };
export type PlanPolicy = Omit<PlanInput, 'defaults' | 'items'>;
export type PlanCutover = PlanInput['cutover'];

/** A validated plan and the migration input of each item (in item order), defaults applied. */
export interface ValidatedPlan {
  plan: PlanInput;
  inputs: MigrationInput[];
}

export type { PlanProblem };

/** Why a plan was refused, one line per problem, each naming its item and field. */
export class InvalidPlanInputError extends Error {
  override name = 'InvalidPlanInputError';
  constructor(readonly problems: PlanProblem[]) {
    super(`invalid plan: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  }
}

/** `$schema` (for editors) is left out before validation, as in a migration file. */
function withoutSchemaKey(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const { $schema: _schema, ...rest } = raw as Record<string, unknown>;
  return typeof (raw as { $schema?: unknown }).$schema === 'string' ? rest : raw;
}

function shapeProblems(error: z.ZodError, raw: unknown): PlanProblem[] {
  const fieldOf = (path: readonly PropertyKey[]) =>
    path.length > 0
      ? path
          .map((segment, index) =>
            typeof segment === 'number' ? `[${segment}]` : `${index > 0 ? '.' : ''}${String(segment)}`,
          )
          .join('')
      : '(plan)';
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          field: fieldOf([...issue.path, key]),
          message: unknownFieldMessage(key, allowedKeysAt(planInputSchema, raw, issue.path)),
        }))
      : [
          {
            field: fieldOf(issue.path),
            message: /received undefined$/.test(issue.message) ? 'is required' : issue.message,
          },
        ],
  );
}

/** The migration input of each item, or the problems of those that are not valid migrations once merged. */
function mergedInputs(plan: PlanInput): {
  inputs: MigrationInput[];
  failures: Array<{ index: number; problems: PlanProblem[] }>;
} {
  const inputs: MigrationInput[] = [];
  const failures: Array<{ index: number; problems: PlanProblem[] }> = [];
  plan.items.forEach((item, index) => {
    try {
      inputs.push(parseMigrationInput(mergeItem(plan.defaults, item)));
    } catch (error) {
      if (!(error instanceof InvalidMigrationInputError)) throw error;
      failures.push({ index, problems: error.problems });
    }
  });
  return { inputs, failures };
}

/**
 * Validates a plan: its shape, then every item merged with the defaults, then what concerns several items (keys,
 * targets, waves, the cutover mode). Throws {@link InvalidPlanInputError} naming every problem.
 */
export function validatePlan(file: unknown): ValidatedPlan {
  const raw = withoutSchemaKey(file);
  const shaped = planInputSchema.safeParse(raw);
  if (!shaped.success) throw new InvalidPlanInputError(shapeProblems(shaped.error, raw));
  const plan = shaped.data as PlanInput;
  const { inputs, failures } = mergedInputs(plan);
  const problems = planProblems(plan, failures, failures.length === 0 ? inputs : undefined);
  if (problems.length > 0) throw new InvalidPlanInputError(problems);
  return { plan, inputs };
}

/** Validates a plan (see {@link validatePlan}) and returns it. */
export function parsePlanInput(file: unknown): PlanInput {
  return validatePlan(file).plan;
}
