import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import { normalize } from '../../functions/core/normalize/index.ts';
import { matchesTrigger } from '../../functions/core/playbooks/trigger.ts';
import playbook from '../../playbooks/rds-instance-exposure.ts';
import { guardDutyLambdaFinding, securityHubControlFinding } from '../support/events.ts';
import { guardDutyRdsLoginFinding, securityHubRdsControlFinding } from '../support/rds-events.ts';

/** Whether the playbook's own trigger starts it for `event` (the test kit runs it regardless). */
function triggers(event: unknown): boolean {
  return normalize(event).some((out) => 'alert' in out && matchesTrigger(playbook.trigger, out.alert));
}

describe('rds-instance-exposure', () => {
  it.each([
    ['a GuardDuty anomalous successful login', true, guardDutyRdsLoginFinding()],
    [
      'a successful login from a Tor exit node',
      true,
      guardDutyRdsLoginFinding({ type: 'CredentialAccess:RDS/TorIPCaller.SuccessfulLogin' }),
    ],
    [
      'a Low failed login',
      false,
      guardDutyRdsLoginFinding({ type: 'CredentialAccess:RDS/MaliciousIPCaller.FailedLogin', severity: 2 }),
    ],
    ['a Security Hub RDS.2 failure', true, securityHubRdsControlFinding()],
    ['another RDS control', false, securityHubRdsControlFinding({ control: 'RDS.3' })],
    ['an S3 control', false, securityHubControlFinding()],
    ['a Lambda finding', false, guardDutyLambdaFinding()],
  ])('its trigger, given %s, starts it: %s', (_label, expected, event) => {
    // Act
    const started = triggers(event);

    // Assess
    expect(started).toBe(expected);
  });

  it('maps the GuardDuty finding to the DB instance by its ARN', () => {
    // Act
    const [out] = normalize(guardDutyRdsLoginFinding());

    // Assess
    expect(out !== undefined && 'alert' in out ? out.alert.ocsf.resources?.[0] : undefined).toEqual(
      expect.objectContaining({
        type: 'AWS::RDS::DBInstance',
        uid: 'arn:aws:rds:eu-west-1:111122223333:db:orders-db',
        name: 'orders-db',
      }),
    );
  });

  it('snapshots a production instance after approval, makes it private, and verifies', async () => {
    // Act
    const result = await scenario(playbook).event(guardDutyRdsLoginFinding()).approve().run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(
      expect.arrayContaining([
        'Enrich DB instance',
        'Approve restriction',
        'Snapshot and restrict',
        'Notify: contained',
      ]),
    );
    const mutations = result.mutations('restrict-db-instance');
    expect(mutations.map((m) => m.api)).toEqual(['CreateDBSnapshot', 'ModifyDBInstance']);
    expect(mutations[1]?.params).toEqual({
      DBInstanceIdentifier: 'orders-db',
      PubliclyAccessible: false,
      ApplyImmediately: true,
    });
    expect(result.world.rds.instances['orders-db']?.publiclyAccessible).toBe(false);
    // Riposte's snapshots only (the example world also holds a publicly shared one).
    const snapshots = Object.entries(result.world.rds.snapshots)
      .filter(([id]) => id.startsWith('riposte-'))
      .map(([, snapshot]) => snapshot);
    expect(snapshots).toEqual([
      expect.objectContaining({
        dbInstanceIdentifier: 'orders-db',
        tags: { 'riposte:incident': expect.any(String) },
      }),
    ]);
    // Read back after the change (the verification itself is asserted in the action's tests).
    expect(
      result
        .calls('restrict-db-instance')
        .map((c) => c.api)
        .slice(-2),
    ).toEqual(['ModifyDBInstance', 'DescribeDBInstances']);
  });

  it('changes nothing when the approval is denied', async () => {
    // Act
    const result = await scenario(playbook).event(securityHubRdsControlFinding()).deny().run();

    // Assess
    expect(result.path).toContain('Approve restriction: denied');
    expect(result.mutations()).toEqual([]);
    expect(result.world.rds).toEqual(exampleWorld().rds);
  });

  it('restricts a staging instance without asking, and leaves its read replica as it is', async () => {
    // Act
    const result = await scenario(playbook)
      .event(securityHubRdsControlFinding({ dbInstance: 'reports-db' }))
      .deny()
      .run();

    // Assess
    expect(result.path).not.toContain('Approve restriction');
    expect(result.path).toContain('Notify: contained');
    expect(result.world.rds.instances['reports-db']?.publiclyAccessible).toBe(false);
    expect(result.world.rds.instances['reports-db-replica']?.publiclyAccessible).toBe(true);
  });

  it.each([
    ['a protected instance', 'ledger-db', 'Notify: not contained'],
    ['an Aurora cluster member', 'analytics-aurora-1', 'Notify: cluster member'],
  ])('only reports %s', async (_label, db, step) => {
    // Act
    const result = await scenario(playbook)
      .event(guardDutyRdsLoginFinding({ dbInstance: db }))
      .run();

    // Assess
    expect(result.path).toContain(step);
    expect(result.mutations()).toEqual([]);
    expect(result.world.rds).toEqual(exampleWorld().rds);
  });

  it('refuses, before any snapshot, an instance whose protected tag is spaced and cased differently', async () => {
    // Act
    const result = await scenario(playbook)
      .event(guardDutyRdsLoginFinding({ dbInstance: 'reports-db' }))
      .editWorld((w) => {
        const db = w.rds.instances['reports-db'];
        if (db !== undefined) db.tags = { ...db.tags, ' Riposte:Protected ': ' TRUE ' };
      })
      .run();

    // Assess
    expect(result.path).toContain('Notify: not contained');
    expect(result.mutations()).toEqual([]);
  });

  it('only notifies for a sample finding', async () => {
    // Act
    const result = await scenario(playbook)
      .event(guardDutyRdsLoginFinding({ sample: true }))
      .run();

    // Assess
    expect(result.path).toContain('Notify: sample');
    expect(result.actions.map((a) => a.action)).toEqual(['notify']);
  });

  it('ends failed, notified and recorded, when the restriction keeps failing', async () => {
    // Act
    const result = await scenario(playbook)
      .event(guardDutyRdsLoginFinding({ dbInstance: 'reports-db' }))
      .failAction('restrict-db-instance', 'AwsAccessDeniedError')
      .run();

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.path).toEqual(expect.arrayContaining(['Notify failure', 'Record failure', 'Failed']));
    expect(result.world.rds.instances['reports-db']?.publiclyAccessible).toBe(true);
  });
});
