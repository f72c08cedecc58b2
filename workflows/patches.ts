/**
 * Every `patched()` id the workflow uses, in one list: when it landed, what it changed, where it is asked, and
 * which recorded histories pin it. Every `patched()` call takes its id from {@link Patch}; `patches.test.ts`
 * checks that each id asked in `workflows/` is listed here and each listed id is asked.
 *
 * A patch guards a change on a path old runs may replay: a run whose history lacks the id's marker takes the old
 * branch. `pinnedBy` lists the histories in `test/histories/` that reach the call without its marker (so they
 * replay the old branch; found by replaying each history and recording what `patched()` answered). A patch may
 * move to `deprecatePatch()` (new branch only) when both hold:
 * - no run that started before it landed is still open (a run continued as new keeps its first run's code
 *   path only until its next run: continue-as-new starts the new run on the current code, with every marker);
 * - `pinnedBy` is empty, or those histories are retired along with the old branch (and `test/replay.test.ts`'s
 *   list of expected files is updated).
 * Then, once no open run carries its marker either, the call goes away altogether.
 */

/** The ids, by name. Never change a value: it is written into every history that asked it. */
export const Patch = {
  VerifyStep: 'verify-step',
  ProgressInterval: 'progress-interval',
  ValidateInLocalActivity: 'validate-input-in-local-activity',
  CheckReferencesBeforeCreate: 'check-references-before-create',
  CleanUpOnFailure: 'clean-up-remote-task-on-failure',
  RefuseOwnedTask: 'refuse-adopting-owned-task',
  NotifyOnPhaseChange: 'notify-on-phase-change',
  PredictivePolling: 'predictive-polling',
  TaskLogsAndRestart: 'task-logs-and-restart',
  PrechecksBeforeCreate: 'prechecks-before-create',
  CutoverPolicy: 'cutover-policy',
  SwitchClientsAtCutover: 'switch-clients-at-cutover',
  SwitchAfterCleanVerify: 'switch-after-clean-verify',
  FailOnRefusedRestartAfterRollback: 'fail-on-refused-restart-after-rollback',
  CreateRetryAfter: 'create-retry-after-from-details',
  DcsOutageTolerance: 'dcs-outage-tolerance',
  ReportPhaseToPlan: 'report-phase-to-plan',
  UpgradeOnContinueAsNew: 'upgrade-on-continue-as-new',
  ReverseSyncInRollbackWindow: 'reverse-sync-in-rollback-window',
  CarryDeletesAtKeepWritesRollback: 'carry-deletes-at-keep-writes-rollback',
  PlanBoundedTasks: 'plan-bounded-tasks',
  PlanEtaSizes: 'plan-eta-sizes',
} as const;

export type PatchId = (typeof Patch)[keyof typeof Patch];

export interface PatchRecord {
  /** The day it landed on main, and the commit (`git log -S'<id>' -- workflows`). */
  readonly landed: string;
  readonly commit: string;
  /** The files whose `patched()` calls ask it. */
  readonly askedIn: readonly string[];
  /** What the new branch does, and what the old one (histories without the marker) keeps doing. */
  readonly change: string;
  /** Histories in `test/histories/` that ask it and get `false`: they replay the old branch. */
  readonly pinnedBy: readonly string[];
}

const FLOWS = [
  'backup-import',
  'legacy-online',
  'online-full',
  'online-incremental',
  'online-incremental-shared',
] as const;
const recorded = (prefix: string, flows: readonly string[] = FLOWS): string[] =>
  flows.map((flow) => `${prefix}${flow}.json`);

