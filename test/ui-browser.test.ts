/**
 * The Temporal Web UI, seen through a real browser (Debian's headless Chromium driven by playwright-core): a
 * migration started on the local stack can be found in the UI's workflow list by dcs-migrate's search attributes,
 * and its page shows the summary and details the CLI set at start and the current details the workflow keeps
 * up to date. Screenshots go to test-artifacts/ (git-ignored) for a person to look at.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import getPort from 'get-port';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowListUiUrl } from '../client/ui-link.js';
import { parseMigrationInput } from '../common/migration-input.js';
import { DcsMigrationType, DcsPhase } from '../common/search-attributes.js';
import { buildMigrationStartOptions } from '../common/start-options.js';
import { cutoverUpdate, MIGRATION_WORKFLOW_TYPE, statusQuery } from '../common/workflow-contract.js';
import { projectRoot } from '../local/tools.js';
import { waitFor } from '../local/wait.js';
import { demoMigrationInput } from '../stack/demo-input.js';
import { createStackLog } from '../stack/stack-log.js';
import { startLocalStack, type LocalStack } from '../stack/start-stack.js';
import { chromiumPath } from '../tools/system-packages.js';

const CHROMIUM = chromiumPath();
const artifacts = path.join(projectRoot, 'test-artifacts');

let stack: LocalStack;
let browser: BrowserContext;
let userDataDir: string;
let logDir: string;

/** Text of the page and of every frame in it (the UI renders Markdown metadata in sandboxed frames). */
async function allText(page: Page): Promise<string> {
  const texts = await Promise.all(
    page.frames().map((frame) =>
      frame
        .locator('body')
        .innerText()
        .catch(() => ''),
    ),
  );
  return texts.join('\n');
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  logDir = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-ui-'));
  const quiet = createStackLog(new Writable({ write: (_chunk, _encoding, done) => done() }));
  stack = await startLocalStack(
    { keys: 2_000, port: await getPort({ host: '127.0.0.1' }), uiPort: await getPort({ host: '127.0.0.1' }), logDir },
    quiet,
  );
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 1000 },
  });
  await mkdir(artifacts, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  for (const dir of [userDataDir, logDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Temporal Web UI in a real browser', () => {
  it('finds a running migration by its search attributes and shows its summary, details and current details', async () => {
    const workflowId = `ui-browser-${process.pid}`;
    const handle = await stack.client.workflow.start(
      MIGRATION_WORKFLOW_TYPE,
      buildMigrationStartOptions({
        input: parseMigrationInput(demoMigrationInput()),
        workflowId,
        taskQueue: stack.taskQueue,
      }),
    );
    await waitFor(
      'the migration to hold in sync',
      async () => (await handle.query(statusQuery)).phase === 'incremental-hold',
      90_000,
      300,
    );
    const namespace = stack.temporal.namespace;
    const page = await browser.newPage();

    const query = `${DcsPhase.name}="incremental-hold" AND ${DcsMigrationType.name}="online:incremental"`;
    await page.goto(workflowListUiUrl(stack.uiUrl, namespace, query));
    const row = page.getByRole('link', { name: workflowId });
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => allText(page)).toContain('RUNNING');
    await page.screenshot({ path: path.join(artifacts, 'ui-workflow-list.png') });

    // The same list filtered on another phase must not show it: the UI really filters by the attribute.
    await page.goto(workflowListUiUrl(stack.uiUrl, namespace, `${DcsPhase.name}="failed"`));
    await expect.poll(() => allText(page), { timeout: 30_000 }).toMatch(/(^|\n)0\s+Workflows\b/);
    expect(await page.getByRole('link', { name: workflowId }).count()).toBe(0);

    await page.goto(workflowListUiUrl(stack.uiUrl, namespace, query));
    await page.getByRole('link', { name: workflowId }).click();
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    // The current details re-render whenever the workflow publishes (every read in the hold): wait for one snapshot
    // that shows them whole, then check that snapshot, rather than read the page again mid-render.
    let text = '';
    await expect
      .poll(
        async () => {
          text = await allText(page);
          return (
            text.includes('Phase: incremental-hold') &&
            /Remote status: INCRMIGEATING/.test(text) &&
            /Sync offset: \d+/.test(text)
          );
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    expect(text).toContain('Phase: incremental-hold');
    expect(text).toContain('Incremental online migration: instance dcs-source → instance dcs-target');
    expect(text).toMatch(/Method: incremental/);
    expect(text).toMatch(/Remote status: INCRMIGEATING/);
    expect(text).toMatch(/Sync offset: \d+/);
    expect(text).not.toMatch(/SOURCE_REDIS_PASSWORD=|password":\s*"[^{]/);
    await page.screenshot({ path: path.join(artifacts, 'ui-workflow-metadata.png') });
    await page.close();

    await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'ui browser test' }] });
    expect((await handle.result()).outcome).toBe('cut-over');
  });
});
