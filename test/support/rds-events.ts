import { randomUUID } from 'node:crypto';
import { securityHubControlFinding } from './events.ts';
import { loadFixture } from './fixtures.ts';

/**
 * A GuardDuty RDS Protection login finding on a DB instance, from the fixture
 * `guardduty/rds-anomalous-successful-login.json` (`CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin`,
 * High).
 */
export function guardDutyRdsLoginFinding(
  options: {
    readonly dbInstance?: string;
    /** @default 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin' */
    readonly type?: string;
    readonly severity?: number;
    readonly account?: string;
    readonly sample?: boolean;
  } = {},
): Record<string, unknown> {
  const event = loadFixture('guardduty/rds-anomalous-successful-login.json');
  const db = options.dbInstance ?? 'orders-db';
  const text = JSON.stringify(event)
    .replaceAll('111122223333', options.account ?? '111122223333')
    .replaceAll('orders-db', db);
  const out = JSON.parse(text) as {
    id: string;
    detail: { type: string; severity: number; service: { additionalInfo: Record<string, unknown> } };
  };
  out.id = randomUUID();
  if (options.type !== undefined) out.detail.type = options.type;
  if (options.severity !== undefined) out.detail.severity = options.severity;
  if (options.sample === true) out.detail.service.additionalInfo = { sample: true };
  return out;
}

/**
 * A Security Hub failed control finding on a DB instance (RDS.2 by default: "RDS DB instances
 * should prohibit public access"), built on {@link securityHubControlFinding}.
 */
export function securityHubRdsControlFinding(
  options: {
    readonly dbInstance?: string;
    readonly control?: string;
    readonly account?: string;
    readonly sample?: boolean;
  } = {},
): Record<string, unknown> {
  const account = options.account ?? '111122223333';
  const db = options.dbInstance ?? 'orders-db';
  const event = securityHubControlFinding({
    control: options.control ?? 'RDS.2',
    account,
    ...(options.sample === undefined ? {} : { sample: options.sample }),
  }) as { detail: { findings: Record<string, unknown>[] } };
  const finding = event.detail.findings[0] as Record<string, unknown>;
  finding.Title = 'RDS DB instances should prohibit public access';
  finding.Description =
    'This control checks whether Amazon RDS instances are publicly accessible by evaluating the PubliclyAccessible field in the instance configuration item.';
  finding.Resources = [
    {
      Type: 'AwsRdsDbInstance',
      Id: `arn:aws:rds:eu-west-1:${account}:db:${db}`,
      Partition: 'aws',
      Region: 'eu-west-1',
      Details: { AwsRdsDbInstance: { DbInstanceIdentifier: db, PubliclyAccessible: true } },
    },
  ];
  return event;
}
