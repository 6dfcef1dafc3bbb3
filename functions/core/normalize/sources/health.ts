import type { NormalizeOutput } from '../../alert.ts';
import { type FindingActivityId, OcsfClass, type SeverityId } from '../../ocsf/constants.ts';
import { baseEvent, findingActivityName, findingStatus, firstString, makeAlert } from '../common.ts';
import type { SourceEvent } from '../envelope.ts';
import {
  compact,
  FieldError,
  MappedPaths,
  omitPaths,
  optString,
  recordList,
  requireString,
} from '../read.ts';
import { firstTimestamp } from '../time.ts';
import type { SourceNormalizer } from './types.ts';

/**
 * AWS Health events that are security findings → Detection Finding 2004.
 *
 * - `AWS Health Event` of service `RISK`: AWS found an access key of the account exposed or
 *   compromised (`AWS_RISK_CREDENTIALS_EXPOSED`, `…_EXPOSURE_SUSPECTED`, `…_COMPROMISED`,
 *   `…_COMPROMISE_SUSPECTED`) or attached its quarantine policy (`AWS_RISK_IAM_QUARANTINE`). The
 *   key is named in `affectedEntities[].entityValue`.
 * - `AWS Health Abuse Event` (service `ABUSE`): AWS received an abuse report about a resource of
 *   the account (an instance sending spam or attacking others).
 * Other Health events (maintenance, service issues) are not findings and are rejected as such.
 *
 * Format: AWS Health User Guide, "Reference: AWS Health events Amazon EventBridge schema". Health
 * writes its times in RFC 7231 form (`Sat, 05 Jun 2016 15:10:09 GMT`); the event ARN is not unique
 * to an account, so the finding key adds the affected account (`affectedAccount` in an
 * organization view, else the envelope's). AWS Health delivers these events in us-east-1.
 *
 * Health has no severity. Riposte's documented policy, named in `metadata.labels`: a compromised
 * key is Critical; an exposed key, the quarantine policy and an abuse report are High; a suspected
 * exposure or compromise is Medium.
 */
export function normalizeHealthEvent(event: SourceEvent): NormalizeOutput[] {
  const d = event.detail;
  const service = requireString(d, 'service', 'detail');
  if (service !== 'RISK' && service !== 'ABUSE') {
    throw new FieldError(
      'not_a_finding',
      'detail.service',
      `a ${service} Health event is an operational notice, not a security finding (only RISK and ABUSE are)`,
    );
  }
  const code = requireString(d, 'eventTypeCode', 'detail');
  const eventArn = requireString(d, 'eventArn', 'detail');
  const account = firstString(d.affectedAccount, event.envelope.account);
  const region = firstString(d.eventRegion, event.envelope.region);
  const findingKey = `${eventArn}/account/${account ?? 'unknown'}`;
  const status = optString(d.statusCode) ?? 'open';
  const closed = status === 'closed';
  const startTime = healthTime(d.startTime);
  const updatedTime = healthTime(d.lastUpdatedTime);
  const activityId: FindingActivityId = closed
    ? 3
    : updatedTime !== undefined && startTime !== undefined && updatedTime > startTime
      ? 2
      : 1;
  const severity = severityOf(code);
  const entities = recordList(d.affectedEntities)
    .map((e) => optString(e.entityValue))
    .filter((v): v is string => v !== undefined);
  const description = recordList(d.eventDescription)
    .map((e) => optString(e.latestDescription))
    .find((text) => text !== undefined);

  const ocsf = baseEvent(event, {
    cls: OcsfClass.DetectionFinding,
    activityId,
    activityName: findingActivityName(activityId),
    severityId: severity.id,
    time: updatedTime ?? startTime,
    account,
    region,
    product: { name: 'AWS Health', vendor_name: 'AWS' },
    labels: [`severity-policy:health:${severity.policy}`],
    raw: event.raw,
    unmapped: omitPaths(d, HEALTH_MAPPED),
  });
  const title =
    entities.length > 0 ? `${titleOf(code)}: ${entities.join(', ')}` : `${titleOf(code)} (${code})`;
  ocsf.finding_info = compact({
    uid: findingKey,
    uid_alt: eventArn,
    title,
    desc: description,
    types: [code],
    created_time: startTime,
    modified_time: updatedTime,
  });
  Object.assign(ocsf, findingStatus(closed ? 4 : 1));
  ocsf.is_alert = true;
  ocsf.resources = entities.map((value) => compact({ ...entityResource(value), region }));
  ocsf.message = title;
  return [{ alert: makeAlert(findingKey, event, false, ocsf) }];
}

