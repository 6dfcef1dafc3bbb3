import { describe, expect, it } from 'vitest';
import { alertIdFor } from '../../../../functions/core/normalize/common.ts';
import { loadFixture, loadFixtureText } from '../../../support/fixtures.ts';
import { alertFrom, isObject, rejectionFrom, set } from '../../../support/normalize.ts';

const INSTANCE = 'guardduty/instance-backdoor-cc-dns-high.json';
const SAMPLE_INSTANCE = 'guardduty/instance-ssh-bruteforce-sample.json';
const ACCESS_KEY = 'guardduty/accesskey-tor-ipcaller-with-instance-details.json';
const S3_BUCKET = 'guardduty/s3bucket-block-public-access-disabled.json';
const PORT_PROBE = 'guardduty/instance-recon-port-probe-updated.json';
const MALWARE_FOUND = 'guardduty/malware-protection-s3-object-threats-found.json';
const MALWARE_CLEAN = 'guardduty/malware-protection-s3-object-no-threats-found.json';
const VIA_CLOUDTRAIL = 'guardduty/api-call-archivefindings-via-cloudtrail.json';

const INSTANCE_ARN =
  'arn:aws:guardduty:eu-west-1:111122223333:detector/3ec6f0a1b2c3d4e5f6a7b8c9d0e1f2a3/finding/a4c8e2f61b3d4e7f9a0b1c2d3e4f5a6b';

