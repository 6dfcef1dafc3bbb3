import { randomUUID } from 'node:crypto';
import { loadFixture } from './fixtures.ts';

/**
 * Builders for the project's own test events, in the documented EventBridge formats. Each
 * returns a fresh object; options override the fields tests care about.
 */

export interface GuardDutyOptions {
  readonly findingId?: string;
  readonly type?: string;
  readonly severity?: number;
  readonly instanceId?: string;
  readonly account?: string;
  readonly region?: string;
  readonly count?: number;
  readonly updatedAt?: string;
  readonly sample?: boolean;
  readonly envelopeId?: string;
}

/** A GuardDuty `GuardDuty Finding` event about an EC2 instance. */
export function guardDutyInstanceFinding(options: GuardDutyOptions = {}): Record<string, unknown> {
  const account = options.account ?? '111122223333';
  const region = options.region ?? 'eu-west-1';
  const id = options.findingId ?? '6ac7f3e5d1b24c0f9e8d7c6b5a493827';
  const updatedAt = options.updatedAt ?? '2026-11-02T10:15:00.000Z';
  const instanceId = options.instanceId ?? 'i-0a1b2c3d4e5f60718';
  return {
    version: '0',
    id: options.envelopeId ?? randomUUID(),
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account,
    time: updatedAt.replace(/\.\d+Z$/, 'Z'),
    region,
    resources: [],
    detail: {
      schemaVersion: '2.0',
      accountId: account,
      region,
      partition: 'aws',
      id,
      arn: `arn:aws:guardduty:${region}:${account}:detector/2cb8e1f0a1d34e3c9f0e0a1b2c3d4e5f/finding/${id}`,
      type: options.type ?? 'Backdoor:EC2/C&CActivity.B!DNS',
      resource: {
        resourceType: 'Instance',
        instanceDetails: {
          instanceId,
          instanceType: 'm6i.large',
          tags: [{ key: 'environment', value: 'production' }],
        },
      },
      service: {
        serviceName: 'guardduty',
        detectorId: '2cb8e1f0a1d34e3c9f0e0a1b2c3d4e5f',
        action: {
          actionType: 'DNS_REQUEST',
          dnsRequestAction: { domain: 'c2.attacker.example', protocol: 'UDP', blocked: false },
        },
        resourceRole: 'TARGET',
        additionalInfo: options.sample === true ? { sample: true } : {},
        eventFirstSeen: '2026-11-02T10:00:00.000Z',
        eventLastSeen: updatedAt,
        archived: false,
        count: options.count ?? 1,
      },
      severity: options.severity ?? 8,
      createdAt: '2026-11-02T10:05:00.000Z',
      updatedAt,
      title: `Command and Control server domain name queried by EC2 instance ${instanceId}.`,
      description: `EC2 instance ${instanceId} is querying a domain name associated with a known Command & Control server.`,
    },
  };
}

export interface GuardDutyAccessKeyOptions {
  readonly findingId?: string;
  /** @default 'UnauthorizedAccess:IAMUser/TorIPCaller' */
  readonly type?: string;
  /** GuardDuty score; the default rule takes 7.0 (High) and above. @default 8 */
  readonly severity?: number;
  /** The IAM user, or the role name for an assumed-role key. @default 'payments-deployer' */
  readonly userName?: string;
  /** @default 'AKIAPAYMENTSATTACK02' (ASIA… for an assumed role) */
  readonly accessKeyId?: string;
  /** @default 'IAMUser' */
  readonly userType?: 'IAMUser' | 'AssumedRole' | 'Root';
  readonly account?: string;
  readonly region?: string;
  readonly sample?: boolean;
}

/**
 * A GuardDuty `GuardDuty Finding` event about an access key (`resource.resourceType: AccessKey`),
 * e.g. `UnauthorizedAccess:IAMUser/TorIPCaller`. For an assumed role GuardDuty reports the role
 * name in `userName` and a temporary `ASIA…` key.
 */
