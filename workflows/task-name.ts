/**
 * The remote task name is the idempotency key of task creation: before creating, the workflow looks the name
 * up, so a lost create response or a crash between "created" and "recorded" never makes a second task. It is
 * derived from the workflow id, which the client keeps unique (`workflowIdReusePolicy: REJECT_DUPLICATE`).
 */
const MAX_TASK_NAME_LENGTH = 64;
const PREFIX = 'dcsm-';

/** FNV-1a, 32 bit: a short, stable fingerprint (workflow code has no crypto module). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * `dcsm-<workflow id with anything but [A-Za-z0-9_-] replaced by ->`, at most 64 characters. When sanitizing
 * changed or truncated the id, a fingerprint of the full id is appended so two ids never share a name.
 */
export function deriveTaskName(workflowId: string): string {
  const sanitized = workflowId.replace(/[^A-Za-z0-9_-]/g, '-');
  const plain = `${PREFIX}${sanitized}`;
  if (sanitized === workflowId && plain.length <= MAX_TASK_NAME_LENGTH) return plain;
  const fingerprint = fnv1a(workflowId);
  const room = MAX_TASK_NAME_LENGTH - PREFIX.length - fingerprint.length - 1;
  return `${PREFIX}${sanitized.slice(0, room)}-${fingerprint}`;
}

/**
 * The name of the reverse task of the rollback window (`cutover.rollback: keep-writes`): the migration's task name
 * with `-rev` (`-rev2` for the second switch's, …), at most 64 characters (a long name is cut, with a fingerprint
 * of the whole). Looked up before it is created, as the migration's own task is; a switch after a rollback gets a
 * name of its own, so an earlier switch's deleted task is never adopted.
 */
export function reverseTaskName(taskName: string, switchNumber = 1): string {
  const suffix = `-rev${switchNumber > 1 ? switchNumber : ''}`;
  const plain = `${taskName}${suffix}`;
  if (plain.length <= MAX_TASK_NAME_LENGTH) return plain;
  const fingerprint = fnv1a(taskName);
  const room = MAX_TASK_NAME_LENGTH - suffix.length - fingerprint.length - 1;
  return `${taskName.slice(0, room)}-${fingerprint}${suffix}`;
}
