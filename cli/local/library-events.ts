import { randomUUID } from 'node:crypto';
import { envelope, iso } from './demo-events.ts';

/**
 * The library scenario's events, as the AWS services publish them (EventBridge events in their
 * documented formats), against the resources of `examples/world.json`. Times are relative to
 * `now`.
 */

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const DETECTOR = '2cb8e1f0a1d34e3c9f0e0a1b2c3d4e5f';

interface GuardDutyFinding {
  readonly id: string;
  readonly type: string;
  readonly severity: number;
  readonly title: string;
  readonly resource: Record<string, unknown>;
  readonly action: Record<string, unknown>;
  readonly resourceRole: 'TARGET' | 'ACTOR';
}

/** A GuardDuty finding event (schema 2.0) seen over the last ten minutes. */
function guardDuty(now: number, finding: GuardDutyFinding): Record<string, unknown> {
  return envelope('aws.guardduty', 'GuardDuty Finding', now, {
    schemaVersion: '2.0',
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    id: finding.id,
    arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/${DETECTOR}/finding/${finding.id}`,
    type: finding.type,
    resource: finding.resource,
    service: {
      serviceName: 'guardduty',
      detectorId: DETECTOR,
      action: finding.action,
      resourceRole: finding.resourceRole,
      additionalInfo: { value: '{}', type: 'default' },
      eventFirstSeen: iso(now - 10 * 60_000),
      eventLastSeen: iso(now - 60_000),
      archived: false,
      count: 1,
    },
    severity: finding.severity,
    createdAt: iso(now - 30_000),
    updatedAt: iso(now - 30_000),
    title: finding.title,
    description: finding.title,
  });
}

const REMOTE = {
  ipAddressV4: '198.51.100.77',
  organization: { asn: '64500', asnOrg: 'Example Hosting', isp: 'Example Hosting', org: 'Example Hosting' },
  country: { countryName: 'Netherlands', countryCode: 'NL' },
};

/** GuardDuty Lambda Protection: function payments-webhook talks to a Bitcoin pool (High). */
export function lambdaMiningFinding(now: number): Record<string, unknown> {
  return guardDuty(now, {
    id: 'd4f6a8c0e2b44a6c8e0f2a4c6e8b0d2f',
    type: 'CryptoCurrency:Lambda/BitcoinTool.B',
    severity: 8,
    title: 'Bitcoin-related IP address queried by Lambda function payments-webhook.',
    resourceRole: 'ACTOR',
    resource: {
      resourceType: 'Lambda',
      lambdaDetails: {
        functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:payments-webhook`,
        functionName: 'payments-webhook',
        functionVersion: '$LATEST',
        role: `arn:aws:iam::${ACCOUNT}:role/service-role/payments-webhook-role`,
        tags: [
          { key: 'environment', value: 'production' },
          { key: 'owner', value: 'payments-team' },
        ],
      },
    },
    action: {
      actionType: 'NETWORK_CONNECTION',
      networkConnectionAction: {
        connectionDirection: 'OUTBOUND',
        protocol: 'TCP',
        blocked: false,
        remotePortDetails: { port: 3333, portName: 'Unknown' },
        remoteIpDetails: REMOTE,
      },
    },
  });
}

/** GuardDuty: the role credentials of instance i-0a1b2c3d4e5f60718 used outside AWS (High). */
export function instanceCredentialExfiltration(now: number): Record<string, unknown> {
  return guardDuty(now, {
    id: 'e5a7c9e1b3d54f7a9c1e3b5d7f9a1c3e',
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    severity: 8,
    title: 'Credentials for instance role payments-app-role used from a remote AWS account.',
    resourceRole: 'TARGET',
    resource: {
      resourceType: 'AccessKey',
      accessKeyDetails: {
        accessKeyId: 'ASIAPAYMENTSAPPROLE7',
        principalId: 'AROAPAYMENTSAPPROLE1:i-0a1b2c3d4e5f60718',
        userType: 'AssumedRole',
        userName: 'payments-app-role',
      },
    },
    action: {
      actionType: 'AWS_API_CALL',
      awsApiCallAction: {
        api: 'ListBuckets',
        serviceName: 's3.amazonaws.com',
        callerType: 'Remote IP',
        remoteIpDetails: REMOTE,
        affectedResources: {},
      },
    },
  });
}

/** GuardDuty RDS Protection: an anomalous successful login to reports-db (staging, High). */
export function databaseLoginFinding(now: number): Record<string, unknown> {
  return guardDuty(now, {
    id: 'f6b8d0f2c4e64a8b0d2f4c6e8a0b2d4f',
    type: 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin',
    severity: 8,
    title: 'Anomalous successful login to database reports-db.',
    resourceRole: 'TARGET',
    resource: {
      resourceType: 'RDSDBInstance',
      rdsDbInstanceDetails: {
        dbInstanceIdentifier: 'reports-db',
        engine: 'MySQL',
        engineVersion: '8.0.39',
        dbInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:reports-db`,
        tags: [
          { key: 'environment', value: 'staging' },
          { key: 'owner', value: 'analytics-team' },
        ],
      },
      rdsDbUserDetails: {
        user: 'reports_ro',
        application: 'mysql',
        database: 'reports',
        authMethod: 'PASSWORD',
      },
    },
    action: {
      actionType: 'RDS_LOGIN_ATTEMPT',
      rdsLoginAttemptAction: {
        remoteIpDetails: REMOTE,
        loginAttributes: [
          { user: 'reports_ro', application: 'mysql', failedLoginAttempts: 0, successfulLoginAttempts: 2 },
        ],
      },
    },
  });
}

/** CloudTrail: the root user signs in to the console, with MFA, from an unfamiliar address. */
export function rootConsoleSignIn(now: number): Record<string, unknown> {
  const at = now - 2 * 60_000;
  return envelope('aws.signin', 'AWS Console Sign In via CloudTrail', at, {
    eventVersion: '1.09',
    userIdentity: {
      type: 'Root',
      principalId: ACCOUNT,
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      accountId: ACCOUNT,
      accessKeyId: '',
    },
    eventTime: iso(at).replace(/\.\d+Z$/, 'Z'),
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.201',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    requestParameters: null,
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { MobileVersion: 'No', MFAUsed: 'Yes' },
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  });
}
