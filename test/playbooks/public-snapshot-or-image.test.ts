import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import type { WorldData } from '../../functions/core/actions/world/index.ts';
import { normalize } from '../../functions/core/normalize/index.ts';
import { renderDefinition } from '../../functions/core/playbooks/compile.ts';
import { matchesTrigger } from '../../functions/core/playbooks/trigger.ts';
import playbook from '../../playbooks/public-snapshot-or-image.ts';
import { securityHubControlFinding } from '../support/events.ts';
import { loadFixture } from '../support/fixtures.ts';

const SNAPSHOT = 'snap-0e1f2a3b4c5d6e7f8';
const IMAGE = 'ami-0f1e2d3c4b5a69788';
const DB_SNAPSHOT = 'payments-db-before-migration';
const CLUSTER_SNAPSHOT = 'ledger-cluster-2025-04-08';
const PARTNER = '444455556666';

interface CloudTrailDetail {
  eventName: string;
  eventSource: string;
  requestParameters: unknown;
}
interface ControlFinding {
  Sample?: boolean;
  GeneratorId: string;
  Compliance: { SecurityControlId: string };
  Resources: unknown[];
}

function ec2Call(edit?: (detail: CloudTrailDetail) => void): unknown {
  const event = loadFixture('cloudtrail/api-call-ec2-modifysnapshotattribute-public.json') as {
    detail: CloudTrailDetail;
  };
  edit?.(event.detail);
  return event;
}

function rdsCall(edit?: (detail: CloudTrailDetail) => void): unknown {
  const event = loadFixture('cloudtrail/api-call-rds-modifydbsnapshotattribute-public.json') as {
    detail: CloudTrailDetail;
  };
  edit?.(event.detail);
  return event;
}

function rdsControl(edit?: (finding: ControlFinding) => void): unknown {
  const event = loadFixture('securityhub/imported-control-rds-1-public-db-snapshot.json') as {
    detail: { findings: ControlFinding[] };
  };
  edit?.(event.detail.findings[0] as ControlFinding);
  return event;
}

/** Security Hub EC2.1: public EBS snapshots, reported on the account. */
function ec2Control(): unknown {
  return rdsControl((f) => {
    f.GeneratorId = 'security-control/EC2.1';
    f.Compliance.SecurityControlId = 'EC2.1';
    f.Resources = [
      { Type: 'AwsAccount', Id: 'AWS::::Account:111122223333', Partition: 'aws', Region: 'eu-west-1' },
    ];
  });
}

const imageCall = () =>
  ec2Call((d) => {
    d.eventName = 'ModifyImageAttribute';
    d.requestParameters = {
      imageId: IMAGE,
      launchPermission: { add: { items: [{ group: 'all' }] } },
      attributeType: 'launchPermission',
    };
  });

const clusterCall = () =>
  rdsCall((d) => {
    d.eventName = 'ModifyDBClusterSnapshotAttribute';
    d.requestParameters = {
      dBClusterSnapshotIdentifier: CLUSTER_SNAPSHOT,
      attributeName: 'restore',
      valuesToAdd: ['all'],
    };
  });

function triggers(event: unknown): boolean {
  return normalize(event).some((out) => 'alert' in out && matchesTrigger(playbook.trigger, out.alert));
}

const snapshotOf = (world: WorldData, id: string) => world.ec2.snapshots.find((s) => s.snapshotId === id);

