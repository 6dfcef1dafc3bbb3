import { describe, expect, it } from 'vitest';
import { enrichSecurityGroupAction } from '../../../../functions/core/actions/ec2/enrich-security-group.ts';
import { restoreWorldOpenIngressAction } from '../../../../functions/core/actions/ec2/restore-world-open-ingress.ts';
import { revokeWorldOpenIngressAction } from '../../../../functions/core/actions/ec2/revoke-world-open-ingress.ts';
import { HIGH_RISK_PORTS } from '../../../../functions/core/actions/ec2/shared/world-open.ts';
import {
  ApprovalRequiredError,
  NothingToReleaseError,
  ProtectedResourceError,
} from '../../../../functions/core/actions/errors.ts';
import { LocalWorld, type WorldData } from '../../../../functions/core/actions/world/index.ts';
import { actionEnv, executionFacts, StaticSafetyRails } from '../../../support/action-env.ts';
import { DriftingWorld, failed, worldEnv } from '../../../support/drifting-world.ts';

const GROUP = 'sg-0c4e6a8b2d1f3e5a7';
const SSH_WORLD = 'sgr-0a1b2c3d4e5f6a7b8';
const RDP_WORLD_V6 = 'sgr-0a1b2c3d4e5f6a7b9';
const HTTPS_WORLD = 'sgr-0a1b2c3d4e5f6a7c0';
const PORTS = [...HIGH_RISK_PORTS];

function world(edit?: (data: WorldData) => void): LocalWorld {
  const w = LocalWorld.fromFile('examples/world.json');
  edit?.(w.state);
  return w;
}

const ingressOf = (w: LocalWorld) =>
  w.state.ec2.securityGroups.find((g) => g.groupId === GROUP)?.ingress ?? [];

/** Puts the reporting group on payments-api-2's primary interface (a production instance). */
function usedByProduction(data: WorldData): void {
  const eni = data.ec2.networkInterfaces.find((e) => e.networkInterfaceId === 'eni-0a1b2c3d4e5f60003');
  eni?.groups.push(GROUP);
}

