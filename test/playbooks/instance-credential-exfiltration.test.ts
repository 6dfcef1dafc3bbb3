import { describe, expect, it } from 'vitest';
import { scenario, triggersOn } from '../../cli/local/testkit.ts';
import type { Alert } from '../../functions/core/alert.ts';
import { normalize } from '../../functions/core/normalize/index.ts';
import { renderDefinition } from '../../functions/core/playbooks/compile.ts';
import { selectPlaybooks } from '../../functions/core/playbooks/precedence.ts';
import { routesFor } from '../../functions/core/playbooks/registry.ts';
import ec2Compromise from '../../playbooks/ec2-instance-compromise.ts';
import iamCompromise from '../../playbooks/iam-credential-compromise.ts';
import playbook from '../../playbooks/instance-credential-exfiltration.ts';
import { guardDutyAccessKeyFinding, guardDutyInstanceFinding } from '../support/events.ts';
import { loadFixture } from '../support/fixtures.ts';

const INSTANCE = 'i-0a1b2c3d4e5f60718';
const ROLE = 'payments-app-role';
const OUTSIDE = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS';
const INSIDE = loadFixture('guardduty/accesskey-instance-credential-exfiltration-inside-aws.json');
const REBIND = loadFixture('guardduty/instance-metadata-dns-rebind.json');

const exfiltration = (options: Parameters<typeof guardDutyAccessKeyFinding>[0] = {}) =>
  guardDutyAccessKeyFinding({ type: OUTSIDE, userType: 'AssumedRole', userName: ROLE, ...options });

function alertOf(event: unknown): Alert {
  const [output] = normalize(event);
  if (output === undefined || !('alert' in output)) throw new Error('the event is not an alert');
  return output.alert;
}

describe('instance-credential-exfiltration trigger', () => {
  it('triggers on both exfiltration findings and on a DNS rebinding of the metadata service', () => {
    expect(playbook).toTriggerOn(exfiltration());
    expect(playbook).toTriggerOn(INSIDE);
    expect(playbook).toTriggerOn(REBIND);
  });

  it('does not trigger on other credential or instance findings', () => {
    expect(playbook).not.toTriggerOn(guardDutyAccessKeyFinding());
    expect(playbook).not.toTriggerOn(guardDutyInstanceFinding({ instanceId: INSTANCE }));
    expect(triggersOn(playbook, exfiltration({ severity: 2 })).triggers).toBe(false);
  });

  it('is the one playbook that answers these findings, and leaves the others to theirs', () => {
    // Prepare
    const routes = routesFor([playbook, iamCompromise, ec2Compromise], (p) => p.id);
    const chosen = (event: unknown) => selectPlaybooks(routes, alertOf(event)).map((p) => p.id);

    // Act & Assess
    expect(chosen(exfiltration())).toEqual(['instance-credential-exfiltration']);
    expect(chosen(INSIDE)).toEqual(['instance-credential-exfiltration']);
    expect(chosen(REBIND)).toEqual(['instance-credential-exfiltration']);
    expect(chosen(guardDutyAccessKeyFinding({ userType: 'AssumedRole' }))).toEqual([
      'iam-credential-compromise',
    ]);
    expect(chosen(guardDutyInstanceFinding({ instanceId: INSTANCE }))).toEqual(['ec2-instance-compromise']);
  });
});

