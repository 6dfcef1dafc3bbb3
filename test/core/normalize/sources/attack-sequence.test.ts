import { describe, expect, it } from 'vitest';
import { primaryResource } from '../../../../functions/core/intake/resource.ts';
import { alertIdFor } from '../../../../functions/core/normalize/common.ts';
import { alertProducer } from '../../../../functions/core/normalize/product.ts';
import { withPrimaryFirst } from '../../../../functions/core/normalize/sources/attack-sequence.ts';
import { loadFixture } from '../../../support/fixtures.ts';
import { alertFrom, set } from '../../../support/normalize.ts';

const IAM = 'guardduty/attack-sequence-iam-compromised-credentials.json';
const S3 = 'guardduty/attack-sequence-s3-compromised-data.json';
const S3_VIA_HUB = 'securityhub/imported-guardduty-attack-sequence-s3.json';
const S3_ARN =
  'arn:aws:guardduty:eu-west-1:111122223333:detector/1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d/finding/c7d8e9f0a1b24c3d9e8f7a6b5c4d3e2f';

describe('GuardDuty attack sequence (native) → Detection Finding 2004', () => {
  it('keeps every resource the sequence names, the compromised key first, and rates it Critical', () => {
    // Prepare
    const event = loadFixture(IAM);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf).toMatchObject({
      class_uid: 2004,
      severity_id: 5,
      severity: 'Critical',
      is_alert: true,
    });
    expect(alert.ocsf.finding_info?.types).toEqual(['AttackSequence:IAM/CompromisedCredentials']);
    expect(alert.ocsf.resources?.map((r) => [r.type, r.uid, r.name])).toEqual([
      ['AWS::IAM::AccessKey', 'AKIARIPOSTEDEMO7KEYX', 'ci-deployer'],
      ['AWS::EC2::Instance', 'i-0c1d2e3f4a5b6c7d8', undefined],
    ]);
    expect(alertProducer(alert)).toEqual({ id: 'aws/guardduty', aws: true });
  });

  it('groups the incident by the principal owning the compromised key', () => {
    // Prepare
    const event = loadFixture(IAM);

    // Act
    const primary = primaryResource(alertFrom(event));

    // Assess
    expect(primary).toMatchObject({ type: 'AWS::IAM::User', uid: 'ci-deployer', account: '111122223333' });
  });

  it('keeps each signal as a related event, in order, with its type, times, count and severity', () => {
    // Prepare
    const event = loadFixture(IAM);

    // Act
    const info = alertFrom(event).ocsf.finding_info;

    // Assess
    expect(info?.related_events_count).toBe(4);
    expect(info?.related_events).toHaveLength(4);
    expect(info?.related_events?.[0]).toEqual({
      uid: 'arn:aws:guardduty:us-east-1:111122223333:detector/9e2c4a6b8d0f1e3a5c7b9d1f3e5a7c9b/finding/0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e',
      type: 'FINDING',
      title: 'UnauthorizedAccess:IAMUser/TorIPCaller',
      desc: 'API calls were made from a Tor exit node IP address.',
      count: 3,
      created_time: Date.parse('2026-11-18T05:58:03Z'),
      modified_time: Date.parse('2026-11-18T06:01:12Z'),
      first_seen_time: Date.parse('2026-11-18T05:58:03Z'),
      last_seen_time: Date.parse('2026-11-18T06:01:12Z'),
      severity_id: 3,
      severity: 'Medium',
    });
    expect(info?.related_events?.map((e) => e.title)).toEqual([
      'UnauthorizedAccess:IAMUser/TorIPCaller',
      'iam:CreateRole',
      'iam:AttachRolePolicy',
      'cloudtrail:DeleteTrail',
    ]);
  });

  it('keeps what it does not map (actors, endpoints, indicators) in unmapped, not resources or signals', () => {
    // Prepare
    const event = loadFixture(IAM);

    // Act
    const unmapped = JSON.stringify(alertFrom(event).ocsf.unmapped);

    // Assess
    expect(unmapped).toContain('sequenceIndicators');
    expect(unmapped).toContain('198.51.100.23');
    expect(unmapped).not.toContain('"signals"');
    expect(unmapped).not.toContain('"resources"');
  });

  it('puts the principal before the buckets of an S3 data sequence, and rates severity 8 High', () => {
    // Prepare
    const event = loadFixture(S3);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.severity_id).toBe(4);
    expect(alert.ocsf.resources?.map((r) => r.type)).toEqual([
      'AWS::IAM::AccessKey',
      'AWS::S3::Bucket',
      'AWS::S3::Bucket',
    ]);
    expect(alert.ocsf.finding_info?.related_events?.[1]).toMatchObject({
      type: 'S3_DATA_EVENTS',
      title: 's3:GetObject',
      count: 4312,
      first_seen_time: Date.parse('2026-11-20T13:13:20Z'),
    });
  });

  it('falls back to the first bucket when the S3 sequence names no principal', () => {
    // Prepare
    const event = loadFixture(S3);
    const sequence = (event.detail as { service: { detection: { sequence: { resources: unknown[] } } } })
      .service.detection.sequence;
    sequence.resources = sequence.resources.slice(0, 2);

    // Act
    const primary = primaryResource(alertFrom(event));

    // Assess
    expect(primary).toMatchObject({
      type: 'AWS::S3::Bucket',
      uid: 'arn:aws:s3:::riposte-demo-customer-exports',
    });
  });

  it('keeps the AttackSequence resource when the sequence names no resources', () => {
    // Prepare
    const event = set(loadFixture(IAM), 'detail.service.detection.sequence.resources', []);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.resources).toEqual([
      { type: 'AttackSequence', region: 'us-east-1', cloud_partition: 'aws' },
    ]);
    expect(alert.ocsf.finding_info?.related_events).toHaveLength(4);
  });

  it('leaves out a signal without an id (OCSF requires related_event.uid)', () => {
    // Prepare
    const event = set(loadFixture(IAM), 'detail.service.detection.sequence.signals', [
      { type: 'CLOUD_TRAIL', name: 'iam:ListUsers' },
      { uid: 'sig-2', type: 'CLOUD_TRAIL', name: 'iam:CreateRole' },
    ]);

    // Act
    const info = alertFrom(event).ocsf.finding_info;

    // Assess
    expect(info?.related_events).toEqual([{ uid: 'sig-2', type: 'CLOUD_TRAIL', title: 'iam:CreateRole' }]);
    expect(info?.related_events_count).toBe(1);
  });
});

