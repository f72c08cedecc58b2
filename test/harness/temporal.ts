import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import {
  startTemporalDevServer,
  type TemporalDevServer,
  type TemporalDevServerOptions,
} from '../../local/temporal-dev-server.js';

export interface TemporalTestEnv {
  server: TemporalDevServer;
  env: TestWorkflowEnvironment;
  client: TestWorkflowEnvironment['client'];
  /** Creates a worker on the env's connection; the caller runs it (e.g. `worker.runUntil(...)`). */
  createWorker(options: Omit<WorkerOptions, 'connection' | 'namespace'>): Promise<Worker>;
  teardown(): Promise<void>;
}

let runtimeInstalled = false;

/**
 * Worker logs at WARN in tests: INFO lines for every state change drown the test report. Files whose activities
 * fail on purpose (scripted fakes) ask for ERROR. The first call in a test process wins.
 */
export function installQuietRuntime(level: 'WARN' | 'ERROR' = 'WARN'): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger(process.env.DCS_MIGRATE_TEST_LOG_LEVEL === 'debug' ? 'DEBUG' : level),
    });
  } catch {
    // Already installed by a test that needs its own runtime options.
  }
}

/** A real `temporal server start-dev` on free ports with the project's search attributes, plus a client. */
export async function startTemporalTestEnv(options: TemporalDevServerOptions = {}): Promise<TemporalTestEnv> {
  installQuietRuntime();
  const server = await startTemporalDevServer(options);
  try {
    const env = await TestWorkflowEnvironment.createFromExistingServer({
      address: server.address,
      namespace: server.namespace,
    });
    return {
      server,
      env,
      client: env.client,
      createWorker: (workerOptions) =>
        Worker.create({ connection: env.nativeConnection, namespace: server.namespace, ...workerOptions }),
      teardown: async () => {
        await env.teardown();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
