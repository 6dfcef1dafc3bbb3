import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { publicBucketFinding, torKeyFinding } from '../../cli/local/demo-events.ts';
import { cli, runEvent } from '../support/cli.ts';
import { consoleSignIn } from '../support/events.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

const C2 = 'examples/events/guardduty-ec2-c2-activity.json';
const INSTANCE = 'i-0a1b2c3d4e5f60718';

const WorldSchema = z.object({
  ec2: z.object({
    networkInterfaces: z.array(
      z.object({
        networkInterfaceId: z.string(),
        groups: z.array(z.string()),
        attachment: z.object({ instanceId: z.string() }).optional(),
      }),
    ),
  }),
  iam: z.object({
    users: z.record(
      z.string(),
      z.object({ accessKeys: z.array(z.object({ accessKeyId: z.string(), status: z.string() })).optional() }),
    ),
  }),
});

/** The security groups of each ENI of the C2 instance. */
function instanceGroups(world: z.infer<typeof WorldSchema>): Record<string, string[]> {
  return Object.fromEntries(
    world.ec2.networkInterfaces
      .filter((eni) => eni.attachment?.instanceId === INSTANCE)
      .map((eni) => [eni.networkInterfaceId, eni.groups]),
  );
}

/** `user/key:status` of every access key. */
function keyStatuses(world: z.infer<typeof WorldSchema>): string[] {
  return Object.entries(world.iam.users)
    .flatMap(([name, user]) => (user.accessKeys ?? []).map((k) => `${name}/${k.accessKeyId}:${k.status}`))
    .sort();
}

function readWorld(file: string): z.infer<typeof WorldSchema> {
  return WorldSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

const ReleaseOutputSchema = z.object({
  incident: z.string(),
  resourceType: z.string(),
  playbook: z.string(),
  version: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED', 'TIMED_OUT']),
  outcome: z.enum(['released', 'nothing-to-release', 'failed']),
  path: z.array(z.string()),
  actions: z.array(
    z.object({
      action: z.string(),
      target: z.string(),
      dryRun: z.boolean(),
      calls: z.array(z.object({ api: z.string(), params: z.record(z.string(), z.unknown()) })),
    }),
  ),
  world: z.string(),
  worldSaved: z.string(),
});

describe('riposte release', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-release-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('undoes the isolation `riposte run` made: the persisted world gets the ENI groups back', async () => {
    // Prepare
    const original = instanceGroups(readWorld(path.join(REPO_ROOT, 'examples/world.json')));
    const incidentId = await runEvent(dataDir, C2);
    const isolated = instanceGroups(readWorld(path.join(dataDir, 'world.json')));

    // Act
    const result = await cli(['release', incidentId, '--data-dir', dataDir, '--json', '--yes']);

    // Assess
    expect(isolated).not.toEqual(original);
    expect(result.code).toBe(0);
    const output = ReleaseOutputSchema.parse(JSON.parse(result.stdout));
    expect(output).toMatchObject({
      incident: incidentId,
      resourceType: 'AWS::EC2::Instance',
      playbook: 'ec2-instance-release',
      status: 'SUCCEEDED',
      world: path.join(dataDir, 'world.json'),
    });
    expect(output.path).toContain('Restore instance');
    expect(output.path).not.toContain('Stop: nothing to release');
    const release = output.actions.find((a) => a.action === 'release-instance');
    expect(release?.calls.map((c) => c.api)).toContain('ModifyNetworkInterfaceAttribute');
    expect(instanceGroups(readWorld(path.join(dataDir, 'world.json')))).toEqual(original);
  });

  it('shows the release on the incident: its execution, actions and the released milestone', async () => {
    // Prepare
    const incidentId = await runEvent(dataDir, C2);
    await cli(['release', incidentId, '--data-dir', dataDir, '--yes']);

    // Act
    const shown = await cli(['show', incidentId, '--data-dir', dataDir, '--json']);

    // Assess
    const view = z
      .object({
        executions: z.array(z.object({ playbook: z.string() })),
        actions: z.array(z.object({ action: z.string() })),
        milestones: z.array(z.object({ milestone: z.string() })),
      })
      .parse(JSON.parse(shown.stdout));
    expect(view.executions.map((e) => e.playbook)).toEqual([
      'ec2-instance-compromise',
      'ec2-instance-release',
    ]);
    expect(view.actions.map((a) => a.action)).toContain('release-instance');
    expect(view.milestones.map((m) => m.milestone)).toContain('released');
  });

  it('reactivates the keys of a contained IAM user with iam-credential-release, but the key the finding names', async () => {
    // Prepare
    const eventFile = path.join(dataDir, 'tor.json');
    await writeFile(eventFile, JSON.stringify(torKeyFinding(Date.now())));
    const original = keyStatuses(readWorld(path.join(REPO_ROOT, 'examples/world.json')));
    const incidentId = await runEvent(dataDir, eventFile);
    const contained = keyStatuses(readWorld(path.join(dataDir, 'world.json')));

    // Act
    const result = await cli(['release', incidentId, '--data-dir', dataDir, '--json', '--yes']);

    // Assess
    expect(result.code).toBe(0);
    const output = ReleaseOutputSchema.parse(JSON.parse(result.stdout));
    expect(output).toMatchObject({ playbook: 'iam-credential-release', status: 'SUCCEEDED' });
    expect(contained).not.toEqual(original);
    const attackerKey = 'payments-deployer/AKIAPAYMENTSATTACK02';
    expect(keyStatuses(readWorld(path.join(dataDir, 'world.json')))).toEqual(
      original.map((k) => (k.startsWith(`${attackerKey}:`) ? `${attackerKey}:Inactive` : k)),
    );
    expect(original).toContain(`${attackerKey}:Active`);
  });

  it('refuses an incident whose resource type has no release playbook', async () => {
    // Prepare: a root sign-in opens an incident about the root principal, which Riposte cannot contain.
    const eventFile = path.join(dataDir, 'root.json');
    await writeFile(eventFile, JSON.stringify(consoleSignIn({ root: true })));
    const incidentId = await runEvent(dataDir, eventFile);

    // Act
    const result = await cli(['release', incidentId, '--data-dir', dataDir, '--yes']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is about Principal arn:aws:iam::111122223333:root');
    expect(result.stderr).toContain('no release playbook');
  });

  it('restores a blocked bucket with s3-public-bucket-release', async () => {
    // Prepare
    const eventFile = path.join(dataDir, 'bucket.json');
    await writeFile(eventFile, JSON.stringify(publicBucketFinding(Date.now())));
    const incidentId = await runEvent(dataDir, eventFile);

    // Act
    const result = await cli(['release', incidentId, '--data-dir', dataDir, '--json', '--yes']);

    // Assess
    expect(result.code).toBe(0);
    const output = ReleaseOutputSchema.parse(JSON.parse(result.stdout));
    expect(output).toMatchObject({
      playbook: 's3-public-bucket-release',
      status: 'SUCCEEDED',
      outcome: 'released',
    });
    expect(output.path).toContain('Notify: released');
  });

  it('exits 1 for an incident that does not exist', async () => {
    // Prepare
    await runEvent(dataDir, C2);

    // Act
    const result = await cli(['release', 'inc-000000000000000000000000', '--data-dir', dataDir, '--yes']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no incident "inc-000000000000000000000000"');
  });
});
