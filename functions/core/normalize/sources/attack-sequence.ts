import { SEVERITY_CAPTIONS } from '../../ocsf/constants.ts';
import type { OcsfEvent, OcsfRelatedEvent, OcsfResource } from '../../ocsf/schema.ts';
import { awsTags, severityFromScore } from '../common.ts';
import {
  compact,
  type JsonRecord,
  type MappedPaths,
  optInt,
  optRecord,
  optString,
  recordList,
} from '../read.ts';
import { canonicalResource } from '../resource-types.ts';
import { firstTimestamp } from '../time.ts';

/**
 * GuardDuty Extended Threat Detection attack sequences (`AttackSequence:IAM/CompromisedCredentials`,
 * `AttackSequence:S3/CompromisedData`, `…:EC2/CompromisedInstanceGroup`, `…:EKS/CompromisedCluster`,
 * `…:ECS/CompromisedCluster`): one finding tying several resources and signals to one attack.
 *
 * Format (GuardDuty API Reference: `Detection`, `Sequence`, `Signal`, `ResourceV2`): the finding's
 * own `resource` block only says `resourceType: AttackSequence`; what the sequence involves is in
 * `service.detection.sequence`: `resources[]` (`ResourceV2`: `uid`, `resourceType` such as
 * `ACCESS_KEY` or `S3_BUCKET`, `name`, `region`, `cloudPartition`, `tags`, `data`) and `signals[]`
 * (`uid`, `type` FINDING / CLOUD_TRAIL / S3_DATA_EVENTS, `name`, `description`, the four times,
 * `severity`, `count`). Through Security Hub (ASFF) the same sequence is `Detection.Sequence` with
 * PascalCase `Signals[]` (Security Hub API Reference, `Signal`), its resources in `Resources[]`.
 *
 * Riposte keeps every resource as OCSF `resources[]` and every signal as a
 * `finding_info.related_events[]` entry (OCSF 1.6 `related_event`: "an event or another finding
 * related to a finding"), and puts the resource containment would act on first, so that incident
 * grouping (`primaryResource`, the first resource with an id) picks it: see {@link withPrimaryFirst}.
 */

/** What a native attack sequence maps, besides the finding's own members. */
export const SEQUENCE_MAPPED: readonly string[] = [
  'service.detection.sequence.resources',
  'service.detection.sequence.signals',
];

/** `service.detection.sequence` of a native GuardDuty finding, when it is an attack sequence. */
export function nativeSequence(service: JsonRecord): JsonRecord | undefined {
  const detection = service.detection;
  return detection === undefined ? undefined : optRecord(optRecord(detection)?.sequence);
}

/** `Detection.Sequence` of an ASFF finding, when it is an attack sequence. */
export function asffSequence(finding: JsonRecord): JsonRecord | undefined {
  const detection = finding.Detection;
  return detection === undefined ? undefined : optRecord(optRecord(detection)?.Sequence);
}

/**
 * The resources a native sequence names (`ResourceV2`), typed in Riposte's vocabulary. An access
 * key is named by its user (`data.accessKey.userName`) and carries the principal type, so that
 * incidents group it by the principal, as for any other access-key finding.
 */
export function sequenceResources(
  sequence: JsonRecord,
  defaults: { readonly region: string | undefined; readonly partition: string },
): OcsfResource[] {
  return recordList(sequence.resources).map((resource) => {
    const data = optRecord(resource.data);
    const accessKey = optRecord(data?.accessKey);
    return canonicalResource(
      compact({
        type: optString(resource.resourceType),
        uid: optString(resource.uid),
        name: optString(accessKey?.userName) ?? optString(resource.name),
        region: optString(resource.region) ?? defaults.region,
        cloud_partition: optString(resource.cloudPartition) ?? defaults.partition,
        tags: awsTags(resource.tags),
        data: compact({
          ...data,
          account_id: optString(resource.accountId),
          service: optString(resource.service),
          user_type: optString(accessKey?.userType),
          principal_id: optString(accessKey?.principalId),
        }),
      }),
    );
  });
}

/** Where each member of a `Signal` is, natively (camelCase) and in ASFF (PascalCase). */
interface SignalKeys {
  readonly list: string;
  readonly uid: string;
  readonly type: string;
  readonly name: string;
  readonly desc: string;
  readonly count: string;
  readonly created: string;
  readonly updated: string;
  readonly first: string;
  readonly last: string;
  readonly severity: string;
  readonly product: string;
}

const NATIVE_SIGNAL: SignalKeys = {
  list: 'signals',
  uid: 'uid',
  type: 'type',
  name: 'name',
  desc: 'description',
  count: 'count',
  created: 'createdAt',
  updated: 'updatedAt',
  first: 'firstSeenAt',
  last: 'lastSeenAt',
  severity: 'severity',
  product: 'productArn',
};
// ASFF `Signal.Name` is the signal's name (the finding type for a FINDING), `Title` its description.
const ASFF_SIGNAL: SignalKeys = {
  list: 'Signals',
  uid: 'Id',
  type: 'Type',
  name: 'Name',
  desc: 'Title',
  count: 'Count',
  created: 'CreatedAt',
  updated: 'UpdatedAt',
  first: 'FirstSeenAt',
  last: 'LastSeenAt',
  severity: 'Severity',
  product: 'ProductArn',
};