describe('GuardDuty attack sequence through Security Hub (ASFF)', () => {
  it('is the same alert as the native finding, with the same primary resource', () => {
    // Prepare
    const native = loadFixture(S3);
    const viaHub = loadFixture(S3_VIA_HUB);

    // Act
    const nativeAlert = alertFrom(native);
    const hubAlert = alertFrom(viaHub);

    // Assess
    expect(hubAlert.id).toBe(alertIdFor(S3_ARN));
    expect(hubAlert.id).toBe(nativeAlert.id);
    expect(primaryResource(hubAlert).key).toBe(primaryResource(nativeAlert).key);
    expect(hubAlert.ocsf.severity_id).toBe(4);
  });

  it('keeps every resource and every signal of Detection.Sequence', () => {
    // Prepare
    const event = loadFixture(S3_VIA_HUB);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.resources?.map((r) => [r.type, r.uid])).toEqual([
      ['AWS::IAM::AccessKey', 'AKIARIPOSTEEXPORT001'],
      ['AWS::S3::Bucket', 'arn:aws:s3:::riposte-demo-customer-exports'],
      ['AWS::S3::Bucket', 'arn:aws:s3:::riposte-demo-invoices'],
    ]);
    expect(alert.ocsf.finding_info?.related_events?.map((e) => [e.type, e.title])).toEqual([
      ['FINDING', 'Discovery:S3/AnomalousBehavior'],
      ['S3_DATA_EVENTS', 's3:GetObject'],
      ['S3_DATA_EVENTS', 's3:DeleteObject'],
    ]);
    expect(alert.ocsf.finding_info?.related_events?.[0]).toMatchObject({
      desc: 'An API commonly used to discover S3 objects was invoked in an unusual way.',
      product_uid: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty',
      first_seen_time: Date.parse('2026-11-20T12:44:10Z'),
    });
  });

  it('reorders nothing and reads no sequence from a product that is not proven AWS', () => {
    // Prepare: a custom integration copying the GuardDuty finding
    const event = loadFixture(S3_VIA_HUB);
    const custom = 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default';
    set(event, 'detail.findings', [{ ...firstFinding(event), ProductArn: custom }]);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alertProducer(alert).aws).toBe(false);
    expect(alert.ocsf.resources?.[0]?.type).toBe('AWS::S3::Bucket');
    expect(alert.ocsf.finding_info?.related_events).toBeUndefined();
  });
});

