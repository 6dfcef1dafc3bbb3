import { describe, expect, it } from 'vitest';
import { handleEc2 } from '../../../../functions/core/actions/world/ec2/index.ts';
import { type Ec2World, Ec2WorldSchema } from '../../../../functions/core/actions/world/ec2/world.ts';
import { WorldApiError } from '../../../../functions/core/actions/world/errors.ts';

const GROUP = 'sg-0c4e6a8b2d1f3e5a7';
const SSH = 'sgr-0a1b2c3d4e5f6a7b8';

/** One group with an SSH rule from the world, a prefix-list rule and a rule without an id. */
function world(): Ec2World {
  return Ec2WorldSchema.parse({
    accountId: '111122223333',
    region: 'eu-west-1',
    securityGroups: [
      {
        groupId: GROUP,
        groupName: 'reporting',
        vpcId: 'vpc-0a1b2c3d',
        ingress: [
          { ruleId: SSH, protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0', description: 'debug' },
          { protocol: 'tcp', fromPort: 5432, toPort: 5432, prefixListId: 'pl-0a1b2c3d4e5f6a7b8' },
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv6: '::/0' },
        ],
      },
    ],
  });
}

function thrown(run: () => unknown): WorldApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorldApiError) return error;
    throw error;
  }
  throw new Error('expected an AWS error');
}

const byGroup = { Filters: [{ Name: 'group-id', Values: [GROUP] }] };

describe('handleEc2: security group rules by id', () => {
  it('describes every rule with its id, peer and ARN; an id the file does not give is stable', () => {
    // Prepare
    const state = world();

    // Act
    const first = handleEc2(state, 'ec2', 'DescribeSecurityGroupRules', byGroup) as {
      SecurityGroupRules: Record<string, unknown>[];
    };
    const again = handleEc2(world(), 'ec2', 'DescribeSecurityGroupRules', byGroup);

    // Assess
    expect(first.SecurityGroupRules).toHaveLength(3); // the group has no egress rule
    expect(first.SecurityGroupRules[0]).toEqual({
      SecurityGroupRuleId: SSH,
      GroupId: GROUP,
      GroupOwnerId: '111122223333',
      IsEgress: false,
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      CidrIpv4: '0.0.0.0/0',
      Description: 'debug',
      Tags: [],
      SecurityGroupRuleArn: `arn:aws:ec2:eu-west-1:111122223333:security-group-rule/${SSH}`,
    });
    expect(first.SecurityGroupRules[1]).toMatchObject({ PrefixListId: 'pl-0a1b2c3d4e5f6a7b8' });
    expect(again).toEqual(first);
  });

  it('revokes by SecurityGroupRuleIds, and refuses an unknown id without revoking anything', () => {
    // Prepare
    const state = world();

    // Act
    const unknown = thrown(() =>
      handleEc2(state, 'ec2', 'RevokeSecurityGroupIngress', {
        GroupId: GROUP,
        SecurityGroupRuleIds: [SSH, 'sgr-00000000000000000'],
      }),
    );
    const kept = state.securityGroups[0]?.ingress.length;
    handleEc2(state, 'ec2', 'RevokeSecurityGroupIngress', { GroupId: GROUP, SecurityGroupRuleIds: [SSH] });

    // Assess
    expect(unknown.name).toBe('InvalidSecurityGroupRuleId.NotFound');
    expect(kept).toBe(3);
    expect(state.securityGroups[0]?.ingress.map((r) => r.fromPort)).toEqual([5432, 443]);
  });

  it('refuses rule ids combined with IpPermissions', () => {
    // Act
    const error = thrown(() =>
      handleEc2(world(), 'ec2', 'RevokeSecurityGroupIngress', {
        GroupId: GROUP,
        SecurityGroupRuleIds: [SSH],
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );

    // Assess
    expect(error.name).toBe('InvalidParameterCombination');
  });
});