/**
 * The signals of a sequence as OCSF related events. A signal without an id is left out (OCSF
 * requires `related_event.uid`); it stays in `unmapped` with the rest of the sequence.
 *
 * @example
 * sequenceSignals({ signals: [{ uid: 'sig-1', type: 'FINDING', name: 'Discovery:IAMUser/AnomalousBehavior', severity: 5 }] }, 'native')
 * // [{ uid: 'sig-1', type: 'FINDING', title: 'Discovery:IAMUser/AnomalousBehavior', severity_id: 3, severity: 'Medium' }]
 */
export function sequenceSignals(sequence: JsonRecord, format: 'native' | 'asff'): OcsfRelatedEvent[] {
  const keys = format === 'native' ? NATIVE_SIGNAL : ASFF_SIGNAL;
  const list = recordList(sequence[keys.list]);
  const events: OcsfRelatedEvent[] = [];
  for (const signal of list) {
    const uid = optString(signal[keys.uid]);
    if (uid === undefined) continue;
    const count = optInt(signal[keys.count]);
    const severityId =
      signal[keys.severity] === undefined ? undefined : severityFromScore(signal[keys.severity]);
    events.push(
      compact({
        uid,
        type: optString(signal[keys.type]),
        title: optString(signal[keys.name]),
        desc: optString(signal[keys.desc]),
        count: count !== undefined && count >= 0 ? count : undefined,
        created_time: firstTimestamp(signal[keys.created]),
        modified_time: firstTimestamp(signal[keys.updated]),
        first_seen_time: firstTimestamp(signal[keys.first]),
        last_seen_time: firstTimestamp(signal[keys.last]),
        severity_id: severityId,
        severity: severityId === undefined ? undefined : SEVERITY_CAPTIONS[severityId],
        product_uid: optString(signal[keys.product]),
      }),
    );
  }
  return events;
}

/** Sets the signals on `finding_info.related_events` (and their count), when there are any. */
export function setRelatedEvents(ocsf: OcsfEvent, events: readonly OcsfRelatedEvent[]): void {
  if (events.length === 0 || ocsf.finding_info === undefined) return;
  ocsf.finding_info.related_events = [...events];
  ocsf.finding_info.related_events_count = events.length;
}

const SEQUENCE_FAMILY = /AttackSequence:([A-Za-z0-9]+)\//;

/**
 * The resource types containment acts on for each kind of sequence, most wanted first:
 * - IAM credentials and S3 data: the compromised principal (its access key, which incidents key by
 *   the user or role owning it), so the IAM and S3 sequences of one principal share an incident;
 *   without a key, a bucket of the S3 sequence;
 * - EC2 instance group: an instance, else its Auto Scaling group;
 * - EKS and ECS: the cluster.
 */
const PRIMARY_TYPES: Readonly<Record<string, readonly string[]>> = {
  IAM: ['AWS::IAM::AccessKey', 'AWS::IAM::User', 'AWS::IAM::Role'],
  S3: ['AWS::IAM::AccessKey', 'AWS::IAM::User', 'AWS::IAM::Role', 'AWS::S3::Bucket'],
  EC2: ['AWS::EC2::Instance', 'AWS::AutoScaling::AutoScalingGroup'],
  EKS: ['AWS::EKS::Cluster'],
  ECS: ['AWS::ECS::Cluster'],
};

/**
 * `resources` with the one containment would act on first (see {@link PRIMARY_TYPES}), the others
 * in their order; unchanged when the type is not an attack sequence or no resource qualifies.
 *
 * @example
 * withPrimaryFirst('AttackSequence:S3/CompromisedData', [bucket, accessKey]) // [accessKey, bucket]
 */
export function withPrimaryFirst(
  type: string | undefined,
  resources: readonly OcsfResource[],
): OcsfResource[] {
  const family = type === undefined ? undefined : SEQUENCE_FAMILY.exec(type)?.[1];
  const wanted =
    family !== undefined && Object.hasOwn(PRIMARY_TYPES, family) ? PRIMARY_TYPES[family] : undefined;
  if (wanted === undefined) return [...resources];
  for (const kind of wanted) {
    const index = resources.findIndex((r) => r.type === kind && r.uid !== undefined);
    if (index > 0) {
      const primary = resources[index] as OcsfResource;
      return [primary, ...resources.slice(0, index), ...resources.slice(index + 1)];
    }
    if (index === 0) return [...resources];
  }
  return [...resources];
}

/** The paths {@link SEQUENCE_MAPPED} adds to a finding's own, compiled once. */
export function withSequencePaths(mapped: MappedPaths): MappedPaths {
  return mapped.with(SEQUENCE_MAPPED);
}