describe('GuardDuty Finding → Detection Finding 2004', () => {
  describe('Instance finding (Backdoor:EC2/C&CActivity.B!DNS, severity 8)', () => {
    it('is a new High Detection Finding', () => {
      // Prepare
      const text = loadFixtureText(INSTANCE);

      // Act
      const alert = alertFrom(text);

      // Assess
      expect(alert.source).toBe('aws.guardduty');
      expect(alert.sample).toBe(false);
      expect(alert.ocsf).toMatchObject({
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
        is_alert: true,
        count: 1,
        time: Date.parse('2025-03-14T09:27:39.513Z'),
        message: 'Command and Control server domain name queried by EC2 instance i-0a1b2c3d4e5f60718.',
      });
      expect(alert.ocsf.metadata.labels).toBeUndefined();
    });

    it('takes account and region from the finding, not from the (delegated administrator) envelope', () => {
      // Prepare
      const event = loadFixture(INSTANCE);
      set(event, 'region', 'us-east-1');

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(event.account).toBe('444455556666');
      expect(alert.ocsf.cloud).toEqual({
        provider: 'AWS',
        region: 'eu-west-1',
        account: { uid: '111122223333', type_id: 10, type: 'AWS Account' },
        cloud_partition: 'aws',
      });
    });

    it('falls back to the envelope account and region when the finding lacks them', () => {
      // Prepare
      const event = loadFixture(INSTANCE);
      set(event, 'detail.accountId', undefined);
      set(event, 'detail.region', undefined);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.cloud.account?.uid).toBe('444455556666');
      expect(alert.ocsf.cloud.region).toBe('eu-west-1');
    });

    it('maps finding_info from the finding identity and timestamps', () => {
      // Prepare
      const event = loadFixture(INSTANCE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.finding_info).toEqual({
        uid: INSTANCE_ARN,
        uid_alt: 'a4c8e2f61b3d4e7f9a0b1c2d3e4f5a6b',
        title: 'Command and Control server domain name queried by EC2 instance i-0a1b2c3d4e5f60718.',
        desc: 'EC2 instance i-0a1b2c3d4e5f60718 is querying a domain name associated with a known Command & Control server.',
        types: ['Backdoor:EC2/C&CActivity.B!DNS'],
        created_time: Date.parse('2025-03-14T09:27:39.513Z'),
        modified_time: Date.parse('2025-03-14T09:27:39.513Z'),
        first_seen_time: Date.parse('2025-03-14T09:12:05.000Z'),
        last_seen_time: Date.parse('2025-03-14T09:12:05.000Z'),
        src_url:
          'https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=a4c8e2f61b3d4e7f9a0b1c2d3e4f5a6b',
      });
    });

    it('keeps an empty tag value as "" and gives a tag without value ""', () => {
      // Prepare
      const event = set(loadFixture(INSTANCE), 'detail.resource.instanceDetails.tags', [
        { key: 'Backup', value: '' },
        { key: 'Flag' },
        { value: 'no key' },
      ]);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.resources?.[0]?.tags).toEqual([
        { name: 'Backup', value: '' },
        { name: 'Flag', value: '' },
      ]);
    });

    it('describes the instance with its tags, instance profile and network interfaces', () => {
      // Prepare
      const event = loadFixture(INSTANCE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.resources).toEqual([
        {
          type: 'AWS::EC2::Instance',
          uid: 'i-0a1b2c3d4e5f60718',
          region: 'eu-west-1',
          cloud_partition: 'aws',
          tags: [
            { name: 'Name', value: 'web-frontend-2' },
            { name: 'Environment', value: 'production' },
            { name: 'Owner', value: 'platform-team' },
          ],
          data: {
            instance_type: 't3.medium',
            image_id: 'ami-0f1e2d3c4b5a69788',
            state: 'running',
            availability_zone: 'eu-west-1b',
            launch_time: Date.parse('2025-02-27T16:03:12.000Z'),
            instance_profile_arn: 'arn:aws:iam::111122223333:instance-profile/web-tier-profile',
            network_interfaces: [
              {
                network_interface_id: 'eni-04c2a7b9e1d3f5a68',
                vpc_id: 'vpc-0e3a5c7b9d1f2a4c6',
                subnet_id: 'subnet-0b7d2e9f4a1c3e5d7',
                private_ip: '10.20.3.41',
                public_ip: '203.0.113.25',
                security_groups: [{ id: 'sg-0c4e6a8b2d1f3e5a7', name: 'web-frontend-sg' }],
              },
            ],
          },
        },
      ]);
    });

    it('turns the DNS request into a query evidence', () => {
      // Prepare
      const event = loadFixture(INSTANCE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.evidences).toEqual([{ query: { hostname: 'beacon.c2-relay.example' } }]);
    });

    it('keeps the envelope id and time in metadata and the raw text in raw_data', () => {
      // Prepare
      const text = loadFixtureText(INSTANCE);

      // Act
      const alert = alertFrom(text);

      // Assess
      expect(alert.ocsf.metadata).toMatchObject({
        version: '1.6.0',
        profiles: ['cloud'],
        product: { name: 'GuardDuty', vendor_name: 'AWS' },
        uid: '5d1c9a7e-3f42-4b8e-9c61-2a7f0e4b8d13',
        logged_time: Date.parse('2025-03-14T09:27:41Z'),
      });
      expect(alert.ocsf.raw_data).toBe(text);
    });

    it('keeps what it did not map in unmapped, and only that', () => {
      // Prepare
      const event = loadFixture(INSTANCE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.unmapped).toMatchObject({
        schemaVersion: '2.0',
        severity: 8,
        service: {
          serviceName: 'guardduty',
          detectorId: '3ec6f0a1b2c3d4e5f6a7b8c9d0e1f2a3',
          resourceRole: 'ACTOR',
          evidence: {
            threatIntelligenceDetails: [{ threatListName: 'ProofPoint', threatNames: ['beacon-relay'] }],
          },
        },
        resource: { instanceDetails: { imageDescription: 'Amazon Linux 2023 AMI x86_64 HVM kernel-6.1' } },
      });
      expect(alert.ocsf.unmapped).not.toHaveProperty('id');
      expect(alert.ocsf.unmapped).not.toHaveProperty('title');
      expect(alert.ocsf.unmapped).not.toHaveProperty('service.count');
      expect(alert.ocsf.unmapped).not.toHaveProperty('service.action');
      expect(alert.ocsf.unmapped).not.toHaveProperty('resource.instanceDetails.instanceId');
      expect(alert.ocsf.unmapped).not.toHaveProperty('resource.instanceDetails.tags');
    });
  });

  describe('sample findings', () => {
    it('flags a sample Instance finding: sample, labelled, not an alert', () => {
      // Prepare
      const event = loadFixture(SAMPLE_INSTANCE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.sample).toBe(true);
      expect(alert.ocsf.metadata.labels).toEqual(['sample']);
      expect(alert.ocsf.is_alert).toBe(false);
      expect(alert.ocsf.severity_id).toBe(2);
      expect(alert.ocsf.resources?.[0]).toMatchObject({ type: 'AWS::EC2::Instance', uid: 'i-99999999' });
    });

    it('maps an inbound network connection: remote is the source, the instance the destination', () => {
      // Prepare
      const event = loadFixture(SAMPLE_INSTANCE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.evidences).toEqual([
        {
          src_endpoint: {
            ip: '198.51.100.77',
            port: 47152,
            location: {
              city: 'GeneratedFindingCityName',
              desc: 'GeneratedFindingCountryName',
              lat: 0,
              long: 0,
            },
            autonomous_system: { number: 64496, name: 'GeneratedFindingASNOrg' },
            isp: 'GeneratedFindingISP',
            isp_org: 'GeneratedFindingORG',
          },
          dst_endpoint: { ip: '10.0.0.1', port: 22 },
          connection_info: { direction_id: 1, direction: 'Inbound', protocol_name: 'tcp' },
        },
      ]);
    });

    it.each([
      ['a JSON string in additionalInfo.value', { value: '{"sample":true}', type: 'default' }, true],
      ['the string "true"', { sample: 'true' }, true],
      ['sample false', { sample: false }, false],
      ['a value that mentions sample but is not JSON', { value: 'not a sample finding' }, false],
      ['a JSON value with sample false', { value: '{"sample":false}' }, false],
      ['no additionalInfo', undefined, false],
    ])('reads the sample flag from %s', (_label, additionalInfo, expected) => {
      // Prepare
      const event = loadFixture(INSTANCE);
      set(event, 'detail.service.additionalInfo', additionalInfo);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.sample).toBe(expected);
      expect(alert.ocsf.is_alert).toBe(!expected);
    });
  });

  describe('AccessKey finding (UnauthorizedAccess:IAMUser/TorIPCaller) that also carries instanceDetails', () => {
    it('chooses the resource by resourceType: the access key, not the instance', () => {
      // Prepare
      const event = loadFixture(ACCESS_KEY);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.resources).toEqual([
        {
          type: 'AWS::IAM::AccessKey',
          uid: 'AKIARIPOSTEDEMO7KEYX',
          name: 'ci-deployer',
          region: 'us-west-2',
          cloud_partition: 'aws',
          data: { principal_id: 'AIDARIPOSTEDEMOUSER01', user_type: 'IAMUser', user_name: 'ci-deployer' },
        },
      ]);
      expect(JSON.stringify(alert.ocsf.resources)).not.toContain('i-0f9e8d7c6b5a43210');
    });

    it('keeps the unused instanceDetails in unmapped rather than dropping them', () => {
      // Prepare
      const event = loadFixture(ACCESS_KEY);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.unmapped).toHaveProperty(
        'resource.instanceDetails.instanceId',
        'i-0f9e8d7c6b5a43210',
      );
      expect(alert.ocsf.unmapped).not.toHaveProperty('resource.accessKeyDetails');
    });

    it('turns the API call into an api evidence with the remote caller', () => {
      // Prepare
      const event = loadFixture(ACCESS_KEY);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf).toMatchObject({
        severity_id: 3,
        severity: 'Medium',
        activity_id: 1,
        type_uid: 200401,
      });
      expect(alert.ocsf.cloud.account?.uid).toBe('111122223333');
      expect(alert.ocsf.evidences).toEqual([
        {
          api: { operation: 'ListBuckets', service: { name: 's3.amazonaws.com' } },
          src_endpoint: {
            ip: '203.0.113.200',
            location: { city: 'Amsterdam', desc: 'Netherlands', lat: 52.3759, long: 4.8975 },
            autonomous_system: { number: 64511, name: 'Example Onion Hosting' },
            isp: 'Example Onion Hosting',
            isp_org: 'Example Onion Hosting',
          },
        },
      ]);
    });

    // Fixed (guardduty.ts endpointFromIpDetails): OCSF `location.country` is the ISO 3166-1
    // alpha-2 code ("NL"); the mapping used to write GuardDuty's `countryName` there and ignore
    // `countryCode`. The name now goes to `location.desc`.
    it('writes the ISO country code, when GuardDuty gives one, to location.country', () => {
      // Prepare
      const event = loadFixture(ACCESS_KEY);
      set(event, 'detail.service.action.awsApiCallAction.remoteIpDetails.country', {
        countryCode: 'NL',
        countryName: 'Netherlands',
      });

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.evidences?.[0]?.src_endpoint?.location).toEqual({
        city: 'Amsterdam',
        country: 'NL',
        desc: 'Netherlands',
        lat: 52.3759,
        long: 4.8975,
      });
    });

    it('never writes a country name or a malformed code to location.country', () => {
      // Prepare
      const event = loadFixture(ACCESS_KEY);
      set(event, 'detail.service.action.awsApiCallAction.remoteIpDetails.country', {
        countryCode: 'NLD',
        countryName: 'Netherlands',
      });

      // Act
      const alert = alertFrom(event);

      // Assess
      const location = alert.ocsf.evidences?.[0]?.src_endpoint?.location;
      expect(location?.country).toBeUndefined();
      expect(location?.desc).toBe('Netherlands');
    });

    it('leaves out a location with neither city nor country code (OCSF needs one of them)', () => {
      // Prepare
      const event = loadFixture(ACCESS_KEY);
      set(event, 'detail.service.action.awsApiCallAction.remoteIpDetails.city', undefined);

      // Act
      const alert = alertFrom(event);

      // Assess
      const endpoint = alert.ocsf.evidences?.[0]?.src_endpoint;
      expect(endpoint?.ip).toBe('203.0.113.200');
      expect(endpoint?.location).toBeUndefined();
    });

    it('records a failed API call as the response error, and drops a placeholder ASN of -1', () => {
      // Prepare
      const event = loadFixture(ACCESS_KEY);
      set(event, 'detail.service.action.awsApiCallAction.errorCode', 'AccessDenied');
      set(event, 'detail.service.action.awsApiCallAction.remoteIpDetails.organization.asn', '-1');

      // Act
      const alert = alertFrom(event);

      // Assess
      const evidence = alert.ocsf.evidences?.[0];
      expect(evidence?.api?.response).toEqual({ error: 'AccessDenied' });
      expect(evidence?.src_endpoint?.autonomous_system).toBeUndefined();
      expect(evidence?.src_endpoint?.ip).toBe('203.0.113.200');
    });
  });

  describe('S3Bucket finding', () => {
    it('lists every s3BucketDetails entry as an S3 bucket resource', () => {
      // Prepare
      const event = loadFixture(S3_BUCKET);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.severity_id).toBe(2);
      expect(alert.ocsf.resources).toHaveLength(1);
      expect(alert.ocsf.resources?.[0]).toMatchObject({
        type: 'AWS::S3::Bucket',
        uid: 'arn:aws:s3:::riposte-demo-reports-111122223333',
        name: 'riposte-demo-reports-111122223333',
        region: 'eu-central-1',
        tags: [
          { name: 'DataClassification', value: 'internal' },
          { name: 'Owner', value: 'analytics' },
        ],
        data: {
          owner: '7d1f0b9e2c4a6e8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f',
          created_at: Date.parse('2024-06-01T07:00:00.000Z'),
          public_access: { effectivePermission: 'NOT_PUBLIC' },
        },
      });
      expect(alert.ocsf.evidences?.[0]?.api?.operation).toBe('DeleteBucketPublicAccessBlock');
    });

    it('builds the bucket ARN from its name, in the finding partition, when the ARN is absent', () => {
      // Prepare
      const event = loadFixture(S3_BUCKET);
      set(event, 'detail.partition', 'aws-cn');
      const detail = event.detail;
      if (!isObject(detail) || !isObject(detail.resource)) throw new Error('fixture shape changed');
      const buckets = detail.resource.s3BucketDetails;
      if (!Array.isArray(buckets) || !isObject(buckets[0])) throw new Error('fixture shape changed');
      delete buckets[0].arn;

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.resources?.[0]).toMatchObject({
        uid: 'arn:aws-cn:s3:::riposte-demo-reports-111122223333',
        cloud_partition: 'aws-cn',
      });
    });
  });

  describe('PORT_PROBE finding seen five times', () => {
    it('is an Update with the count, and one evidence per probe', () => {
      // Prepare
      const event = loadFixture(PORT_PROBE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf).toMatchObject({
        activity_id: 2,
        activity_name: 'Update',
        type_uid: 200402,
        type_name: 'Detection Finding: Update',
        count: 5,
        severity_id: 2,
        time: Date.parse('2025-07-11T18:20:41.302Z'),
      });
      expect(alert.ocsf.finding_info).toMatchObject({
        created_time: Date.parse('2025-07-11T09:15:33.870Z'),
        modified_time: Date.parse('2025-07-11T18:20:41.302Z'),
        first_seen_time: Date.parse('2025-07-11T09:02:10.000Z'),
        last_seen_time: Date.parse('2025-07-11T18:05:57.000Z'),
      });
      expect(alert.ocsf.evidences?.map((e) => [e.src_endpoint?.ip, e.dst_endpoint?.port])).toEqual([
        ['198.51.100.23', 3389],
        ['192.0.2.61', 22],
      ]);
      expect(alert.ocsf.evidences?.[0]?.src_endpoint?.location).toEqual({
        city: 'Singapore',
        desc: 'Singapore',
        lat: 1.2897,
        long: 103.8501,
      });
    });
  });

  describe('other resource types and actions', () => {
    it.each([
      [
        'EKSCluster',
        'eksClusterDetails',
        { name: 'prod', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod' },
        'AWS::EKS::Cluster',
        'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
        'prod',
      ],
      [
        'Lambda',
        'lambdaDetails',
        { functionName: 'ingest', functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:ingest' },
        'AWS::Lambda::Function',
        'arn:aws:lambda:eu-west-1:111122223333:function:ingest',
        'ingest',
      ],
      [
        'RDSDBInstance',
        'rdsDbInstanceDetails',
        { dbInstanceIdentifier: 'orders', dbInstanceArn: 'arn:aws:rds:eu-west-1:111122223333:db:orders' },
        'AWS::RDS::DBInstance',
        'arn:aws:rds:eu-west-1:111122223333:db:orders',
        'orders',
      ],
    ])('maps a %s resource from %s', (resourceType, block, details, type, uid, name) => {
      // Prepare
      const event = loadFixture(INSTANCE);
      set(event, 'detail.resource', { resourceType, [block]: details });

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.resources).toEqual([
        { type, uid, name, region: 'eu-west-1', cloud_partition: 'aws', data: details },
      ]);
    });

    it('maps a Kubernetes API call to an api evidence with the first source IP', () => {
      // Prepare
      const event = loadFixture(INSTANCE);
      set(event, 'detail.service.action', {
        actionType: 'KUBERNETES_API_CALL',
        kubernetesApiCallAction: {
          verb: 'list',
          requestUri: '/api/v1/secrets',
          sourceIps: ['198.51.100.3', '198.51.100.4'],
        },
      });

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.evidences).toEqual([
        { api: { operation: 'list', service: { name: 'kubernetes' } }, src_endpoint: { ip: '198.51.100.3' } },
      ]);
    });

    it('maps an outbound network connection: the instance is the source', () => {
      // Prepare
      const event = loadFixture(SAMPLE_INSTANCE);
      set(event, 'detail.service.action.networkConnectionAction.connectionDirection', 'OUTBOUND');

      // Act
      const alert = alertFrom(event);

      // Assess
      const evidence = alert.ocsf.evidences?.[0];
      expect(evidence?.src_endpoint).toEqual({ ip: '10.0.0.1', port: 22 });
      expect(evidence?.dst_endpoint?.ip).toBe('198.51.100.77');
      expect(evidence?.connection_info).toEqual({
        direction_id: 2,
        direction: 'Outbound',
        protocol_name: 'tcp',
      });
    });

    it('keeps the instance as the source of an outbound connection without localIpDetails only in data', () => {
      // Prepare
      const event = loadFixture(SAMPLE_INSTANCE);
      set(event, 'detail.service.action.networkConnectionAction.connectionDirection', 'OUTBOUND');
      set(event, 'detail.service.action.networkConnectionAction.localIpDetails', undefined);

      // Act
      const alert = alertFrom(event);

      // Assess: a port alone is not an OCSF network_endpoint (it needs an ip, a name, a uid...)
      const evidence = alert.ocsf.evidences?.[0];
      expect(evidence?.src_endpoint).toBeUndefined();
      expect(evidence?.dst_endpoint?.ip).toBe('198.51.100.77');
      expect(evidence?.data).toEqual({ localPortDetails: { port: 22, portName: 'SSH' } });
    });

    it('merges the local IP with the probed port, or keeps a lone port in data', () => {
      // Prepare
      const event = loadFixture('guardduty/instance-recon-port-probe-updated.json');
      set(event, 'detail.service.action.portProbeAction.portProbeDetails', [
        {
          localPortDetails: { port: 3389, portName: 'RDP' },
          localIpDetails: { ipAddressV4: '172.31.8.9' },
          remoteIpDetails: { ipAddressV4: '198.51.100.23' },
        },
        { localPortDetails: { port: 22, portName: 'SSH' }, remoteIpDetails: { ipAddressV4: '192.0.2.61' } },
        {},
      ]);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.evidences).toEqual([
        { src_endpoint: { ip: '198.51.100.23' }, dst_endpoint: { ip: '172.31.8.9', port: 3389 } },
        { src_endpoint: { ip: '192.0.2.61' }, data: { localPortDetails: { port: 22, portName: 'SSH' } } },
      ]);
    });

    it('has no evidences for an action it does not know', () => {
      // Prepare
      const event = loadFixture(INSTANCE);
      set(event, 'detail.service.action', { actionType: 'SOMETHING_NEW', somethingNewAction: { a: 1 } });

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.evidences).toBeUndefined();
    });
  });

  describe('severity bands (compare against band edges)', () => {
    it.each([
      [10, 5, 'Critical'],
      [9.0, 5, 'Critical'],
      [8.9, 4, 'High'],
      [8.95, 4, 'High'],
      ['8.0', 4, 'High'],
      [8, 4, 'High'],
      [7.0, 4, 'High'],
      ['7', 4, 'High'],
      [6.99, 3, 'Medium'],
      [6.95, 3, 'Medium'],
      [5, 3, 'Medium'],
      [4.0, 3, 'Medium'],
      [3.99, 2, 'Low'],
      [1.0, 2, 'Low'],
      [0.5, 2, 'Low'],
      [0, 0, 'Unknown'],
      [-1, 0, 'Unknown'],
      ['High', 0, 'Unknown'],
      [null, 0, 'Unknown'],
      [undefined, 0, 'Unknown'],
    ])('severity %j → severity_id %i (%s)', (severity, severityId, caption) => {
      // Prepare
      const event = set(loadFixture(INSTANCE), 'detail.severity', severity);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.severity_id).toBe(severityId);
      expect(alert.ocsf.severity).toBe(caption);
    });
  });

  describe('lifecycle: activity and status', () => {
    it.each([
      ['count 1', { 'service.count': 1 }, 1, 'Create', 1],
      [
        'count 5 (aggregated occurrences)',
        { 'service.count': 5, updatedAt: '2025-03-15T10:00:00.000Z' },
        2,
        'Update',
        1,
      ],
      ['count as the string "3"', { 'service.count': '3' }, 2, 'Update', 1],
      [
        'no count, updatedAt after createdAt',
        { 'service.count': undefined, updatedAt: '2025-03-15T10:00:00.000Z' },
        2,
        'Update',
        1,
      ],
      ['no count, updatedAt equal to createdAt', { 'service.count': undefined }, 1, 'Create', 1],
      ['archived', { 'service.archived': true, 'service.count': 5 }, 3, 'Close', 5],
      ['archived as the string "true"', { 'service.archived': 'true' }, 3, 'Close', 5],
    ])('%s → activity %i %s', (_label, changes, activityId, activityName, statusId) => {
      // Prepare
      const event = loadFixture(INSTANCE);
      for (const [path, value] of Object.entries(changes)) set(event, `detail.${path}`, value);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.activity_id).toBe(activityId);
      expect(alert.ocsf.activity_name).toBe(activityName);
      expect(alert.ocsf.type_uid).toBe(200400 + activityId);
      expect(alert.ocsf.status_id).toBe(statusId);
    });
  });

  describe('alert id', () => {
    it('is derived from the finding ARN', () => {
      // Prepare
      const event = loadFixture(INSTANCE);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.id).toBe(alertIdFor(INSTANCE_ARN));
      expect(alert.id).toMatch(/^[0-9a-f]{32}$/);
    });

    it('is the same for a re-delivery with another envelope id and time', () => {
      // Prepare
      const original = loadFixture(INSTANCE);
      const redelivery = loadFixture(INSTANCE);
      set(redelivery, 'id', '00000000-1111-4222-8333-444444444444');
      set(redelivery, 'time', '2025-03-14T11:00:00Z');

      // Act
      const first = alertFrom(original);
      const second = alertFrom(redelivery);

      // Assess
      expect(second.id).toBe(first.id);
      expect(second.ocsf.metadata.uid).toBe('00000000-1111-4222-8333-444444444444');
      expect(second.ocsf.metadata.uid).not.toBe(first.ocsf.metadata.uid);
    });

    it('is the same for an update of the finding (count 1 → 5, later updatedAt), which becomes an Update', () => {
      // Prepare
      const created = loadFixture(INSTANCE);
      const updated = loadFixture(INSTANCE);
      set(updated, 'detail.service.count', 5);
      set(updated, 'detail.updatedAt', '2025-03-14T15:40:02.001Z');
      set(updated, 'detail.service.eventLastSeen', '2025-03-14T15:31:00.000Z');
      set(updated, 'id', 'f0e1d2c3-b4a5-4968-8776-a5b4c3d2e1f0');

      // Act
      const first = alertFrom(created);
      const second = alertFrom(updated);

      // Assess
      expect(second.id).toBe(first.id);
      expect(first.ocsf.activity_id).toBe(1);
      expect(second.ocsf.activity_id).toBe(2);
      expect(second.ocsf.count).toBe(5);
      expect(second.ocsf.time).toBe(Date.parse('2025-03-14T15:40:02.001Z'));
    });

    it('is the same when the event omits the ARN (rebuilt from partition, region, account, detector and id)', () => {
      // Prepare
      const withArn = loadFixture(INSTANCE);
      const withoutArn = set(loadFixture(INSTANCE), 'detail.arn', undefined);

      // Act
      const first = alertFrom(withArn);
      const second = alertFrom(withoutArn);

      // Assess
      expect(second.ocsf.finding_info?.uid).toBe(INSTANCE_ARN);
      expect(second.id).toBe(first.id);
    });

    it('differs between different findings', () => {
      // Prepare
      const files = [INSTANCE, SAMPLE_INSTANCE, ACCESS_KEY, S3_BUCKET, PORT_PROBE];
      const otherId = set(
        set(loadFixture(INSTANCE), 'detail.id', 'b5d9f3a72c4e5f8a0b1c2d3e4f5a6b7c'),
        'detail.arn',
        INSTANCE_ARN.replace('a4c8e2f61b3d4e7f9a0b1c2d3e4f5a6b', 'b5d9f3a72c4e5f8a0b1c2d3e4f5a6b7c'),
      );

      // Act
      const ids = [...files.map((file) => alertFrom(loadFixture(file)).id), alertFrom(otherId).id];

      // Assess
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  describe('bad input', () => {
    it.each([
      [
        'detail.resource is a string',
        'detail.resource',
        'Instance',
        'invalid_field',
        'detail.resource: must be an object',
      ],
      [
        'detail.resource is missing',
        'detail.resource',
        undefined,
        'missing_field',
        'detail.resource: is required',
      ],
      ['detail.id is missing', 'detail.id', undefined, 'missing_field', 'detail.id: is required'],
      [
        'detail.type is an object',
        'detail.type',
        { name: 'Backdoor' },
        'invalid_field',
        'detail.type: must be a non-empty string',
      ],
    ])('%s → %s', (_label, path, value, reason, message) => {
      // Prepare
      const event = set(loadFixture(INSTANCE), path, value);

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection).toEqual({ reason, message });
    });

    it('refuses a finding with no usable timestamp anywhere', () => {
      // Prepare
      const event = loadFixture(INSTANCE);
      set(event, 'detail.createdAt', 'GeneratedFindingTime');
      set(event, 'detail.updatedAt', undefined);
      set(event, 'time', undefined);

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection).toEqual({
        reason: 'missing_field',
        message: 'time: the event carries no usable timestamp',
      });
    });

    it('tolerates a finding without a service block', () => {
      // Prepare
      const event = set(loadFixture(INSTANCE), 'detail.service', undefined);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.sample).toBe(false);
      expect(alert.ocsf.count).toBeUndefined();
      expect(alert.ocsf.evidences).toBeUndefined();
      expect(alert.ocsf.finding_info?.uid).toBe(INSTANCE_ARN);
    });
  });
});