export function guardDutyAccessKeyFinding(options: GuardDutyAccessKeyOptions = {}): Record<string, unknown> {
  const account = options.account ?? '111122223333';
  const region = options.region ?? 'eu-west-1';
  const id = options.findingId ?? '7bd8e4f6a2c35d1f0a9e8d7c6b5a4938';
  const userType = options.userType ?? 'IAMUser';
  const userName =
    options.userName ?? (userType === 'AssumedRole' ? 'payments-app-role' : 'payments-deployer');
  const accessKeyId =
    options.accessKeyId ?? (userType === 'AssumedRole' ? 'ASIAPAYMENTSAPPROLE7' : 'AKIAPAYMENTSATTACK02');
  const principalId =
    userType === 'AssumedRole' ? 'AROAPAYMENTSAPPROLE1:i-0a1b2c3d4e5f60718' : 'AIDAPAYMENTSDEPLOY01';
  const type = options.type ?? 'UnauthorizedAccess:IAMUser/TorIPCaller';
  const updatedAt = '2026-11-02T11:41:05.117Z';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account,
    time: '2026-11-02T11:41:07Z',
    region,
    resources: [],
    detail: {
      schemaVersion: '2.0',
      accountId: account,
      region,
      partition: 'aws',
      id,
      arn: `arn:aws:guardduty:${region}:${account}:detector/2cb8e1f0a1d34e3c9f0e0a1b2c3d4e5f/finding/${id}`,
      type,
      resource: {
        resourceType: 'AccessKey',
        accessKeyDetails: { accessKeyId, principalId, userType, userName },
      },
      service: {
        serviceName: 'guardduty',
        detectorId: '2cb8e1f0a1d34e3c9f0e0a1b2c3d4e5f',
        action: {
          actionType: 'AWS_API_CALL',
          awsApiCallAction: {
            api: 'ListBuckets',
            serviceName: 's3.amazonaws.com',
            callerType: 'Remote IP',
            remoteIpDetails: { ipAddressV4: '203.0.113.200', country: { countryName: 'Netherlands' } },
            affectedResources: {},
          },
        },
        resourceRole: 'TARGET',
        additionalInfo:
          options.sample === true
            ? { sample: true }
            : { value: '{"threatListName":"TorNode"}', type: 'default' },
        eventFirstSeen: '2026-11-02T11:30:12.000Z',
        eventLastSeen: '2026-11-02T11:31:40.000Z',
        archived: false,
        count: 1,
      },
      severity: options.severity ?? 8,
      createdAt: updatedAt,
      updatedAt,
      title: 'The API ListBuckets was invoked from a Tor exit node IP address.',
      description: `The API ListBuckets was invoked using access key ${accessKeyId} of ${userName} from a Tor exit node IP address.`,
    },
  };
}

/** An IAM Access Analyzer `Access Analyzer Finding` event: a bucket readable by anyone. */
export function accessAnalyzerPublicBucket(
  options: {
    readonly bucket?: string;
    readonly account?: string;
    readonly region?: string;
    readonly findingId?: string;
  } = {},
): Record<string, unknown> {
  const account = options.account ?? '111122223333';
  const region = options.region ?? 'eu-west-1';
  const bucket = options.bucket ?? 'payments-exports';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Access Analyzer Finding',
    source: 'aws.access-analyzer',
    account,
    time: '2026-11-02T05:33:48Z',
    region,
    resources: [`arn:aws:access-analyzer:${region}:${account}:analyzer/AccountAnalyzer`],
    detail: {
      version: '1.0',
      id: options.findingId ?? '5b7d9f1b-3d5f-4a7c-9e1b-3d5f7a9c1e3b',
      status: 'ACTIVE',
      resourceType: 'AWS::S3::Bucket',
      resource: `arn:aws:s3:::${bucket}`,
      createdAt: '2026-11-02T05:33:21Z',
      analyzedAt: '2026-11-02T05:33:21Z',
      updatedAt: '2026-11-02T05:33:21Z',
      accountId: account,
      region,
      principal: { AWS: '*' },
      action: ['s3:GetObject', 's3:ListBucket'],
      condition: {},
      isDeleted: false,
      isPublic: true,
      resourceOwnerAccount: account,
      sources: [{ type: 'BUCKET_POLICY' }],
    },
  };
}

/**
 * A Security Hub `Security Hub Findings - Imported` event of a failed security control on a
 * bucket (consolidated control findings: `Compliance.SecurityControlId`). The default rule
 * takes MEDIUM and above.
 */
export function securityHubControlFinding(
  options: {
    readonly control?: string;
    readonly bucket?: string;
    readonly account?: string;
    readonly region?: string;
    readonly severityLabel?: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
    /** ASFF `Sample`: a sample finding generated by the provider. */
    readonly sample?: boolean;
  } = {},
): Record<string, unknown> {
  const account = options.account ?? '111122223333';
  const region = options.region ?? 'eu-west-1';
  const control = options.control ?? 'S3.8';
  const bucket = options.bucket ?? 'payments-exports';
  const label = options.severityLabel ?? 'HIGH';
  const findingId = `arn:aws:securityhub:${region}:${account}:security-control/${control}/finding/4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d`;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    account,
    time: '2026-11-02T11:05:48Z',
    region,
    resources: [`arn:aws:securityhub:${region}::product/aws/securityhub/${findingId}`],
    detail: {
      findings: [
        {
          SchemaVersion: '2018-10-08',
          Id: findingId,
          ProductArn: `arn:aws:securityhub:${region}::product/aws/securityhub`,
          ProductName: 'Security Hub',
          CompanyName: 'AWS',
          Region: region,
          GeneratorId: `security-control/${control}`,
          AwsAccountId: account,
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          FirstObservedAt: '2026-11-02T10:21:10.512Z',
          LastObservedAt: '2026-11-02T11:05:31.604Z',
          CreatedAt: '2026-11-02T10:21:10.512Z',
          UpdatedAt: '2026-11-02T11:05:31.604Z',
          Severity: { Label: label, Original: label },
          Title: 'S3 general purpose buckets should block public access',
          Description:
            'This control checks whether an Amazon S3 general purpose bucket blocks public access at the bucket level.',
          ProductFields: {
            'aws/securityhub/ProductName': 'Security Hub',
            'aws/securityhub/CompanyName': 'AWS',
          },
          Resources: [
            { Type: 'AwsS3Bucket', Id: `arn:aws:s3:::${bucket}`, Partition: 'aws', Region: region },
          ],
          Compliance: {
            Status: 'FAILED',
            SecurityControlId: control,
            AssociatedStandards: [
              { StandardsId: 'standards/aws-foundational-security-best-practices/v/1.0.0' },
            ],
          },
          WorkflowState: 'NEW',
          Workflow: { Status: 'NEW' },
          RecordState: 'ACTIVE',
          ...(options.sample === true ? { Sample: true } : {}),
        },
      ],
    },
  };
}

