/**
 * The bad-input corpus (issue 7): malformed migration files and malformed `dcs-migrate` invocations, as data.
 * `test/bad-input-corpus.test.ts` runs every case as a child process against a real Temporal dev server and
 * checks that it exits with `expectCode` (2: bad input, nothing started), that stderr matches `expectStderr`
 * (which names the bad field or flag), that no stack trace is printed, that no string of {@link SECRETS} is
 * echoed, and in the end that no migration workflow was started.
 *
 * Placeholders in `args`, filled in by the test:
 * - `{file}`: the case's file (`fixture` under `files/`, or `content` written to a temp dir);
 * - `{good}`: a valid migration file (`examples/online-full.yaml`), so only the flag under test is wrong;
 * - `{dir}`: an existing directory; `{missing}`: a path that does not exist.
 */
import { seededRandom } from '../../common/seeded-random.js';

export interface BadInputCase {
  name: string;
  args: string[];
  /** A file under `test/bad-input/files/`, passed as `{file}`. */
  fixture?: string;
  /** Generated content (too big or too binary to commit), written to a temp file and passed as `{file}`. */
  content?: () => string | Uint8Array;
  /** Must match stderr: names the field (`target.instanceId`) or the flag (`--limit`). */
  expectStderr: RegExp;
  /** Exit code; 2 (bad arguments or bad input file, nothing started) unless said otherwise. */
  expectCode?: number;
}

/** Literal passwords planted in the corpus: no output may ever contain them. */
export const SECRETS = ['corpus-Literal-Pa55w0rd', 'corpus-url-Pa55'] as const;

/** `dcs-migrate start --file <fixture>`, refused with `expectStderr`. */
function fileCase(fixture: string, expectStderr: RegExp): BadInputCase {
  return { name: `file ${fixture}`, args: ['start', '--file', '{file}'], fixture, expectStderr };
}

const INVALID = 'invalid migration input; nothing was started';
const NOT_YAML = /not valid YAML or JSON/;
const REFERENCE = /a password is given as a reference, \{ env: NAME \} or \{ file: PATH \}/;

/** Random bytes, the same on every run. */
function garbage(bytes: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 1) out[i] = Math.floor(random() * 256);
  return out;
}

const ONLINE_FULL = [
  'kind: online',
  'source: { instanceId: dcs-source, password: { env: SOURCE_REDIS_PASSWORD } }',
  'target: { instanceId: dcs-target }',
  'network: { vpcId: vpc-1, subnetId: subnet-1, securityGroupId: sg-1 }',
  'method: full',
].join('\n');