describe('GuardDuty Malware Protection Object Scan Result', () => {
  it('turns a THREATS_FOUND scan (the documented spelling) into a High Detection Finding on the object', () => {
    // Prepare
    const event = loadFixture(MALWARE_FOUND);

    // Act
    const alert = alertFrom(event);

    // Assess
    const findingKey =
      'guardduty-malware-s3:111122223333:riposte-demo-uploads/incoming/invoices/2025-08/invoice-4471.pdf.exe#3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';
    expect(alert.id).toBe(alertIdFor(findingKey));
    expect(alert.sample).toBe(false);
    expect(alert.ocsf).toMatchObject({
      class_uid: 2004,
      activity_id: 1,
      type_uid: 200401,
      severity_id: 4,
      status_id: 1,
      is_alert: true,
      time: Date.parse('2025-08-19T12:03:27Z'),
      cloud: { account: { uid: '111122223333' }, region: 'us-east-2' },
      metadata: { product: { name: 'GuardDuty', feature: { name: 'Malware Protection for S3' } } },
    });
    expect(alert.ocsf.finding_info).toEqual({
      uid: findingKey,
      title:
        'Malware found in s3://riposte-demo-uploads/incoming/invoices/2025-08/invoice-4471.pdf.exe: EICAR-Test-File (not a virus)',
      types: ['MalwareProtection:S3Object/MaliciousFile'],
    });
    expect(alert.ocsf.resources).toEqual([
      {
        type: 'AWS::S3::Object',
        uid: 'arn:aws:s3:::riposte-demo-uploads/incoming/invoices/2025-08/invoice-4471.pdf.exe',
        name: 'incoming/invoices/2025-08/invoice-4471.pdf.exe',
        region: 'us-east-2',
        version: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
      },
      {
        type: 'AWS::S3::Bucket',
        uid: 'arn:aws:s3:::riposte-demo-uploads',
        name: 'riposte-demo-uploads',
        region: 'us-east-2',
      },
    ]);
  });

  it('accepts the legacy THREAT_FOUND spelling (published samples) as the same finding', () => {
    // Prepare
    const documented = loadFixture(MALWARE_FOUND);
    const legacy = set(
      loadFixture(MALWARE_FOUND),
      'detail.scanResultDetails.scanResultStatus',
      'THREAT_FOUND',
    );

    // Act
    const [first, second] = [documented, legacy].map(alertFrom);

    // Assess
    expect(second?.id).toBe(first?.id);
    expect(second?.ocsf.class_uid).toBe(2004);
  });

  it('keys the finding on the object version: a re-delivery matches, another version does not', () => {
    // Prepare
    const base = loadFixture(MALWARE_FOUND);
    const redelivery = set(structuredClone(base), 'id', '11111111-2222-4333-8444-555555555555');
    const otherVersion = set(
      structuredClone(base),
      'detail.s3ObjectDetails.versionId',
      'AnotherVersionId000000000000000',
    );

    // Act
    const [first, second, third] = [base, redelivery, otherVersion].map(alertFrom);

    // Assess
    expect(second?.id).toBe(first?.id);
    expect(third?.id).not.toBe(first?.id);
  });

  it.each(['NO_THREATS_FOUND', 'UNSUPPORTED', 'ACCESS_DENIED', 'FAILED'])(
    'refuses a %s scan as not_a_finding',
    (status) => {
      // Prepare
      const event = set(loadFixture(MALWARE_CLEAN), 'detail.scanResultDetails.scanResultStatus', status);

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection.reason).toBe('not_a_finding');
      expect(rejection.message.startsWith(`malware scan result ${status}:`)).toBe(true);
    },
  );

  it('refuses the clean fixture as it is', () => {
    // Prepare
    const event = loadFixture(MALWARE_CLEAN);

    // Act
    const rejection = rejectionFrom(event);

    // Assess
    expect(rejection.reason).toBe('not_a_finding');
  });

  it.each([
    ['no scanResultDetails', 'detail.scanResultDetails', undefined, 'missing_field'],
    ['scanResultDetails a string', 'detail.scanResultDetails', 'THREATS_FOUND', 'invalid_field'],
    ['no object key', 'detail.s3ObjectDetails.objectKey', undefined, 'missing_field'],
  ])('refuses a scan result with %s', (_label, path, value, reason) => {
    // Prepare
    const event = set(loadFixture(MALWARE_FOUND), path, value);

    // Act
    const rejection = rejectionFrom(event);

    // Assess
    expect(rejection.reason).toBe(reason);
  });
});

describe('aws.guardduty events that are not findings', () => {
  it('routes a GuardDuty API call recorded by CloudTrail to API Activity 6003', () => {
    // Prepare
    const event = loadFixture(VIA_CLOUDTRAIL);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.source).toBe('aws.guardduty');
    expect(alert.ocsf).toMatchObject({
      class_uid: 6003,
      activity_id: 99,
      type_uid: 600399,
      api: { operation: 'ArchiveFindings', service: { name: 'guardduty.amazonaws.com' } },
    });
    expect(alert.ocsf.finding_info).toBeUndefined();
  });
});
