import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertSchema, REJECTION_REASONS } from '../../../../functions/core/alert.ts';
import { alertIdFor } from '../../../../functions/core/normalize/common.ts';
import { normalize } from '../../../../functions/core/normalize/index.ts';
import { guardDutyService } from '../../../../functions/core/normalize/sources/securityhub.ts';
import { corpusFiles, type FixtureEvent, loadFixture } from '../../../support/fixtures.ts';
import { alertOf, DEMO_HTTPD_VULNERABILITY, record } from '../../../support/normalize.ts';
import { ocsfSchemaAvailable, validateOcsf, violationsOnly } from '../../../support/ocsf-conformance.ts';

const GUARDDUTY = 'securityhub/imported-guardduty-credential-exfiltration.json';
const GUARDDUTY_NATIVE = 'securityhub/native-guardduty-credential-exfiltration.json';
const INSPECTOR = 'securityhub/imported-inspector-ec2-cve.json';
const CONTROL = 'securityhub/imported-control-s3-public-access-failed.json';
const BATCH = 'securityhub/custom-action-three-findings.json';
const MACIE = 'securityhub/imported-macie-sensitive-data.json';
const INSIGHT = 'securityhub/insight-results.json';
const GUARDDUTY_ARN =
  'arn:aws:guardduty:us-east-1:111122223333:detector/5eb2f1c6a0d94e7bb1c2d3e4f5a6b7c8/finding/8cc3a9d1e2f04b5a9c6d7e8f9a0b1c2d';

type Finding = Record<string, unknown>;

/** The `detail.findings` array of a fixture event, itself (not a copy). */
function findingsOf(event: FixtureEvent): unknown[] {
  const detail = event.detail;
  if (
    typeof detail !== 'object' ||
    detail === null ||
    !('findings' in detail) ||
    !Array.isArray(detail.findings)
  ) {
    throw new Error('fixture has no detail.findings');
  }
  return detail.findings;
}

/** The `index`-th ASFF finding of a fixture event, for a test to change in place. */
function findingOf(event: FixtureEvent, index = 0): Finding {
  const finding: unknown = findingsOf(event)[index];
  if (typeof finding !== 'object' || finding === null || Array.isArray(finding)) {
    throw new Error(`fixture has no finding ${index}`);
  }
  return Object.fromEntries(Object.entries(finding));
}

/** Replaces the `index`-th finding of a fixture event. */
function withFinding(event: FixtureEvent, finding: Finding, index = 0): FixtureEvent {
  findingsOf(event)[index] = finding;
  return event;
}

/** Applies `change` to the first finding of a fixture and returns the event. */
function changed(fixture: string, change: (finding: Finding) => void): FixtureEvent {
  const event = loadFixture(fixture);
  const finding = findingOf(event);
  change(finding);
  return withFinding(event, finding);
}

