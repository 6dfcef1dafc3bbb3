import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario, triggersOn } from '../../cli/local/testkit.ts';
import type { WorldData } from '../../functions/core/actions/world/index.ts';
import playbook from '../../playbooks/kms-key-deletion-scheduled.ts';
import { guardDutyInstanceFinding } from '../support/events.ts';
import { type FixtureEvent, loadFixture } from '../support/fixtures.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY}`;
const RETIRED = '5d6e7f80-91a2-4b3c-8d4e-5f6071829304';
const PROTECTED = '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0';
const AWS_MANAGED = '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d';

/** The ScheduleKeyDeletion fixture (by the role ci-deployer), on `key` when given. */
function scheduled(key = KEY, edit?: (detail: Record<string, unknown>) => void): FixtureEvent {
  const event = loadFixture('cloudtrail/api-call-kms-schedulekeydeletion.json');
  const detail = event.detail as Record<string, unknown>;
  const arn = `arn:aws:kms:eu-west-1:111122223333:key/${key}`;
  detail.requestParameters = { keyId: key, pendingWindowInDays: 7 };
  detail.resources = [{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN: arn }];
  edit?.(detail);
  return event;
}

/** The DisableKey fixture (by the IAM user payments-deployer). */
const disabled = (): FixtureEvent => loadFixture('cloudtrail/api-call-kms-disablekey.json');

const keyOf = (world: WorldData, id: string) => world.kms.keys[id];

describe('kms-key-deletion-scheduled trigger', () => {
  it('triggers on a successful ScheduleKeyDeletion or DisableKey', () => {
    expect(playbook).toTriggerOn(scheduled());
    expect(playbook).toTriggerOn(disabled());
  });

  it('does not trigger on a failed call, another call, or another source', () => {
    // Prepare
    const failed = scheduled(KEY, (d) => {
      d.errorCode = 'KMSInvalidStateException';
      d.errorMessage = 'arn:aws:kms:… is pending deletion.';
      d.responseElements = null;
    });
    const stopLogging = loadFixture('cloudtrail/api-call-cloudtrail-stoplogging.json');

    // Act & Assess
    expect(playbook).not.toTriggerOn(failed);
    expect(triggersOn(playbook, failed).reason).toMatch(
      /signal \(none\) matches none of signal:kms-key-disabled/,
    );
    expect(playbook).not.toTriggerOn(stopLogging);
    expect(playbook).not.toTriggerOn(guardDutyInstanceFinding());
    expect(playbook).not.toTriggerOn({ ...scheduled(), source: 'riposte.custom' });
  });
});