describe('revoke-world-open-ingress', () => {
  it('revokes by rule id only the world-open rules on high-risk ports, saved exactly, and verifies', async () => {
    // Prepare
    const w = world();
    const env = worldEnv(w);

    // Act
    const output = await revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: PORTS }, env);

    // Assess
    expect(env.recorder.mutations.map((c) => [c.api, c.params])).toEqual([
      ['RevokeSecurityGroupIngress', { GroupId: GROUP, SecurityGroupRuleIds: [SSH_WORLD, RDP_WORLD_V6] }],
    ]);
    expect(output.revoked).toEqual([
      {
        ruleId: SSH_WORLD,
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        cidrIpv4: '0.0.0.0/0',
        description: 'temporary debug',
      },
      { ruleId: RDP_WORLD_V6, protocol: 'tcp', fromPort: 3389, toPort: 3389, cidrIpv6: '::/0' },
    ]);
    expect(output.keptWorldOpen.map((r) => r.ruleId)).toEqual([HTTPS_WORLD]);
    // 443 from the world, the prefix list, 10.0.0.0/8 and the group reference stay.
    expect(ingressOf(w).map((r) => r.ruleId)).toEqual([
      HTTPS_WORLD,
      'sgr-0a1b2c3d4e5f6a7c1',
      'sgr-0a1b2c3d4e5f6a7c2',
      'sgr-0a1b2c3d4e5f6a7c3',
    ]);
    expect(output.verification).toMatchObject({ verified: true, basis: 'read-back' });
    expect(await env.state.load(`ec2-sg-ingress:${GROUP}`)).toMatchObject({ rules: output.revoked });
  });

  it("with ports 'all' also revokes the world-open HTTPS rule, never the prefix list or group rules", async () => {
    // Prepare
    const w = world();
    const env = worldEnv(w);

    // Act
    const output = await revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: 'all' }, env);

    // Assess
    expect(output.revoked.map((r) => r.ruleId)).toEqual([SSH_WORLD, RDP_WORLD_V6, HTTPS_WORLD]);
    expect(ingressOf(w).map((r) => r.prefixListId ?? r.sourceGroupId ?? r.cidr)).toEqual([
      'pl-0a1b2c3d4e5f6a7b8',
      '10.0.0.0/8',
      GROUP,
    ]);
  });

  it('counts an all-traffic rule from ::/0 as reaching every high-risk port', async () => {
    // Prepare
    const w = world((data) => {
      data.ec2.securityGroups
        .find((g) => g.groupId === GROUP)
        ?.ingress.push({ ruleId: 'sgr-0a1b2c3d4e5f6a7ff', protocol: '-1', cidrIpv6: '::/0' });
    });
    const env = worldEnv(w);

    // Act
    const output = await revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: [5432] }, env);

    // Assess
    expect(output.revoked.map((r) => r.ruleId)).toEqual(['sgr-0a1b2c3d4e5f6a7ff']);
  });

  it('sends nothing on a second run and keeps the first capture', async () => {
    // Prepare
    const w = world();
    const env = worldEnv(w);
    await revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: PORTS }, env);
    const sent = env.recorder.mutations.length;

    // Act
    const output = await revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: PORTS }, env);

    // Assess
    expect(env.recorder.mutations).toHaveLength(sent);
    expect(output.revokedByThisRun).toEqual([]);
    expect(output.revoked.map((r) => r.ruleId)).toEqual([SSH_WORLD, RDP_WORLD_V6]);
  });

  it('reports NOT VERIFIED when a world-open SSH rule is back right after the revoke', async () => {
    // Prepare
    const w = new DriftingWorld('RevokeSecurityGroupIngress', (data) => {
      data.ec2.securityGroups
        .find((g) => g.groupId === GROUP)
        ?.ingress.push({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' });
    });

    // Act
    const output = await revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: PORTS }, worldEnv(w));

    // Assess
    expect(output.verification.verified).toBe(false);
    expect(failed(output.verification)).toEqual([`${GROUP} world-open ingress on ports ${PORTS.join(', ')}`]);
  });

  it('refuses, before any change, a group a protected instance uses', async () => {
    // Prepare
    const w = world((data) => {
      data.ec2.networkInterfaces
        .find((e) => e.networkInterfaceId === 'eni-0badc0ffee0000001')
        ?.groups.push(GROUP);
    });
    const env = actionEnv({ mode: { kind: 'world', world: w } });

    // Act
    const run = revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: PORTS }, env);

    // Assess
    await expect(run).rejects.toThrow(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('refuses a group tagged protected in odd case and spacing', async () => {
    // Prepare
    const w = world((data) => {
      const group = data.ec2.securityGroups.find((g) => g.groupId === GROUP);
      if (group !== undefined) group.tags[' Riposte:Protected'] = ' TRUE ';
    });
    const env = actionEnv({ mode: { kind: 'world', world: w } });

    // Act
    const run = revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: PORTS }, env);

    // Assess
    await expect(run).rejects.toThrow(ProtectedResourceError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('needs the approval when a staging group is used by a production instance', async () => {
    // Prepare
    const execution = executionFacts();
    const safety = new StaticSafetyRails(execution, {}, { productionApproved: false });
    const env = actionEnv({ mode: { kind: 'world', world: world(usedByProduction) }, safety });

    // Act
    const run = revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: PORTS }, env);

    // Assess
    await expect(run).rejects.toThrow(ApprovalRequiredError);
    expect(safety.checked[0]?.tags).toEqual({ owner: 'data-team', environment: 'production' });
    expect(env.recorder.mutations).toEqual([]);
  });

  it('revokes a staging group no production instance uses without the approval', async () => {
    // Prepare
    const safety = new StaticSafetyRails(executionFacts(), {}, { productionApproved: false });
    const env = actionEnv({ mode: { kind: 'world', world: world() }, safety });

    // Act
    const output = await revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: PORTS }, env);

    // Assess
    expect(output.revokedByThisRun).toEqual([SSH_WORLD, RDP_WORLD_V6]);
  });
});

