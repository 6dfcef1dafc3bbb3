import type { NormalizeOutput } from '../../alert.ts';
import { OcsfClass } from '../../ocsf/constants.ts';
import type { OcsfResource } from '../../ocsf/schema.ts';
import {
  awsConsoleUrl,
  awsTags,
  baseEvent,
  findingActivity,
  findingActivityName,
  firstString,
  makeAlert,
  SAMPLE_LABEL,
  setAwsFinding,
  severityFromLabel,
} from '../common.ts';
import type { SourceEvent } from '../envelope.ts';
import {
  compact,
  encodeUriComponent,
  type JsonRecord,
  MappedPaths,
  omitPaths,
  optBoolean,
  optInt,
  optRecord,
  optString,
  requireString,
} from '../read.ts';
import { firstTimestamp } from '../time.ts';
import type { SourceNormalizer } from './types.ts';

/**
 * Amazon Macie `Macie Finding`. Sensitive-data findings (`SensitiveData:*`, category
 * CLASSIFICATION) → Data Security Finding 2006; policy findings (`Policy:*`) → Detection
 * Finding 2004.
 *
 * Finding key: the Macie finding ARN (`arn:<partition>:macie2:<region>:<account>:finding/<id>`),
 * which Security Hub also uses for the same finding.
 */
export function normalizeMacieFinding(event: SourceEvent): NormalizeOutput[] {
  const d = event.detail;
  const id = requireString(d, 'id', 'detail');
  const type = requireString(d, 'type', 'detail');
  const account = firstString(d.accountId, event.envelope.account);
  const region = firstString(d.region, event.envelope.region);
  const partition = firstString(d.partition) ?? 'aws';
  const findingKey = `arn:${partition}:macie2:${region ?? 'unknown'}:${account ?? 'unknown'}:finding/${id}`;
  const sensitive = type.startsWith('SensitiveData') || optString(d.category) === 'CLASSIFICATION';
  const sample = optBoolean(d.sample) === true;
  const archived = optBoolean(d.archived) === true;
  const createdAt = firstTimestamp(d.createdAt);
  const updatedAt = firstTimestamp(d.updatedAt);
  const count = optInt(d.count);
  const activityId = findingActivity({ closed: archived, createdAt, updatedAt, count });
  const severity = optRecord(d.severity) ?? {};

  const ocsf = baseEvent(event, {
    cls: sensitive ? OcsfClass.DataSecurityFinding : OcsfClass.DetectionFinding,
    activityId,
    activityName: findingActivityName(activityId),
    severityId: severityFromLabel(severity.description) ?? 0,
    time: updatedAt ?? createdAt,
    account,
    region,
    partition,
    product: { name: 'Macie', vendor_name: 'AWS' },
    labels: sample ? [SAMPLE_LABEL] : [],
    raw: event.raw,
    unmapped: omitPaths(d, MACIE_MAPPED),
  });
  setAwsFinding(ocsf, {
    key: findingKey,
    id,
    type,
    title: optString(d.title),
    description: optString(d.description),
    createdAt,
    updatedAt,
    srcUrl: awsConsoleUrl(region, 'macie', `findings?search=id%3D${encodeUriComponent(id)}`),
    archived,
    sample,
    count,
  });
  const resources = macieResources(optRecord(d.resourcesAffected), region, partition);
  if (resources.length > 0) ocsf.resources = resources;
  ocsf.message = optString(d.title) ?? type;
  return [{ alert: makeAlert(findingKey, event, sample, ocsf) }];
}

/** What {@link normalizeMacieFinding} maps. */
const MACIE_MAPPED = new MappedPaths([
  'id',
  'type',
  'title',
  'description',
  'accountId',
  'region',
  'partition',
  'createdAt',
  'updatedAt',
  'count',
  'archived',
  'sample',
  'resourcesAffected',
]);

function macieResources(
  affected: JsonRecord | undefined,
  region: string | undefined,
  partition: string,
): OcsfResource[] {
  if (affected === undefined) return [];
  const out: OcsfResource[] = [];
  const bucket = optRecord(affected.s3Bucket);
  if (bucket !== undefined) {
    const name = optString(bucket.name);
    out.push(
      compact({
        type: 'AWS::S3::Bucket',
        uid: optString(bucket.arn) ?? (name === undefined ? undefined : `arn:${partition}:s3:::${name}`),
        name,
        region,
        cloud_partition: partition,
        tags: awsTags(bucket.tags),
        data: compact({
          public_access: optRecord(bucket.publicAccess),
          default_server_side_encryption: optRecord(bucket.defaultServerSideEncryption),
          owner: optRecord(bucket.owner),
        }),
      }),
    );
  }
  const object = optRecord(affected.s3Object);
  if (object !== undefined) {
    const key = optString(object.key);
    const bucketName = optString(bucket?.name);
    out.push(
      compact({
        type: 'AWS::S3::Object',
        uid:
          key !== undefined && bucketName !== undefined
            ? `arn:${partition}:s3:::${bucketName}/${key}`
            : optString(object.path),
        name: key,
        region,
        data: compact({
          path: optString(object.path),
          size: optInt(object.size),
          version_id: optString(object.versionId),
          etag: optString(object.eTag),
        }),
      }),
    );
  }
  return out;
}

export const macieNormalizers: readonly SourceNormalizer[] = [
  { source: 'aws.macie', detailType: 'Macie Finding', normalize: normalizeMacieFinding },
];