describe('Security Hub findings: class per product', () => {
  it('maps a GuardDuty finding to Detection Finding 2004 with the ASFF product', () => {
    // Prepare
    const event = loadFixture(GUARDDUTY);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.source).toBe('aws.securityhub');
    expect(alert.ocsf.class_uid).toBe(2004);
    expect(alert.ocsf.type_uid).toBe(200401);
    expect(alert.ocsf.severity_id).toBe(4);
    expect(alert.ocsf.is_alert).toBe(true);
    expect(alert.ocsf.metadata.product).toEqual({
      name: 'GuardDuty',
      vendor_name: 'Amazon',
      uid: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
    });
    expect(alert.ocsf.cloud).toMatchObject({ region: 'us-east-1', account: { uid: '111122223333' } });
    expect(alert.ocsf.finding_info).toMatchObject({
      uid: GUARDDUTY_ARN,
      title: 'Credentials for instance role riposte-demo-app used from an external IP address.',
      types: ['TTPs/Initial Access/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.OutsideAWS'],
      src_url: expect.stringContaining('fId=8cc3a9d1e2f04b5a9c6d7e8f9a0b1c2d'),
      created_time: Date.UTC(2024, 4, 14, 9, 30, 12, 318),
      first_seen_time: Date.UTC(2024, 4, 14, 9, 12, 44),
      last_seen_time: Date.UTC(2024, 4, 14, 9, 31, 2),
    });
    expect(alert.ocsf.resources).toEqual([
      {
        type: 'AWS::IAM::AccessKey',
        uid: 'ASIAEXAMPLEKEYID0001',
        uid_alt: 'AWS::IAM::AccessKey:ASIAEXAMPLEKEYID0001',
        name: 'riposte-demo-app',
        region: 'us-east-1',
        cloud_partition: 'aws',
        data: {
          AwsIamAccessKey: {
            PrincipalId: 'AROAEXAMPLEROLEID0001:i-0abc123def4567890',
            PrincipalName: 'riposte-demo-app',
            PrincipalType: 'AssumedRole',
          },
        },
      },
    ]);
  });

  it('maps an Inspector finding to Vulnerability Finding 2002 with CVE, CVSS, EPSS and packages', () => {
    // Prepare
    const event = loadFixture(INSPECTOR);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.class_uid).toBe(2002);
    expect(alert.ocsf.severity_id).toBe(5);
    expect(alert.ocsf.activity_id).toBe(2);
    expect(alert.ocsf.vulnerabilities).toEqual([DEMO_HTTPD_VULNERABILITY]);
  });

  it('maps a Security Hub control finding to Compliance Finding 2003', () => {
    // Prepare
    const event = loadFixture(CONTROL);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.class_uid).toBe(2003);
    expect(alert.ocsf.is_alert).toBeUndefined();
    expect(alert.ocsf.compliance).toEqual({
      control: 'S3.8',
      standards: [
        'standards/aws-foundational-security-best-practices/v/1.0.0',
        'standards/nist-800-53/v/5.0.0',
      ],
      requirements: ['NIST.800-53.r5 AC-21', 'NIST.800-53.r5 AC-3'],
      status_id: 3,
      status: 'Fail',
      status_code: 'CONFIG_EVALUATIONS_EMPTY',
      status_detail: 'Block Public Access is disabled for the bucket.',
      status_details: ['Block Public Access is disabled for the bucket.'],
    });
    expect(alert.ocsf.remediation).toEqual({
      desc: 'For information on how to correct this issue, consult the AWS Security Hub controls documentation.',
      references: ['https://docs.aws.amazon.com/console/securityhub/S3.8/remediation'],
    });
    expect(alert.ocsf.resources?.[0]?.tags).toEqual([
      { name: 'team', value: 'analytics' },
      { name: 'cost-center', value: '' },
    ]);
    expect(alert.ocsf.status_id).toBe(2);
  });

  it.each([
    ['PASSED', 1, 'Pass'],
    ['WARNING', 2, 'Warning'],
    ['FAILED', 3, 'Fail'],
    ['NOT_AVAILABLE', 0, 'Unknown'],
  ])('maps Compliance.Status %s to compliance.status_id %i', (status, statusId, caption) => {
    // Prepare
    const event = changed(CONTROL, (finding) => {
      finding.Compliance = { ...record(finding.Compliance), Status: status };
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.compliance).toMatchObject({ status_id: statusId, status: caption });
  });

  it('takes the control of a legacy standards finding from ProductFields and of a Config finding from the rule name', () => {
    // Prepare
    const legacy = changed(CONTROL, (finding) => {
      finding.Compliance = { Status: 'FAILED' };
      finding.ProductFields = {
        ...record(finding.ProductFields),
        ControlId: 'PCI.S3.1',
        StandardsArn: 'arn:aws:securityhub:::standards/pci-dss/v/3.2.1',
      };
    });
    const batch = loadFixture(BATCH);

    // Act
    const legacyAlert = alertOf(normalize(legacy));
    const configOutput = normalize(batch)[0];

    // Assess
    expect(legacyAlert.ocsf.compliance).toMatchObject({
      control: 'PCI.S3.1',
      standards: ['arn:aws:securityhub:::standards/pci-dss/v/3.2.1'],
    });
    expect(configOutput).toMatchObject({
      alert: {
        ocsf: {
          class_uid: 2003,
          metadata: { product: { name: 'Config', uid: 'arn:aws:securityhub:us-west-2::product/aws/config' } },
          compliance: { control: 'riposte-demo-ebs-encrypted', status_id: 3 },
        },
      },
    });
  });

  it('maps a Macie sensitive-data finding to Data Security Finding 2006', () => {
    // Prepare
    const event = loadFixture(MACIE);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.class_uid).toBe(2006);
    expect(alert.ocsf.data_security).toEqual({
      detection_system_id: 4,
      detection_system: 'Data Discovery & Classification',
      data_lifecycle_state_id: 1,
      data_lifecycle_state: 'Data at-Rest',
      category_id: 3,
      category: 'Financial',
    });
    expect(alert.ocsf.finding_info?.uid).toBe(
      'arn:aws:macie2:us-east-1:111122223333:finding/0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a',
    );
  });

  it('maps a Macie policy finding to Detection Finding 2004', () => {
    // Prepare
    const event = changed(MACIE, (finding) => {
      finding.Types = [
        'Software and Configuration Checks/AWS Security Best Practices/Policy:IAMUser-S3BucketPublic',
      ];
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.class_uid).toBe(2004);
    expect(alert.ocsf.data_security).toBeUndefined();
  });

  it('maps a third-party finding to 2004, to 2003 when it carries Compliance, to 2002 with Vulnerabilities', () => {
    // Prepare
    const batch = loadFixture(BATCH);
    const thirdParty = findingOf(batch, 1);
    const compliance = withFinding(
      loadFixture(BATCH),
      { ...thirdParty, Compliance: { Status: 'FAILED' } },
      1,
    );
    const vulnerable = withFinding(
      loadFixture(BATCH),
      {
        ...thirdParty,
        Vulnerabilities: [{ Id: 'CVE-2024-0003', Cvss: [{ BaseScore: 5.3, Version: '3.1' }] }],
      },
      1,
    );

    // Act
    const classes = [batch, compliance, vulnerable].map((event) => {
      const output = normalize(event)[1];
      return output !== undefined && 'alert' in output ? output.alert.ocsf.class_uid : undefined;
    });

    // Assess
    expect(classes).toEqual([2004, 2003, 2002]);
  });
});