describe('enrich-security-group', () => {
  it('describes the group, its rules, who uses it and whether approval is needed', async () => {
    // Prepare
    const env = actionEnv({ mode: { kind: 'world', world: world(usedByProduction) } });

    // Act
    const output = await enrichSecurityGroupAction.run({ groupId: GROUP, ports: PORTS }, env);

    // Assess
    expect(output).toMatchObject({
      groupName: 'reporting-debug-sg',
      owner: 'data-team',
      environment: 'staging',
      exposed: true,
      protected: false,
      approvalRequired: true,
      instances: [{ instanceId: 'i-0a1b2c3d4e5f60719', environment: 'production', protected: false }],
    });
    expect(output.worldOpen.map((r) => r.ruleId)).toEqual([SSH_WORLD, RDP_WORLD_V6, HTTPS_WORLD]);
    expect(output.revocable.map((r) => r.ruleId)).toEqual([SSH_WORLD, RDP_WORLD_V6]);
    expect(env.recorder.calls.map((c) => c.api)).toEqual([
      'DescribeSecurityGroups',
      'DescribeSecurityGroupRules',
      'DescribeNetworkInterfaces',
      'DescribeInstances',
    ]);
  });
});

describe('restore-world-open-ingress', () => {
  it('re-authorizes the revoked rules with their descriptions and verifies them', async () => {
    // Prepare
    const w = world();
    const env = worldEnv(w);
    await revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: PORTS }, env);
    const before = env.recorder.calls.length;

    // Act
    const output = await restoreWorldOpenIngressAction.run({ groupId: GROUP }, env);

    // Assess
    expect(
      env.recorder.calls
        .slice(before)
        .filter((c) => c.mutating)
        .map((c) => c.params),
    ).toEqual([
      {
        GroupId: GROUP,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'temporary debug' }],
          },
          { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
        ],
      },
    ]);
    const without = ({ ruleId: _id, ...rule }: { ruleId?: string | undefined }) => rule;
    const original = world().state.ec2.securityGroups.find((g) => g.groupId === GROUP)?.ingress ?? [];
    expect(ingressOf(w).map(without)).toEqual(expect.arrayContaining(original.map(without)));
    expect(ingressOf(w)).toHaveLength(original.length);
    expect(output.verification.verified).toBe(true);
  });

  it('sends nothing when the rules are already back', async () => {
    // Prepare
    const env = worldEnv(world());
    await revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: PORTS }, env);
    await restoreWorldOpenIngressAction.run({ groupId: GROUP }, env);
    const sent = env.recorder.mutations.length;

    // Act
    const output = await restoreWorldOpenIngressAction.run({ groupId: GROUP }, env);

    // Assess
    expect(env.recorder.mutations).toHaveLength(sent);
    expect(output.restored).toEqual([]);
    expect(output.verification.verified).toBe(true);
  });

  it('has nothing to release when nothing was revoked', async () => {
    // Act
    const run = restoreWorldOpenIngressAction.run({ groupId: GROUP }, worldEnv(world()));

    // Assess
    await expect(run).rejects.toThrow(NothingToReleaseError);
  });

  it('refuses a group that became protected after containment', async () => {
    // Prepare
    const w = world();
    const env = worldEnv(w);
    await revokeWorldOpenIngressAction.run({ groupId: GROUP, ports: PORTS }, env);
    const group = w.state.ec2.securityGroups.find((g) => g.groupId === GROUP);
    if (group !== undefined) group.tags['riposte:protected'] = 'true';
    const sent = env.recorder.mutations.length;

    // Act
    const run = restoreWorldOpenIngressAction.run({ groupId: GROUP }, env);

    // Assess
    await expect(run).rejects.toThrow(ProtectedResourceError);
    expect(env.recorder.mutations).toHaveLength(sent);
  });
});
