import { describe, expect, it } from 'vitest';
import {
  GUARDDUTY_FINDING_TYPES,
  GUARDDUTY_FINDING_TYPES_AS_OF,
  RETIRED_GUARDDUTY_FINDING_TYPES,
} from '../../../functions/core/coverage/guardduty-finding-types.ts';
import {
  type CoveragePlaybook,
  computeCoverage,
  findingTypeResource,
} from '../../../functions/core/coverage/index.ts';

/** GuardDuty's documented format: ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism!Artifact. */
const FINDING_TYPE = /^[A-Za-z]+:[A-Za-z0-9]+\/[A-Za-z0-9&]+(\.[A-Za-z0-9]+)*(![A-Za-z0-9]+)?$/;

function playbook(id: string, trigger: CoveragePlaybook['trigger']): CoveragePlaybook {
  return { id, trigger };
}

describe('the GuardDuty finding-type list', () => {
  it('is dated, has no duplicates, and every row has the documented type format', () => {
    // Prepare
    const types = GUARDDUTY_FINDING_TYPES.map(([type]) => type);

    // Assess
    expect(GUARDDUTY_FINDING_TYPES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(new Set(types).size).toBe(types.length);
    for (const type of [...types, ...RETIRED_GUARDDUTY_FINDING_TYPES]) expect(type).toMatch(FINDING_TYPE);
    expect(types.filter((t) => RETIRED_GUARDDUTY_FINDING_TYPES.includes(t))).toEqual([]);
  });

  it('gives ASFF types that are unique and in one of the ASFF type namespaces', () => {
    // Prepare: the namespaces of the ASFF "Types" taxonomy
    const namespaces = ['TTPs/', 'Effects/', 'Unusual Behaviors/', 'Software and Configuration Checks/'];
    const asffTypes = GUARDDUTY_FINDING_TYPES.flatMap(([, asff]) => (asff === undefined ? [] : [asff]));

    // Assess
    expect(new Set(asffTypes).size).toBe(asffTypes.length);
    for (const asff of asffTypes)
      expect(
        namespaces.some((n) => asff.startsWith(n)),
        asff,
      ).toBe(true);
  });
});

describe('findingTypeResource', () => {
  it.each([
    ['Backdoor:EC2/C&CActivity.B!DNS', 'AWS::EC2::Instance'],
    ['Execution:EC2/MaliciousFile!Snapshot', 'AWS::EC2::Snapshot'],
    ['Execution:EC2/MaliciousFile!AMI', 'AWS::EC2::Image'],
    ['UnauthorizedAccess:IAMUser/TorIPCaller', 'AWS::IAM::AccessKey'],
    ['Object:S3/MaliciousFile', 'AWS::S3::Object'],
    ['Policy:S3/BucketPublicAccessGranted', 'AWS::S3::Bucket'],
    ['Execution:Runtime/ReverseShell', undefined],
    ['AttackSequence:S3/CompromisedData', undefined],
  ])('%s is about %s', (type, resource) => {
    expect(findingTypeResource(type)).toBe(resource);
  });
});

describe('computeCoverage', () => {
  it('counts a type answered natively, through Security Hub, or both, and names the playbooks', () => {
    // Prepare
    const playbooks = [
      playbook('native', { sources: ['aws.guardduty'], findingTypes: ['Backdoor:EC2/*'], minSeverity: 4 }),
      playbook('hub', { sources: ['aws.securityhub'], findingTypes: ['*Trojan:EC2-DropPoint*'] }),
    ];

    // Act
    const { guardDuty } = computeCoverage(playbooks);
    const byType = new Map(guardDuty.types.map((t) => [t.type, t]));

    // Assess
    expect(byType.get('Backdoor:EC2/Spambot')).toEqual({
      type: 'Backdoor:EC2/Spambot',
      playbooks: ['native'],
      channels: ['guardduty'],
      minSeverity: 4,
    });
    expect(byType.get('Trojan:EC2/DropPoint')?.channels).toEqual(['securityhub']);
    expect(byType.get('Trojan:EC2/DropPoint!DNS')?.playbooks).toEqual(['hub']);
    expect(byType.get('Trojan:EC2/BlackholeTraffic')?.playbooks).toEqual([]);
    expect(guardDuty.covered).toBe(guardDuty.types.filter((t) => t.playbooks.length > 0).length);
    expect(guardDuty.total).toBe(GUARDDUTY_FINDING_TYPES.length);
    expect(guardDuty.fraction).toBeCloseTo(guardDuty.covered / guardDuty.total);
  });

  it('does not count a type whose resource the trigger rules out, nor manual triggers', () => {
    // Prepare: an instance playbook's Execution:EC2/* also matches scans of snapshots and AMIs by name
    const playbooks = [
      playbook('instance', {
        sources: ['aws.guardduty'],
        findingTypes: ['Execution:EC2/*'],
        resourceTypes: ['AWS::EC2::Instance'],
      }),
      playbook('release', { manual: true }),
    ];

    // Act
    const byType = new Map(computeCoverage(playbooks).guardDuty.types.map((t) => [t.type, t.playbooks]));

    // Assess
    expect(byType.get('Execution:EC2/MaliciousFile')).toEqual(['instance']);
    expect(byType.get('Execution:EC2/MaliciousFile!Snapshot')).toEqual([]);
    expect(byType.get('Execution:EC2/MaliciousFile!AMI')).toEqual([]);
  });

  it('lists Security Hub controls and Config rules named by triggers, with their kind', () => {
    // Prepare
    const playbooks = [
      playbook('buckets', { anyOf: [{ controls: ['S3.8', '*s3-bucket-public-read-prohibited*'] }] }),
      playbook('more', { controls: ['S3.8'] }),
    ];

    // Act
    const { controls } = computeCoverage(playbooks);

    // Assess
    expect(controls).toEqual([
      { control: '*s3-bucket-public-read-prohibited*', kind: 'config-rule', playbooks: ['buckets'] },
      { control: 'S3.8', kind: 'securityhub-control', playbooks: ['buckets', 'more'] },
    ]);
  });

  it('covers nothing without playbooks', () => {
    // Act
    const coverage = computeCoverage([]);

    // Assess
    expect(coverage.guardDuty.covered).toBe(0);
    expect(coverage.guardDuty.fraction).toBe(0);
    expect(coverage.controls).toEqual([]);
  });
});