describe('instance-credential-exfiltration', () => {
  it('revokes the leaked role, then requires IMDSv2 on the production instance after approval', async () => {
    // Act
    const result = await scenario(playbook).event(INSIDE).approve().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([
      'Load context',
      'Prepare context',
      'Playbook',
      'Sample?',
      'Stolen credentials?',
      'Revoke the leaked role sessions',
      'Instance named?',
      'Enrich instance',
      'Protected instance?',
      'Production?',
      'Approve IMDSv2 requirement',
      'Approve IMDSv2 requirement: request',
      'DNS rebinding with an instance role?',
      'Require IMDSv2',
      'IMDS verified?',
      'Notify: contained',
      'Record outcome',
    ]);
    expect(result.mutations('revoke-role-sessions').map((c) => c.params.RoleName)).toEqual([ROLE]);
    expect(result.mutations('require-imdsv2')).toEqual([
      {
        api: 'ModifyInstanceMetadataOptions',
        params: {
          InstanceId: INSTANCE,
          HttpTokens: 'required',
          HttpPutResponseHopLimit: 1,
          HttpEndpoint: 'enabled',
        },
      },
    ]);
    const instance = result.world.ec2.instances.find((i) => i.instanceId === INSTANCE);
    expect(instance?.metadataOptions).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
    expect(Object.keys(result.world.iam.roles[ROLE]?.inlinePolicies ?? {})).toContain(
      'riposte-revoke-older-sessions',
    );
  });

  it('keeps the revocation but leaves the instance when the approver denies', async () => {
    // Act
    const result = await scenario(playbook).event(exfiltration()).deny().run();

    // Assess
    expect(result.path).toContain('Approve IMDSv2 requirement: denied');
    expect(result.mutations('revoke-role-sessions')).toHaveLength(1);
    expect(result.mutations('require-imdsv2')).toEqual([]);
  });

  it('asks no approval for a staging instance', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exfiltration())
      .editWorld((world) => {
        const instance = world.ec2.instances.find((i) => i.instanceId === INSTANCE);
        if (instance !== undefined) instance.tags.environment = 'staging';
      })
      .deny()
      .run();

    // Assess
    expect(result.path).not.toContain('Approve IMDSv2 requirement');
    expect(result.mutations('require-imdsv2')).toHaveLength(1);
  });

  it('revokes the instance role after requiring approval for a DNS rebinding', async () => {
    // Act
    const result = await scenario(playbook).event(REBIND).approve().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).not.toContain('Revoke the leaked role sessions');
    expect(result.path).toEqual(
      expect.arrayContaining([
        'Instance role named?',
        'Revoke the instance role sessions',
        'Notify: contained',
      ]),
    );
    expect(result.mutations('revoke-role-sessions').map((c) => c.params.RoleName)).toEqual([ROLE]);
    expect(result.mutations('require-imdsv2')).toHaveLength(1);
  });

  it('reports a protected role and still closes the metadata path', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exfiltration())
      .editWorld((world) => {
        const role = world.iam.roles[ROLE];
        if (role !== undefined) role.tags['riposte:protected'] = 'True ';
      })
      .approve()
      .run();

    // Assess
    expect(result.path).toContain('Notify: role refused');
    expect(result.mutations('revoke-role-sessions')).toEqual([]);
    expect(result.mutations('require-imdsv2')).toHaveLength(1);
  });

  it('leaves a protected instance alone', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exfiltration())
      .editWorld((world) => {
        const instance = world.ec2.instances.find((i) => i.instanceId === INSTANCE);
        if (instance !== undefined) instance.tags['riposte:protected'] = 'true';
      })
      .approve()
      .run();

    // Assess
    expect(result.path).toContain('Notify: protected instance');
    expect(result.mutations('require-imdsv2')).toEqual([]);
  });

  it('changes nothing for a sample finding', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exfiltration({ sample: true }))
      .approve()
      .run();

    // Assess
    expect(result.path).toContain('Notify: sample');
    expect(result.mutations()).toEqual([]);
  });

  it('revokes the role and says so when no instance is named', async () => {
    // Prepare
    const event = exfiltration();
    const detail = event.detail as { resource: { accessKeyDetails: { principalId: string } } };
    detail.resource.accessKeyDetails.principalId = 'AROAPAYMENTSAPPROLE1:deploy-session';

    // Act
    const result = await scenario(playbook).event(event).approve().run();

    // Assess
    expect(result.path).toContain('Notify: no instance');
    expect(result.mutations('revoke-role-sessions')).toHaveLength(1);
    expect(result.mutations('require-imdsv2')).toEqual([]);
  });

  it('notifies a refusal by a safety rail and stops', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exfiltration())
      .approve()
      .failAction('require-imdsv2', 'ProtectedResourceError', 1)
      .run();

    // Assess
    expect(result.path).toContain('Notify: IMDS refused');
    expect(result.path).not.toContain('Notify: contained');
    expect(result.mutations('require-imdsv2')).toEqual([]);
  });

  it('fails by name, after a notification, when the options read back otherwise', () => {
    // Act
    const definition = JSON.stringify(JSON.parse(renderDefinition(playbook)));

    // Assess: the read-back choice routes a verified=false read-back to a named failure.
    expect(definition).toContain('"Variable":"$.steps.requireImdsv2.output.verification.verified"');
    expect(definition).toMatch(/"Notify: IMDS not verified"[\s\S]*"Error":"ContainmentNotVerifiedError"/);
  });

  it('asks again past the containment limit, then requires IMDSv2', async () => {
    // Act
    const result = await scenario(playbook)
      .event(exfiltration())
      .approve()
      .failAction('require-imdsv2', 'BlastRadiusExceededError', 1)
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(
      expect.arrayContaining([
        'Approve over the containment limit',
        'Require IMDSv2 (approved)',
        'Notify: contained (approved)',
      ]),
    );
    expect(result.mutations('require-imdsv2')).toHaveLength(1);
  });
});

describe('instance-credential-exfiltration: role sessions past the hourly containment limit', () => {
  const NO_CONTAINMENT = { safety: { blastRadiusPerHour: 0 } };
  const CASES = [
    {
      finding: 'an exfiltration',
      event: () => exfiltration(),
      role: 'leaked role',
      step: 'Revoke the leaked role sessions',
      // The production approval replaces the recorded over-limit one: IMDSv2 asks again.
      imds: 'Require IMDSv2 (approved)',
    },
    {
      finding: 'a DNS rebinding',
      event: () => REBIND,
      role: 'instance role',
      step: 'Revoke the instance role sessions',
      // The over-limit approval, given after the production one, lets IMDSv2 through too.
      imds: 'Require IMDSv2',
    },
  ] as const;

  it.each(CASES)(
    '$finding: revokes the $role’s sessions once the over-limit approval is given',
    async (c) => {
      // Act
      const result = await scenario(playbook).event(c.event()).configure(NO_CONTAINMENT).approve().run();

      // Assess
      expect(result.status).toBe('SUCCEEDED');
      expect(result.path).toEqual(
        expect.arrayContaining([
          c.step,
          `Approve over the containment limit (${c.role})`,
          `${c.step} (approved)`,
          c.imds,
        ]),
      );
      expect(result.mutations('revoke-role-sessions').map((m) => m.params.RoleName)).toEqual([ROLE]);
      expect(result.mutations('require-imdsv2')).toHaveLength(1);
    },
  );

  it.each(CASES)(
    '$finding: changes nothing when the over-limit approval for the $role is denied',
    async (c) => {
      // Act
      const result = await scenario(playbook)
        .event(c.event())
        .configure(NO_CONTAINMENT)
        .decideBy((message) => !message.includes(`Revoke the ${c.role}’s sessions anyway`))
        .run();

      // Assess
      expect(result.status).toBe('SUCCEEDED');
      expect(result.path).toContain(`Approve over the containment limit (${c.role}): denied`);
      expect(result.path).not.toContain(`${c.step} (approved)`);
      expect(result.mutations()).toEqual([]);
    },
  );
});
