import { randomUUID } from 'node:crypto';

/**
 * The demo's simulated compromise, as the AWS services would publish it (EventBridge events in
 * their documented formats), against the resources of `examples/world.json`. Times are relative
 * to `now` so time-to-detect figures look like a live incident.
 */

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

/** `ms` as ISO 8601 with milliseconds. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** An EventBridge event of the example account and Region, delivered at `time`. */
export function envelope(source: string, detailType: string, time: number, detail: Record<string, unknown>) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time: iso(time).replace(/\.\d+Z$/, 'Z'),
    region: REGION,
    resources: [],
    detail,
  };
}

/** GuardDuty: an EC2 instance querying a command-and-control domain (High). */
export function c2Finding(now: number, count = 1): Record<string, unknown> {
  const id = '4f2a9c7e1b6d4e3a8c5f0b9d2e7a1c64';
  const first = now - 4 * 60_000;
  return envelope('aws.guardduty', 'GuardDuty Finding', now, {
    schemaVersion: '2.0',
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    id,
    arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/5eb0a1c2d3e4f5061728394a5b6c7d8e/finding/${id}`,
    type: 'Backdoor:EC2/C&CActivity.B!DNS',
    resource: {
      resourceType: 'Instance',
      instanceDetails: {
        instanceId: 'i-0a1b2c3d4e5f60718',
        instanceType: 'm6i.large',
        tags: [
          { key: 'Name', value: 'payments-api-1' },
          { key: 'environment', value: 'production' },
        ],
      },
    },
    service: {
      serviceName: 'guardduty',
      detectorId: '5eb0a1c2d3e4f5061728394a5b6c7d8e',
      action: {
        actionType: 'DNS_REQUEST',
        dnsRequestAction: { domain: 'update.c2-relay.example', protocol: 'UDP', blocked: false },
      },
      resourceRole: 'TARGET',
      additionalInfo: {},
      eventFirstSeen: iso(first),
      eventLastSeen: iso(now - 1000),
      archived: false,
      count,
    },
    severity: 8,
    createdAt: iso(first + 60_000),
    updatedAt: iso(now - 1000 + count),
    title: 'Command and Control server domain name queried by EC2 instance i-0a1b2c3d4e5f60718.',
    description:
      'EC2 instance i-0a1b2c3d4e5f60718 is querying a domain name associated with a known Command & Control server.',
  });
}

/** GuardDuty: a leaked access key used from a Tor exit node (Medium). */
export function torKeyFinding(now: number): Record<string, unknown> {
  const id = '8b3e5d1f9a2c4b7e6d0f1a3c5e7b9d21';
  const first = now - 7 * 60_000;
  return envelope('aws.guardduty', 'GuardDuty Finding', now, {
    schemaVersion: '2.0',
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    id,
    arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/5eb0a1c2d3e4f5061728394a5b6c7d8e/finding/${id}`,
    type: 'UnauthorizedAccess:IAMUser/TorIPCaller',
    resource: {
      resourceType: 'AccessKey',
      accessKeyDetails: {
        accessKeyId: 'AKIAPAYMENTSATTACK02',
        principalId: 'AIDAPAYMENTSDEPLOY01',
        userType: 'IAMUser',
        userName: 'payments-deployer',
      },
    },
    service: {
      serviceName: 'guardduty',
      detectorId: '5eb0a1c2d3e4f5061728394a5b6c7d8e',
      action: {
        actionType: 'AWS_API_CALL',
        awsApiCallAction: {
          api: 'ListBuckets',
          serviceName: 's3.amazonaws.com',
          callerType: 'Remote IP',
          remoteIpDetails: {
            ipAddressV4: '198.51.100.77',
            country: { countryCode: 'NL', countryName: 'Netherlands' },
            city: { cityName: 'Amsterdam' },
            organization: {
              asn: '64496',
              asnOrg: 'EXAMPLE-TOR-EXIT',
              isp: 'Example ISP',
              org: 'Example Org',
            },
          },
        },
      },
      resourceRole: 'TARGET',
      additionalInfo: {},
      eventFirstSeen: iso(first),
      eventLastSeen: iso(now - 2000),
      archived: false,
      count: 3,
    },
    severity: 5,
    createdAt: iso(first + 60_000),
    updatedAt: iso(now - 2000),
    title: 'API ListBuckets was invoked from a Tor exit node IP address.',
    description: 'API ListBuckets was invoked by user payments-deployer from a Tor exit node IP address.',
  });
}

/** IAM Access Analyzer: a bucket readable by anyone. */
export function publicBucketFinding(now: number): Record<string, unknown> {
  return {
    ...envelope('aws.access-analyzer', 'Access Analyzer Finding', now, {
      version: '1.0',
      id: '6d1f3b5a-7c9e-4a2b-8d0f-1e3a5c7b9d2f',
      accountId: ACCOUNT,
      region: REGION,
      resource: 'arn:aws:s3:::payments-exports',
      resourceType: 'AWS::S3::Bucket',
      principal: { AWS: '*' },
      action: ['s3:GetObject', 's3:ListBucket'],
      condition: {},
      isPublic: true,
      isDeleted: false,
      status: 'ACTIVE',
      createdAt: iso(now - 3 * 60_000),
      analyzedAt: iso(now - 3 * 60_000),
      updatedAt: iso(now - 3 * 60_000),
    }),
    resources: [`arn:aws:access-analyzer:${REGION}:${ACCOUNT}:analyzer/riposte-demo`],
  };
}

/** What a broken integration sends: a truncated event. */
export function malformedEvent(now: number): string {
  return JSON.stringify(c2Finding(now)).slice(0, 180);
}
