import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../functions/core/alert.ts';
import { normalize } from '../../functions/core/normalize/index.ts';
import { alertProducer } from '../../functions/core/normalize/product.ts';
import { loadPlaybooks } from '../../functions/core/playbooks/registry.ts';
import type { Playbook } from '../../functions/core/playbooks/sdk.ts';
import {
  matchesTrigger,
  type TriggerConditions,
  wildcardToRegExp,
} from '../../functions/core/playbooks/trigger.ts';
import { playbookContains } from '../../functions/core/playbooks/trust.ts';

/**
 * Property: no alert from a non-AWS product or from the custom source starts a playbook that
 * contains, through any shipped playbook, unless that playbook's trigger names the product (or,
 * for custom alerts, the `riposte.custom` source). Alerts are built to look like what the shipped
 * triggers answer (their finding types, controls, resource types and severities), so that only the
 * product stands between them and a match.
 */

const TYPES = [
  'TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS',
  'Effects/Resource Consumption/CryptoCurrency:EC2-BitcoinTool.B!DNS',
  'TTPs/Initial Access/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.OutsideAWS',
  'UnauthorizedAccess:IAMUser/TorIPCaller',
  'Backdoor:EC2/C&CActivity.B!DNS',
  'Policy:S3/BucketBlockPublicAccessDisabled',
  'AccessAnalyzer:AWS::S3::Bucket/PublicAccess',
  'Software and Configuration Checks/AWS Security Best Practices',
];
const RESOURCES = [
  { Type: 'AwsEc2Instance', Id: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0a1b2c3d4e5f60718' },
  {
    Type: 'AwsIamAccessKey',
    Id: 'AKIAPAYMENTSATTACK02',
    Details: { AwsIamAccessKey: { PrincipalName: 'payments-deployer', PrincipalType: 'IAMUser' } },
  },
  { Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::payments-exports' },
];
const OCSF_RESOURCES = [
  { type: 'AWS::EC2::Instance', uid: 'i-0a1b2c3d4e5f60718' },
  { type: 'AWS::IAM::AccessKey', uid: 'AKIAPAYMENTSATTACK02', name: 'payments-deployer' },
  { type: 'AWS::S3::Bucket', uid: 'arn:aws:s3:::payments-exports', name: 'payments-exports' },
];

/** Product ARNs that are not AWS's: custom integrations, partners, and look-alikes. */
const untrustedProductArn = fc.oneof(
  fc.constantFrom(
    'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default',
    'arn:aws:securityhub:eu-west-1:111122223333:product/aws/guardduty',
    'arn:aws:securityhub:eu-west-1:222222222222:product/generico/secure-pro',
    'arn:aws:securityhub:eu-west-1::product/AWS/guardduty',
    'arn:aws:securityhub:eu-west-1::product/amazon/guardduty',
  ),
  fc
    .tuple(fc.stringMatching(/^\d{12}$/), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/))
    .map(([account, name]) => `arn:aws:securityhub:eu-west-1:${account}:product/${account}/${name}`),
);

const securityHubEvent = fc
  .record({
    productArn: untrustedProductArn,
    type: fc.constantFrom(...TYPES),
    label: fc.constantFrom('LOW', 'MEDIUM', 'HIGH', 'CRITICAL'),
    resource: fc.constantFrom(...RESOURCES),
    control: fc.option(fc.constantFrom('S3.2', 'S3.3', 'S3.8'), { nil: undefined }),
    id: fc.oneof(
      fc.uuid(),
      fc.constant(
        'arn:aws:guardduty:eu-west-1:111122223333:detector/d/finding/7c1e2a9f4b3d48e6a0f5c2d9b8e7a6f1',
      ),
    ),
  })
  .map(({ productArn, type, label, resource, control, id }) => ({
    version: '0',
    id: 'e0c4a1b2-0000-4000-8000-000000000001',
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    account: '111122223333',
    time: '2026-11-02T10:16:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      findings: [
        {
          SchemaVersion: '2018-10-08',
          Id: id,
          ProductArn: productArn,
          ProductName: 'GuardDuty',
          CompanyName: 'Amazon',
          AwsAccountId: '111122223333',
          Region: 'eu-west-1',
          Types: [type],
          CreatedAt: '2026-11-02T10:05:00.000Z',
          UpdatedAt: '2026-11-02T10:15:00.000Z',
          Severity: { Label: label },
          Title: 'Forged',
          Description: 'Forged',
          Resources: [resource],
          ...(control === undefined ? {} : { Compliance: { Status: 'FAILED', SecurityControlId: control } }),
        },
      ],
    },
  }));

