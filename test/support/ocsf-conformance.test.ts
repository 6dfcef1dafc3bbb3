import { describe, expect, it } from 'vitest';
import { OCSF_SCHEMA_DIR, ocsfSchemaAvailable, validateOcsf, violationsOnly } from './ocsf-conformance.ts';

type Event = Record<string, unknown>;

const metadata = {
  version: '1.6.0',
  product: { name: 'GuardDuty', vendor_name: 'AWS', uid: 'aws-guardduty' },
  profiles: ['cloud'],
};
const cloud = { provider: 'AWS', region: 'us-east-1', account: { uid: '123456789012' } };

function detectionFinding(): Event {
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    severity_id: 4,
    severity: 'High',
    status_id: 1,
    status: 'New',
    time: 1_717_000_000_000,
    metadata: structuredClone(metadata),
    cloud: structuredClone(cloud),
    finding_info: {
      uid: 'arn:aws:guardduty:us-east-1:123456789012:detector/d1/finding/f1',
      title: 'EC2 instance is querying a domain name associated with Bitcoin mining',
      types: ['CryptoCurrency:EC2/BitcoinTool.B!DNS'],
      created_time: 1_716_999_000_000,
    },
    resources: [{ uid: 'i-0123456789abcdef0', type: 'AwsEc2Instance', region: 'us-east-1' }],
    unmapped: { guardduty: { service: { count: 3, archived: false } } },
  };
}

/** Asserts a violation (not a warning) is reported for `path`. */
function expectViolationAt(violations: string[], path: string): void {
  expect(violationsOnly(violations).some((violation) => violation.startsWith(`${path}:`))).toBe(true);
}

