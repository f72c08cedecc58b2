import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { startTemporalDevServer, type TemporalDevServer, type TemporalDevServerOptions } from '../../local/temporal-dev-server.js';

export interface TemporalTestEnv {
  server: TemporalDevServer;
  env: TestWorkflowEnvironment;
  client: TestWorkflowEnvironment['client'];
  /** Creates a worker on the env's connection; the caller runs it (e.g. `worker.runUntil(...)`). */
  createWorker(options: Omit<WorkerOptions, 'connection' | 'namespace'>): Promise<Worker>;
  teardown(): Promise<void>;
}

/** A real `temporal server start-dev` on free ports with the project's search attributes, plus a client. */
export async function startTemporalTestEnv(options: TemporalDevServerOptions = {}): Promise<TemporalTestEnv> {
  const server = await startTemporalDevServer(options);
  try {
    const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, namespace: server.namespace });
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
