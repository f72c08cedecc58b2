/**
 * Merges groups of activities into the one object the worker registers. An object spread lets a later key win
 * silently, which once hid a second `restartTask` that ignored DCS's refusal; here a name defined twice stops the
 * worker at start-up instead.
 */

type Intersection<U> = (U extends unknown ? (group: U) => void : never) extends (group: infer I) => void ? I : never;

/** Thrown when two groups define an activity of the same name. */
export class DuplicateActivityError extends Error {
  constructor(readonly activityName: string) {
    super(`activity "${activityName}" is defined twice: each activity name must come from one group`);
    this.name = 'DuplicateActivityError';
  }
}

/** One object with every group's activities; throws {@link DuplicateActivityError} on a name defined twice. */
export function mergeActivities<Groups extends object[]>(...groups: Groups): Intersection<Groups[number]> {
  const merged: Record<string, unknown> = {};
  for (const group of groups) {
    for (const [name, activity] of Object.entries(group)) {
      if (Object.hasOwn(merged, name)) throw new DuplicateActivityError(name);
      merged[name] = activity;
    }
  }
  return merged as Intersection<Groups[number]>;
}
