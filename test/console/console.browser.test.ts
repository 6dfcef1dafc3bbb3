import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type RunningServer, startServer } from '../../cli/commands/serve.ts';
import { REPO_ROOT } from '../support/fixtures.ts';
import { anotherPublicBucketFinding, demoFindings, sendEvents } from './support.ts';

/**
 * The console in a real browser: Debian's Chromium driven by playwright-core, against
 * `riposte serve` on a fresh store fed the demo's findings (one production instance waits for
 * approval). Screenshots of each page go to test-results/console/ (git-ignored).
 */

const SHOTS = path.join(REPO_ROOT, 'test-results', 'console');
const LAUNCH_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Who acts locally: the OS user, as the CLI's case commands record it. */
const ME = userInfo().username;
const QueueSchema = z.array(z.object({ id: z.string(), status: z.string() }));
const DetailSchema = z.object({
  owner: z.string().optional(),
  notes: z.array(z.object({ author: z.string(), text: z.string() })),
  executions: z.array(z.object({ playbook: z.string() })),
});
const SuppressionsSchema = z.array(
  z.object({
    incidentId: z.string().optional(),
    createdBy: z.string(),
    suppressedAlerts: z.array(z.unknown()),
  }),
);

function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium is missing: apt-get install -y chromium (.ci/run installs it)');
  }
}

