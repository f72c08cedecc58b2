/**
 * A stack on Temporal's time-skipping test server for benchmarks over long holds: whenever no activity runs,
 * workflow time jumps to the next timer, so a day of per-task polling takes seconds and makes exactly the polls the
 * real schedule makes. The worker runs in this process with the real activities against the emulator's timeline
 * plane. The emulator keeps real time: its short phases (creation, full sync, stop) pass in milliseconds.
 */
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSecretResolver } from '../../activities/index.js';
import { searchAttributeKeys } from '../../common/search-attributes.js';
import { DcsClient } from '../../dcs/client.js';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { resolveTimeSkippingServer } from '../../local/tools.js';
import { createMigrationWorker } from '../../worker/create-worker.js';
import { onCleanup } from './cleanup.js';

export interface TimeSkippingStack {
  env: TestWorkflowEnvironment;
  emu: Emulator;
  taskQueue: string;
}

export async function startTimeSkippingStack(label: string): Promise<TimeSkippingStack> {
  const serverPath = await resolveTimeSkippingServer({ install: true, log: console.log });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: serverPath } },
  });
  onCleanup(() => env.teardown());
  // The test server knows no custom search attributes until told (the dev server gets them as flags).
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      searchAttributeKeys.map((key) => [
        key.name,
        proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  const emu = await startEmulator({
    timings: { creatingMs: 20, terminatingMs: 20 },
    dataPlane: { timeline: { fullSyncMs: 50, stopMs: 20 } },
    requestLogCapacity: 2_000_000,
  });
  onCleanup(() => emu.stop());
  emu.registerInstance({ id: 'bench-target', host: '127.0.0.1', port: 2 });
  const dcs = DcsClient.fromEnv(
    {},
    {
      endpoint: emu.url,
      projectId: emu.credentials.projectId,
      accessKey: emu.credentials.ak,
      secretKey: emu.credentials.sk,
    },
  );
  onCleanup(() => dcs.close());
  const taskQueue = `${label}-${process.pid}-${Date.now()}`;
  const worker = await createMigrationWorker({
    connection: env.nativeConnection,
    taskQueue,
    dcs,
    secrets: createSecretResolver({ env: {} }),
    shutdownGraceTime: '1s',
  });
  const running = worker.run();
  onCleanup(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });
  return { env, emu, taskQueue };
}
