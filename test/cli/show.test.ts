import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openLocalStore } from '../../cli/local/store.ts';
import { VerificationSchema } from '../../functions/core/actions/verify/check.ts';
import { cli, runEvent, withDynamoDbEndpoint } from '../support/cli.ts';

/** The documented `riposte show --json` output: strict objects, a renamed field fails. */
const CallSchema = z.strictObject({
  service: z.string(),
  api: z.string(),
  params: z.record(z.string(), z.unknown()),
  dryRun: z.boolean(),
  mutating: z.boolean(),
  requestId: z.string().optional(),
});
const ShowSchema = z.strictObject({
  incident: z.object({
    id: z.string(),
    status: z.string(),
    resourceType: z.string(),
    resourceUid: z.string(),
  }),
  alerts: z.array(
    z.strictObject({
      id: z.string(),
      source: z.string(),
      title: z.string(),
      severityId: z.number(),
      status: z.string(),
      sample: z.boolean(),
      firstSeen: z.number(),
      lastSeen: z.number(),
      occurrences: z.number(),
    }),
  ),
  executions: z.array(
    z.strictObject({
      playbook: z.string(),
      version: z.string(),
      mode: z.enum(['live', 'dry-run']),
      status: z.enum(['started', 'failed']),
      name: z.string(),
      startedAt: z.number(),
      executionArn: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
  actions: z.array(
    z.strictObject({
      at: z.number(),
      playbook: z.string(),
      version: z.string(),
      action: z.string(),
      target: z.string(),
      dryRun: z.boolean(),
      outcome: z.enum(['succeeded', 'failed', 'refused']),
      calls: z.array(CallSchema),
      error: z.string().optional(),
      verification: VerificationSchema.optional(),
    }),
  ),
  approval: z
    .strictObject({
      status: z.enum(['pending', 'approved', 'denied', 'expired']),
      message: z.string().optional(),
      requestedAt: z.number(),
      deadline: z.number(),
      decidedAt: z.number().optional(),
      approver: z.string().optional(),
    })
    .nullable(),
  milestones: z.array(
    z.strictObject({
      milestone: z.enum(['opened', 'playbook-started', 'contained', 'released', 'closed']),
      at: z.number(),
      dryRun: z.boolean(),
    }),
  ),
  caseLog: z.array(
    z.strictObject({
      incidentId: z.string(),
      id: z.string(),
      at: z.number(),
      kind: z.string(),
      actor: z.string(),
      text: z.string(),
      data: z.record(z.string(), z.unknown()),
    }),
  ),
  events: z.array(
    z.strictObject({
      at: z.number(),
      time: z.string(),
      kind: z.enum(['milestone', 'alert', 'execution', 'action', 'approval', 'case']),
      text: z.string(),
    }),
  ),
});

const C2 = 'examples/events/guardduty-ec2-c2-activity.json';

describe('riposte show', () => {
  let dataDir: string;
  let incidentId: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-show-'));
    incidentId = await runEvent(dataDir, C2);
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('tells the incident in time order: alert, isolation with its calls, then containment', async () => {
    // Prepare
    const argv = ['show', incidentId, '--data-dir', dataDir];

    // Act
    const result = await cli(argv);

    // Assess
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`Incident ${incidentId}`);
    expect(out).toContain('AWS::EC2::Instance i-0a1b2c3d4e5f60718');
    const alert = out.indexOf('Command and Control server domain name queried');
    const isolate = out.indexOf('isolate-instance on i-0a1b2c3d4e5f60718: succeeded (dry-run)');
    const call = out.indexOf('→ ModifyNetworkInterfaceAttribute');
    const contained = out.indexOf('milestone  contained (dry-run)');
    expect(out).toContain(`Incident ${incidentId}: not contained (dry-run)`);
    expect(alert).toBeGreaterThan(-1);
    expect(isolate).toBeGreaterThan(alert);
    expect(call).toBeGreaterThan(isolate);
    expect(contained).toBeGreaterThan(call);
    // The isolation's read-back (the local world applies the changes it records).
    expect(out.indexOf('    verified', isolate)).toBeGreaterThan(call);
    expect(out).toContain('approved by local operator');
  });

  it('prints the documented JSON: alerts, actions with calls, approval, milestones, ordered events', async () => {
    // Prepare
    const argv = ['show', incidentId, '--data-dir', dataDir, '--json'];

    // Act
    const result = await cli(argv);

    // Assess
    expect(result.code).toBe(0);
    const view = ShowSchema.parse(JSON.parse(result.stdout));
    expect(view.incident.id).toBe(incidentId);
    expect(view.alerts).toHaveLength(1);
    expect(view.alerts[0]).toMatchObject({ source: 'aws.guardduty', occurrences: 1 });
    expect(view.executions.map((e) => e.playbook)).toEqual(['ec2-instance-compromise']);
    const isolation = view.actions.find((a) => a.action === 'isolate-instance');
    expect(isolation).toMatchObject({ target: 'i-0a1b2c3d4e5f60718', dryRun: true, outcome: 'succeeded' });
    expect(isolation?.calls.filter((c) => c.mutating).map((c) => c.api)).toContain(
      'ModifyNetworkInterfaceAttribute',
    );
    expect(isolation?.verification).toMatchObject({ verified: true, basis: 'read-back' });
    expect(view.approval).toMatchObject({ status: 'approved', approver: 'local operator' });
    expect(view.milestones.map((m) => m.milestone)).toEqual(['opened', 'playbook-started', 'contained']);
    expect(view.milestones.find((m) => m.milestone === 'contained')?.dryRun).toBe(true);
    const times = view.events.map((e) => e.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('accepts a unique prefix of the incident id', async () => {
    // Prepare
    const prefix = incidentId.slice(0, 12);

    // Act
    const result = await cli(['show', prefix, '--data-dir', dataDir, '--json']);

    // Assess
    expect(result.code).toBe(0);
    expect(ShowSchema.parse(JSON.parse(result.stdout)).incident.id).toBe(incidentId);
  });

  it('exits 1 with a clear message for an incident that does not exist', async () => {
    // Prepare
    const argv = ['show', 'inc-000000000000000000000000', '--data-dir', dataDir];

    // Act
    const result = await cli(argv);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no incident "inc-000000000000000000000000"');
    expect(result.stdout).toBe('');
  });

  it('reads a deployed table with --table through the default credential chain', async () => {
    // Prepare: the local store stands in for the deployed table, reached like DynamoDB.
    const store = await openLocalStore({ dataDir });
    try {
      // Act
      const { shown, stats } = await withDynamoDbEndpoint(store.endpoint, async () => ({
        shown: await cli(['show', incidentId, '--table', store.tableName, '--region', 'eu-west-1', '--json']),
        stats: await cli(['stats', '--table', store.tableName, '--region', 'eu-west-1', '--json']),
      }));

      // Assess
      expect(shown.code).toBe(0);
      expect(ShowSchema.parse(JSON.parse(shown.stdout)).incident.id).toBe(incidentId);
      expect(stats.code).toBe(0);
      // Against a deployment only real containments count: this one was a dry-run.
      expect(JSON.parse(stats.stdout)).toMatchObject({ includesDryRun: false });
    } finally {
      await store.close();
    }
  });
});
