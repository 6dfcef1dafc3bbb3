import { randomUUID } from 'node:crypto';

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
