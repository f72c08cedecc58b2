/**
 * What a failed migration did to its remote task on the way out (input `onFailure`). The workflow appends it to
 * its failure's details (`{ remoteTask: … }`) and its wording to the failure's message; `dcs-migrate status`
 * shows the same wording. Pure code: imported by the workflow and the CLI.
 */
export interface RemoteTaskCleanup {
  /**
   * `stopped` / `deleted`: done; `kept`: left running as requested (`onFailure: keep`); `left`: nothing to do (no
   * task of this migration exists, it no longer exists, or it had already ended); `not-stopped`: the cleanup
   * itself failed (`error`).
   */
  action: 'stopped' | 'deleted' | 'kept' | 'left' | 'not-stopped';
  taskId?: string;
  /** The task's last known remote status. */
  status?: string;
  /** Why the stop failed (`not-stopped`). */
  error?: string;
  /** Why nothing was done (`left`). */
  reason?: string;
}

/** One clause for the failure message: "remote task 123 stopped (TERMINATED)". */
export function describeRemoteTaskCleanup(cleanup: RemoteTaskCleanup): string {
  const task = cleanup.taskId ? `remote task ${cleanup.taskId}` : 'remote task';
  const status = cleanup.status ? ` (${cleanup.status})` : '';
  switch (cleanup.action) {
    case 'stopped':
      return `${task} stopped${status}`;
    case 'deleted':
      return `${task} stopped and deleted (onFailure: delete)`;
    case 'kept':
      return `${task} kept${status} as requested (onFailure: keep): stop or delete it yourself once done`;
    case 'not-stopped':
      return `${task} could not be stopped${status}: ${cleanup.error ?? 'unknown error'}; it may still be running, stop it yourself`;
    case 'left':
      return cleanup.taskId
        ? `${task} left as it is${status}${cleanup.reason ? `: ${cleanup.reason}` : ''}`
        : (cleanup.reason ?? 'no remote task was created');
  }
}

/** The cleanup record in a failure's details, if any (details are untyped once they cross the wire). */
export function remoteTaskCleanupOf(details: readonly unknown[] | undefined | null): RemoteTaskCleanup | undefined {
  for (const detail of details ?? []) {
    const candidate = (detail as { remoteTask?: RemoteTaskCleanup } | null)?.remoteTask;
    if (candidate && typeof candidate.action === 'string') return candidate;
  }
  return undefined;
}