describe('Security Hub findings: batches', () => {
  it('gives one output per finding, in order, refusing only the unreadable element', () => {
    // Prepare
    const event = loadFixture(BATCH);

    // Act
    const outputs = normalize(event);

    // Assess
    expect(outputs).toHaveLength(3);
    expect(outputs[0]).toMatchObject({ alert: { ocsf: { class_uid: 2003 } } });
    expect(outputs[1]).toMatchObject({ alert: { ocsf: { class_uid: 2004, severity_id: 4 } } });
    expect(outputs[2]).toEqual({
      rejected: { reason: 'missing_field', message: 'detail.findings[2].ProductArn: is required' },
    });
  });

  it('keeps the envelope id as metadata.uid and the single finding as raw_data', () => {
    // Prepare
    const event = loadFixture(BATCH);

    // Act
    const alerts = normalize(event).flatMap((output) => ('alert' in output ? [output.alert] : []));

    // Assess
    expect(alerts.map((alert) => alert.ocsf.metadata.uid)).toEqual([
      'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
      'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
    ]);
    expect(alerts.map((alert) => record(JSON.parse(alert.ocsf.raw_data ?? '{}')).Id)).toEqual([
      findingOf(event, 0).Id,
      findingOf(event, 1).Id,
    ]);
    expect(new Set(alerts.map((alert) => alert.id)).size).toBe(2);
  });

  it('refuses a batch element that is not an object and keeps the others', () => {
    // Prepare
    const event = loadFixture(BATCH);
    const detail = record(event.detail);
    event.detail = { ...detail, findings: [findingOf(event, 0), 'not a finding', null] };

    // Act
    const outputs = normalize(event);

    // Assess
    expect(outputs.map((output) => ('alert' in output ? 'alert' : output.rejected.reason))).toEqual([
      'alert',
      'invalid_field',
      'invalid_field',
    ]);
  });

  it("namespaces a custom integration's finding key by its product ARN", () => {
    // Prepare
    const event = loadFixture(BATCH);
    const finding = findingOf(event, 1);

    // Act
    const output = normalize(event)[1];

    // Assess
    expect(output).toMatchObject({
      alert: {
        id: alertIdFor(`product:${String(finding.ProductArn)}|${String(finding.Id)}`),
        ocsf: { confidence_score: 80 },
      },
    });
  });

  it('reads microsecond timestamps', () => {
    // Prepare
    const event = loadFixture(BATCH);

    // Act
    const output = normalize(event)[1];

    // Assess
    expect(output).toMatchObject({
      alert: {
        ocsf: {
          time: Date.UTC(2024, 6, 9, 16, 30),
          finding_info: { created_time: Date.UTC(2024, 6, 9, 16, 30) },
        },
      },
    });
  });

  it.each([
    ['missing', undefined, 'missing_field'],
    ['an object', { Id: 'x' }, 'invalid_field'],
    ['a string', 'findings', 'invalid_field'],
  ])('refuses the event when detail.findings is %s', (_label, findings, reason) => {
    // Prepare
    const event = loadFixture(GUARDDUTY);
    event.detail = { findings };

    // Act
    const outputs = normalize(event);

    // Assess
    expect(outputs).toEqual([{ rejected: { reason, message: expect.stringContaining('detail.findings') } }]);
  });

  it('refuses an empty batch once as not_a_finding', () => {
    // Prepare
    const event = loadFixture(GUARDDUTY);
    event.detail = { findings: [] };

    // Act
    const outputs = normalize(event);

    // Assess
    expect(outputs).toEqual([{ rejected: { reason: 'not_a_finding', message: expect.any(String) } }]);
  });

  it('routes the legacy "Security Hub Findings" and the custom action detail-types like Imported', () => {
    // Prepare
    const legacy = loadFixture(GUARDDUTY);
    legacy['detail-type'] = 'Security Hub Findings';
    const custom = loadFixture(GUARDDUTY);
    custom['detail-type'] = 'Security Hub Findings - Custom Action';

    // Act
    const alerts = [legacy, custom, loadFixture(GUARDDUTY)].map((event) => alertOf(normalize(event)));

    // Assess
    expect(new Set(alerts.map((alert) => alert.id)).size).toBe(1);
    expect(alerts.map((alert) => alert.ocsf.class_uid)).toEqual([2004, 2004, 2004]);
  });

  it('refuses Insight Results as not_a_finding', () => {
    // Prepare
    const event = loadFixture(INSIGHT);

    // Act
    const outputs = normalize(event);

    // Assess
    expect(outputs).toEqual([
      { rejected: { reason: 'not_a_finding', message: expect.stringContaining('Insight') } },
    ]);
  });
});

