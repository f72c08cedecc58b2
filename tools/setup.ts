/**
 * Provisions the binaries dcs-migrate runs against: the system packages (tools/system-packages.ts), the Temporal
 * CLI (dev server), Temporal's time-skipping test server (the workflow timing tests, `test/workflow-timing.test.ts`,
 * and the long-hold benchmarks) and redis-server.
 * Every command that needs them calls this first (`npm test`, the local stack); it is idempotent and fast when
 * everything is already there. Exits non-zero with install instructions when a tool cannot be provisioned.
 */
import {
  MissingToolError,
  resolveRedisServer,
  resolveTemporalCli,
  resolveTimeSkippingServer,
  toolVersion,
} from '../local/tools.js';
import { ensureSystemPackages } from './system-packages.js';

async function main(): Promise<void> {
  const quiet = process.argv.includes('--quiet');
  const log = (line: string) => console.error(line);
  await ensureSystemPackages({ log });
  const temporal = await resolveTemporalCli({ install: true, log });
  const testServer = await resolveTimeSkippingServer({ install: true, log });
  const redis = await resolveRedisServer();
  if (!quiet) {
    console.log(`temporal:     ${temporal} (${await toolVersion(temporal)})`);
    console.log(`test server:  ${testServer}`);
    console.log(`redis-server: ${redis} (${await toolVersion(redis)})`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof MissingToolError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