describe('the console in Chromium', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const outside: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-console-'));
    await mkdir(SHOTS, { recursive: true });
    server = await startServer({ cwd: REPO_ROOT, port: 0, dataDir });
    await sendEvents(server.url, demoFindings(Date.now()));
    browser = await chromium.launch({ executablePath: chromiumPath(), args: LAUNCH_FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Every asset is bundled: a request anywhere but the console is a defect.
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url)) outside.push(request.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const visible = (locator: Locator) => locator.first().waitFor({ state: 'visible', timeout: 10_000 });
  const count = (locator: Locator, n: number) =>
    expect.poll(() => locator.count(), { timeout: 10_000 }).toBe(n);
  const text = (locator: Locator, expected: string) =>
    expect.poll(() => locator.first().innerText(), { timeout: 10_000 }).toContain(expected);
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const row = (text: RegExp) => page.getByRole('row').filter({ hasText: text });

  it('opens the queue and filters it', async () => {
    // Act
    await page.goto(`${server.url}/`);

    // Assess
    await count(page.getByRole('table', { name: 'Incidents' }).getByRole('row'), 4);
    await page.getByLabel('Status').selectOption('awaiting_approval');
    await count(page.getByRole('table', { name: 'Incidents' }).getByRole('row'), 2);
    await text(row(/Command and Control/), 'Awaiting approval');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Search').fill('payments-exports');
    await count(page.getByRole('table', { name: 'Incidents' }).getByRole('row'), 2);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await shot('queue');
  });

  it('moves with j/k, opens with Enter and lists the keys on ?', async () => {
    // Prepare
    await page.goto(`${server.url}/#/`);
    await count(page.getByRole('table', { name: 'Incidents' }).getByRole('row'), 4);

    // Act
    await page.keyboard.press('?');

    // Assess
    await visible(page.getByRole('dialog', { name: 'Keyboard shortcuts' }));
    await page.getByRole('button', { name: 'Close' }).click();
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('j');
    await count(page.locator('tr[aria-selected="true"]'), 1);
    await page.keyboard.press('Enter');
    // The queue re-sorts as live updates arrive, so the row under the cursor can change between a
    // read and the key press: assert that Enter opened an incident page, not which one.
    await page.waitForURL(/#\/incidents\/inc-/, { timeout: 10_000 });
    await visible(page.getByRole('heading', { level: 1 }));
  });

  it('approves a pending approval and the execution continues', async () => {
    // Prepare
    await page.goto(`${server.url}/#/`);
    await page.getByRole('link', { name: /Command and Control/ }).click();
    await visible(page.getByRole('region', { name: 'Pending approval' }));
    await visible(page.getByRole('img', { name: /State machine of ec2-instance-compromise/ }));
    await visible(page.getByRole('button', { name: /Approve isolation: request: Waiting for a person/ }));
    await shot('incident-awaiting-approval');

    // Act
    await page.getByRole('button', { name: 'Approve…' }).click();
    await page
      .getByRole('dialog', { name: 'Approve the request?' })
      .getByRole('button', { name: 'Approve' })
      .click();

    // Assess
    await text(page.getByRole('status'), 'Approved');
    const execution = page.getByRole('region', { name: 'Execution of ec2-instance-compromise' });
    await text(execution, 'Succeeded');
    await visible(execution.getByRole('button', { name: /^Isolate and snapshot: Succeeded/ }));
    await visible(page.getByText(/Approval approved by/));
    await page.getByRole('tab', { name: /Actions/ }).click();
    await visible(page.getByRole('article', { name: /isolate-instance on i-0a1b2c3d4e5f60718/ }));
    await page.getByRole('tab', { name: 'Response' }).click();
    await shot('incident');
  });

  it('releases after a confirmation that lists what will be undone', async () => {
    // Prepare
    await text(page.getByRole('heading', { level: 1 }), 'Command and Control');

    // Act
    await page.getByRole('button', { name: 'Release…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Release the containment?' });
    await text(dialog.getByRole('list', { name: 'What will be undone' }), 'isolate-instance');
    await shot('release-confirmation');
    await dialog.getByRole('button', { name: 'Release' }).click();

    // Assess
    await text(page.getByRole('status'), 'Release started');
    const release = page.getByRole('region', { name: 'Execution of ec2-instance-release' });
    await text(release, 'Succeeded');
    await text(page.getByRole('group', { name: 'Incident facts' }), 'Released');
  });

  it('adds a note and assigns the incident', async () => {
    // Prepare
    await page.goto(`${server.url}/#/`);
    await page.getByRole('link', { name: /Tor exit node/ }).click();
    await text(page.getByRole('group', { name: 'Incident facts' }), 'unassigned');
    const incidentId = page.url().split('/').at(-1) ?? '';

    // Act
    await page.getByRole('button', { name: 'Add note' }).first().click();
    const noteDialog = page.getByRole('dialog', { name: 'Add a note' });
    await noteDialog.getByLabel('Note').fill('Key rotated; the deployer confirms the CI runner was not used');
    await noteDialog.getByRole('button', { name: 'Add note' }).click();
    await text(page.getByRole('status'), 'Note added');
    await page.getByRole('button', { name: 'Assign' }).click();
    const assignDialog = page.getByRole('dialog', { name: 'Assign the incident' });
    await assignDialog.getByLabel('Owner').fill('alice');
    await assignDialog.getByLabel('Owner').press('Enter');

    // Assess
    await text(page.getByRole('status'), 'Assigned to alice');
    await text(page.getByRole('group', { name: 'Incident facts' }), 'Owner alice');
    await page.getByRole('tab', { name: /Notes/ }).click();
    const notes = page.getByRole('region', { name: 'Notes' });
    await text(notes, 'the CI runner was not used');
    await text(notes, `${ME} ·`);
    await shot('incident-notes');
    const stored = DetailSchema.parse(
      await (await fetch(`${server.url}/api/incidents/${incidentId}`)).json(),
    );
    expect(stored.owner).toBe('alice');
    expect(stored.notes).toEqual([
      expect.objectContaining({
        author: ME,
        text: 'Key rotated; the deployer confirms the CI runner was not used',
      }),
    ]);
  });

  it('closes a false positive with a suppression: the same finding type on the bucket opens nothing', async () => {
    // Prepare
    await page.goto(`${server.url}/#/`);
    await page.getByRole('link', { name: /payments-exports is publicly accessible/ }).click();
    await visible(page.getByRole('button', { name: 'Close…' }));
    const incidentId = page.url().split('/').at(-1) ?? '';
    const before = QueueSchema.parse(await (await fetch(`${server.url}/api/incidents`)).json());
    const detailBefore = DetailSchema.parse(
      await (await fetch(`${server.url}/api/incidents/${incidentId}`)).json(),
    );

    // Act
    await page.getByRole('button', { name: 'Close…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close the incident' });
    await dialog.getByLabel('Resolution').selectOption('false_positive');
    await dialog.getByLabel('Suppress this finding type on this resource').check();
    await dialog.getByLabel('Suppression expires after (days)').fill('7');
    await dialog.getByLabel('Note (optional)').fill('The bucket hosts the public price list');
    await shot('close-confirmation');
    await dialog.getByRole('button', { name: 'Close incident' }).click();
    await text(page.getByRole('status'), 'Closed as false positive, suppressed for 7 days');
    await sendEvents(server.url, [anotherPublicBucketFinding(Date.now())]);

    // Assess
    const facts = page.getByRole('group', { name: 'Incident facts' });
    await text(facts, 'Closed');
    await text(facts, `Resolution False positive by ${ME}`);
    const suppressions = page.getByRole('region', { name: 'Suppressions' });
    await text(suppressions, 'AccessAnalyzer:AWS::S3::Bucket/');
    await text(suppressions.getByRole('list', { name: /Alerts suppressed by/ }), 'no incident, no playbook');
    await visible(page.getByRole('button', { name: 'Reopen' }));
    await shot('incident-closed-suppressed');
    const after = QueueSchema.parse(await (await fetch(`${server.url}/api/incidents`)).json());
    expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
    expect(after.find((r) => r.id === incidentId)?.status).toBe('closed');
    const listed = SuppressionsSchema.parse(await (await fetch(`${server.url}/api/suppressions`)).json());
    expect(listed).toEqual([
      expect.objectContaining({ incidentId, createdBy: ME, suppressedAlerts: [expect.anything()] }),
    ]);
    const view = DetailSchema.parse(await (await fetch(`${server.url}/api/incidents/${incidentId}`)).json());
    expect(view.executions).toHaveLength(detailBefore.executions.length);
  });

  it('shows the stats and the playbooks', async () => {
    // Act
    await page.getByRole('link', { name: 'Stats' }).click();

    // Assess
    await visible(page.getByRole('figure', { name: 'Median times by source' }));
    await visible(page.getByText('MTTR to contain'));
    await shot('stats');
    await page.getByRole('link', { name: 'Playbooks' }).click();
    await page.getByRole('button', { name: /Public S3 bucket/ }).click();
    await visible(page.getByText(/alerts from aws\.access-analyzer/));
    await visible(page.getByRole('img', { name: 'State machine of s3-public-bucket' }));
    await shot('playbooks');
    expect(outside).toEqual([]);
  });
});
