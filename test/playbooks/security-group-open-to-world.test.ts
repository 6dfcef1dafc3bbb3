import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import type { WorldData } from '../../functions/core/actions/world/index.ts';
import { normalize } from '../../functions/core/normalize/index.ts';
import { renderDefinition } from '../../functions/core/playbooks/compile.ts';
import { matchesTrigger } from '../../functions/core/playbooks/trigger.ts';
import playbook from '../../playbooks/security-group-open-to-world.ts';
import release from '../../playbooks/security-group-release.ts';
import { securityHubControlFinding } from '../support/events.ts';
import { loadFixture } from '../support/fixtures.ts';

const GROUP = 'sg-0c4e6a8b2d1f3e5a7';
const CLOUDTRAIL = 'cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json';
const EC2_19 = 'securityhub/imported-control-ec2-19-security-group-high-risk-ports.json';

interface CloudTrailDetail {
  eventName: string;
  userIdentity: unknown;
  requestParameters: unknown;
  responseElements?: unknown;
  errorCode?: string;
  errorMessage?: string;
}

interface ControlFinding {
  GeneratorId: string;
  ProductArn: string;
  Sample?: boolean;
  Compliance: { SecurityControlId: string };
}

function cloudTrail(edit?: (detail: CloudTrailDetail) => void): unknown {
  const event = loadFixture(CLOUDTRAIL) as { detail: CloudTrailDetail };
  edit?.(event.detail);
  return event;
}

function control(id: string, edit?: (finding: ControlFinding) => void): unknown {
  const event = loadFixture(EC2_19) as { detail: { findings: ControlFinding[] } };
  const finding = event.detail.findings[0] as ControlFinding;
  finding.Compliance.SecurityControlId = id;
  finding.GeneratorId = `security-control/${id}`;
  edit?.(finding);
  return event;
}

/** The CloudTrail call made by the role ci-deployer (of the example world) through a session. */
const byRole = (d: CloudTrailDetail) => {
  d.userIdentity = JSON.parse(JSON.stringify(d.userIdentity).replaceAll('Developer', 'ci-deployer'));
};

/** The CloudTrail call made by the IAM user payments-deployer with its long-term key. */
const byUser = (d: CloudTrailDetail) => {
  d.userIdentity = (
    loadFixture('cloudtrail/api-call-kms-disablekey.json').detail as CloudTrailDetail
  ).userIdentity;
};

const ingressOf = (world: WorldData) =>
  world.ec2.securityGroups.find((g) => g.groupId === GROUP)?.ingress ?? [];

/** Whether the playbook's own trigger starts it for `event` (the test kit runs it regardless). */
function triggers(event: unknown): boolean {
  return normalize(event).some((out) => 'alert' in out && matchesTrigger(playbook.trigger, out.alert));
}