describe('Security Hub findings: severity', () => {
  it.each([
    ['Label LOW with Normalized 40 stays Low', { Label: 'LOW', Normalized: 40 }, 2],
    ['Label MEDIUM with Normalized 40', { Label: 'MEDIUM', Normalized: 40 }, 3],
    ['Normalized 0 alone is Informational', { Normalized: 0 }, 1],
    ['Normalized 39 alone is Low', { Normalized: 39 }, 2],
    ['Normalized 40 alone is Medium', { Normalized: 40 }, 3],
    ['Normalized 89 alone is High', { Normalized: 89 }, 4],
    ['Normalized 90 alone is Critical', { Normalized: 90 }, 5],
    ['Product alone is Unknown', { Product: 8 }, 0],
  ])('%s', (_label, severity, severityId) => {
    // Prepare
    const event = changed(GUARDDUTY, (finding) => {
      finding.Severity = severity;
      delete finding.FindingProviderFields;
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.severity_id).toBe(severityId);
    expect(record(alert.ocsf.unmapped).Severity).toEqual(severity);
  });

  it('falls back to FindingProviderFields.Severity.Label without a top-level severity', () => {
    // Prepare
    const event = changed(GUARDDUTY, (finding) => {
      delete finding.Severity;
      finding.FindingProviderFields = { Severity: { Label: 'CRITICAL' } };
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.severity_id).toBe(5);
    expect(alert.ocsf.severity).toBe('Critical');
  });
});

describe('Security Hub findings: lifecycle and identity', () => {
  it('flags Sample findings', () => {
    // Prepare
    const event = changed(GUARDDUTY, (finding) => {
      finding.Sample = true;
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.sample).toBe(true);
    expect(alert.ocsf.is_alert).toBe(false);
    expect(alert.ocsf.metadata.labels).toEqual(['sample']);
  });

  it('flags GuardDuty sample findings marked only in ProductFields', () => {
    // Prepare
    const event = changed(GUARDDUTY, (finding) => {
      delete finding.Sample;
      finding.ProductFields = {
        ...record(finding.ProductFields),
        'aws/guardduty/service/additionalInfo/sample': 'true',
      };
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.sample).toBe(true);
    expect(alert.ocsf.metadata.labels).toEqual(['sample']);
  });

  it('does not flag a finding without a sample marker', () => {
    // Prepare
    const event = loadFixture(GUARDDUTY);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.sample).toBe(false);
    expect(alert.ocsf.metadata.labels).toBeUndefined();
  });

  it('closes an archived finding', () => {
    // Prepare
    const event = changed(GUARDDUTY, (finding) => {
      finding.RecordState = 'ARCHIVED';
      finding.UpdatedAt = '2024-05-20T08:00:00.000Z';
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.activity_id).toBe(3);
    expect(alert.ocsf.activity_name).toBe('Close');
    expect(alert.ocsf.type_uid).toBe(200403);
  });

  it.each([
    [{ Workflow: { Status: 'NEW' } }, 1],
    [{ Workflow: { Status: 'NOTIFIED' } }, 2],
    [{ Workflow: { Status: 'SUPPRESSED' } }, 3],
    [{ Workflow: { Status: 'RESOLVED' }, WorkflowState: 'NEW' }, 4],
    [{ WorkflowState: 'IN_PROGRESS' }, 2],
    [{ WorkflowState: 'DEFERRED' }, 3],
  ])('maps the workflow %j to status_id %i', (workflow, statusId) => {
    // Prepare
    const event = changed(GUARDDUTY, (finding) => {
      delete finding.Workflow;
      delete finding.WorkflowState;
      Object.assign(finding, workflow);
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.status_id).toBe(statusId);
  });

  it('keeps the alert id when the finding is updated, and reports the update', () => {
    // Prepare
    const first = loadFixture(GUARDDUTY);
    const later = changed(GUARDDUTY, (finding) => {
      finding.UpdatedAt = '2024-05-14T11:02:40.101Z';
      finding.LastObservedAt = '2024-05-14T10:58:00.000Z';
      finding.Workflow = { Status: 'NOTIFIED' };
      finding.Severity = { Label: 'CRITICAL', Normalized: 90 };
    });

    // Act
    const created = alertOf(normalize(first));
    const updated = alertOf(normalize(later));

    // Assess
    expect(updated.id).toBe(created.id);
    expect([created.ocsf.activity_id, updated.ocsf.activity_id]).toEqual([1, 2]);
    expect(updated.ocsf.status_id).toBe(2);
    expect(updated.ocsf.time).toBe(Date.UTC(2024, 4, 14, 11, 2, 40, 101));
  });

  it('gives a GuardDuty finding the same alert id through Security Hub as natively', () => {
    // Prepare
    const viaSecurityHub = loadFixture(GUARDDUTY);
    const native = loadFixture(GUARDDUTY_NATIVE);

    // Act
    const asff = alertOf(normalize(viaSecurityHub));
    const direct = alertOf(normalize(native));

    // Assess
    expect(direct.source).toBe('aws.guardduty');
    expect(asff.id).toBe(direct.id);
    expect(asff.id).toBe(alertIdFor(GUARDDUTY_ARN));
    expect(asff.ocsf.class_uid).toBe(direct.ocsf.class_uid);
    expect(asff.ocsf.severity_id).toBe(direct.ocsf.severity_id);
    expect(asff.ocsf.activity_id).toBe(direct.ocsf.activity_id);
    expect(asff.ocsf.evidences).toEqual(direct.ocsf.evidences);
  });

  it('gives an Inspector finding the same alert id through Security Hub as natively', () => {
    // Prepare
    const viaSecurityHub = loadFixture(INSPECTOR);
    const native = loadFixture('inspector2/ec2-package-vulnerability.json');

    // Act
    const asff = alertOf(normalize(viaSecurityHub));
    const direct = alertOf(normalize(native));

    // Assess
    expect(asff.id).toBe(direct.id);
    expect(asff.ocsf.vulnerabilities?.[0]?.cve).toEqual(direct.ocsf.vulnerabilities?.[0]?.cve);
  });
});

describe('Security Hub findings: GuardDuty evidences', () => {
  it('rebuilds the API call evidence from ProductFields', () => {
    // Prepare
    const event = loadFixture(GUARDDUTY);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.evidences).toEqual([
      {
        api: { operation: 'ListBuckets', service: { name: 's3.amazonaws.com' } },
        src_endpoint: {
          ip: '198.51.100.23',
          location: { city: 'Amsterdam', desc: 'Netherlands', lat: 52.37, long: 4.89 },
          autonomous_system: { number: 64500, name: 'EXAMPLE-TRANSIT' },
          isp: 'Example Transit',
          isp_org: 'Example Transit',
        },
      },
    ]);
    expect(alert.ocsf.count).toBe(1);
  });

  it('rebuilds a network connection evidence with direction, ports and protocol', () => {
    // Prepare
    const prefix = 'aws/guardduty/service/action/networkConnectionAction';
    const event = changed(GUARDDUTY, (finding) => {
      finding.ProductFields = {
        'aws/guardduty/service/action/actionType': 'NETWORK_CONNECTION',
        [`${prefix}/connectionDirection`]: 'INBOUND',
        [`${prefix}/protocol`]: 'TCP',
        [`${prefix}/remoteIpDetails/ipAddressV4`]: '203.0.113.77',
        [`${prefix}/remotePortDetails/port`]: '51514',
        [`${prefix}/localIpDetails/ipAddressV4`]: '10.20.1.15',
        [`${prefix}/localPortDetails/port`]: '22',
        'aws/guardduty/service/count': '12',
      };
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.evidences).toEqual([
      {
        src_endpoint: { ip: '203.0.113.77', port: 51514 },
        dst_endpoint: { ip: '10.20.1.15', port: 22 },
        connection_info: { direction_id: 1, direction: 'Inbound', protocol_name: 'tcp' },
      },
    ]);
    expect(alert.ocsf.count).toBe(12);
  });

  it('rebuilds a DNS request evidence', () => {
    // Prepare
    const event = changed(GUARDDUTY, (finding) => {
      finding.ProductFields = {
        'aws/guardduty/service/action/actionType': 'DNS_REQUEST',
        'aws/guardduty/service/action/dnsRequestAction/domain': 'c2.example.net',
        'aws/guardduty/service/action/dnsRequestAction/protocol': 'UDP',
      };
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.evidences).toEqual([{ query: { hostname: 'c2.example.net' } }]);
  });

  it('reads the unprefixed ProductFields of 2019-era GuardDuty findings', () => {
    // Prepare
    const event = changed(GUARDDUTY, (finding) => {
      finding.ProductFields = {
        detectorId: '5eb2f1c6a0d94e7bb1c2d3e4f5a6b7c8',
        'action/actionType': 'AWS_API_CALL',
        'action/awsApiCallAction/api': 'ConsoleLogin',
        'action/awsApiCallAction/serviceName': 'signin.amazonaws.com',
        'action/awsApiCallAction/remoteIpDetails/ipAddressV4': '192.0.2.44',
        count: '2',
        'aws/securityhub/ProductName': 'GuardDuty',
      };
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.evidences).toEqual([
      {
        api: { operation: 'ConsoleLogin', service: { name: 'signin.amazonaws.com' } },
        src_endpoint: { ip: '192.0.2.44' },
      },
    ]);
    expect(alert.ocsf.count).toBe(2);
  });

  it('prefers the typed ASFF Action over ProductFields', () => {
    // Prepare
    const event = changed(GUARDDUTY, (finding) => {
      finding.Action = {
        ActionType: 'PORT_PROBE',
        PortProbeAction: {
          PortProbeDetails: [
            {
              LocalPortDetails: { Port: 3389, PortName: 'RDP' },
              RemoteIpDetails: { IpAddressV4: '203.0.113.5' },
            },
          ],
          Blocked: false,
        },
      };
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    // No LocalIpDetails: a port alone is not an OCSF endpoint, so the port details stay in data.
    expect(alert.ocsf.evidences).toEqual([
      { src_endpoint: { ip: '203.0.113.5' }, data: { localPortDetails: { port: 3389, portName: 'RDP' } } },
    ]);
    expect(record(alert.ocsf.unmapped).Action).toBeUndefined();
  });

  it('leaves the event as it was when ProductFields holds an object that flattened keys extend', () => {
    // Prepare: ProductFields values are strings in ASFF; an object one must still not be written
    // into (the rebuilt service used to add `injected` to it, in the caller's event and so in
    // unmapped)
    const event = changed(GUARDDUTY, (finding) => {
      finding.ProductFields = {
        'aws/guardduty/service/action': { actionType: 'AWS_API_CALL' },
        'aws/guardduty/service/action/injected': 'yes',
        'aws/guardduty/service/additionalInfo': { note: 'kept' },
        'aws/guardduty/service/additionalInfo/sample': 'true',
      };
      finding.Compliance = { Status: 'FAILED' };
    });
    const before = JSON.stringify(event);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(JSON.stringify(event)).toBe(before);
    expect(record(record(alert.ocsf.unmapped).ProductFields)).toEqual({
      'aws/guardduty/service/action': { actionType: 'AWS_API_CALL' },
      'aws/guardduty/service/action/injected': 'yes',
      'aws/guardduty/service/additionalInfo': { note: 'kept' },
      'aws/guardduty/service/additionalInfo/sample': 'true',
    });
    // The rebuilt service still sees both: the sample flag is read through the object.
    expect(alert.sample).toBe(true);
  });
});

describe('guardDutyService', () => {
  const productFields = {
    'aws/guardduty/service/action/actionType': 'PORT_PROBE',
    'aws/guardduty/service/action/portProbeAction/portProbeDetails/1/localPortDetails/port': '22',
    'aws/guardduty/service/action/portProbeAction/portProbeDetails:0/localPortDetails/port': '3389',
    'aws/guardduty/service/additionalInfo/sample': 'true',
    'aws/guardduty/service/count': '4',
    'aws/guardduty/service/countries/__proto__/x': 'dropped',
    'aws/securityhub/FindingId': 'f',
  };

  it('rebuilds the service object, index segments as arrays and prototype names dropped', () => {
    // Prepare: nothing beyond productFields

    // Act
    const service = guardDutyService(productFields);

    // Assess
    expect(service).toEqual({
      action: {
        actionType: 'PORT_PROBE',
        portProbeAction: {
          portProbeDetails: [{ localPortDetails: { port: '3389' } }, { localPortDetails: { port: '22' } }],
        },
      },
      additionalInfo: { sample: 'true' },
      count: '4',
    });
  });

  it('rebuilds only the members asked for, each as in the whole object', () => {
    // Prepare
    const whole = record(guardDutyService(productFields));

    // Act
    const facts = guardDutyService(productFields, ['additionalInfo', 'count']);
    const action = guardDutyService(productFields, ['action']);
    const none = guardDutyService(productFields, ['resourceRole']);

    // Assess
    expect(facts).toEqual({ additionalInfo: whole.additionalInfo, count: whole.count });
    expect(action).toEqual({ action: whole.action });
    expect(none).toBeUndefined();
  });
});

describe.skipIf(!ocsfSchemaAvailable)('Security Hub findings: OCSF 1.6.0 conformance', () => {
  it.each([GUARDDUTY, INSPECTOR, CONTROL, BATCH, MACIE])('%s conforms', (fixture) => {
    // Prepare
    const event = loadFixture(fixture);

    // Act
    const alerts = normalize(event).flatMap((output) => ('alert' in output ? [output.alert] : []));

    // Assess
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      expect(AlertSchema.safeParse(alert).success).toBe(true);
      expect(violationsOnly(validateOcsf(alert.ocsf))).toEqual([]);
    }
  });
});

const corpus = corpusFiles('securityhub');

describe.skipIf(corpus.length === 0)('Security Hub corpus (published events)', () => {
  it.each(corpus.map((file) => [path.basename(file), file]))(
    '%s normalizes to valid alerts or typed rejections',
    (_name, file) => {
      // Prepare
      const bytes = readFileSync(file);

      // Act
      const outputs = normalize(bytes);

      // Assess
      expect(outputs.length).toBeGreaterThan(0);
      for (const output of outputs) {
        if ('alert' in output) {
          const parsed = AlertSchema.safeParse(output.alert);
          expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
          if (ocsfSchemaAvailable) expect(violationsOnly(validateOcsf(output.alert.ocsf))).toEqual([]);
        } else {
          expect(REJECTION_REASONS).toContain(output.rejected.reason);
          expect(output.rejected.message.length).toBeGreaterThan(0);
        }
      }
    },
  );
});
