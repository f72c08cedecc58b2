/**
 * Why a remote task failed, as far as its error message and its log tell: the one place that decides whether a
 * failure was a lost connection (worth restarting the same task, input `restart`) or anything else (a wrong
 * password, a full target: restarting cannot fix it). Pure: the workflow calls it.
 *
 * DCS documents neither its log codes nor its failure messages, so the decision rests on two things: the code and
 * keyword the emulator writes for a lost connection (`migration.connection.lost`, keyword `connection`), and the
 * wording of connection failures in the message text, which is what the real service can be matched on.
 */
import type { TaskLogEntry } from './workflow-contract.js';

/** The log code (and keyword) of a failure caused by a lost or refused connection. */
export const CONNECTION_LOST_LOG_CODE = 'migration.connection.lost';
export const CONNECTION_KEYWORD = 'connection';

const CONNECTION_WORDING =
  /connection\b[^;]{0,160}?\b(lost|closed|reset|refused|broken|interrupted|timed out)|\b(cannot|could not|failed to|unable to) (connect|reach)\b|\bdisconnected\b|\bECONN(RESET|REFUSED|ABORTED)\b|\bETIMEDOUT\b|\bEHOSTUNREACH\b|\bnetwork (error|is unreachable)\b/i;
/** Wording that is a connection failure yet not a lost one: trying again with the same settings cannot help. */
const NOT_TRANSIENT = /\b(WRONGPASS|NOAUTH|authentication|password)\b/i;

/** True when `text` reads as a lost, refused or unreachable connection (and not as a refused password). */
export function readsAsConnectionLoss(text: string | undefined): boolean {
  if (!text) return false;
  return CONNECTION_WORDING.test(text) && !NOT_TRANSIENT.test(text);
}

/**
 * True when the task failed because a connection was lost: its last ERROR log entry says so by code or wording, or
 * (no ERROR entry) its error message does. Only the last entry counts: an earlier, resumed drop does not make a
 * later failure of another kind restartable.
 */
export function failedOnLostConnection(errorMessage: string | undefined, entries: readonly TaskLogEntry[]): boolean {
  const lastError = [...entries].reverse().find((entry) => entry.level.toUpperCase() === 'ERROR');
  if (lastError) return lastError.code === CONNECTION_LOST_LOG_CODE || readsAsConnectionLoss(lastError.message);
  return readsAsConnectionLoss(errorMessage);
}
