/**
 * Links into the Temporal Web UI for a workflow. The base is DCS_MIGRATE_UI_URL when set (docker compose, a
 * shared UI); otherwise it is derived from the frontend address the way `temporal server start-dev` lays out its
 * ports (UI on gRPC port + 1000), or Temporal Cloud's UI for a `*.tmprl.cloud` address.
 */
export const UI_URL_ENV = 'DCS_MIGRATE_UI_URL';

/** The UI base URL for `address`, or undefined when it cannot be guessed. */
export function temporalUiBase(address: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env[UI_URL_ENV]?.trim();
  if (explicit) return explicit.replace(/\/+$/, '');
  const match = /^(.*):(\d+)$/.exec(address);
  if (!match) return undefined;
  const [, host = '', port = ''] = match;
  if (host.endsWith('.tmprl.cloud')) return 'https://cloud.temporal.io';
  const local = host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]';
  return local ? `http://${host}:${Number(port) + 1000}` : undefined;
}

/** The UI page of one workflow (its latest run when `runId` is omitted). */
export function workflowUiUrl(base: string, namespace: string, workflowId: string, runId?: string): string {
  const page = `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${page}/${encodeURIComponent(runId)}/history` : page;
}

/** The UI's workflow list filtered by a visibility query. */
export function workflowListUiUrl(base: string, namespace: string, query: string): string {
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

/** The UI page of `workflowId` for a CLI connected to `address`/`namespace`, when a UI base is known. */
export function migrationUiUrl(
  config: { address: string; namespace: string },
  workflowId: string,
  runId?: string,
): string | undefined {
  const base = temporalUiBase(config.address);
  return base ? workflowUiUrl(base, config.namespace, workflowId, runId) : undefined;
}
