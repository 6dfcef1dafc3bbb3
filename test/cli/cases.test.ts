import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listCaseLog } from '#core/lifecycle/log.ts';
import { OUTBOX_PREFIX, OutboxItemSchema, OutboxPublisher } from '#core/lifecycle/outbox.ts';
import { STACK_OUTPUTS } from '../../cli/aws/stack.ts';
import { caseStoreOf } from '../../cli/case-store.ts';
import { waitForActiveTable } from '../../cli/local/runtime.ts';
import { type LocalStore, openLocalStore } from '../../cli/local/store.ts';
import { cli, runEvent, withDynamoDbEndpoint } from '../support/cli.ts';
import { createTableLike } from '../support/tables.ts';

const C2 = 'examples/events/guardduty-ec2-c2-activity.json';
const PROTECTED = 'examples/events/guardduty-ec2-protected-instance.json';
const ME = userInfo().username;
const CALLER = 'arn:aws:sts::111122223333:assumed-role/SecurityAnalyst/alice';

const IncidentRowSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  statusReason: z.string().optional(),
  outcome: z.string(),
  owner: z.string().optional(),
  playbookId: z.string().optional(),
  alertIds: z.array(z.string()),
});
const rows = (stdout: string) => z.array(IncidentRowSchema).parse(JSON.parse(stdout));

