/**
 * What `cutover`, `rollback` and `restart` share: each is a workflow update with an optional note, sent to a running
 * migration, answered with what the workflow accepted, or rejected with the workflow's reason (exit 2, nothing
 * recorded). The command files only define their command (cheap); this module, with the Temporal client, loads
 * when one of them runs.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { CliError, EXIT } from './exit-codes.js';
import { failureMessage, isClosed, readMigration } from './migration-view.js';
import { printJson, printLines } from './output.js';
import type { TemporalFlags } from './temporal-flags.js';
import { withTemporal } from './temporal-client.js';

export interface OperatorUpdateFlags extends TemporalFlags {
  note?: string;
  json?: boolean;
}

/**
 * Sends `update` (with `{ note }` and `extra`) to migration `id`. `verb` names it in messages (`cutover
 * rejected: …`); `lines` renders the accepted answer for people (`--json` prints it whole).
 */
export async function sendOperatorUpdate<Answer extends object, Request extends { note?: string }>(
  id: string,
  flags: OperatorUpdateFlags,
  verb: string,
  update: UpdateDefinition<Answer, [Request]>,
  lines: (answer: Answer) => string[],
  extra: Partial<Request> = {},
): Promise<void> {
  await withTemporal(flags, async ({ client }) => {
    // Reading first turns an unknown id into a clear exit 2 rather than an update error.
    const view = await readMigration(client, id, { describeOnly: true });
    if (isClosed(view.execution))
      throw new CliError(`${verb} rejected: migration ${id} is already closed (${view.execution})`, EXIT.USAGE);
    try {
      const answer = await client.workflow
        .getHandle(id)
        .executeUpdate(update, { args: [{ ...extra, ...(flags.note ? { note: flags.note } : {}) } as Request] });
      if (flags.json) printJson({ workflowId: id, accepted: true, ...answer });
      else printLines(...lines(answer));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError)
        throw new CliError(`${verb} rejected: ${failureMessage(error.cause ?? error)}`, EXIT.USAGE);
      // The run closed between the read above and the update.
      if (error instanceof WorkflowNotFoundError)
        throw new CliError(`${verb} rejected: migration ${id} is already closed`, EXIT.USAGE);
      throw error;
    }
  });
}
