import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertSchema, REJECTION_REASONS } from '../../../../functions/core/alert.ts';
import { alertIdFor } from '../../../../functions/core/normalize/common.ts';
import { normalize } from '../../../../functions/core/normalize/index.ts';
import { corpusFiles, type FixtureEvent, loadFixture } from '../../../support/fixtures.ts';
import { alertOf, DEMO_HTTPD_VULNERABILITY, record } from '../../../support/normalize.ts';
import { ocsfSchemaAvailable, validateOcsf, violationsOnly } from '../../../support/ocsf-conformance.ts';

const EC2_PACKAGE = 'inspector2/ec2-package-vulnerability.json';
const LAMBDA_PACKAGE = 'inspector2/lambda-package-vulnerability-java-dates.json';
const NETWORK = 'inspector2/ec2-network-reachability.json';
const CODE = 'inspector2/lambda-code-vulnerability.json';
const EC2_FINDING_ARN = 'arn:aws:inspector2:us-east-1:111122223333:finding/3f8e2d1c0b9a48776655443322110aa1';

function detailOf(event: FixtureEvent): Record<string, unknown> {
  const detail = event.detail;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
    throw new Error('fixture has no detail');
  return Object.fromEntries(Object.entries(detail));
}

/** Applies `change` to the detail of a fixture and returns the event. */
function changed(fixture: string, change: (detail: Record<string, unknown>) => void): FixtureEvent {
  const event = loadFixture(fixture);
  const detail = detailOf(event);
  change(detail);
  event.detail = detail;
  return event;
}