/** `Sat, 05 Jun 2016 15:10:09 GMT` (what Health writes), or any format {@link firstTimestamp} reads. */
const RFC_7231 =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Epoch milliseconds of a Health time, or undefined. Every part of an RFC 7231 date is checked,
 * since `Date.UTC` rolls an out-of-range day or hour over instead of refusing it.
 */
export function healthTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return firstTimestamp(value);
  const m = RFC_7231.exec(value);
  if (m === null) return firstTimestamp(value);
  const [, day, month, year, hour, minute, second] = m.map(Number);
  const monthIndex = MONTHS.indexOf(m[2] ?? '');
  const ms = Date.UTC(year ?? 0, monthIndex, day, hour, minute, second);
  const date = new Date(ms);
  const exact =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === monthIndex &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return exact && (year ?? 0) >= 1970 && month !== undefined ? ms : undefined;
}

function severityOf(code: string): { id: SeverityId; policy: string } {
  if (code.endsWith('_SUSPECTED')) return { id: 3, policy: 'suspected' };
  if (code === 'AWS_RISK_CREDENTIALS_COMPROMISED') return { id: 5, policy: 'compromised' };
  if (code.startsWith('AWS_ABUSE_')) return { id: 4, policy: 'abuse-report' };
  if (code === 'AWS_RISK_IAM_QUARANTINE') return { id: 4, policy: 'quarantine' };
  if (code === 'AWS_RISK_CREDENTIALS_EXPOSED') return { id: 4, policy: 'exposed' };
  return { id: 3, policy: 'other-risk' };
}

function titleOf(code: string): string {
  switch (code) {
    case 'AWS_RISK_CREDENTIALS_EXPOSED':
      return 'AWS found an access key exposed publicly';
    case 'AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED':
      return 'AWS suspects an access key was exposed';
    case 'AWS_RISK_CREDENTIALS_COMPROMISED':
      return 'AWS found an access key compromised';
    case 'AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED':
      return 'AWS suspects an access key was compromised';
    case 'AWS_RISK_IAM_QUARANTINE':
      return 'AWS attached its quarantine policy to a principal';
    default:
      return code.startsWith('AWS_ABUSE_') ? 'AWS received an abuse report' : 'AWS Health security risk';
  }
}

const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/;

/** The resource an affected entity names: an access key id, an ARN, or an instance id. */
function entityResource(value: string): { type: string; uid: string; name?: string } {
  if (ACCESS_KEY_ID.test(value)) return { type: 'AWS::IAM::AccessKey', uid: value };
  if (/^i-[0-9a-f]{8,17}$/.test(value)) return { type: 'AWS::EC2::Instance', uid: value };
  if (value.startsWith('arn:')) {
    const [, , service = '', , , rest = ''] = value.split(':');
    const [kind = '', ...name] = rest.split('/');
    if (service === 'iam' && (kind === 'user' || kind === 'role')) {
      return {
        type: kind === 'user' ? 'AWS::IAM::User' : 'AWS::IAM::Role',
        uid: name.at(-1) ?? value,
        name: name.at(-1),
      };
    }
    return { type: 'Other', uid: value };
  }
  return { type: 'Other', uid: value };
}

/** What {@link normalizeHealthEvent} maps. */
const HEALTH_MAPPED = new MappedPaths([
  'service',
  'eventTypeCode',
  'eventArn',
  'affectedAccount',
  'eventRegion',
  'statusCode',
  'startTime',
  'lastUpdatedTime',
  'affectedEntities',
  'eventDescription',
]);

export const healthNormalizers: readonly SourceNormalizer[] = [
  { source: 'aws.health', detailType: 'AWS Health Event', normalize: normalizeHealthEvent },
  { source: 'aws.health', detailType: 'AWS Health Abuse Event', normalize: normalizeHealthEvent },
];
