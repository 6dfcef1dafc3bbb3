import { hash } from 'node:crypto';
import type { Alert } from '../alert.ts';
import {
  AWS_ACCOUNT_TYPE,
  FINDING_ACTIVITY,
  FINDING_STATUS,
  type FindingActivityId,
  type FindingStatusId,
  OCSF_VERSION,
  type OcsfClassInfo,
  SEVERITY_CAPTIONS,
  type SeverityId,
} from '../ocsf/constants.ts';
import type { OcsfEvent, OcsfNetworkEndpoint } from '../ocsf/schema.ts';
import type { SourceEvent } from './envelope.ts';
import { compact, FieldError, optNumber, optString, recordList } from './read.ts';
import { parseTimestamp } from './time.ts';

/**
 * The deterministic alert id for a finding key: 32 hex characters of SHA-256. Each normalizer
 * documents its key; keys are chosen so that one underlying finding has one key whatever the
 * channel (a GuardDuty finding's ARN is its key natively and through Security Hub).
 *
 * @example
 * alertIdFor('arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/f') // '5c1f…'
 */
export function alertIdFor(findingKey: string): string {
  return hash('sha256', `riposte/alert/v1\n${findingKey}`, 'hex').slice(0, 32);
}

/** GuardDuty's numeric severity (1.0–10.0) to `severity_id`, by band edges. */
export function severityFromScore(value: unknown): SeverityId {
  const v = optNumber(value);
  if (v === undefined || v <= 0) return 0;
  if (v >= 9) return 5;
  if (v >= 7) return 4;
  if (v >= 4) return 3;
  return 2;
}

/** An ASFF/Inspector/Macie severity label to `severity_id`. */
export function severityFromLabel(value: unknown): SeverityId | undefined {
  switch (optString(value)?.toUpperCase()) {
    case 'INFORMATIONAL':
      return 1;
    case 'LOW':
      return 2;
    case 'MEDIUM':
      return 3;
    case 'HIGH':
      return 4;
    case 'CRITICAL':
      return 5;
    case 'UNTRIAGED':
      return 0;
    default:
      return undefined;
  }
}

/** ASFF `Severity.Normalized` (0–100) to `severity_id`, used only when there is no label. */
export function severityFromNormalized(value: unknown): SeverityId {
  const v = optNumber(value);
  if (v === undefined || v < 0) return 0;
  if (v < 1) return 1;
  if (v < 40) return 2;
  if (v < 70) return 3;
  if (v < 90) return 4;
  return 5;
}

/** Finding activity from its lifecycle: closed when archived, created on first sight, else updated. */
export function findingActivity(input: {
  readonly closed: boolean;
  readonly createdAt: number | undefined;
  readonly updatedAt: number | undefined;
  readonly count?: number | undefined;
}): FindingActivityId {
  if (input.closed) return 3;
  if (input.count !== undefined) return input.count <= 1 ? 1 : 2;
  if (input.createdAt !== undefined && input.updatedAt !== undefined && input.updatedAt > input.createdAt) {
    return 2;
  }
  return 1;
}

export interface BaseEventInput {
  readonly cls: OcsfClassInfo;
  readonly activityId: number;
  readonly activityName: string;
  readonly severityId: SeverityId;
  /** The event time: the finding's update time, else the envelope time. */
  readonly time: number | undefined;
  readonly account: string | undefined;
  readonly region: string | undefined;
  readonly partition?: string | undefined;
  readonly product: OcsfEvent['metadata']['product'];
  readonly labels?: readonly string[];
  readonly raw: string;
  readonly unmapped?: Record<string, unknown> | undefined;
}

/**
 * The attributes every Riposte OCSF event shares: classification, severity, time, the
 * `cloud` profile and metadata. Throws a {@link FieldError} when no time can be found.
 */
export function baseEvent(event: SourceEvent, input: BaseEventInput): OcsfEvent {
  const envelopeTime = parseTimestamp(event.envelope.time);
  const time = input.time ?? envelopeTime;
  if (time === undefined) {
    throw new FieldError('missing_field', 'time', 'the event carries no usable timestamp');
  }
  const ocsf: OcsfEvent = {
    class_uid: input.cls.uid,
    class_name: input.cls.name,
    category_uid: input.cls.category_uid,
    category_name: input.cls.category_name,
    activity_id: input.activityId,
    activity_name: input.activityName,
    type_uid: input.cls.uid * 100 + input.activityId,
    type_name: `${input.cls.name}: ${input.activityName}`,
    severity_id: input.severityId,
    severity: SEVERITY_CAPTIONS[input.severityId],
    time,
    metadata: baseMetadata(event, input, envelopeTime),
    cloud: baseCloud(input),
    raw_data: input.raw,
  };
  if (input.unmapped !== undefined) ocsf.unmapped = input.unmapped;
  return ocsf;
}

/** `metadata`, its optional members set only when known (in OCSF's order). */
function baseMetadata(
  event: SourceEvent,
  input: BaseEventInput,
  envelopeTime: number | undefined,
): OcsfEvent['metadata'] {
  const metadata: OcsfEvent['metadata'] = {
    version: OCSF_VERSION,
    profiles: ['cloud'],
    product: input.product,
  };
  if (event.envelope.id !== undefined) metadata.uid = event.envelope.id;
  if (envelopeTime !== undefined) metadata.logged_time = envelopeTime;
  if (input.labels !== undefined && input.labels.length > 0) metadata.labels = [...input.labels];
  return metadata;
}

