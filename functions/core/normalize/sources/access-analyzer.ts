import type { NormalizeOutput } from '../../alert.ts';
import {
  type FindingActivityId,
  type FindingStatusId,
  OcsfClass,
  type SeverityId,
} from '../../ocsf/constants.ts';
import { baseEvent, findingActivityName, findingStatus, firstString, makeAlert } from '../common.ts';
import type { SourceEvent } from '../envelope.ts';
import {
  compact,
  MappedPaths,
  omitPaths,
  optBoolean,
  optString,
  requireString,
  stringList,
} from '../read.ts';
import { firstTimestamp } from '../time.ts';
import type { SourceNormalizer } from './types.ts';

const STATUS: Readonly<Record<string, FindingStatusId>> = { ACTIVE: 1, ARCHIVED: 5, RESOLVED: 4 };

/**
 * IAM Access Analyzer `Access Analyzer Finding` → Detection Finding 2004.
 *
 * Finding key: the analyzer ARN (the event's `resources[0]`) and the finding id.
 *
 * Access Analyzer has no severity. Riposte's documented policy: a resource readable by anyone
 * (`isPublic`) is High, one shared with an external principal Medium, and an analysis error
 * (`error` set, e.g. ACCESS_DENIED) Informational. The policy is named in `metadata.labels`.
 */
export function normalizeAccessAnalyzerFinding(event: SourceEvent): NormalizeOutput[] {
  const d = event.detail;
  const id = requireString(d, 'id', 'detail');
  const resource = requireString(d, 'resource', 'detail');
  const resourceType = optString(d.resourceType) ?? 'Unknown';
  const account = firstString(d.accountId, event.envelope.account);
  const region = firstString(d.region, event.envelope.region);
  const analyzer = stringList(event.envelope.resources).find((r) => r.includes(':analyzer/'));
  const findingKey = `${analyzer ?? `access-analyzer:${account ?? 'unknown'}:${region ?? 'unknown'}`}/finding/${id}`;
  const status = optString(d.status) ?? 'ACTIVE';
  const error = optString(d.error);
  const isPublic = optBoolean(d.isPublic) === true;
  const deleted = optBoolean(d.isDeleted) === true;
  const closed = deleted || status === 'ARCHIVED' || status === 'RESOLVED';
  const createdAt = firstTimestamp(d.createdAt);
  const updatedAt = firstTimestamp(d.updatedAt);
  const activityId: FindingActivityId = closed
    ? 3
    : createdAt !== undefined && updatedAt !== undefined && updatedAt > createdAt
      ? 2
      : 1;
  const kind = error !== undefined ? 'AnalysisError' : isPublic ? 'PublicAccess' : 'ExternalAccess';
  const severityId: SeverityId = kind === 'PublicAccess' ? 4 : kind === 'ExternalAccess' ? 3 : 1;

  const ocsf = baseEvent(event, {
    cls: OcsfClass.DetectionFinding,
    activityId,
    activityName: findingActivityName(activityId),
    severityId,
    time: updatedAt ?? firstTimestamp(d.analyzedAt) ?? createdAt,
    account,
    region,
    product: { name: 'IAM Access Analyzer', vendor_name: 'AWS' },
    labels: [`severity-policy:access-analyzer:${kind}`],
    raw: event.raw,
    unmapped: omitPaths(d, ACCESS_ANALYZER_MAPPED),
  });
  const title =
    kind === 'AnalysisError'
      ? `Access Analyzer could not analyze ${resource}: ${error}`
      : kind === 'PublicAccess'
        ? `${resourceType} ${resource} is publicly accessible`
        : `${resourceType} ${resource} is shared outside the zone of trust`;
  ocsf.finding_info = compact({
    uid: findingKey,
    uid_alt: id,
    title,
    types: [`AccessAnalyzer:${resourceType}/${kind}`],
    created_time: createdAt,
    modified_time: updatedAt,
    last_seen_time: firstTimestamp(d.analyzedAt),
  });
  // Own keys only: a status of "__proto__" or "constructor" must not find Object.prototype's.
  const statusId = Object.hasOwn(STATUS, status) ? STATUS[status] : undefined;
  Object.assign(ocsf, findingStatus(deleted ? 6 : (statusId ?? 99)));
  if (ocsf.status_id === 99) ocsf.status = status;
  ocsf.is_alert = kind !== 'AnalysisError';
  ocsf.resources = [
    compact({
      type: resourceType,
      uid: resource,
      name: resource.startsWith('arn:') ? resource.split(':').slice(5).join(':').split('/').pop() : undefined,
      region,
    }),
  ];
  ocsf.message = title;
  return [{ alert: makeAlert(findingKey, event, false, ocsf) }];
}

/** What {@link normalizeAccessAnalyzerFinding} maps. */
const ACCESS_ANALYZER_MAPPED = new MappedPaths([
  'id',
  'resource',
  'resourceType',
  'accountId',
  'region',
  'createdAt',
  'updatedAt',
  'status',
]);

export const accessAnalyzerNormalizers: readonly SourceNormalizer[] = [
  {
    source: 'aws.access-analyzer',
    detailType: 'Access Analyzer Finding',
    normalize: normalizeAccessAnalyzerFinding,
  },
];