/** Migration files that are refused before anything starts. */
export const FILE_CASES: BadInputCase[] = [
  // Structure: missing, unknown and misspelt fields, wrong kinds.
  fileCase('missing-target.yaml', /^\s+target: is required$/m),
  fileCase('missing-kind.yaml', /^\s+kind: .*'backup_import' \| 'online' \| 'legacy_online'/m),
  fileCase('unknown-kind.yaml', /^\s+kind: .*'online'/m),
  fileCase('missing-method.yaml', /^\s+method: .*"full"\|"incremental"/m),
  fileCase('bad-method.yaml', /^\s+method: .*"full"\|"incremental"/m),
  // Misspelt fields are named by their path with the closest allowed key (edit distance, or case and `_` ignored).
  fileCase(
    'typo-top-level-field.yaml',
    /(?=[^]*^\s+targett: unknown field; did you mean "target"\?$)(?=[^]*^\s+resume_mode: unknown field; did you mean "resumeMode"\?$)[^]*^\s+metod: unknown field; did you mean "method"\?$/m,
  ),
  fileCase(
    'typo-nested-field.yaml',
    /^\s+polling\.intialInterval: unknown field; did you mean "initialInterval"\?\n\s+polling\.progresInterval: unknown field; did you mean "progressInterval"\?$/m,
  ),
  fileCase('missing-network-field.yaml', /^\s+network\.subnetId: is required$/m),
  fileCase('empty-target-instance.yaml', /^\s+target\.instanceId: must not be empty$/m),
  fileCase('source-instance-and-addrs.yaml', /^\s+source: give exactly one of instanceId or addrs$/m),
  fileCase('legacy-instance-source.yaml', /^\s+source\.addrs: is required$/m),
  fileCase('bad-task-name.yaml', /^\s+taskName: /m),
  fileCase('delete-on-cancel-string.yaml', /^\s+deleteOnCancel: .*expected boolean/m),
  fileCase('target-is-string.json', /^\s+target: .*expected object/m),
  fileCase('instance-id-number.json', /^\s+source\.instanceId: .*expected string/m),
  fileCase('proto-key.json', /^\s+__proto__: unknown field; allowed here: kind, /m),
  // Numbers.
  fileCase('bandwidth-zero.yaml', /^\s+bandwidthLimitMb: .*>=1/m),
  fileCase('bandwidth-negative.yaml', /^\s+bandwidthLimitMb: .*>=1/m),
  fileCase('bandwidth-fraction.yaml', /^\s+bandwidthLimitMb: .*expected int/m),
  fileCase('polls-per-run-infinite.yaml', /^\s+polling\.pollsPerRun: /m),
  // Durations and polling.
  fileCase('duration-soon.yaml', /^\s+polling\.initialInterval: expected a duration/m),
  fileCase('duration-negative.yaml', /^\s+polling\.initialInterval: expected a duration/m),
  fileCase('duration-zero.yaml', /^\s+polling\.initialInterval: must be longer than 0$/m),
  fileCase('max-interval-below-initial.yaml', /^\s+polling\.maxInterval: must be at least initialInterval$/m),
  fileCase('polling-mode-unknown.yaml', /^\s+polling\.mode: .*"per-task"\|"shared"/m),
  fileCase('hold-on-full.yaml', /^\s+hold: only applies to method "incremental"$/m),
  fileCase('hold-bad-duration.yaml', /^\s+hold\.maxDuration: expected a duration/m),
  // Passwords: only references, and the refused value is never echoed.
  fileCase('literal-password-source.yaml', new RegExp(`^\\s+source\\.password: ${REFERENCE.source}`, 'm')),
  fileCase('literal-password.json', new RegExp(`^\\s+target\\.password: ${REFERENCE.source}`, 'm')),
  fileCase('password-value-key.yaml', /^\s+source\.password: /m),
  fileCase('password-env-and-file.yaml', /^\s+source\.password: give exactly one of env or file$/m),
  fileCase('password-env-not-a-name.yaml', /^\s+source\.password\.env: must be an environment variable name$/m),
  fileCase('verify-literal-password.yaml', new RegExp(`^\\s+verify\\.source\\.password: ${REFERENCE.source}`, 'm')),
  // Addresses.
  fileCase('addrs-no-port.yaml', /^\s+source\.addrs: must be host:port/m),
  fileCase('addrs-port-too-big.yaml', /^\s+source\.addrs: "[^"]+" has no valid port \(must be from 1 to 65535\)$/m),
  fileCase('addrs-space-in-list.yaml', /^\s+source\.addrs: must be host:port/m),
  fileCase('verify-address-no-port.yaml', /^\s+verify\.source\.address: must be host:port$/m),
  fileCase('verify-bad-mode.yaml', /^\s+verify\.mode: [^]*^\s+verify\.sampleRatio: /m),
  // Backup import.
  fileCase('backup-import-empty-files.json', /^\s+backup\.files: list at least one file$/m),
  fileCase('backup-import-unknown-source.json', /^\s+backup\.source: .*'obs' \| 'backup_record'/m),
  fileCase('backup-record-missing-id.json', /^\s+backup\.backupId: is required$/m),
  // Not a migration at all: empty, a list, a scalar, broken syntax.
  fileCase('empty.yaml', /--file \S*empty\.yaml: holds no migration/),
  fileCase('null.json', /--file \S*null\.json: holds no migration/),
  fileCase('list-not-object.yaml', /^\s+\(input\): .*expected object, received array/m),
  fileCase('scalar-not-object.yaml', /^\s+\(input\): .*expected object, received string/m),
  fileCase('broken-flow-sequence.yaml', /broken-flow-sequence\.yaml: not valid YAML or JSON: .* at line 2, column 1/),
  fileCase('broken.json', /broken\.json: not valid YAML or JSON: .* at line 4/),
  fileCase('json-single-quotes-and-comment.json', new RegExp(INVALID)),
  fileCase('tabs-for-indentation.yaml', /not valid YAML or JSON: Tabs are not allowed as indentation/),
  fileCase('duplicate-key.yaml', /not valid YAML or JSON: Map keys must be unique at line 10/),
  fileCase('two-documents.yaml', /not valid YAML or JSON: Source contains multiple documents/),
  fileCase('unresolved-alias.yaml', /not valid YAML or JSON: Unresolved alias/),
  fileCase('alias-bomb.yaml', /not valid YAML or JSON: Excessive alias count/),
  // Generated: huge, binary, wrongly encoded; not a file at all.
  {
    name: 'file: 4 MB of binary garbage',
    args: ['start', '--file', '{file}'],
    content: () => garbage(4 * 1024 * 1024, 7),
    expectStderr: new RegExp(`--file \\S+: (${NOT_YAML.source}|${INVALID})`),
  },
  {
    name: 'file: a 3 MB description',
    args: ['start', '--file', '{file}'],
    content: () => `${ONLINE_FULL}\ndescription: "${'x'.repeat(3 * 1024 * 1024)}"\n`,
    expectStderr: /^\s+description: Too big: .*1024/m,
  },
  {
    name: 'file: UTF-16 encoded',
    args: ['start', '--file', '{file}'],
    content: () => new Uint8Array(Buffer.from(`\ufeff${ONLINE_FULL}\n`, 'utf16le')),
    expectStderr: new RegExp(`--file \\S+: (${NOT_YAML.source}|${INVALID})`),
  },
  {
    name: 'file: missing',
    args: ['start', '--file', '{missing}'],
    expectStderr: /--file \S+: cannot read it \(ENOENT\)/,
  },
  {
    name: 'file: a directory',
    args: ['start', '--file', '{dir}'],
    expectStderr: /--file \S+: cannot read it \(EISDIR\)/,
  },
];