describe('security-group-open-to-world', () => {
  it.each([
    ['a CloudTrail AuthorizeSecurityGroupIngress from 0.0.0.0/0', true, cloudTrail()],
    [
      'a CloudTrail ModifySecurityGroupRules to ::/0',
      true,
      cloudTrail((d) => {
        d.eventName = 'ModifySecurityGroupRules';
        d.requestParameters = {
          ModifySecurityGroupRulesRequest: {
            GroupId: GROUP,
            SecurityGroupRule: {
              SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f6a7c2',
              SecurityGroupRule: { CidrIpv6: '::/0' },
            },
          },
        };
        d.responseElements = null;
      }),
    ],
    [
      'a CloudTrail AuthorizeSecurityGroupIngress from ::/0',
      true,
      cloudTrail((d) => {
        d.requestParameters = JSON.parse(
          JSON.stringify(d.requestParameters)
            .replace(
              '"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0","description":"temporary debug"}]}',
              '"ipRanges":{}',
            )
            .replace('"ipv6Ranges":{}', '"ipv6Ranges":{"items":[{"cidrIpv6":"::/0"}]}'),
        );
      }),
    ],
    [
      'a CloudTrail AuthorizeSecurityGroupIngress from 10.0.0.0/8',
      false,
      cloudTrail((d) => {
        d.requestParameters = JSON.parse(
          JSON.stringify(d.requestParameters).replace('0.0.0.0/0', '10.0.0.0/8'),
        );
      }),
    ],
    [
      'a failed CloudTrail AuthorizeSecurityGroupIngress',
      false,
      cloudTrail((d) => {
        d.errorCode = 'Client.UnauthorizedOperation';
        d.errorMessage = 'You are not authorized to perform this operation.';
      }),
    ],
    ['a failed EC2.19 control', true, control('EC2.19')],
    ['a failed EC2.18 control', true, control('EC2.18')],
    ['a failed EC2.53 control', true, control('EC2.53')],
    ['a failed EC2.54 control', true, control('EC2.54')],
    ['a failed EC2.2 control (default group)', false, control('EC2.2')],
    ['a failed S3.8 control', false, securityHubControlFinding({ control: 'S3.8' })],
    [
      'an EC2.19 finding a partner product claims',
      false,
      control('EC2.19', (f) => {
        f.ProductArn = 'arn:aws:securityhub:eu-west-1:444455556666:product/444455556666/default';
      }),
    ],
  ])('its trigger, given %s, starts it: %s', (_label, expected, event) => {
    // Act
    const started = triggers(event);

    // Assess
    expect(started).toBe(expected);
  });

  it.each([
    ['the CloudTrail call', cloudTrail()],
    ['the EC2.19 control', control('EC2.19')],
  ])('revokes the world-open SSH and RDP rules of a staging group by id, for %s', async (_label, event) => {
    // Act
    const result = await scenario(playbook).event(event).deny().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).not.toContain('Approve revoking');
    expect(result.path).toContain('Notify: revoked');
    expect(result.mutations()).toEqual([
      {
        api: 'RevokeSecurityGroupIngress',
        params: { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-0a1b2c3d4e5f6a7b8', 'sgr-0a1b2c3d4e5f6a7b9'] },
      },
    ]);
    expect(ingressOf(result.world).some((r) => r.cidr === '0.0.0.0/0' && r.fromPort === 22)).toBe(false);
    expect(ingressOf(result.world).some((r) => r.cidr === '0.0.0.0/0' && r.fromPort === 443)).toBe(true);
  });

  it('asks first when a production instance uses the group, and revokes once approved', async () => {
    // Prepare
    const s = scenario(playbook)
      .event(cloudTrail())
      .editWorld((world) => {
        world.ec2.networkInterfaces
          .find((e) => e.networkInterfaceId === 'eni-0a1b2c3d4e5f60003')
          ?.groups.push(GROUP);
      });

    // Act
    const result = await s.approve().run();

    // Assess
    expect(result.path).toContain('Approve revoking');
    expect(result.path).toContain('Notify: revoked');
    expect(result.mutations('revoke-world-open-ingress')).toHaveLength(1);
  });

  it('changes nothing when an untagged group is denied', async () => {
    // Prepare
    const s = scenario(playbook)
      .event(cloudTrail())
      .editWorld((world) => {
        const group = world.ec2.securityGroups.find((g) => g.groupId === GROUP);
        if (group !== undefined) group.tags = {};
      });

    // Act
    const result = await s.deny().run();

    // Assess
    expect(result.path).toContain('Approve revoking: denied');
    expect(result.path).not.toContain('Revoke world-open rules');
    expect(result.mutations()).toEqual([]);
  });

  it.each([
    [
      'a group tagged protected',
      (world: WorldData) => {
        const group = world.ec2.securityGroups.find((g) => g.groupId === GROUP);
        if (group !== undefined) group.tags['Riposte:Protected '] = 'True';
      },
    ],
    [
      'a group the protected bastion uses',
      (world: WorldData) => {
        world.ec2.networkInterfaces
          .find((e) => e.networkInterfaceId === 'eni-0badc0ffee0000001')
          ?.groups.push(GROUP);
      },
    ],
  ])('only notifies for %s', async (_label, edit) => {
    // Act
    const result = await scenario(playbook).event(cloudTrail()).editWorld(edit).approve().run();

    // Assess
    expect(result.path).toContain('Notify: not changed');
    expect(result.mutations()).toEqual([]);
  });

  it('only notifies for a sample finding', async () => {
    // Act
    const result = await scenario(playbook)
      .event(
        control('EC2.19', (f) => {
          f.Sample = true;
        }),
      )
      .approve()
      .run();

    // Assess
    expect(result.path).toContain('Notify: not changed');
    expect(result.mutations()).toEqual([]);
    expect(result.world.ec2).toEqual(exampleWorld().ec2);
  });

  it('says there is nothing to revoke when only 443 is open to the world', async () => {
    // Prepare
    const s = scenario(playbook)
      .event(cloudTrail())
      .editWorld((world) => {
        const group = world.ec2.securityGroups.find((g) => g.groupId === GROUP);
        if (group !== undefined)
          group.ingress = group.ingress.filter((r) => r.fromPort !== 22 && r.fromPort !== 3389);
      });

    // Act
    const result = await s.approve().run();

    // Assess
    expect(result.path).toContain('Notify: nothing to revoke');
    expect(result.mutations()).toEqual([]);
  });
});

