import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import exposure from '../../playbooks/rds-instance-exposure.ts';
import release from '../../playbooks/rds-instance-release.ts';
import { guardDutyRdsLoginFinding, securityHubRdsControlFinding } from '../support/rds-events.ts';

describe('rds-instance-release', () => {
  it('makes the instance publicly accessible again, as it was, and keeps the snapshot', async () => {
    // Prepare
    const before = exampleWorld();

    // Act
    const result = await scenario(exposure)
      .event(securityHubRdsControlFinding())
      .approve()
      .andThen(release)
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: released');
    expect(result.mutations('release-db-instance')).toEqual([
      {
        api: 'ModifyDBInstance',
        params: { DBInstanceIdentifier: 'orders-db', PubliclyAccessible: true, ApplyImmediately: true },
      },
    ]);
    expect(result.world.rds.instances).toEqual(before.rds.instances);
    // Riposte's snapshots only (the example world also holds a publicly shared one).
    expect(Object.keys(result.world.rds.snapshots).filter((id) => id.startsWith('riposte-'))).toHaveLength(1);
  });

  it('stops on the refusal branch when a rail refuses the release', async () => {
    // Prepare: the action's own protected-tag check is tested in test/core/actions/rds/release-db-instance.test.ts.
    const s = scenario(exposure)
      .event(guardDutyRdsLoginFinding({ dbInstance: 'reports-db' }))
      .failAction('release-db-instance', 'ProtectedResourceError', 1)
      .andThen(release);

    // Act
    const result = await s.run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: refused');
    expect(result.mutations('release-db-instance')).toEqual([]);
    expect(result.world.rds.instances['reports-db']?.publiclyAccessible).toBe(false);
  });

  it('ends on "nothing to release" when the instance was never restricted', async () => {
    // Act
    const result = await scenario(release).event(guardDutyRdsLoginFinding()).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: nothing to release');
    expect(result.mutations()).toEqual([]);
  });
});