const customEvent = fc
  .record({
    classUid: fc.constantFrom(2003, 2004, 3002),
    severity: fc.integer({ min: 1, max: 5 }),
    type: fc.constantFrom(...TYPES),
    resource: fc.constantFrom(...OCSF_RESOURCES),
    control: fc.option(fc.constantFrom('S3.2', 'S3.3', 'S3.8'), { nil: undefined }),
    product: fc.constantFrom(
      { name: 'GuardDuty', vendor_name: 'AWS', uid: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty' },
      { name: 'Acme EDR', vendor_name: 'Acme', uid: 'acme-edr' },
      { name: 'aws/guardduty', vendor_name: 'AWS' },
    ),
  })
  .map(({ classUid, severity, type, resource, control, product }) => ({
    version: '0',
    id: 'e0c4a1b2-0000-4000-8000-000000000002',
    'detail-type': 'Riposte Alert',
    source: 'riposte.custom',
    account: '111122223333',
    time: '2026-11-02T10:16:00Z',
    region: 'eu-west-1',
    detail: {
      ocsf: {
        class_uid: classUid,
        category_uid: classUid === 3002 ? 3 : 2,
        activity_id: 1,
        type_uid: classUid * 100 + 1,
        severity_id: severity,
        time: Date.parse('2026-11-02T10:15:00Z'),
        metadata: { version: '1.6.0', product },
        cloud: { provider: 'AWS', region: 'eu-west-1', account: { uid: '111122223333' } },
        finding_info: { uid: 'forged-1', title: 'Forged', types: [type] },
        ...(control === undefined ? {} : { compliance: { control, status_id: 3 } }),
        resources: [{ ...resource, region: 'eu-west-1' }],
      },
    },
  }));

/** Whether one of the playbook's trigger conditions explicitly trusts the alert's producer. */
function explicitlyTrusts(playbook: Playbook, alert: Alert): boolean {
  const trigger = playbook.trigger;
  if ('manual' in trigger) return false;
  const conditions: TriggerConditions[] = 'anyOf' in trigger ? trigger.anyOf : [trigger];
  const producer = alertProducer(alert);
  return conditions.some(
    (condition) =>
      matchesTrigger(condition, alert) &&
      ((condition.products ?? []).some((p) => wildcardToRegExp(p).test(producer.id)) ||
        (alert.source === 'riposte.custom' && condition.sources?.includes('riposte.custom') === true)),
  );
}

describe('untrusted producers never start containment', () => {
  let containing: Playbook[];
  beforeAll(async () => {
    containing = (await loadPlaybooks()).filter((playbook) => playbookContains(playbook));
  });

  it('holds for every shipped playbook that contains', () => {
    expect(containing.map((p) => p.id).sort()).toEqual(
      expect.arrayContaining(['ec2-instance-compromise', 'iam-credential-compromise', 's3-public-bucket']),
    );
    fc.assert(
      fc.property(fc.oneof(securityHubEvent, customEvent), (event) => {
        for (const output of normalize(event)) {
          if (!('alert' in output)) continue;
          const { alert } = output;
          expect(alertProducer(alert).aws).toBe(false);
          for (const playbook of containing) {
            if (matchesTrigger(playbook.trigger, alert)) {
              expect(
                explicitlyTrusts(playbook, alert),
                `${playbook.id} matched ${alertProducer(alert).id}`,
              ).toBe(true);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('control: the same forged shapes from AWS’s own product ARN do match', () => {
    // Prepare: the genuine GuardDuty product.
    const event = {
      ...fc.sample(securityHubEvent, { numRuns: 1, seed: 7 })[0],
    } as Record<string, unknown> & { detail: { findings: Record<string, unknown>[] } };
    const [finding] = event.detail.findings;
    if (finding === undefined) throw new Error('no finding');
    Object.assign(finding, {
      ProductArn: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty',
      Types: ['TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS'],
      Severity: { Label: 'HIGH' },
      Resources: [RESOURCES[0]],
    });
    delete finding.Compliance;

    // Act
    const [output] = normalize(event);

    // Assess
    if (output === undefined || !('alert' in output)) throw new Error('not an alert');
    expect(containing.filter((p) => matchesTrigger(p.trigger, output.alert)).map((p) => p.id)).toEqual([
      'ec2-instance-compromise',
    ]);
  });
});