describe('public-snapshot-or-image', () => {
  it.each([
    ['ModifySnapshotAttribute adding group all', true, ec2Call()],
    ['ModifyImageAttribute adding group all', true, imageCall()],
    ['ModifyDBSnapshotAttribute adding all', true, rdsCall()],
    ['ModifyDBClusterSnapshotAttribute adding all', true, clusterCall()],
    [
      'ModifySnapshotAttribute sharing with one account',
      false,
      ec2Call((d) => {
        d.requestParameters = {
          snapshotId: SNAPSHOT,
          createVolumePermission: { add: { items: [{ userId: PARTNER }] } },
        };
      }),
    ],
    [
      'ModifyDBSnapshotAttribute removing all',
      false,
      rdsCall((d) => {
        d.requestParameters = {
          dBSnapshotIdentifier: DB_SNAPSHOT,
          attributeName: 'restore',
          valuesToRemove: ['all'],
        };
      }),
    ],
    [
      'a ModifySnapshotAttribute that failed',
      false,
      ec2Call((d) => {
        Object.assign(d, {
          errorCode: 'Client.UnauthorizedOperation',
          errorMessage: 'You are not authorized.',
        });
      }),
    ],
    ['a failed RDS.1 control', true, rdsControl()],
    ['a failed EC2.1 control on the account', true, ec2Control()],
    ['a failed S3.8 control', false, securityHubControlFinding({ control: 'S3.8' })],
  ])('its trigger, given %s, starts it: %s', (_label, expected, event) => {
    // Act
    const started = triggers(event);

    // Assess
    expect(started).toBe(expected);
  });

  it('removes the public permission of the EBS snapshot only, keeps the account share, reports block public access', async () => {
    // Act
    const result = await scenario(playbook).event(ec2Call()).run();

    // Assess
    expect(result.path).toContain('Notify: unshared');
    expect(result.mutations()).toEqual([
      {
        api: 'ModifySnapshotAttribute',
        params: {
          SnapshotId: SNAPSHOT,
          Attribute: 'createVolumePermission',
          CreateVolumePermission: { Remove: [{ Group: 'all' }] },
        },
      },
    ]);
    expect(snapshotOf(result.world, SNAPSHOT)?.createVolumePermissions).toEqual([{ userId: PARTNER }]);
    expect(result.calls('remove-public-ec2-sharing').map((c) => c.api)).toEqual(
      expect.arrayContaining(['GetSnapshotBlockPublicAccessState', 'GetImageBlockPublicAccessState']),
    );
  });

  it('removes the public launch permission of the AMI only', async () => {
    // Act
    const result = await scenario(playbook).event(imageCall()).run();

    // Assess
    expect(result.mutations()).toEqual([
      {
        api: 'ModifyImageAttribute',
        params: {
          ImageId: IMAGE,
          Attribute: 'launchPermission',
          LaunchPermission: { Remove: [{ Group: 'all' }] },
        },
      },
    ]);
    expect(result.world.ec2.images[0]?.launchPermissions).toEqual([{ userId: PARTNER }]);
  });

  it.each([
    ['the CloudTrail call', rdsCall(), 'ModifyDBSnapshotAttribute', { DBSnapshotIdentifier: DB_SNAPSHOT }],
    ['the RDS.1 control', rdsControl(), 'ModifyDBSnapshotAttribute', { DBSnapshotIdentifier: DB_SNAPSHOT }],
    [
      'a cluster snapshot',
      clusterCall(),
      'ModifyDBClusterSnapshotAttribute',
      { DBClusterSnapshotIdentifier: CLUSTER_SNAPSHOT },
    ],
  ])('removes restore=all from the RDS snapshot, for %s', async (_label, event, api, id) => {
    // Act
    const result = await scenario(playbook).event(event).run();

    // Assess
    expect(result.path).toContain('Notify: RDS snapshot unshared');
    expect(result.mutations()).toEqual([
      { api, params: { ...id, AttributeName: 'restore', ValuesToRemove: ['all'] } },
    ]);
    expect(result.world.rds.snapshots[DB_SNAPSHOT]?.restore).toEqual(
      api === 'ModifyDBSnapshotAttribute' ? [PARTNER] : ['all', PARTNER],
    );
  });

  it('for EC2.1 on the account, makes every public snapshot of the account private, skipping a protected one', async () => {
    // Prepare
    const s = scenario(playbook)
      .event(ec2Control())
      .editWorld((world) => {
        const first = world.ec2.snapshots[0];
        if (first === undefined) return;
        world.ec2.snapshots.push({
          ...structuredClone(first),
          snapshotId: 'snap-0e1f2a3b4c5d6e7f9',
          tags: { 'Riposte:Protected': ' true' },
          createVolumePermissions: [{ group: 'all' }],
        });
      });

    // Act
    const result = await s.run();

    // Assess
    expect(result.path).toContain('Notify: unshared');
    expect(result.mutations().map((c) => c.params.SnapshotId)).toEqual([SNAPSHOT]);
    expect(snapshotOf(result.world, 'snap-0e1f2a3b4c5d6e7f9')?.createVolumePermissions).toEqual([
      { group: 'all' },
    ]);
  });

  it('reports block public access as unknown where the account does not allow reading it, and still unshares', async () => {
    // Prepare
    const s = scenario(playbook)
      .event(ec2Call())
      .editWorld((world) => {
        world.ec2.snapshotBlockPublicAccess = 'unauthorized';
      });

    // Act
    const result = await s.run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: unshared');
    expect(snapshotOf(result.world, SNAPSHOT)?.createVolumePermissions).toEqual([{ userId: PARTNER }]);
  });

  it.each([
    [
      'a protected snapshot',
      ec2Call(),
      (world: WorldData) => {
        const snapshot = world.ec2.snapshots.find((x) => x.snapshotId === SNAPSHOT);
        if (snapshot !== undefined) snapshot.tags['riposte:protected'] = 'TRUE ';
      },
      'Notify: not changed',
    ],
    [
      'a protected RDS snapshot',
      rdsCall(),
      (world: WorldData) => {
        const snapshot = world.rds.snapshots[DB_SNAPSHOT];
        if (snapshot !== undefined) snapshot.tags[' riposte:protected'] = 'true';
      },
      'Notify: RDS snapshot not changed',
    ],
    [
      'a snapshot made private already',
      ec2Call(),
      (world: WorldData) => {
        const snapshot = world.ec2.snapshots.find((x) => x.snapshotId === SNAPSHOT);
        if (snapshot !== undefined) snapshot.createVolumePermissions = [];
      },
      'Notify: not public',
    ],
  ])('changes nothing for %s', async (_label, event, edit, notice) => {
    // Act
    const result = await scenario(playbook).event(event).editWorld(edit).run();

    // Assess
    expect(result.path).toContain(notice);
    expect(result.mutations()).toEqual([]);
  });

  it('only notifies for a sample finding', async () => {
    // Act
    const result = await scenario(playbook)
      .event(
        rdsControl((f) => {
          f.Sample = true;
        }),
      )
      .run();

    // Assess
    expect(result.path).toContain('Notify: RDS snapshot not changed');
    expect(result.mutations()).toEqual([]);
    expect(result.world.rds).toEqual(exampleWorld().rds);
  });

  it.each([
    ['the EBS snapshot', ec2Call(), 'remove-public-ec2-sharing', 'Notify: refused'],
    ['the RDS snapshot', rdsCall(), 'remove-public-db-snapshot-sharing', 'Notify: RDS refused'],
  ])(
    'notifies a refusal by a safety rail for %s and changes nothing',
    async (_label, event, action, notice) => {
      // Act
      const result = await scenario(playbook)
        .event(event)
        .failAction(action, 'ProtectedResourceError', 1)
        .run();

      // Assess
      expect(result.status).toBe('SUCCEEDED');
      expect(result.path).toContain(notice);
      expect(result.mutations()).toEqual([]);
    },
  );

  it.each([
    ['the EBS snapshot', ec2Call(), 'remove-public-ec2-sharing', 'Notify: unshared'],
    ['the RDS snapshot', rdsCall(), 'remove-public-db-snapshot-sharing', 'Notify: RDS snapshot unshared'],
  ])(
    'asks past the containment limit for %s, and removes once approved',
    async (_label, event, action, notice) => {
      // Act
      const result = await scenario(playbook)
        .event(event)
        .failAction(action, 'BlastRadiusExceededError', 1)
        .approve()
        .run();

      // Assess
      expect(result.status).toBe('SUCCEEDED');
      expect(result.path.some((p) => p.startsWith('Approve over the containment limit'))).toBe(true);
      expect(result.path).toContain(notice);
      expect(result.mutations(action).length).toBeGreaterThan(0);
    },
  );

  it('changes nothing past the containment limit when the approval is denied', async () => {
    // Act
    const result = await scenario(playbook)
      .event(ec2Call())
      .failAction('remove-public-ec2-sharing', 'BlastRadiusExceededError', 1)
      .deny()
      .run();

    // Assess
    expect(result.path).toContain('Approve over the containment limit (snapshot or image): denied');
    expect(result.path).not.toContain('Notify: unshared');
    expect(result.mutations()).toEqual([]);
  });

  it('fails by name, after a notification, when a removal reads back otherwise', () => {
    // Act
    const definition = JSON.stringify(JSON.parse(renderDefinition(playbook)));

    // Assess: each read-back choice routes a verified=false read-back to a named failure.
    for (const step of ['ec2Unshare', 'ec2UnshareApproved', 'dbUnshare', 'dbUnshareApproved']) {
      expect(definition).toContain(`"Variable":"$.steps.${step}.output.verification.verified"`);
    }
    expect(definition).toMatch(/"Notify: not verified"[\s\S]*"Error":"ContainmentNotVerifiedError"/);
    expect(definition).toMatch(/"Notify: not verified \(RDS\)"[\s\S]*"Error":"ContainmentNotVerifiedError"/);
  });
});