/** `dcs-migrate` invocations with bad subcommands, flags or arguments. */
export const CLI_CASES: BadInputCase[] = [
  { name: 'unknown subcommand', args: ['migrate'], expectStderr: /unknown command 'migrate'/ },
  {
    name: 'misspelt subcommand',
    args: ['strat', '--file', '{good}'],
    expectStderr: /unknown command 'strat'\n\(Did you mean start\?\)/,
  },
  { name: 'unknown global flag', args: ['--frobnicate'], expectStderr: /unknown option '--frobnicate'/ },
  {
    name: 'start: unknown flag',
    args: ['start', '--file', '{good}', '--force'],
    expectStderr: /unknown option '--force'/,
  },
  { name: 'start: no --file', args: ['start'], expectStderr: /required option '-f, --file <path>' not specified/ },
  {
    name: 'start: --file without a value',
    args: ['start', '--file'],
    expectStderr: /option '-f, --file <path>' argument missing/,
  },
  { name: 'start: misspelt --fil', args: ['start', '--fil', '{good}'], expectStderr: /--file/ },
  {
    name: 'start: --id with spaces',
    args: ['start', '--file', '{good}', '--id', 'has spaces'],
    expectStderr: /--id: expected .*; got "has spaces"/,
  },
  { name: 'start: empty --id', args: ['start', '--file', '{good}', '--id', ''], expectStderr: /--id: expected/ },
  {
    name: 'start: --id of 201 characters',
    args: ['start', '--file', '{good}', '--id', 'a'.repeat(201)],
    expectStderr: /--id: expected 1–200 characters/,
  },
  {
    name: 'start: empty --task-queue',
    args: ['start', '--file', '{good}', '--task-queue', ''],
    expectStderr: /--task-queue: must not be empty/,
  },
  {
    name: 'list: --limit lots',
    args: ['list', '--limit', 'lots'],
    expectStderr: /--limit: expected a whole number from 1 to 10000; got "lots"/,
  },
  {
    name: 'list: --status sleeping',
    args: ['list', '--status', 'sleeping'],
    expectStderr: /--status: expected one of .*running.*; got "sleeping"/,
  },
  {
    name: 'list: --phase napping',
    args: ['list', '--phase', 'napping'],
    expectStderr: /--phase: expected one of .*incremental-hold/,
  },
  {
    name: 'list: --remote-status injecting a query',
    args: ['list', '--remote-status', 'SUCCESS" OR WorkflowType = "x'],
    expectStderr: /--remote-status: expected a DCS status/,
  },
  {
    name: 'list: --plan empty',
    args: ['list', '--plan', ''],
    expectStderr: /--plan: expected a plan id .*; got nothing/,
  },
  {
    name: 'list: --plan injecting a query',
    args: ['list', '--plan', 'p" OR WorkflowType = "x'],
    expectStderr: /--plan: expected a plan id/,
  },
  { name: 'status: no id', args: ['status'], expectStderr: /missing required argument 'id'/ },
  { name: 'cutover: no id', args: ['cutover'], expectStderr: /missing required argument 'id'/ },
  { name: 'cancel: no id', args: ['cancel', '--delete'], expectStderr: /missing required argument 'id'/ },
  { name: 'watch: no id', args: ['watch'], expectStderr: /missing required argument 'id'/ },
  { name: 'status: two ids', args: ['status', 'a', 'b'], expectStderr: /too many arguments for 'status'/ },
  {
    name: 'cancel: --reason without text',
    args: ['cancel', 'some-id', '--reason'],
    expectStderr: /option '--reason <text>' argument missing/,
  },
  {
    name: 'status: unknown id',
    args: ['status', 'no-such-migration'],
    expectStderr: /no migration with id "no-such-migration"/,
  },
  {
    name: 'cutover: unknown id',
    args: ['cutover', 'no-such-migration'],
    expectStderr: /no migration with id "no-such-migration"/,
  },
  {
    name: 'cancel: unknown id',
    args: ['cancel', 'no-such-migration', '--delete'],
    expectStderr: /no migration with id "no-such-migration"/,
  },
  {
    name: 'watch: --interval soon',
    args: ['watch', 'some-id', '--interval', 'soon'],
    expectStderr: /--interval: expected a whole number from 200 to 600000; got "soon"/,
  },
  {
    name: 'worker: --shutdown-grace soon',
    args: ['worker', '--shutdown-grace', 'soon'],
    expectStderr: /--shutdown-grace: expected a duration/,
  },
  {
    name: 'worker: --watch-interval -5s',
    args: ['worker', '--watch-interval', '-5s'],
    expectStderr: /--watch-interval.*: expected a duration/,
  },
  {
    name: 'worker: --metrics-port 99999',
    args: ['worker', '--metrics-port', '99999'],
    expectStderr: /--metrics-port: must be at most 65535/,
  },
  {
    name: 'worker: --log-level loud',
    args: ['worker', '--log-level', 'loud'],
    expectStderr: /--log-level: expected trace, debug, info, warn or error/,
  },
  {
    name: 'worker: empty --task-queue',
    args: ['worker', '--task-queue', ''],
    expectStderr: /--task-queue: must not be empty/,
  },
  {
    name: 'api: --body and --file together',
    args: ['api', 'ShowMigrationTask', '--task-id', 't-1', '--body', '{}', '--file', '{good}'],
    expectStderr: /--body or --file, not both/,
  },
  {
    name: 'api: unknown operation',
    args: ['api', 'StealAllTheData'],
    expectStderr: /unknown operation "StealAllTheData"/,
  },
  {
    name: 'verify: no --target',
    args: ['verify', '--source', 'redis://127.0.0.1:6379'],
    expectStderr: /required option '--target <url>' not specified/,
  },
  {
    name: 'verify: --mode sideways',
    args: ['verify', '--source', 'redis://127.0.0.1:1', '--target', 'redis://127.0.0.1:2', '--mode', 'sideways'],
    expectStderr: /--mode: expected outline, length or full/,
  },
  {
    name: 'verify: URL with a password and a bad port',
    args: ['verify', '--source', `redis://:${SECRETS[1]}@127.0.0.1:99999`, '--target', 'redis://127.0.0.1:2'],
    expectStderr: /--source: expected a URL such as redis:\/\/host:6379/,
  },
  {
    name: 'emulator: --port 99999',
    args: ['emulator', '--port', '99999'],
    expectStderr: /--port: expected a whole number from 1 to 65535/,
  },
];

export const ALL_CASES: BadInputCase[] = [...FILE_CASES, ...CLI_CASES];