describe('kms-key-deletion-scheduled', () => {
  it('cancels the deletion of a key enabled before, enables it, and revokes the calling role after approval', async () => {
    // Act
    const result = await scenario(playbook).event(scheduled()).approve().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.mutations('restore-kms-key')).toEqual([
      { api: 'CancelKeyDeletion', params: { KeyId: KEY_ARN } },
      { api: 'EnableKey', params: { KeyId: KEY_ARN } },
    ]);
    expect(result.calls('restore-kms-key').map((c) => c.api)).toEqual([
      'DescribeKey',
      'ListResourceTags',
      'LookupEvents',
      'CancelKeyDeletion',
      'EnableKey',
      'DescribeKey',
    ]);
    expect(result.calls('restore-kms-key')[2]?.params).toMatchObject({
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: KEY_ARN }],
      EndTime: new Date('2026-11-12T03:41:19Z'),
    });
    expect(keyOf(result.world, KEY)).toMatchObject({ keyState: 'Enabled' });
    expect(keyOf(result.world, KEY)?.deletionDate).toBeUndefined();
    expect(result.path).toContain('Approve containing the caller');
    expect(result.mutations('revoke-role-sessions').map((c) => c.params.RoleName)).toEqual(['ci-deployer']);
    expect(result.path).toContain('Notify: caller contained');
  });

  it('leaves a key that was disabled before the change disabled, its deletion cancelled', async () => {
    // Act
    const result = await scenario(playbook).event(scheduled(RETIRED)).approve().run();

    // Assess
    expect(result.mutations('restore-kms-key').map((c) => c.api)).toEqual(['CancelKeyDeletion']);
    expect(keyOf(result.world, RETIRED)).toMatchObject({ keyState: 'Disabled' });
  });

  it('treats a DisableKey by the same caller before the deletion as part of the attack: the key is enabled', async () => {
    // Prepare
    const ownDisable = scheduled(RETIRED, (d) => {
      d.userIdentity = (disabled().detail as { userIdentity: unknown }).userIdentity;
    });

    // Act
    const result = await scenario(playbook).event(ownDisable).approve().run();

    // Assess
    expect(result.mutations('restore-kms-key').map((c) => c.api)).toEqual(['CancelKeyDeletion', 'EnableKey']);
    expect(keyOf(result.world, RETIRED)).toMatchObject({ keyState: 'Enabled' });
    expect(result.mutations('contain-iam-user').length).toBeGreaterThan(0);
  });

  it('keeps a key disabled when its history says nothing about its state', async () => {
    // Act
    const result = await scenario(playbook)
      .event(scheduled())
      .editWorld((world) => {
        world.cloudtrail.events = [];
      })
      .approve()
      .run();

    // Assess
    expect(result.mutations('restore-kms-key').map((c) => c.api)).toEqual(['CancelKeyDeletion']);
    expect(keyOf(result.world, KEY)).toMatchObject({ keyState: 'Disabled' });
  });

  it('enables a key a user disabled, and contains that user after approval', async () => {
    // Act
    const result = await scenario(playbook)
      .event(disabled())
      .editWorld((world) => {
        const key = keyOf(world, KEY);
        if (key !== undefined) {
          key.keyState = 'Disabled';
          delete key.deletionDate;
        }
      })
      .approve()
      .run();

    // Assess
    expect(result.calls('restore-kms-key').map((c) => c.api)).not.toContain('LookupEvents');
    expect(result.mutations('restore-kms-key')).toEqual([{ api: 'EnableKey', params: { KeyId: KEY_ARN } }]);
    expect(keyOf(result.world, KEY)).toMatchObject({ keyState: 'Enabled' });
    expect(result.world.iam.users['payments-deployer']?.accessKeys.map((k) => k.status)).toEqual([
      'Inactive',
      'Inactive',
    ]);
    expect(result.path).toContain('Notify: caller contained');
  });

  it('restores the key but contains no one when the approval is denied', async () => {
    // Act
    const result = await scenario(playbook).event(scheduled()).deny().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(keyOf(result.world, KEY)).toMatchObject({ keyState: 'Enabled' });
    expect(result.path).toContain('Approve containing the caller: denied');
    expect(result.mutations('revoke-role-sessions')).toEqual([]);
  });

  it.each([
    ['a protected key (tag in another case, with spaces)', PROTECTED],
    ['an AWS managed key', AWS_MANAGED],
  ])('changes nothing on %s', async (_label, key) => {
    // Prepare
    const before = exampleWorld().kms;

    // Act
    const result = await scenario(playbook).event(scheduled(key)).approve().run();

    // Assess
    expect(result.path).toContain('Notify: not changed');
    expect(result.mutations()).toEqual([]);
    expect(result.world.kms).toEqual(before);
  });

  it('reports a key that no longer exists', async () => {
    // Act
    const result = await scenario(playbook).event(scheduled('99999999-9999-4999-8999-999999999999')).run();

    // Assess
    expect(result.path).toContain('Notify: key not found');
    expect(result.mutations()).toEqual([]);
  });

  it.each([
    [
      'an AWS service acting for the caller',
      (d: Record<string, unknown>) => {
        (d.userIdentity as Record<string, unknown>).invokedBy = 'cloudformation.amazonaws.com';
      },
    ],
    [
      'one of Riposte’s own roles',
      (d: Record<string, unknown>) => {
        const identity = d.userIdentity as {
          arn: string;
          sessionContext: { sessionIssuer: Record<string, string> };
        };
        identity.arn = 'arn:aws:sts::111122223333:assumed-role/Riposte-Action-Contain-eu-west-1/run';
        identity.sessionContext.sessionIssuer.arn =
          'arn:aws:iam::111122223333:role/Riposte-Action-Contain-eu-west-1';
        identity.sessionContext.sessionIssuer.userName = 'Riposte-Action-Contain-eu-west-1';
      },
    ],
    [
      'a service-linked role',
      (d: Record<string, unknown>) => {
        const identity = d.userIdentity as {
          arn: string;
          sessionContext: { sessionIssuer: Record<string, string> };
        };
        identity.arn = 'arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForElasticLoadBalancing/elb';
        identity.sessionContext.sessionIssuer.arn =
          'arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing';
      },
    ],
  ])('restores the key and asks nothing when the caller is %s', async (_label, edit) => {
    // Act
    const result = await scenario(playbook).event(scheduled(KEY, edit)).approve().run();

    // Assess
    expect(keyOf(result.world, KEY)).toMatchObject({ keyState: 'Enabled' });
    expect(result.path).toContain('Notify: caller not contained');
    expect(result.path).not.toContain('Approve containing the caller');
    expect(result.mutations().map((c) => c.api)).toEqual(['CancelKeyDeletion', 'EnableKey']);
  });

  it('asks before going past the hourly containment limit', async () => {
    // Act
    const result = await scenario(playbook)
      .event(scheduled())
      .configure({ safety: { blastRadiusPerHour: 0 } })
      .approve()
      .run();

    // Assess
    expect(result.path).toContain('Approve over the containment limit');
    expect(result.path).toContain('Cancel deletion, re-enable (approved)');
    expect(keyOf(result.world, KEY)).toMatchObject({ keyState: 'Enabled' });
  });
});