/**
 * An `AWS Console Sign In via CloudTrail` event (`aws.signin`): by the root user, or by an IAM
 * user; successful or not.
 */
export function consoleSignIn(
  options: {
    readonly root?: boolean;
    readonly success?: boolean;
    readonly userName?: string;
    readonly account?: string;
  } = {},
): Record<string, unknown> {
  const account = options.account ?? '111122223333';
  const root = options.root ?? true;
  const userName = options.userName ?? 'payments-deployer';
  const userIdentity = root
    ? {
        type: 'Root',
        principalId: account,
        arn: `arn:aws:iam::${account}:root`,
        accountId: account,
        accessKeyId: '',
      }
    : {
        type: 'IAMUser',
        principalId: 'AIDAPAYMENTSDEPLOY01',
        arn: `arn:aws:iam::${account}:user/${userName}`,
        accountId: account,
        userName,
      };
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS Console Sign In via CloudTrail',
    source: 'aws.signin',
    account,
    time: '2026-11-02T06:02:17Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity,
      eventTime: '2026-11-02T06:02:15Z',
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.201',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      requestParameters: null,
      responseElements: { ConsoleLogin: options.success === false ? 'Failure' : 'Success' },
      additionalEventData: { MobileVersion: 'No', MFAUsed: 'Yes' },
      eventID: 'b3d5f7a9-c1e3-4b5d-7f9a-c1e3b5d7f9a1',
      readOnly: false,
      eventType: 'AwsConsoleSignIn',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
    },
  };
}

/**
 * A GuardDuty Lambda Protection finding (`resource.resourceType: Lambda`, `lambdaDetails`), from
 * the fixture `guardduty/lambda-cryptocurrency-bitcointool.json` with the fields tests vary.
 */
export function guardDutyLambdaFinding(
  options: {
    readonly functionName?: string;
    /** @default 'CryptoCurrency:Lambda/BitcoinTool.B' */
    readonly type?: string;
    readonly severity?: number;
    readonly account?: string;
    readonly role?: string;
    readonly sample?: boolean;
  } = {},
): Record<string, unknown> {
  const event = loadFixture('guardduty/lambda-cryptocurrency-bitcointool.json');
  const account = options.account ?? '111122223333';
  const name = options.functionName ?? 'payments-webhook';
  const text = JSON.stringify(event)
    .replaceAll('111122223333', account)
    .replaceAll('function:payments-webhook', `function:${name}`)
    .replaceAll('"functionName":"payments-webhook"', `"functionName":"${name}"`);
  const out = JSON.parse(text) as { id: string; detail: Record<string, unknown> };
  out.id = randomUUID();
  const detail = out.detail as {
    type: string;
    severity: number;
    resource: { lambdaDetails: { role: string } };
    service: { additionalInfo: Record<string, unknown> };
  };
  if (options.type !== undefined) detail.type = options.type;
  if (options.severity !== undefined) detail.severity = options.severity;
  if (options.role !== undefined) detail.resource.lambdaDetails.role = options.role;
  if (options.sample === true)
    detail.service.additionalInfo = { ...detail.service.additionalInfo, sample: true };
  return out;
}

/**
 * A GuardDuty `Policy:IAMUser/RootCredentialUsage` finding (root credentials used for an API
 * call), from the fixture `guardduty/policy-iamuser-rootcredentialusage.json`.
 */
export function guardDutyRootCredentialUsage(
  options: { readonly account?: string; readonly sample?: boolean } = {},
): Record<string, unknown> {
  const event = loadFixture('guardduty/policy-iamuser-rootcredentialusage.json');
  const out = JSON.parse(
    JSON.stringify(event).replaceAll('111122223333', options.account ?? '111122223333'),
  ) as {
    id: string;
    detail: { service: { additionalInfo: Record<string, unknown> } };
  };
  out.id = randomUUID();
  if (options.sample === true) out.detail.service.additionalInfo = { sample: true };
  return out;
}