describe('Inspector2 package vulnerability findings', () => {
  it('maps an EC2 package vulnerability to Vulnerability Finding 2002', () => {
    // Prepare
    const event = loadFixture(EC2_PACKAGE);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.id).toBe(alertIdFor(EC2_FINDING_ARN));
    expect(alert.source).toBe('aws.inspector2');
    expect(alert.sample).toBe(false);
    expect(alert.ocsf).toMatchObject({
      class_uid: 2002,
      category_uid: 2,
      activity_id: 2,
      type_uid: 200202,
      severity_id: 5,
      severity: 'Critical',
      status_id: 1,
      status: 'New',
      time: Date.UTC(2024, 2, 18, 14, 22, 9),
      message: 'CVE-2024-0001 - riposte-demo-httpd',
      metadata: {
        product: { name: 'Inspector', vendor_name: 'AWS' },
        uid: '5d7f9b1c-3e5a-4c7e-9a1c-3e5a7c9e1b3d',
      },
      cloud: {
        provider: 'AWS',
        region: 'us-east-1',
        account: { uid: '111122223333' },
        cloud_partition: 'aws',
      },
      finding_info: {
        uid: EC2_FINDING_ARN,
        title: 'CVE-2024-0001 - riposte-demo-httpd',
        types: ['PACKAGE_VULNERABILITY'],
        created_time: Date.UTC(2024, 2, 11, 8, 15, 42),
        first_seen_time: Date.UTC(2024, 2, 11, 8, 15, 42),
        last_seen_time: Date.UTC(2024, 2, 18, 14, 22, 9),
        modified_time: Date.UTC(2024, 2, 18, 14, 22, 9),
      },
    });
    expect(alert.ocsf.resources).toEqual([
      {
        type: 'AWS::EC2::Instance',
        uid: 'i-0abc123def4567890',
        region: 'us-east-1',
        cloud_partition: 'aws',
        tags: [{ name: 'Name', value: 'riposte-demo-web' }],
        data: {
          awsEc2Instance: expect.objectContaining({ type: 't3.small', vpcId: 'vpc-0a1b2c3d4e5f60718' }),
        },
      },
    ]);
  });

  it('builds the vulnerability from the CVE, CVSS, EPSS, exploit and fix details', () => {
    // Prepare
    const event = loadFixture(EC2_PACKAGE);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.vulnerabilities).toEqual([DEMO_HTTPD_VULNERABILITY]);
  });

  it('keeps inspectorScore and the source severity word in unmapped', () => {
    // Prepare
    const event = loadFixture(EC2_PACKAGE);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    const unmapped = record(alert.ocsf.unmapped);
    expect(unmapped.inspectorScore).toBe(9.8);
    expect(unmapped.severity).toBe('CRITICAL');
    expect(record(unmapped.inspectorScoreDetails).adjustedCvss).toMatchObject({ score: 9.8 });
    expect(unmapped.packageVulnerabilityDetails).toBeUndefined();
    expect(unmapped.findingArn).toBeUndefined();
  });

  it('falls back to the adjusted CVSS when the finding lists no CVSS', () => {
    // Prepare
    const event = changed(EC2_PACKAGE, (detail) => {
      detail.packageVulnerabilityDetails = { ...record(detail.packageVulnerabilityDetails), cvss: [] };
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.vulnerabilities?.[0]?.cve?.cvss).toEqual([
      {
        base_score: 9.8,
        version: '3.1',
        vector_string: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        vendor_name: 'NVD',
      },
    ]);
  });

  it('reads Java-style timestamps and maps a GHSA id to an advisory', () => {
    // Prepare
    const event = loadFixture(LAMBDA_PACKAGE);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    const seen = Date.UTC(2024, 8, 4, 16, 59, 44, 356);
    expect(alert.ocsf.time).toBe(seen);
    expect(alert.ocsf.activity_id).toBe(1);
    expect(alert.ocsf.finding_info).toMatchObject({
      created_time: seen,
      first_seen_time: seen,
      last_seen_time: seen,
    });
    const [vulnerability] = alert.ocsf.vulnerabilities ?? [];
    expect(vulnerability?.cve).toBeUndefined();
    expect(vulnerability?.advisory).toEqual({
      uid: 'GHSA-r1p0-st3x-demo',
      title: 'GHSA-r1p0-st3x-demo - riposte-demo-yaml',
      created_time: Date.UTC(2024, 7, 20, 9),
      related_cves: [{ uid: 'CVE-2024-0002' }],
    });
    expect(vulnerability).toMatchObject({
      is_fix_available: true,
      fix_coverage_id: 2,
      is_exploit_available: false,
      related_vulnerabilities: ['CVE-2024-0002'],
      affected_packages: [
        {
          name: 'riposte-demo-yaml',
          version: '3.1.0',
          package_manager: 'PIP',
          fixed_in_version: '3.2.1',
          path: 'python/lib/python3.12/site-packages/riposte_demo_yaml-3.1.0.dist-info/METADATA',
        },
      ],
    });
    expect(record(alert.ocsf.unmapped).packageVulnerabilityDetails).toEqual({
      cvss: [expect.objectContaining({ baseScore: 7.5, source: 'GITHUB' })],
    });
  });

  it('reads the console-style timestamps of the ECR documentation event', () => {
    // Prepare
    const event = changed(EC2_PACKAGE, (detail) => {
      detail.firstObservedAt = 'Dec 3, 2021, 6:02:30 PM';
      detail.lastObservedAt = 'Dec 3, 2021, 6:02:30 PM';
      detail.updatedAt = 'Dec 3, 2021, 6:02:30 PM';
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.time).toBe(Date.UTC(2021, 11, 3, 18, 2, 30));
    expect(alert.ocsf.activity_id).toBe(1);
  });

  it('falls back to the envelope time when no finding timestamp can be read', () => {
    // Prepare
    const event = changed(EC2_PACKAGE, (detail) => {
      detail.firstObservedAt = 'sometime';
      delete detail.lastObservedAt;
      delete detail.updatedAt;
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.time).toBe(Date.UTC(2024, 2, 18, 14, 22, 9));
    expect(alert.ocsf.finding_info?.created_time).toBeUndefined();
  });
});

describe('Inspector2 findings without a CVE', () => {
  it('maps a network reachability finding to a Detection Finding (an exposure, no vulnerability id)', () => {
    // Prepare
    const event = loadFixture(NETWORK);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.class_uid).toBe(2004);
    expect(alert.ocsf.type_uid).toBe(200400 + alert.ocsf.activity_id);
    expect(alert.ocsf.severity_id).toBe(3);
    expect(alert.ocsf.is_alert).toBe(true);
    expect(alert.ocsf.vulnerabilities).toBeUndefined();
    expect(alert.ocsf.finding_info?.title).toBe('Port 22 is reachable from an Internet Gateway - TCP');
    expect(record(alert.ocsf.unmapped).networkReachabilityDetails).toMatchObject({
      openPortRange: { begin: 22, end: 22 },
      protocol: 'TCP',
    });
  });

  it('maps a code vulnerability to its CWE and affected code, keeping the detector in unmapped', () => {
    // Prepare
    const event = loadFixture(CODE);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.vulnerabilities).toEqual([
      {
        cwe: { uid: 'CWE-89' },
        title: 'CWE-89 - SQL injection',
        desc: expect.any(String),
        severity: 'HIGH',
        vendor_name: 'Amazon Inspector',
        affected_code: [
          {
            file: { name: 'export.py', path: 'riposte_demo/export.py', type_id: 1, type: 'Regular File' },
            start_line: 46,
            end_line: 48,
          },
        ],
        references: ['https://cwe.mitre.org/data/definitions/89.html'],
        remediation: { desc: 'Use parameterized queries instead of string formatting.' },
        first_seen_time: Date.UTC(2024, 9, 15, 12, 3, 43, 120),
        last_seen_time: Date.UTC(2024, 9, 15, 12, 3, 43, 120),
      },
    ]);
    expect(record(record(alert.ocsf.unmapped).codeVulnerabilityDetails).detectorId).toBe(
      'python/sql-injection@v1.0',
    );
  });

  it('treats N/A resource regions and partitions as absent', () => {
    // Prepare
    const event = loadFixture(CODE);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.resources).toEqual([
      {
        type: 'AWS::Lambda::Function',
        uid: 'arn:aws:lambda:us-west-2:111122223333:function:riposte-demo-export:$LATEST',
        data: { awsLambdaFunction: expect.objectContaining({ functionName: 'riposte-demo-export' }) },
      },
    ]);
    expect(alert.ocsf.cloud).toMatchObject({ region: 'us-west-2', cloud_partition: 'aws' });
  });
});

