/**
 * Liveness heartbeats: while an activity runs, the worker tells Temporal it is alive, so that an attempt lost with
 * a killed worker is retried within the activity's heartbeat timeout (seconds) instead of its start-to-close
 * timeout (45 s, which slow DCS calls still need). Activities that heartbeat on their own, with checkpoint details
 * (verifyData), are not wrapped: a beat without details would erase the checkpoint.
 */
import { activityInfo, heartbeat } from '@temporalio/activity';

/** Beats this many times per heartbeat timeout, so one late timer never lets the timeout pass. */
const BEATS_PER_TIMEOUT = 3;

/** Starts beating for the current activity when its options set a heartbeat timeout; returns the stop. */
function beatWhileRunning(): () => void {
  const timeoutMs = activityInfo().heartbeatTimeoutMs;
  // Local activities have no heartbeat timeout, and neither do activities scheduled without one.
  if (!timeoutMs) return () => undefined;
  const beat = setInterval(() => heartbeat(), Math.max(100, Math.floor(timeoutMs / BEATS_PER_TIMEOUT)));
  return () => clearInterval(beat);
}

type AnyActivity = (...args: never[]) => Promise<unknown>;

/** The same activities, each beating while it runs (see the file comment). */
export function withLivenessHeartbeats<Group extends Record<string, AnyActivity>>(group: Group): Group {
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, activity] of Object.entries(group)) {
    wrapped[name] = async (...args: never[]) => {
      const stop = beatWhileRunning();
      try {
        return await activity(...args);
      } finally {
        stop();
      }
    };
  }
  return wrapped as Group;
}
