/**
 * When a workflow noticed a remote status: the time of the UpsertWorkflowSearchAttributes event that set
 * `DcsRemoteStatus` to it, read from the workflow's history after the run. Against the emulator's recorded
 * transition time this is the notice lag (the poll wait plus the workflow task that records it).
 */
import type { WorkflowHandle } from '@temporalio/client';

export async function noticedAt(handle: WorkflowHandle, status: string): Promise<number | undefined> {
  const history = await handle.fetchHistory();
  for (const event of history.events ?? []) {
    const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    const payload = fields?.DcsRemoteStatus;
    if (!payload?.data) continue;
    const value: unknown = JSON.parse(Buffer.from(payload.data).toString('utf8'));
    const values = Array.isArray(value) ? value : [value];
    if (!values.includes(status)) continue;
    const time = event.eventTime;
    if (!time) continue;
    return Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
  }
  return undefined;
}