/** The list, oldest first. */
export const PATCHES: Readonly<Record<PatchId, PatchRecord>> = {
  [Patch.VerifyStep]: {
    landed: '2026-11-24',
    commit: 'fab7670',
    askedIn: ['steps/verify.ts'],
    change:
      'the optional verify step (input `verify`): asked only by runs whose input has a `verify` block, which no older run has',
    pinnedBy: [],
  },
  [Patch.ProgressInterval]: {
    landed: '2026-11-24',
    commit: '70edf5a',
    askedIn: ['steps/watch.ts'],
    change: 'progress is read at most every `polling.progressInterval` (and on a status change); before, on every poll',
    pinnedBy: recorded('sandbox-validation-', ['legacy-online', 'online-full', 'online-incremental']),
  },
  [Patch.ValidateInLocalActivity]: {
    landed: '2026-12-01',
    commit: '3803dd3',
    askedIn: ['steps/validate-input.ts'],
    change:
      'the input is validated in a local activity; before, inside the workflow sandbox (the schema library loaded there)',
    pinnedBy: recorded('sandbox-validation-'),
  },
  [Patch.CheckReferencesBeforeCreate]: {
    landed: '2026-12-01',
    commit: '8362ad4',
    askedIn: ['steps/create-task.ts'],
    change:
      'every secret reference is resolved on the worker (`checkReferences`) before the task is created; before, no such call',
    pinnedBy: [...recorded('pre-predictive-'), ...recorded('sandbox-validation-')],
  },
  [Patch.CleanUpOnFailure]: {
    landed: '2026-12-01',
    commit: '8362ad4',
    askedIn: ['finish.ts'],
    change:
      'a failure after the task exists stops (or deletes, or keeps: `onFailure`) the remote task and says so in its message; before, the run failed leaving the task as it was',
    pinnedBy: [],
  },
  [Patch.RefuseOwnedTask]: {
    landed: '2026-12-01',
    commit: '8362ad4',
    askedIn: ['steps/create-task.ts', 'steps/stop.ts'],
    change:
      'a task found by name is neither adopted nor stopped on cancel while another running migration owns it (`findTaskOwner`); before, it was adopted',
    pinnedBy: [],
  },
  [Patch.NotifyOnPhaseChange]: {
    landed: '2026-12-02',
    commit: 'c05054e',
    askedIn: ['steps/notify.ts'],
    change:
      'phase changes are sent to the input’s webhooks (`sendNotification`); asked only by runs with a `notify` block',
    pinnedBy: [],
  },
  [Patch.PredictivePolling]: {
    landed: '2026-12-02',
    commit: 'fa72513',
    askedIn: ['steps/predict.ts'],
    change:
      'reads are planned around the estimated end of the full sync (sparse, refining, dense) and the quiet hold reads sparsely; before, the plain backoff',
    pinnedBy: [
      'online-full-restart-operator.json',
      'online-full-restart-policy.json',
      'online-incremental-auto-cutover.json',
      ...recorded('pre-predictive-', [
        'legacy-online',
        'online-full',
        'online-incremental',
        'online-incremental-shared',
      ]),
      ...recorded('sandbox-validation-', [
        'legacy-online',
        'online-full',
        'online-incremental',
        'online-incremental-shared',
      ]),
      'switch-rollback-hold-cutover.json',
    ],
  },
  [Patch.TaskLogsAndRestart]: {
    landed: '2026-12-02',
    commit: '00754c6',
    askedIn: ['steps/watch.ts'],
    change:
      'a FAILED task’s last ERROR log entries go into the failure, and the `restart` policy or update may restart it; before, the run failed at once',
    pinnedBy: [],
  },
  [Patch.PrechecksBeforeCreate]: {
    landed: '2026-12-02',
    commit: '9510379',
    askedIn: ['steps/precheck.ts'],
    change: 'the pre-flight checks (`runPrechecks`) run before the task is created; before, none',
    pinnedBy: [
      'online-full-notify.json',
      'online-full-restart-operator.json',
      'online-full-restart-policy.json',
      'online-incremental-auto-cutover.json',
      ...recorded('pre-prechecks-'),
      ...recorded('pre-predictive-'),
      ...recorded('sandbox-validation-'),
      'switch-rollback-hold-cutover.json',
    ],
  },
  [Patch.CutoverPolicy]: {
    landed: '2026-12-02',
    commit: 'f0ac489',
    askedIn: ['steps/cutover-gate.ts'],
    change:
      'the hold ends as the input’s `cutover` policy decides (lag gate, window, `onDeadline`); before, at the next read after a request or the deadline',
    pinnedBy: [
      ...recorded('pre-prechecks-', ['online-incremental', 'online-incremental-shared']),
      ...recorded('pre-predictive-', ['online-incremental', 'online-incremental-shared']),
      ...recorded('sandbox-validation-', ['online-incremental', 'online-incremental-shared']),
      'switch-rollback-hold-cutover.json',
    ],
  },
  [Patch.SwitchClientsAtCutover]: {
    landed: '2026-12-02',
    commit: 'd0da915',
    askedIn: ['migration.ts'],
    change:
      'the cutover switches the clients (`cutover.switch`: exchange-ip, check, rollback window) before the task is stopped; asked only by inputs asking for a switch',
    pinnedBy: [],
  },
  [Patch.SwitchAfterCleanVerify]: {
    landed: '2026-12-02',
    commit: 'da50037',
    askedIn: ['steps/switch.ts'],
    change:
      'with a `verify` block, a target the verify step found different (or could not compare) refuses the switch; before, the switch went ahead',
    pinnedBy: ['switch-rollback-hold-cutover.json'],
  },
  [Patch.FailOnRefusedRestartAfterRollback]: {
    landed: '2026-12-07',
    commit: '519ee26',
    askedIn: ['steps/switch.ts'],
    change:
      'a restart DCS refuses after a rollback (`afterRollback: hold`) fails the migration (`RestartFailed`); before, the run went back to a hold on a task that was not copying. Asked only when the restart was refused',
    pinnedBy: ['switch-rollback-hold-cutover.json'],
  },
  [Patch.CreateRetryAfter]: {
    landed: '2026-12-07',
    commit: '7a1e43f',
    askedIn: ['steps/create-task.ts'],
    change:
      'a refused create is retried no sooner than the delay its failure carries in its details (Retry-After; the SDK drops `nextRetryDelay` on the way to workflow code); before, only the plain backoff. Asked only when a create failed with a suggested delay',
    pinnedBy: [],
  },
  [Patch.DcsOutageTolerance]: {
    landed: '2026-12-08',
    commit: '8335791',
    askedIn: ['steps/outage.ts'],
    change:
      'reads that fail for DCS being unreachable (no answer, 5xx, 429) count against `polling.dcsOutageTolerance` (then `DcsUnavailable`) instead of `maxFailedPolls`, a failed list is not followed by a Show, and the lookup before creating is retried through the outage; before, they counted as failed polls (`PollingFailed`). Asked only when a read failed so',
    pinnedBy: [],
  },
  [Patch.ReportPhaseToPlan]: {
    landed: '2026-12-08',
    commit: '364eee8',
    askedIn: ['plan/report-to-plan.ts'],
    change:
      'a migration started by a plan (it has a parent) signals the plan each phase change (`planItemReport`) and waits for those signals before its run ends; asked only by migrations with a parent, which no older run has',
    pinnedBy: [],
  },
  [Patch.UpgradeOnContinueAsNew]: {
    landed: '2026-12-07',
    commit: 'ae1f060',
    askedIn: ['version-upgrade.ts'],
    change:
      'a run pinned to a Worker Deployment version continues as new at its next poll once another version is current, the new run starting there (`AUTO_UPGRADE`, docs/deploys.md); before, it stayed on its version. Asked only when the server reports the change, which unversioned workers never see',
    pinnedBy: [],
  },
  [Patch.ReverseSyncInRollbackWindow]: {
    landed: '2026-12-08',
    commit: 'fd7db0f',
    askedIn: ['steps/reverse-sync.ts'],
    change:
      'after a switch (`cutover.rollback: keep-writes`, the default where DCS can), a reverse task (target → source) runs for the rollback window, a rollback waits until it caught up, the window’s end stops and deletes it; before, the window was a plain wait and a rollback restored the addresses only. Asked by inputs with a switch',
    pinnedBy: ['switch-rollback-hold-cutover.json'],
  },
  [Patch.CarryDeletesAtKeepWritesRollback]: {
    landed: '2026-12-08',
    commit: 'ae0b131',
    askedIn: ['steps/reverse-sync.ts'],
    change:
      'a keep-writes rollback also carries the deletes the reverse task cannot: once it caught up, the keys only the source holds are listed (deleted on the target before its full sync), and after it stopped, those the target still lacks are deleted from the source before rollback-ip; before, such keys stayed on the source. Asked only by a rollback that waited for a reverse task',
    pinnedBy: ['switch-reverse-sync-rollback.json'],
  },
  [Patch.PlanBoundedTasks]: {
    landed: '2026-12-08',
    commit: '6fab0de',
    askedIn: ['plan/plan.ts'],
    change:
      'a plan starts at most 100 items per workflow task (the rest on the next passes), and continues as new at 5,000 events; before, a pass started every item the pace allowed at once (up to maxConcurrency), and a run went on to 10,000 events. Asked only by a pass with more than 100 items to start, or past 5,000 events',
    pinnedBy: [],
  },
  [Patch.PlanEtaSizes]: {
    landed: '2026-12-08',
    commit: '8b371b9',
    askedIn: ['plan/read-sizes.ts'],
    change:
      "a new plan reads each item's source size (`readPlanItemSizes`: used memory, keys) before its first item starts, for the ETA; before, no such call",
    pinnedBy: [],
  },
};