describe('security-group-open-to-world: the caller', () => {
  it('revokes the sessions of the role that opened the group once a person approves', async () => {
    // Act
    const result = await scenario(playbook).event(cloudTrail(byRole)).approve().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(
      expect.arrayContaining([
        'Notify: revoked',
        'Assess caller',
        'Approve containing the caller',
        'Notify: caller contained',
      ]),
    );
    expect(result.mutations('revoke-world-open-ingress')).toHaveLength(1);
    expect(result.mutations('revoke-role-sessions').map((c) => c.params.RoleName)).toEqual(['ci-deployer']);
  });

  it('contains the IAM user that opened the group once a person approves', async () => {
    // Act
    const result = await scenario(playbook).event(cloudTrail(byUser)).approve().run();

    // Assess
    expect(result.path).toContain('Notify: caller contained');
    expect(result.world.iam.users['payments-deployer']?.accessKeys.map((k) => k.status)).toEqual([
      'Inactive',
      'Inactive',
    ]);
  });

  it('revokes the rules but contains no one when the approval is denied', async () => {
    // Act
    const result = await scenario(playbook).event(cloudTrail(byRole)).deny().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Approve containing the caller: denied');
    expect(result.path).not.toContain('Notify: caller contained');
    expect(result.mutations().map((c) => c.api)).toEqual(['RevokeSecurityGroupIngress']);
  });

  it('notifies and contains no one when the caller is not containable (a role that no longer exists)', async () => {
    // Act
    const result = await scenario(playbook).event(cloudTrail()).approve().run();

    // Assess
    expect(result.path).toContain('Notify: caller not contained');
    expect(result.path).not.toContain('Approve containing the caller');
    expect(result.mutations().map((c) => c.api)).toEqual(['RevokeSecurityGroupIngress']);
  });

  it('assesses no caller for a Security Hub control finding, which names none', async () => {
    // Act
    const result = await scenario(playbook).event(control('EC2.19')).approve().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Stop: no caller');
    expect(result.path).not.toContain('Assess caller');
    expect(result.mutations().map((c) => c.api)).toEqual(['RevokeSecurityGroupIngress']);
  });

  it('fails by name, after a notification, when the rules read back otherwise', () => {
    // Act
    const definition = JSON.stringify(JSON.parse(renderDefinition(playbook)));

    // Assess: the read-back choice routes a verified=false read-back to a named failure.
    expect(definition).toContain('"Variable":"$.steps.revoke.output.verification.verified"');
    expect(definition).toContain('"Variable":"$.steps.revokeApproved.output.verification.verified"');
    expect(definition).toMatch(/"Notify: not verified"[\s\S]*"Error":"ContainmentNotVerifiedError"/);
  });
});

describe('security-group-release', () => {
  it('re-authorizes the revoked rules as they were', async () => {
    // Act
    const result = await scenario(playbook).event(cloudTrail()).andThen(release).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: released');
    expect(result.mutations('restore-world-open-ingress').map((c) => c.api)).toEqual([
      'AuthorizeSecurityGroupIngress',
    ]);
    const without = ({ ruleId: _id, ...rule }: { ruleId?: string | undefined }) => rule;
    const before = ingressOf(exampleWorld()).map(without);
    expect(ingressOf(result.world).map(without)).toEqual(expect.arrayContaining(before));
    expect(ingressOf(result.world)).toHaveLength(before.length);
  });

  it('restores the rules and releases the role it contained', async () => {
    // Act
    const result = await scenario(playbook).event(cloudTrail(byRole)).approve().andThen(release).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.mutations('restore-world-open-ingress')).toHaveLength(1);
    expect(result.mutations('release-role-sessions').length).toBeGreaterThan(0);
    expect(result.path).toContain('Notify: released');
  });

  it('restores the rules and releases no caller it never contained', async () => {
    // Act
    const result = await scenario(playbook).event(cloudTrail(byRole)).deny().andThen(release).run();

    // Assess
    expect(result.path).toContain('Notify: caller not contained (role)');
    expect(result.path).toContain('Notify: released');
    expect(result.mutations().map((c) => c.api)).toEqual(['AuthorizeSecurityGroupIngress']);
  });

  it('has nothing to release without a containment', async () => {
    // Act
    const result = await scenario(release).event(cloudTrail()).run();

    // Assess
    expect(result.path).toContain('Notify: nothing to release');
    expect(result.mutations()).toEqual([]);
  });
});