describe('case commands on the local store', () => {
  let dataDir: string;
  let incidentId: string;
  const local = (argv: readonly string[]) => cli([...argv, '--data-dir', dataDir]);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-cases-'));
    incidentId = await runEvent(dataDir, C2);
    await runEvent(dataDir, PROTECTED);
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists truthful statuses, outcomes and playbooks after local runs', async () => {
    // Act
    const listed = await local(['incidents', '--json']);
    const text = await local(['incidents']);

    // Assess
    expect(listed.code).toBe(0);
    const byId = new Map(rows(listed.stdout).map((r) => [r.id, r]));
    // A local run changes nothing in AWS: a dry-run, not a containment.
    expect(byId.get(incidentId)).toMatchObject({
      status: 'not_contained',
      statusReason: 'dry-run',
      playbookId: 'ec2-instance-compromise',
    });
    expect(byId.get(incidentId)?.outcome).toMatch(
      /^contained in dry-run in [\d.]+ m?s: nothing changed in AWS$/,
    );
    const other = [...byId.values()].find((r) => r.id !== incidentId);
    expect(other?.status).toBe('not_contained');
    expect(text.stdout).toContain('not contained (dry-run)');
    expect(text.stdout).not.toMatch(/\bopen\b/);
  });

  it('filters by status, severity, owner, resource and since, with a limit', async () => {
    // Prepare
    await local(['assign', incidentId.slice(0, 10), 'alice']);

    // Act
    const byOwner = rows((await local(['incidents', '--owner', 'alice', '--json'])).stdout);
    const unassigned = rows((await local(['incidents', '--owner', 'none', '--json'])).stdout);
    const highPlus = rows((await local(['incidents', '--severity', 'high+', '--json'])).stdout);
    const none = rows((await local(['incidents', '--status', 'contained', '--json'])).stdout);
    const limited = rows((await local(['incidents', '--limit', '1', '--since', '1h', '--json'])).stdout);
    const resource = rows((await local(['incidents', '--resource', 'i-0a1b2c3d4e5f60718', '--json'])).stdout);
    const bad = await local(['incidents', '--status', 'opened']);

    // Assess
    expect(byOwner.map((r) => r.id)).toEqual([incidentId]);
    expect(unassigned.map((r) => r.id)).not.toContain(incidentId);
    expect(highPlus.length).toBeGreaterThan(0);
    expect(none).toEqual([]);
    expect(limited).toHaveLength(1);
    expect(resource.map((r) => r.id)).toEqual([incidentId]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/^riposte incidents: unknown status "opened": use new, /);
  });

  it('notes, closes as false positive with a suppression, reports the time to close, and reopens', async () => {
    // Act
    const note = await local(['note', incidentId, 'Owner', 'confirms', 'the', 'lab', 'scanner', '--json']);
    const closed = await local([
      'close',
      incidentId,
      '--resolution',
      'fp',
      '--suppress',
      '--for',
      '7d',
      '--json',
    ]);
    const closedAgain = await local(['close', incidentId, '--resolution', 'benign']);
    const suppressions = await local(['suppressions', '--json']);
    const stats = await local(['stats', '--json']);
    const reopened = await local(['reopen', incidentId, '--reason', 'seen again', '--json']);

    // Assess
    expect(note.code).toBe(0);
    expect(JSON.parse(note.stdout)).toMatchObject({
      kind: 'note',
      actor: ME,
      text: 'Owner confirms the lab scanner',
    });
    expect(closed.code).toBe(0);
    const close = JSON.parse(closed.stdout);
    expect(close).toMatchObject({ status: 'closed', resolution: 'false_positive', actor: ME });
    expect(close.timeToCloseMs).toBeGreaterThan(0);
    expect(close.suppressions).toHaveLength(1);
    expect(close.suppressions[0]).toMatchObject({
      findingType: 'Backdoor:EC2/C&CActivity.B!DNS',
      createdBy: ME,
    });
    expect(closedAgain.code).toBe(1);
    expect(closedAgain.stderr).toBe(
      `riposte close: incident ${incidentId} is already closed (reopen it first)\n`,
    );
    expect(JSON.parse(suppressions.stdout)).toHaveLength(1);
    const kpis = JSON.parse(stats.stdout);
    expect(kpis.total.timeToClose.count).toBe(1);
    expect(kpis.total.timeToClose.medianMs).toBe(close.timeToCloseMs);
    expect(kpis.total.closed + kpis.total.notContained + kpis.total.open).toBe(kpis.total.incidents);
    expect(JSON.parse(reopened.stdout)).toMatchObject({ incident: incidentId, status: 'not_contained' });
  });

  it('shows an alert, and removes a suppression with an audit', async () => {
    // Prepare
    const alertId = rows((await local(['incidents', '--json'])).stdout).find((r) => r.id === incidentId)
      ?.alertIds[0];
    const [suppression] = JSON.parse((await local(['suppressions', '--json'])).stdout) as { id: string }[];

    // Act
    const shown = await local(['alerts', 'show', (alertId ?? '').slice(0, 8), '--json']);
    const removed = await local(['suppressions', 'remove', suppression?.id ?? '']);
    const after = await local(['suppressions', '--json']);
    const unknown = await local(['suppressions', 'remove', 'abcdef']);

    // Assess
    expect(JSON.parse(shown.stdout)).toMatchObject({
      alert: { id: alertId, incidentId },
      ocsf: { finding_info: { types: ['Backdoor:EC2/C&CActivity.B!DNS'] } },
    });
    expect(removed.stdout).toMatch(/^removed suppression [0-9a-f]{32}: Backdoor:EC2/);
    expect(JSON.parse(after.stdout)).toEqual([]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('riposte suppressions: no suppression "abcdef"\n');
  });
});

const cloudFormation = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);

