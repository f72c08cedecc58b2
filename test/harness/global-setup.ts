import { reapOrphans } from '../../local/processes.js';
import { resolveRedisServer, resolveTemporalCli, resolveTimeSkippingServer, toolVersion } from '../../local/tools.js';
import { prebuild } from '../../tools/prebuild.js';

/**
 * Runs once around the whole test run. Tests never skip for a missing binary: if `temporal`, the time-skipping
 * test server or `redis-server` cannot be found (`tools/setup.ts` provisions them), the run fails here with the install instructions. Processes an interrupted earlier run left
 * behind are killed before, and anything this run left behind is killed after. The CLI and the workflow bundles are
 * prebuilt from the sources as they are, so the CLI the tests spawn starts fast and workers skip webpack (both check
 * that their build is current and fall back to the sources otherwise).
 */
export async function setup(): Promise<void> {
  report('before the run', reapOrphans());
  const temporal = await resolveTemporalCli();
  const redis = await resolveRedisServer();
  const testServer = await resolveTimeSkippingServer();
  await prebuild((line) => console.log(`test harness: ${line}`));
  // Said once per run, so a CI log shows which real servers the tests ran against.
  console.log(`test harness: Temporal dev server from ${temporal} (${await toolVersion(temporal)})`);
  console.log(`test harness: time-skipping test server from ${testServer}`);
  console.log(`test harness: redis-server from ${redis} (${await toolVersion(redis)})`);
}

export async function teardown(): Promise<void> {
  report('after the run', reapOrphans());
}

function report(when: string, reaped: ReturnType<typeof reapOrphans>): void {
  for (const entry of reaped) console.warn(`test harness: killed leftover ${entry.name} (pid ${entry.pid}) ${when}`);
}
