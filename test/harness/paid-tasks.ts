import { isFinalStatus } from '../../common/dcs-status.js';

/**
 * Tasks that still run a migration machine, which DCS bills until the task ends: those whose status is not final
 * (stopped, succeeded, failed and the like). A scenario prints the count when it ends and expects none, so a test
 * that leaves a paid task running says so in its output as well as failing.
 */
export function paidTasksLeft(scenario: string, tasks: ReadonlyArray<{ status?: unknown }>): number {
  const running = tasks.filter((task) => !isFinalStatus(String(task.status ?? ''))).length;
  console.log(`${scenario}: ${running} paid task(s) left running of ${tasks.length}`);
  return running;
}