/** The `cloud` profile's object, its optional members set only when known. */
function baseCloud(input: BaseEventInput): OcsfEvent['cloud'] {
  const cloud: OcsfEvent['cloud'] = { provider: 'AWS' };
  if (input.region !== undefined) cloud.region = input.region;
  if (input.account !== undefined) cloud.account = { uid: input.account, ...AWS_ACCOUNT_TYPE };
  if (input.partition !== undefined) cloud.cloud_partition = input.partition;
  return cloud;
}

/** `activity_name` for a finding activity id. */
export function findingActivityName(id: FindingActivityId): string {
  return FINDING_ACTIVITY[id];
}

/** `status` caption for a finding `status_id`. */
export function findingStatus(id: FindingStatusId): { status_id: FindingStatusId; status: string } {
  return { status_id: id, status: FINDING_STATUS[id] };
}

/** The first non-empty string, e.g. a region from the finding, else from the envelope. */
export function firstString(...candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    const s = optString(candidate);
    if (s !== undefined) return s;
  }
  return undefined;
}

/** Assembles the alert, deriving its id from the finding key. */
export function makeAlert(findingKey: string, event: SourceEvent, sample: boolean, ocsf: OcsfEvent): Alert {
  return { id: alertIdFor(findingKey), source: event.envelope.source, sample, ocsf };
}

export const SAMPLE_LABEL = 'sample';

/**
 * The AWS console page of a service in a region, or undefined when the region is unknown.
 *
 * @example
 * awsConsoleUrl('eu-west-1', 'macie', 'findings?search=id%3Dabc')
 * // 'https://eu-west-1.console.aws.amazon.com/macie/home?region=eu-west-1#findings?search=id%3Dabc'
 */
export function awsConsoleUrl(
  region: string | undefined,
  service: string,
  fragment: string,
): string | undefined {
  return region === undefined
    ? undefined
    : `https://${region}.console.aws.amazon.com/${service}/home?region=${region}#${fragment}`;
}

/** What an AWS service's own finding (GuardDuty, Macie) says about itself, read from its event. */
export interface AwsFindingFacts {
  /** The finding key (its ARN): `finding_info.uid`. */
  readonly key: string;
  /** The service's id of the finding: `finding_info.uid_alt`. */
  readonly id: string;
  readonly type: string;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly createdAt: number | undefined;
  readonly updatedAt: number | undefined;
  readonly firstSeenAt?: number | undefined;
  readonly lastSeenAt?: number | undefined;
  /** The finding in the service's console. */
  readonly srcUrl: string | undefined;
  readonly archived: boolean;
  readonly sample: boolean;
  /** How many times the service has seen the finding, when it says. */
  readonly count: number | undefined;
}

/**
 * Sets the finding members of an AWS service's own finding: `finding_info`, the status
 * (Resolved when archived, else New), `is_alert` (false for sample findings) and `count`
 * when known.
 */
export function setAwsFinding(ocsf: OcsfEvent, finding: AwsFindingFacts): void {
  ocsf.finding_info = compact({
    uid: finding.key,
    uid_alt: finding.id,
    title: finding.title,
    desc: finding.description,
    types: [finding.type],
    created_time: finding.createdAt,
    modified_time: finding.updatedAt,
    first_seen_time: finding.firstSeenAt,
    last_seen_time: finding.lastSeenAt,
    src_url: finding.srcUrl,
  });
  Object.assign(ocsf, findingStatus(finding.archived ? 5 : 1));
  ocsf.is_alert = !finding.sample;
  if (finding.count !== undefined) ocsf.count = finding.count;
}

/**
 * AWS tags (`[{ key, value }]`, or `Key`/`Value`) as OCSF `key_value_object`s. An empty value is
 * kept as `""` (EC2 and S3 allow it, and OCSF requires `value` or `values`); a tag without a
 * value gets `""` too, which is what AWS means by it. Tags without a key are dropped.
 *
 * @example
 * awsTags([{ key: 'Backup', value: '' }]) // [{ name: 'Backup', value: '' }]
 */
export function awsTags(value: unknown): { name: string; value: string }[] | undefined {
  const tags: { name: string; value: string }[] = [];
  for (const tag of recordList(value)) {
    const name = optString(tag.key ?? tag.Key);
    if (name === undefined) continue;
    const raw = tag.value ?? tag.Value;
    tags.push({ name, value: typeof raw === 'string' ? raw : (optString(raw) ?? '') });
  }
  return tags.length > 0 ? tags : undefined;
}

/** The attributes of which OCSF `network_endpoint` needs at least one (its `at_least_one` constraint). */
const ENDPOINT_IDENTIFIERS = [
  'ip',
  'uid',
  'name',
  'hostname',
  'svc_name',
  'instance_uid',
  'interface_uid',
  'interface_name',
  'domain',
] as const;

/** True when an endpoint names something (an IP, a domain...), not only a port or a location. */
export function identifiesEndpoint(endpoint: OcsfNetworkEndpoint): boolean {
  return ENDPOINT_IDENTIFIERS.some((key) => endpoint[key] !== undefined);
}