describe('case commands against a deployment (--stack)', () => {
  let deployed: LocalStore;
  let table: string;
  let incidentId: string;

  beforeAll(async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-cases-stack-'));
    incidentId = await runEvent(dataDir, C2);
    const source = await openLocalStore({ dataDir });
    const seed = (await source.db.send(new ScanCommand({ TableName: source.tableName }))).Items ?? [];
    await source.close();
    await rm(dataDir, { recursive: true, force: true });
    deployed = await openLocalStore();
    table = await createTableLike(deployed, 'Riposte-AlertStoreTable910AB584-CASES');
    await waitForActiveTable({ db: deployed.db, tableName: table });
    for (const item of seed) await deployed.db.send(new PutCommand({ TableName: table, Item: item }));
  });
  afterAll(async () => {
    await deployed.close();
  });
  beforeEach(() => {
    cloudFormation.reset();
    sts.reset();
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Riposte',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2026-06-01T12:00:00Z'),
          Outputs: [{ OutputKey: STACK_OUTPUTS.tableName, OutputValue: table }],
        },
      ],
    });
    sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER, Account: '111122223333', UserId: 'AROA:alice' });
  });

  const aws = (argv: readonly string[]) =>
    withDynamoDbEndpoint(deployed.endpoint, () =>
      cli([...argv, '--stack', 'Riposte', '--region', 'eu-west-1']),
    );

  it('writes the caller ARN from STS as the actor of assignments, notes and closes', async () => {
    // Act
    const assigned = await aws(['assign', incidentId, 'alice@example.com', '--json']);
    const noted = await aws(['note', incidentId, 'Isolated by hand', '--json']);
    const closed = await aws(['close', incidentId, '--resolution', 'true_positive', '--json']);
    const listed = await aws(['incidents', '--status', 'resolved', '--json']);
    const stats = await aws(['stats', '--json']);

    // Assess
    expect(assigned.code).toBe(0);
    expect(JSON.parse(assigned.stdout)).toEqual({
      incident: incidentId,
      owner: 'alice@example.com',
      actor: CALLER,
    });
    expect(JSON.parse(noted.stdout)).toMatchObject({ actor: CALLER });
    expect(JSON.parse(closed.stdout)).toMatchObject({ status: 'resolved', actor: CALLER, suppressions: [] });
    expect(rows(listed.stdout).map((r) => [r.id, r.owner])).toEqual([[incidentId, 'alice@example.com']]);
    expect(JSON.parse(stats.stdout).total.timeToClose.count).toBe(1);
    expect(sts.commandCalls(GetCallerIdentityCommand).length).toBe(3);
    const log = await listCaseLog(deployed.db, table, incidentId);
    expect(log.filter((e) => e.kind !== 'status').map((e) => [e.kind, e.actor])).toEqual([
      ['assigned', CALLER],
      ['note', CALLER],
      ['closed', CALLER],
    ]);
  });

  it('leaves the lifecycle events of each change in the table outbox, for the lifecycle relay to publish', async () => {
    // Act
    const reopened = await aws(['reopen', incidentId, '--reason', 'seen again', '--json']);
    const assigned = await aws(['assign', incidentId, 'bob@example.com', '--json']);

    // Assess
    expect([reopened.code, assigned.code]).toEqual([0, 0]);
    const out = await deployed.db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `INCIDENT#${incidentId}`, ':prefix': OUTBOX_PREFIX },
      }),
    );
    const items = (out.Items ?? []).map((item) => OutboxItemSchema.parse(item));
    expect(new Set(items.map((item) => item.kind))).toEqual(
      new Set(['assigned', 'noteAdded', 'closed', 'reopened', 'statusChanged']),
    );
    expect(items.filter((i) => i.kind === 'assigned').map((i) => i.detail.owner)).toEqual([
      'alice@example.com',
      'bob@example.com',
    ]);
    expect(new Set(items.map((item) => item.actor))).toEqual(new Set([CALLER]));
    for (const item of items)
      expect(item.expiresAt * 1000 - item.at).toBeLessThanOrEqual(86_400_000 + 60_000);
  });

  it('publishes through the outbox against a deployment only, never for the local store', () => {
    // Act
    const remote = caseStoreOf({ db: deployed.db, tableName: table, remote: true }, CALLER);
    const localStore = caseStoreOf({ db: deployed.db, tableName: table, remote: false }, CALLER);

    // Assess
    expect(remote.lifecycle).toBeInstanceOf(OutboxPublisher);
    expect(localStore.lifecycle).toBeUndefined();
  });

  it('refuses in one line when STS cannot tell who is acting, and changes nothing', async () => {
    // Prepare
    sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('The security token is expired'), { name: 'ExpiredToken' }));

    // Act
    const result = await aws(['assign', incidentId, 'mallory']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      'CallerIdentityError: cannot tell who you are from STS GetCallerIdentity',
    );
    const owners = rows((await aws(['incidents', '--json'])).stdout).map((r) => r.owner);
    expect(owners).not.toContain('mallory');
  });
});
