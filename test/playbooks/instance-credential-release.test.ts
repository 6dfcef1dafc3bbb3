import { describe, expect, it } from 'vitest';
import { scenario } from '../../cli/local/testkit.ts';
import { releasePlaybookFor } from '../../functions/core/playbooks/releases.ts';
import containment from '../../playbooks/instance-credential-exfiltration.ts';
import release from '../../playbooks/instance-credential-release.ts';
import { loadFixture } from '../support/fixtures.ts';

const INSTANCE = 'i-0a1b2c3d4e5f60718';
const ROLE = 'payments-app-role';
const INSIDE = loadFixture('guardduty/accesskey-instance-credential-exfiltration-inside-aws.json');
const REBIND = loadFixture('guardduty/instance-metadata-dns-rebind.json');

describe('instance-credential-release', () => {
  it('is the release of incidents instance-credential-exfiltration worked on, and of itself', () => {
    expect(
      releasePlaybookFor({ resourceType: 'AWS::IAM::Role', playbookId: 'instance-credential-exfiltration' }),
    ).toBe('instance-credential-release');
    expect(
      releasePlaybookFor({ resourceType: 'AWS::EC2::Instance', playbookId: 'instance-credential-release' }),
    ).toBe('instance-credential-release');
    expect(
      releasePlaybookFor({ resourceType: 'AWS::IAM::Role', playbookId: 'iam-credential-compromise' }),
    ).toBe('iam-credential-release');
    expect(releasePlaybookFor({ resourceType: 'AWS::EC2::Instance' })).toBe('ec2-instance-release');
  });

  it('puts the metadata options and the leaked role back as they were', async () => {
    // Act
    const result = await scenario(containment).event(INSIDE).approve().andThen(release).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(
      expect.arrayContaining([
        'Restore the leaked role sessions',
        'Restore metadata options',
        'Notify: released',
      ]),
    );
    const instance = result.world.ec2.instances.find((i) => i.instanceId === INSTANCE);
    expect(instance?.metadataOptions).toMatchObject({ httpTokens: 'optional', httpPutResponseHopLimit: 1 });
    expect(Object.keys(result.world.iam.roles[ROLE]?.inlinePolicies ?? {})).toEqual([
      'read-payments-exports',
    ]);
    expect(result.path).toContain('Metadata options verified?');
    expect(result.path).not.toContain('Notify: release not verified');
  });

  it('restores the instance role after a DNS rebinding', async () => {
    // Act
    const result = await scenario(containment).event(REBIND).approve().andThen(release).run();

    // Assess
    expect(result.path).toEqual(
      expect.arrayContaining(['Restore metadata options', 'Restore the instance role sessions']),
    );
    expect(result.path).not.toContain('Restore the leaked role sessions');
    expect(Object.keys(result.world.iam.roles[ROLE]?.inlinePolicies ?? {})).toEqual([
      'read-payments-exports',
    ]);
  });

  it('says nothing to release when the instance was never changed', async () => {
    // Act
    const result = await scenario(containment).event(INSIDE).deny().andThen(release).run();

    // Assess
    expect(result.path).toContain('Notify: nothing to release (the instance metadata options)');
    expect(result.mutations('release-instance-metadata-options')).toEqual([]);
  });

  it('leaves an instance that became protected alone', async () => {
    // Act
    const result = await scenario(containment)
      .event(INSIDE)
      .approve()
      .andThen(release)
      .failAction('release-instance-metadata-options', 'ProtectedResourceError', 1)
      .run();

    // Assess
    expect(result.path).toContain('Notify: release refused');
    expect(result.mutations('release-instance-metadata-options')).toEqual([]);
  });
});