describe('Inspector2 severity, status and identity', () => {
  it.each([
    ['INFORMATIONAL', 1],
    ['LOW', 2],
    ['MEDIUM', 3],
    ['HIGH', 4],
    ['CRITICAL', 5],
    ['UNTRIAGED', 0],
  ])('maps severity %s to severity_id %i', (severity, severityId) => {
    // Prepare
    const event = changed(EC2_PACKAGE, (detail) => {
      detail.severity = severity;
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.severity_id).toBe(severityId);
    expect(record(alert.ocsf.unmapped).severity).toBe(severity);
  });

  it('closes a CLOSED finding as resolved', () => {
    // Prepare
    const event = changed(EC2_PACKAGE, (detail) => {
      detail.status = 'CLOSED';
      detail.updatedAt = 'Mar 25, 2024, 9:00:00 AM';
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf).toMatchObject({
      activity_id: 3,
      activity_name: 'Close',
      type_uid: 200203,
      status_id: 4,
    });
  });

  it('reports a SUPPRESSED finding as an update with status Suppressed', () => {
    // Prepare
    const event = changed(EC2_PACKAGE, (detail) => {
      detail.status = 'SUPPRESSED';
    });

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf).toMatchObject({ activity_id: 2, status_id: 3, status: 'Suppressed' });
  });

  it('keeps the alert id across updates of the same finding', () => {
    // Prepare
    const first = loadFixture(EC2_PACKAGE);
    const later = changed(EC2_PACKAGE, (detail) => {
      detail.updatedAt = 'Apr 2, 2024, 1:00:00 PM';
      detail.lastObservedAt = 'Apr 2, 2024, 1:00:00 PM';
      detail.status = 'CLOSED';
      detail.inspectorScore = 4.2;
    });

    // Act
    const ids = [first, later].map((event) => alertOf(normalize(event)).id);

    // Assess
    expect(ids[1]).toBe(ids[0]);
  });

  it('refuses a finding without findingArn', () => {
    // Prepare
    const event = changed(EC2_PACKAGE, (detail) => {
      delete detail.findingArn;
    });

    // Act
    const outputs = normalize(event);

    // Assess
    expect(outputs).toEqual([
      { rejected: { reason: 'missing_field', message: 'detail.findingArn: is required' } },
    ]);
  });
});

describe.skipIf(!ocsfSchemaAvailable)('Inspector2 findings: OCSF 1.6.0 conformance', () => {
  it.each([EC2_PACKAGE, LAMBDA_PACKAGE, CODE])('%s conforms', (fixture) => {
    // Prepare
    const event = loadFixture(fixture);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(AlertSchema.safeParse(alert).success).toBe(true);
    expect(violationsOnly(validateOcsf(alert.ocsf))).toEqual([]);
  });

  it('a network reachability finding is conformant as a Detection Finding', () => {
    // Prepare: OCSF wants one of cve, advisory or cwe per vulnerability; an open port has none.
    const event = loadFixture(NETWORK);

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(AlertSchema.safeParse(alert).success).toBe(true);
    expect(violationsOnly(validateOcsf(alert.ocsf))).toEqual([]);
  });
});

const corpus = corpusFiles('inspector2');

describe.skipIf(corpus.length === 0)('Inspector2 corpus (published events)', () => {
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
          expect(output.alert.ocsf.class_uid).toBe(2002);
          if (ocsfSchemaAvailable) expect(violationsOnly(validateOcsf(output.alert.ocsf))).toEqual([]);
        } else {
          expect(REJECTION_REASONS).toContain(output.rejected.reason);
          expect(output.rejected.message.length).toBeGreaterThan(0);
        }
      }
    },
  );
});