describe.skipIf(!ocsfSchemaAvailable)('validateOcsf (OCSF 1.6.0)', () => {
  it('finds the schema source next to the repository', () => {
    // Prepare
    const expectedSuffix = ['shared', 'ocsf-schema-1.6.0'].join('/');

    // Act
    const dir = OCSF_SCHEMA_DIR.split('\\').join('/');

    // Assess
    expect(dir.endsWith(expectedSuffix)).toBe(true);
  });

  describe('conformant events', () => {
    it('accepts a Detection Finding (2004) with the cloud profile', () => {
      // Prepare
      const event = detectionFinding();

      // Act
      const result = validateOcsf(event);

      // Assess
      expect(result).toEqual([]);
    });

    it('accepts a Compliance Finding (2003)', () => {
      // Prepare
      const event: Event = {
        class_uid: 2003,
        class_name: 'Compliance Finding',
        category_uid: 2,
        activity_id: 1,
        type_uid: 200301,
        severity_id: 3,
        severity: 'Medium',
        time: 1_717_000_000_000,
        metadata: { ...structuredClone(metadata), product: { name: 'Security Hub', vendor_name: 'AWS' } },
        cloud: structuredClone(cloud),
        finding_info: { uid: 'sh-finding-1', title: 'IAM root user access key should not exist' },
        compliance: {
          standards: ['CIS AWS Foundations Benchmark v1.4.0'],
          control: 'IAM.4',
          status_id: 3,
          status: 'Fail',
        },
        resources: [{ uid: 'AWS::::Account:123456789012', type: 'AwsAccount' }],
      };

      // Act
      const result = validateOcsf(event);

      // Assess
      expect(result).toEqual([]);
    });

    it('accepts a Vulnerability Finding (2002)', () => {
      // Prepare
      const event: Event = {
        class_uid: 2002,
        category_uid: 2,
        activity_id: 2,
        activity_name: 'Update',
        type_uid: 200202,
        severity_id: 5,
        time: 1_717_000_000_000,
        metadata: { ...structuredClone(metadata), product: { name: 'Inspector', vendor_name: 'AWS' } },
        cloud: structuredClone(cloud),
        finding_info: { uid: 'inspector-finding-1', title: 'CVE-2021-44228 - log4j-core' },
        vulnerabilities: [
          {
            cve: { uid: 'CVE-2021-44228', cvss: [{ version: '3.1', base_score: 10.0 }] },
            title: 'Log4Shell',
            severity: 'Critical',
            is_fix_available: true,
            affected_packages: [{ name: 'log4j-core', version: '2.14.1' }],
          },
        ],
      };

      // Act
      const result = validateOcsf(event);

      // Assess
      expect(result).toEqual([]);
    });

    it('accepts an Authentication (3002) event', () => {
      // Prepare
      const event: Event = {
        class_uid: 3002,
        category_uid: 3,
        category_name: 'Identity & Access Management',
        activity_id: 1,
        activity_name: 'Logon',
        type_uid: 300201,
        severity_id: 1,
        status_id: 2,
        status: 'Failure',
        time: 1_717_000_000_000,
        metadata: { ...structuredClone(metadata), product: { name: 'CloudTrail', vendor_name: 'AWS' } },
        cloud: structuredClone(cloud),
        user: { name: 'alice', uid: 'AIDAEXAMPLE', type_id: 1, type: 'User' },
        service: { name: 'signin.amazonaws.com' },
        src_endpoint: { ip: '198.51.100.7' },
        is_mfa: false,
      };

      // Act
      const result = validateOcsf(event);

      // Assess
      expect(result).toEqual([]);
    });

    it('accepts an API Activity (6003) event', () => {
      // Prepare
      const event: Event = {
        class_uid: 6003,
        category_uid: 6,
        activity_id: 1,
        activity_name: 'Create',
        type_uid: 600301,
        type_name: 'API Activity: Create',
        severity_id: 1,
        status_id: 1,
        status: 'Success',
        time: 1_717_000_000_000,
        metadata: { ...structuredClone(metadata), product: { name: 'CloudTrail', vendor_name: 'AWS' } },
        cloud: structuredClone(cloud),
        actor: {
          user: {
            name: 'deploy-role',
            uid: 'AROAEXAMPLE',
            account: { uid: '123456789012', type_id: 10, type: 'AWS Account' },
          },
        },
        api: {
          operation: 'CreateUser',
          service: { name: 'iam.amazonaws.com' },
          request: { uid: 'b1c7f8a2-0d4e-4c1b-9a51-2f1d3e4a5b6c' },
        },
        src_endpoint: { ip: '2001:db8::10' },
        http_request: { user_agent: 'aws-cli/2.15.0', http_method: 'POST' },
      };

      // Act
      const result = validateOcsf(event);

      // Assess
      expect(result).toEqual([]);
    });

    it('does not require captions, and accepts any caption for 99 (Other)', () => {
      // Prepare
      const event = detectionFinding();
      delete event.severity;
      delete event.activity_name;
      event.status_id = 99;
      event.status = 'Triaged by the SOC';

      // Act
      const result = validateOcsf(event);

      // Assess
      expect(result).toEqual([]);
    });

    it('accepts anything inside json_t and open objects (unmapped)', () => {
      // Prepare
      const event = detectionFinding();
      event.unmapped = { anything: [1, 'two', { three: null }], nested: { deeper: true } };
      event.enrichments = [{ name: 'ip', value: '198.51.100.7', data: { any: ['shape'] } }];

      // Act
      const result = validateOcsf(event);

      // Assess
      expect(result).toEqual([]);
    });

    it('validates a thousand distinct events, each on its own', () => {
      // Prepare: the validator's speed is measured by `npm run bench`, not asserted here
      const events: Event[] = Array.from({ length: 1000 }, (_, index) => ({
        ...detectionFinding(),
        time: index,
      }));
      const withoutSeverity: Event = { ...detectionFinding(), time: 500 };
      delete withoutSeverity.severity_id;
      events[500] = withoutSeverity;

      // Act
      const failing = events.flatMap((event, index) => (validateOcsf(event).length > 0 ? [index] : []));

      // Assess: one bad event among a thousand is found, and only that one
      expect(failing).toEqual([500]);
    });
  });

  describe('violations', () => {
    it('reports a missing required attribute', () => {
      // Prepare
      const event = detectionFinding();
      delete event.severity_id;

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'severity_id');
    });

    it('treats a null required attribute as missing', () => {
      // Prepare
      const event = { ...detectionFinding(), time: null };

      // Act
      const result = validateOcsf(event);

      // Assess
      expect(result).toContain('time: required attribute missing');
    });

    it('reports a type_uid that is not class_uid * 100 + activity_id', () => {
      // Prepare
      const event = { ...detectionFinding(), type_uid: 200402 };

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'type_uid');
    });

    it('reports an unknown class_uid', () => {
      // Prepare
      const event = { ...detectionFinding(), class_uid: 2999 };

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'class_uid');
    });

    it("reports a category_uid that is not the class's category", () => {
      // Prepare
      const event = { ...detectionFinding(), category_uid: 3 };

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'category_uid');
    });

    it('reports unknown attributes, at the top level and nested', () => {
      // Prepare
      const event = detectionFinding();
      event.riposte_alert_id = 'a-1';
      event.cloud = { ...cloud, account_id: '123456789012' };

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'riposte_alert_id');
      expectViolationAt(result, 'cloud.account_id');
    });

    it('reports a string timestamp (timestamp_t is epoch milliseconds)', () => {
      // Prepare
      const event = { ...detectionFinding(), time: '2024-05-29T16:26:40Z' };

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'time');
      expect(result.find((violation) => violation.startsWith('time:'))).toContain('timestamp_t');
    });

    it('reports a scalar where an array is expected', () => {
      // Prepare
      const event = detectionFinding();
      event.finding_info = { uid: 'f-1', title: 'x', types: 'Recon' };

      // Act
      const result = validateOcsf(event);

      // Assess
      expect(
        result.some((violation) => violation.startsWith('finding_info.types: expected array of string_t')),
      ).toBe(true);
    });

    it('reports scalar constraints from the dictionary types (ip_t, port_t)', () => {
      // Prepare
      const event = detectionFinding();
      event.resources = [];
      event.evidences = [{ src_endpoint: { ip: '300.1.2.3', port: 70000 } }];

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'evidences[0].src_endpoint.ip');
      expectViolationAt(result, 'evidences[0].src_endpoint.port');
    });

    it('reports an enum value the class does not define', () => {
      // Prepare
      const event = { ...detectionFinding(), severity_id: 7 };

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'severity_id');
    });

    it('uses the class-level enum (Finding activity_id) rather than the dictionary one', () => {
      // Prepare
      const event = { ...detectionFinding(), activity_id: 4, type_uid: 200404, activity_name: undefined };

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'activity_id');
    });

    it('reports a caption that does not match its enum id', () => {
      // Prepare
      const event = { ...detectionFinding(), severity_id: 4, severity: 'Low' };

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'severity');
    });

    it('reports a missing profile-required cloud when the cloud profile is applied', () => {
      // Prepare
      const event = detectionFinding();
      delete event.cloud;

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'cloud');
    });

    it('does not require cloud without the cloud profile, but then rejects cloud attributes', () => {
      // Prepare
      const withoutCloud = detectionFinding();
      delete withoutCloud.cloud;
      withoutCloud.metadata = { ...metadata, profiles: [] };
      withoutCloud.resources = [{ uid: 'i-0123456789abcdef0', type: 'AwsEc2Instance' }];
      const undeclared = { ...detectionFinding(), metadata: { ...metadata, profiles: [] } };

      // Act
      const withoutCloudResult = validateOcsf(withoutCloud);
      const undeclaredResult = validateOcsf(undeclared);

      // Assess
      expect(withoutCloudResult).toEqual([]);
      expectViolationAt(undeclaredResult, 'cloud');
      expectViolationAt(undeclaredResult, 'resources[0].region'); // resource region is a cloud-profile attribute
    });

    it('reports a profile the class does not support', () => {
      // Prepare
      const event = {
        ...detectionFinding(),
        metadata: { ...metadata, profiles: ['cloud', 'trace', 'nope'] },
      };

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'metadata.profiles[1]');
      expectViolationAt(result, 'metadata.profiles[2]');
    });

    it('reports a nested object missing its required attribute', () => {
      // Prepare
      const event = { ...detectionFinding(), finding_info: { title: 'no uid' } };

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'finding_info.uid');
    });

    it('reports a schema constraint (at_least_one) that is not met', () => {
      // Prepare
      const event = detectionFinding();
      event.metadata = { ...metadata, product: { vendor_name: 'AWS' } };

      // Act
      const result = validateOcsf(event);

      // Assess
      expectViolationAt(result, 'metadata.product');
    });

    it('reports deprecated attributes as warnings only', () => {
      // Prepare
      const event = {
        class_uid: 2003,
        category_uid: 2,
        activity_id: 1,
        type_uid: 200301,
        severity_id: 2,
        time: 1_717_000_000_000,
        metadata: structuredClone(metadata),
        cloud: structuredClone(cloud),
        finding_info: { uid: 'f-2' },
        compliance: { status_id: 1 },
        resource: { uid: 'i-0123456789abcdef0' },
      };

      // Act
      const result = validateOcsf(event);

      // Assess
      expect(result.some((entry) => entry.startsWith('warning: resource:'))).toBe(true);
      expect(violationsOnly(result)).toEqual([]);
    });

    it('rejects something that is not an event object', () => {
      // Prepare
      const notAnEvent = ['class_uid', 2004];

      // Act
      const result = validateOcsf(notAnEvent);

      // Assess
      expectViolationAt(result, '$');
    });
  });
});