describe('withPrimaryFirst', () => {
  it.each([
    [
      'AttackSequence:EC2/CompromisedInstanceGroup',
      ['AWS::EC2::VPC', 'AWS::EC2::Instance'],
      'AWS::EC2::Instance',
    ],
    ['AttackSequence:EKS/CompromisedCluster', ['Container', 'AWS::EKS::Cluster'], 'AWS::EKS::Cluster'],
    ['AttackSequence:ECS/CompromisedCluster', ['AWS::ECS::Task', 'AWS::ECS::Cluster'], 'AWS::ECS::Cluster'],
    ['Backdoor:EC2/C&CActivity.B', ['AWS::EC2::VPC', 'AWS::EC2::Instance'], 'AWS::EC2::VPC'],
  ])('%s puts %j in order with %s first', (type, kinds, first) => {
    // Prepare
    const resources = kinds.map((kind, index) => ({ type: kind, uid: `r-${index}` }));

    // Act
    const ordered = withPrimaryFirst(type, resources);

    // Assess
    expect(ordered[0]?.type).toBe(first);
    expect(ordered).toHaveLength(kinds.length);
  });
});

function firstFinding(event: Record<string, unknown>): Record<string, unknown> {
  const detail = event.detail as { findings: Record<string, unknown>[] };
  return detail.findings[0] ?? {};
}

describe('MITRE ATT&CK of an attack sequence', () => {
  it('maps the tactics and techniques the indicators name, with ATT&CK ids and links', () => {
    // Act
    const attacks = alertFrom(loadFixture(IAM)).ocsf.finding_info?.attacks;

    // Assess
    expect(attacks).toEqual([
      { tactic: { name: 'Persistence', uid: 'TA0003', src_url: 'https://attack.mitre.org/tactics/TA0003/' } },
      {
        tactic: {
          name: 'Defense Evasion',
          uid: 'TA0005',
          src_url: 'https://attack.mitre.org/tactics/TA0005/',
        },
      },
      {
        tactic: {
          name: 'Initial Access',
          uid: 'TA0001',
          src_url: 'https://attack.mitre.org/tactics/TA0001/',
        },
      },
      {
        technique: {
          name: 'Impair Defenses: Disable or Modify Cloud Logs',
          uid: 'T1562.008',
          src_url: 'https://attack.mitre.org/techniques/T1562/008/',
        },
      },
      {
        technique: {
          name: 'Account Manipulation: Additional Cloud Roles',
          uid: 'T1098.003',
          src_url: 'https://attack.mitre.org/techniques/T1098/003/',
        },
      },
    ]);
  });

  it('maps the same tactics when the sequence arrives through Security Hub', () => {
    // Act
    const native = alertFrom(loadFixture(S3)).ocsf.finding_info?.attacks;
    const viaHub = alertFrom(loadFixture(S3_VIA_HUB)).ocsf.finding_info?.attacks;

    // Assess
    expect(viaHub?.map((a) => a.tactic?.uid)).toEqual(['TA0007', 'TA0010', 'TA0040']);
    expect(viaHub).toEqual(native);
  });

  it('keeps a tactic name it does not know without inventing an id, and reads names trimmed and case-insensitively', () => {
    // Prepare
    const event = set(loadFixture(S3), 'detail.service.detection.sequence.sequenceIndicators', [
      { key: 'ATTACK_TACTIC', values: ['Impact', ' impact', 'Stealth Operations'] },
      { key: 'TOR_IP', values: ['198.51.100.23'] },
    ]);

    // Act
    const attacks = alertFrom(event).ocsf.finding_info?.attacks;

    // Assess
    expect(attacks).toEqual([
      { tactic: { name: 'Impact', uid: 'TA0040', src_url: 'https://attack.mitre.org/tactics/TA0040/' } },
      { tactic: { name: 'Stealth Operations' } },
    ]);
  });
});
