import { describe, expect, it } from 'vitest';
import { PlaybookNotTriggeredError, scenario, triggersOn } from '../../cli/local/testkit.ts';
import playbook from '../../playbooks/ec2-instance-compromise.ts';
import { guardDutyInstanceFinding } from '../support/events.ts';

const PRODUCTION = 'i-0a1b2c3d4e5f60718';
const PROTECTED = 'i-0badc0ffee0000001';

const finding = (options: Parameters<typeof guardDutyInstanceFinding>[0] = {}) =>
  guardDutyInstanceFinding({ instanceId: PRODUCTION, ...options });

describe('ec2-instance-compromise trigger', () => {
  it('triggers on High findings of the EC2 threat families, natively or through Security Hub', () => {
    expect(playbook).toTriggerOn(finding());
    expect(playbook).toTriggerOn(finding({ type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', severity: 7 }));
  });

  it('does not trigger on a Medium finding, and says which clause failed', () => {
    // Act
    const verdict = triggersOn(playbook, finding({ severity: 5 }));

    // Assess
    expect(playbook).not.toTriggerOn(finding({ severity: 5 }));
    expect(verdict).toEqual({
      triggers: false,
      reason:
        'ec2-instance-compromise does not trigger: (1) severity Medium (3) is below the minimum High (4); (2) source aws.guardduty is not one of aws.securityhub',
    });
  });

  it('does not trigger on an event no Riposte rule delivers', () => {
    // Prepare
    const custom = { ...finding(), source: 'example.app' };

    // Act & Assess
    expect(triggersOn(playbook, custom).reason).toBe(
      'ec2-instance-compromise does not trigger: the event matches no Riposte rule (EventBridge would not deliver it)',
    );
  });

  it('runs a scenario only when the trigger matches, and says why not', async () => {
    // Act
    const run = scenario(playbook)
      .event(finding({ type: 'Recon:EC2/PortProbeUnprotectedPort' }))
      .run();

    // Assess
    await expect(run).rejects.toThrow(PlaybookNotTriggeredError);
    await expect(run).rejects.toThrow(
      'scenario: ec2-instance-compromise does not trigger: (1) finding type Recon:EC2/PortProbeUnprotectedPort matches none of Backdoor:EC2/*',
    );
  });
});

describe('ec2-instance-compromise', () => {
  it('isolates a production instance after approval, in the prescribed order', async () => {
    // Act
    const result = await scenario(playbook).event(finding()).approve().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([
      'Load context',
      'Prepare context',
      'Playbook',
      'Enrich instance',
      'Protected or sample?',
      'Production?',
      'Approve isolation',
      'Approve isolation: request',
      'Isolate and snapshot',
      'Notify: isolated',
      'Record outcome',
    ]);
    const apis = result.mutations('isolate-instance').map((c) => c.api);
    const order = (api: string) => apis.indexOf(api);
    expect(order('EnterStandby')).toBeGreaterThan(-1);
    expect(order('DeregisterTargets')).toBeLessThan(order('ModifyNetworkInterfaceAttribute'));
    expect(order('EnterStandby')).toBeLessThan(order('ModifyNetworkInterfaceAttribute'));
    expect(apis.filter((a) => a === 'ModifyNetworkInterfaceAttribute')).toHaveLength(4);
    expect(order('DisassociateAddress')).toBeGreaterThan(order('ModifyNetworkInterfaceAttribute'));
    expect(apis.filter((a) => a === 'CreateSnapshot')).toHaveLength(2);
    expect(apis.at(-1)).toBe('CreateTags');
    // Security groups change per ENI, never through ModifyInstanceAttribute (primary ENI only).
    const instanceChanges = result
      .mutations('isolate-instance')
      .filter((c) => c.api === 'ModifyInstanceAttribute');
    expect(instanceChanges.every((c) => !('Groups' in c.params))).toBe(true);
  });

  it('changes nothing when the approver denies, and says so', async () => {
    // Act
    const result = await scenario(playbook).event(finding()).deny().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Approve isolation: denied');
    expect(result.path).not.toContain('Isolate and snapshot');
    expect(result.mutations()).toEqual([]);
  });

  it('only notifies for a protected instance', async () => {
    // Act
    const result = await scenario(playbook)
      .event(finding({ instanceId: PROTECTED }))
      .approve()
      .run();

    // Assess
    expect(result.path).toContain('Notify: not contained');
    expect(result.path).not.toContain('Isolate and snapshot');
    expect(result.mutations()).toEqual([]);
  });

  it('only notifies for a sample finding', async () => {
    // Act
    const result = await scenario(playbook)
      .event(finding({ sample: true }))
      .approve()
      .run();

    // Assess
    expect(result.path).toContain('Notify: not contained');
    expect(result.mutations()).toEqual([]);
  });

  it('skips the approval for an instance outside production', async () => {
    // Prepare
    const s = scenario(playbook)
      .event(finding())
      .editWorld((world) => {
        const instance = world.ec2.instances.find((i) => i.instanceId === PRODUCTION);
        if (instance !== undefined) instance.tags.environment = 'staging';
      });

    // Act
    const result = await s.deny().run();

    // Assess
    expect(result.path).not.toContain('Approve isolation');
    expect(result.path).toContain('Isolate and snapshot');
    expect(result.mutations('isolate-instance').length).toBeGreaterThan(0);
  });

  it('retries a throttled isolation and completes it', async () => {
    // Act
    const result = await scenario(playbook)
      .event(finding())
      .approve()
      .failAction('isolate-instance', 'RequestLimitExceeded', 2)
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: isolated');
  });

  it('asks again past the containment limit, then isolates', async () => {
    // Act
    const result = await scenario(playbook)
      .event(finding())
      .approve()
      .failAction('isolate-instance', 'BlastRadiusExceededError', 1)
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Approve over the containment limit');
    expect(result.path).toContain('Isolate and snapshot (approved)');
    expect(result.mutations('isolate-instance').length).toBeGreaterThan(0);
  });

  it('notifies a refusal by a safety rail and stops', async () => {
    // Act
    const result = await scenario(playbook)
      .event(finding())
      .approve()
      .failAction('isolate-instance', 'NotAllowedError', 1)
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: refused');
    expect(result.path).not.toContain('Notify: isolated');
  });

  it('ends failed, notified and recorded, when a step fails after its retries', async () => {
    // Act
    const result = await scenario(playbook)
      .event(finding())
      .approve()
      .failAction('isolate-instance', 'PartialFailureError')
      .run();

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PlaybookFailed');
    expect(result.path).toEqual(expect.arrayContaining(['Notify failure', 'Record failure', 'Failed']));
  });

  it('isolates the instance in the world: ENIs end in the isolation group', async () => {
    // Act
    const result = await scenario(playbook).event(finding()).approve().run();

    // Assess
    const enis = result.world.ec2.networkInterfaces.filter((n) => n.attachment?.instanceId === PRODUCTION);
    expect(enis.length).toBe(2);
    for (const eni of enis) {
      const groups = eni.groups.map((g) => result.world.ec2.securityGroups.find((sg) => sg.groupId === g));
      expect(groups.map((g) => g?.groupName)).toEqual(['riposte-isolation-vpc-0a1b2c3d']);
    }
  });
});
