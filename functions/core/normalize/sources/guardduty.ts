import type { NormalizeOutput } from '../../alert.ts';
import { OcsfClass } from '../../ocsf/constants.ts';
import type { OcsfEvidence, OcsfNetworkEndpoint, OcsfResource } from '../../ocsf/schema.ts';
import {
  awsConsoleUrl,
  awsTags,
  baseEvent,
  findingActivity,
  findingActivityName,
  findingStatus,
  firstString,
  identifiesEndpoint,
  makeAlert,
  SAMPLE_LABEL,
  setAwsFinding,
  severityFromScore,
} from '../common.ts';
import type { SourceEvent } from '../envelope.ts';
import {
  compact,
  encodeUriComponent,
  isRecord,
  type JsonRecord,
  MappedPaths,
  omitPaths,
  optBoolean,
  optInt,
  optNumber,
  optRecord,
  optString,
  recordList,
  requireRecord,
  requireString,
  stringList,
} from '../read.ts';
import { firstTimestamp } from '../time.ts';
import {
  nativeSequence,
  sequenceResources,
  sequenceSignals,
  setRelatedEvents,
  withPrimaryFirst,
  withSequencePaths,
} from './attack-sequence.ts';
import { setSequenceAttacks } from './mitre.ts';
import type { SourceNormalizer } from './types.ts';

/**
 * GuardDuty findings (`GuardDuty Finding`) → Detection Finding 2004.
 *
 * Finding key: the finding ARN (built from partition, region, account, detector and id when the
 * event lacks it), which is also the ASFF `Id` of the same finding in Security Hub.
 * The affected resource is chosen by `resource.resourceType` alone: sample findings carry
 * `instanceDetails` for S3 and AccessKey findings too. An attack sequence (`AttackSequence:*`)
 * names its resources and signals in `service.detection.sequence` instead: every resource becomes
 * one of `resources[]`, the one containment acts on first, and every signal a
 * `finding_info.related_events[]` entry (see `./attack-sequence.ts`).
 */
export function normalizeGuardDutyFinding(event: SourceEvent): NormalizeOutput[] {
  const d = event.detail;
  const path = 'detail';
  const id = requireString(d, 'id', path);
  const type = requireString(d, 'type', path);
  const resource = requireRecord(d, 'resource', path);
  const service = optRecord(d.service) ?? {};
  const account = firstString(d.accountId, event.envelope.account);
  const region = firstString(d.region, event.envelope.region);
  const partition = firstString(d.partition) ?? 'aws';
  const arn =
    firstString(d.arn) ??
    `arn:${partition}:guardduty:${region ?? 'unknown'}:${account ?? 'unknown'}:detector/${
      optString(service.detectorId) ?? 'unknown'
    }/finding/${id}`;

  const sample = isGuardDutySample(service);
  const archived = optBoolean(service.archived) === true;
  const createdAt = firstTimestamp(d.createdAt);
  const updatedAt = firstTimestamp(d.updatedAt);
  const count = optInt(service.count);
  const activityId = findingActivity({ closed: archived, createdAt, updatedAt, count });
  const { resources, mapped } = guardDutyResources(resource, region, partition);
  const sequence = nativeSequence(service);

  const ocsf = baseEvent(event, {
    cls: OcsfClass.DetectionFinding,
    activityId,
    activityName: findingActivityName(activityId),
    severityId: severityFromScore(d.severity),
    time: updatedAt ?? createdAt,
    account,
    region,
    partition,
    product: { name: 'GuardDuty', vendor_name: 'AWS' },
    labels: sample ? [SAMPLE_LABEL] : [],
    raw: event.raw,
    unmapped: omitPaths(d, sequence === undefined ? mapped : withSequencePaths(mapped)),
  });
  setAwsFinding(ocsf, {
    key: arn,
    id,
    type,
    title: optString(d.title),
    description: optString(d.description),
    createdAt,
    updatedAt,
    firstSeenAt: firstTimestamp(service.eventFirstSeen),
    lastSeenAt: firstTimestamp(service.eventLastSeen),
    srcUrl: awsConsoleUrl(region, 'guardduty', `/findings?macros=current&fId=${encodeUriComponent(id)}`),
    archived,
    sample,
    count,
  });
  if (sequence === undefined) {
    ocsf.resources = [...resources, ...affectedTrails(optRecord(service.action), region, partition)];
  } else {
    const involved = sequenceResources(sequence, { region, partition });
    ocsf.resources = involved.length > 0 ? withPrimaryFirst(type, involved) : resources;
    setRelatedEvents(ocsf, sequenceSignals(sequence, 'native'));
    setSequenceAttacks(ocsf, sequence, 'native');
  }
  const evidences = guardDutyEvidences(optRecord(service.action));
  if (evidences.length > 0) ocsf.evidences = evidences;
  ocsf.message = optString(d.title) ?? type;
  return [{ alert: makeAlert(arn, event, sample, ocsf) }];
}

/**
 * The trails an API-call finding names as affected (`awsApiCallAction.affectedResources`, e.g.
 * `Stealth:IAMUser/CloudTrailLoggingDisabled`), as resources after the finding's own: the
 * principal stays the primary resource, and a response can still find the trail.
 */
function affectedTrails(
  action: JsonRecord | undefined,
  region: string | undefined,
  partition: string,
): OcsfResource[] {
  const affected = optRecord(optRecord(action?.awsApiCallAction)?.affectedResources);
  const trail = optString(affected?.['AWS::CloudTrail::Trail']);
  if (trail === undefined) return [];
  const trailRegion = trail.startsWith('arn:') ? (trail.split(':')[3] ?? region) : region;
  return [
    compact({ type: 'AWS::CloudTrail::Trail', uid: trail, region: trailRegion, cloud_partition: partition }),
  ];
}

/** `service.additionalInfo.sample`, also when `additionalInfo.value` is a JSON string holding it. */
export function isGuardDutySample(service: JsonRecord): boolean {
  const info = optRecord(service.additionalInfo);
  if (info === undefined) return false;
  if (optBoolean(info.sample) === true) return true;
  if (typeof info.value === 'string' && info.value.includes('sample')) {
    try {
      const decoded: unknown = JSON.parse(info.value);
      return isRecord(decoded) && optBoolean(decoded.sample) === true;
    } catch {
      return false;
    }
  }
  return false;
}

/** What {@link normalizeGuardDutyFinding} maps besides the `resource` block. */
const FINDING_MAPPED = new MappedPaths([
  'id',
  'arn',
  'type',
  'title',
  'description',
  'accountId',
  'region',
  'partition',
  'createdAt',
  'updatedAt',
  'service.count',
  'service.archived',
  'service.eventFirstSeen',
  'service.eventLastSeen',
  'service.action',
  'service.additionalInfo.sample',
]);

/** What the finding maps with each kind of `resource` block. */
const INSTANCE_MAPPED = FINDING_MAPPED.with([
  'resource.resourceType',
  'resource.instanceDetails.instanceId',
  'resource.instanceDetails.tags',
  'resource.instanceDetails.instanceType',
  'resource.instanceDetails.imageId',
  'resource.instanceDetails.instanceState',
  'resource.instanceDetails.availabilityZone',
  'resource.instanceDetails.launchTime',
  'resource.instanceDetails.iamInstanceProfile.arn',
]);
const ACCESS_KEY_MAPPED = FINDING_MAPPED.with(['resource.resourceType', 'resource.accessKeyDetails']);
const S3_MAPPED = FINDING_MAPPED.with(['resource.resourceType', 'resource.s3BucketDetails']);
const OTHER_RESOURCE_MAPPED = FINDING_MAPPED.with(['resource']);

/**
 * OCSF resources for a GuardDuty `resource` block, chosen by its `resourceType`, and the paths
 * the finding maps with it.
 */
function guardDutyResources(
  resource: JsonRecord,
  region: string | undefined,
  partition: string,
): { resources: OcsfResource[]; mapped: MappedPaths } {
  const resourceType = optString(resource.resourceType) ?? 'Unknown';
  const base = { region, cloud_partition: partition };
  switch (resourceType) {
    case 'Instance': {
      const details = optRecord(resource.instanceDetails) ?? {};
      const nics = recordList(details.networkInterfaces).map((nic) =>
        compact({
          network_interface_id: optString(nic.networkInterfaceId),
          vpc_id: optString(nic.vpcId),
          subnet_id: optString(nic.subnetId),
          private_ip: optString(nic.privateIpAddress),
          public_ip: optString(nic.publicIp),
          security_groups: recordList(nic.securityGroups).map((sg) =>
            compact({ id: optString(sg.groupId), name: optString(sg.groupName) }),
          ),
        }),
      );
      return {
        resources: [
          compact({
            ...base,
            type: 'AWS::EC2::Instance',
            uid: optString(details.instanceId),
            tags: awsTags(details.tags),
            data: compact({
              instance_type: optString(details.instanceType),
              image_id: optString(details.imageId),
              state: optString(details.instanceState),
              availability_zone: optString(details.availabilityZone),
              launch_time: firstTimestamp(details.launchTime),
              instance_profile_arn: optString(optRecord(details.iamInstanceProfile)?.arn),
              network_interfaces: nics.length > 0 ? nics : undefined,
            }),
          }),
        ],
        mapped: INSTANCE_MAPPED,
      };
    }
    case 'AccessKey': {
      const details = optRecord(resource.accessKeyDetails) ?? {};
      return {
        resources: [
          compact({
            ...base,
            type: 'AWS::IAM::AccessKey',
            uid: optString(details.accessKeyId),
            name: optString(details.userName),
            data: compact({
              principal_id: optString(details.principalId),
              user_type: optString(details.userType),
              user_name: optString(details.userName),
            }),
          }),
        ],
        mapped: ACCESS_KEY_MAPPED,
      };
    }
    case 'S3Bucket':
    case 'S3Object': {
      const buckets = recordList(resource.s3BucketDetails).map((bucket) =>
        compact({
          ...base,
          type: 'AWS::S3::Bucket',
          uid:
            optString(bucket.arn) ??
            (optString(bucket.name) ? `arn:${partition}:s3:::${bucket.name}` : undefined),
          name: optString(bucket.name),
          tags: awsTags(bucket.tags),
          data: compact({
            owner: optString(optRecord(bucket.owner)?.id),
            public_access: optRecord(bucket.publicAccess),
            created_at: firstTimestamp(bucket.createdAt),
            s3_object_details: optArray(bucket.s3ObjectDetails),
          }),
        }),
      );
      return { resources: buckets, mapped: S3_MAPPED };
    }
    default: {
      const block = detailsBlockFor(resourceType, resource);
      return {
        resources: [
          compact({
            ...base,
            type: awsTypeFor(resourceType),
            uid:
              block === undefined
                ? undefined
                : firstString(block.arn, block.functionArn, block.dbInstanceArn, block.id),
            name:
              block === undefined
                ? undefined
                : firstString(block.name, block.functionName, block.dbInstanceIdentifier),
            tags: block === undefined ? undefined : awsTags(block.tags),
            data: block,
          }),
        ],
        mapped: OTHER_RESOURCE_MAPPED,
      };
    }
  }
}

function optArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) && value.length > 0 ? value : undefined;
}

const DETAIL_BLOCKS: Readonly<Record<string, string>> = {
  EKSCluster: 'eksClusterDetails',
  Lambda: 'lambdaDetails',
  RDSDBInstance: 'rdsDbInstanceDetails',
  RDSLimitlessDB: 'rdsLimitlessDbDetails',
  ECSCluster: 'ecsClusterDetails',
  Container: 'containerDetails',
  EBSVolume: 'ebsVolumeDetails',
  EC2Instance: 'instanceDetails',
};

function detailsBlockFor(resourceType: string, resource: JsonRecord): JsonRecord | undefined {
  const key = Object.hasOwn(DETAIL_BLOCKS, resourceType) ? DETAIL_BLOCKS[resourceType] : undefined;
  return key === undefined ? undefined : optRecord(resource[key]);
}

function awsTypeFor(resourceType: string): string {
  switch (resourceType) {
    case 'EKSCluster':
      return 'AWS::EKS::Cluster';
    case 'Lambda':
      return 'AWS::Lambda::Function';
    case 'RDSDBInstance':
      return 'AWS::RDS::DBInstance';
    case 'ECSCluster':
      return 'AWS::ECS::Cluster';
    case 'EBSVolume':
      return 'AWS::EC2::Volume';
    default:
      return resourceType;
  }
}

/** An ISO 3166-1 alpha-2 country code, in either case. */
const COUNTRY_CODE = /^[A-Za-z]{2}$/;

/**
 * A GuardDuty `remoteIpDetails` (or `localIpDetails`) block as an OCSF network endpoint.
 *
 * `location.country` is the ISO 3166-1 alpha-2 `countryCode`; GuardDuty's `countryName` goes to
 * `location.desc`. The location is left out when it has neither a city nor a country code, which
 * OCSF requires of it (`at_least_one` of city, country, postal_code, region).
 */
export function endpointFromIpDetails(details: JsonRecord | undefined): OcsfNetworkEndpoint | undefined {
  if (details === undefined) return undefined;
  const org = optRecord(details.organization) ?? {};
  const geo = optRecord(details.geoLocation) ?? {};
  const country = optRecord(details.country) ?? {};
  const code = optString(country.countryCode);
  const asn = optInt(org.asn);
  const location = compact({
    city: optString(optRecord(details.city)?.cityName),
    country: code !== undefined && COUNTRY_CODE.test(code) ? code.toUpperCase() : undefined,
    desc: optString(country.countryName),
    lat: optNumber(geo.lat),
    long: optNumber(geo.lon),
  });
  const endpoint = compact({
    ip: firstString(details.ipAddressV4, details.ipAddressV6),
    location: location.city !== undefined || location.country !== undefined ? location : undefined,
    autonomous_system:
      asn !== undefined && asn >= 0 ? compact({ number: asn, name: optString(org.asnOrg) }) : undefined,
    isp: optString(org.isp),
    isp_org: optString(org.org),
  });
  return Object.keys(endpoint).length > 0 ? endpoint : undefined;
}

function portOf(details: unknown): { port: number } | undefined {
  const port = optInt(optRecord(details)?.port);
  return port === undefined || port < 0 || port > 65535 ? undefined : { port };
}

/**
 * One side of a connection: its IP details merged with its port. OCSF's `network_endpoint` must
 * name something (an IP here), so a side that would hold only a port (or a location) is not an
 * endpoint: its GuardDuty blocks go to the evidence's `data` instead (the finding's whole
 * `service.action` is left out of `unmapped`, so that is where they stay visible).
 */
function connectionSide(
  data: Record<string, unknown>,
  ip: readonly [key: string, details: unknown],
  port?: readonly [key: string, details: unknown],
  fallbackIp?: string,
): OcsfNetworkEndpoint | undefined {
  const endpoint: OcsfNetworkEndpoint = {
    ...(fallbackIp === undefined ? undefined : { ip: fallbackIp }),
    ...endpointFromIpDetails(optRecord(ip[1])),
    ...(port === undefined ? undefined : portOf(port[1])),
  };
  if (identifiesEndpoint(endpoint)) return endpoint;
  if (isRecord(ip[1])) data[ip[0]] = ip[1];
  if (port !== undefined && isRecord(port[1])) data[port[0]] = port[1];
  return undefined;
}

function dataOf(data: Record<string, unknown>): Record<string, unknown> | undefined {
  return Object.keys(data).length > 0 ? data : undefined;
}

/** Evidences from a GuardDuty `service.action`, by `actionType`. */
export function guardDutyEvidences(action: JsonRecord | undefined): OcsfEvidence[] {
  if (action === undefined) return [];
  const network = optRecord(action.networkConnectionAction);
  if (network !== undefined) {
    const direction = optString(network.connectionDirection)?.toUpperCase();
    const inbound = direction === 'INBOUND';
    const directionId = inbound ? 1 : direction === 'OUTBOUND' ? 2 : 0;
    const data: Record<string, unknown> = {};
    const remote = connectionSide(
      data,
      ['remoteIpDetails', network.remoteIpDetails],
      ['remotePortDetails', network.remotePortDetails],
    );
    const local = connectionSide(
      data,
      ['localIpDetails', network.localIpDetails],
      ['localPortDetails', network.localPortDetails],
    );
    return [
      compact({
        src_endpoint: inbound ? remote : local,
        dst_endpoint: inbound ? local : remote,
        connection_info: compact({
          direction_id: directionId,
          direction: directionId === 1 ? 'Inbound' : directionId === 2 ? 'Outbound' : 'Unknown',
          protocol_name: optString(network.protocol)?.toLowerCase(),
        }),
        data: dataOf(data),
      }),
    ];
  }
  const api = optRecord(action.awsApiCallAction);
  if (api !== undefined) {
    const errorCode = optString(api.errorCode);
    const data: Record<string, unknown> = {};
    return [
      compact({
        api: compact({
          operation: optString(api.api) ?? 'unknown',
          service:
            optString(api.serviceName) === undefined ? undefined : { name: optString(api.serviceName) },
          response: errorCode === undefined ? undefined : { error: errorCode },
        }),
        src_endpoint: connectionSide(data, ['remoteIpDetails', api.remoteIpDetails]),
        // The caller's user agent (AwsApiCallAction.userAgent), as OCSF's evidence http_request.
        http_request:
          optString(api.userAgent) === undefined ? undefined : { user_agent: optString(api.userAgent) },
        data: dataOf(data),
      }),
    ];
  }
  const dns = optRecord(action.dnsRequestAction);
  if (dns !== undefined) {
    const domain = optString(dns.domain);
    return domain === undefined ? [] : [{ query: { hostname: domain } }];
  }
  const probe = optRecord(action.portProbeAction);
  if (probe !== undefined) {
    return recordList(probe.portProbeDetails).flatMap((detail) => {
      const data: Record<string, unknown> = {};
      const evidence = compact({
        src_endpoint: connectionSide(data, ['remoteIpDetails', detail.remoteIpDetails]),
        dst_endpoint: connectionSide(
          data,
          ['localIpDetails', detail.localIpDetails],
          ['localPortDetails', detail.localPortDetails],
        ),
        data: dataOf(data),
      });
      // OCSF evidences need at least one attribute: an empty probe detail is no evidence.
      return Object.keys(evidence).length > 0 ? [evidence] : [];
    });
  }
  const k8s = optRecord(action.kubernetesApiCallAction);
  if (k8s !== undefined) {
    const data: Record<string, unknown> = {};
    return [
      compact({
        api: { operation: optString(k8s.verb) ?? 'unknown', service: { name: 'kubernetes' } },
        src_endpoint: connectionSide(
          data,
          ['remoteIpDetails', k8s.remoteIpDetails],
          undefined,
          stringList(k8s.sourceIps)[0],
        ),
        data: dataOf(data),
      }),
    ];
  }
  return [];
}

/**
 * GuardDuty Malware Protection for S3 (`GuardDuty Malware Protection Object Scan Result`).
 * Only a scan that found threats (`THREATS_FOUND`) is a finding (Detection Finding 2004, High); clean, skipped
 * or failed scans are refused as `not_a_finding`, so they stay visible without opening incidents.
 *
 * Finding key: account, bucket, object key and version (or ETag).
 */
export function normalizeMalwareScan(event: SourceEvent): NormalizeOutput[] {
  const d = event.detail;
  const result = requireRecord(d, 'scanResultDetails', 'detail');
  const status = requireString(result, 'scanResultStatus', 'detail.scanResultDetails');
  // GuardDuty's documentation spells it THREATS_FOUND; published samples carry THREAT_FOUND.
  if (status !== 'THREATS_FOUND' && status !== 'THREAT_FOUND') {
    return [
      {
        rejected: {
          reason: 'not_a_finding',
          message: `malware scan result ${status}: only THREATS_FOUND is a finding`,
        },
      },
    ];
  }
  const object = requireRecord(d, 's3ObjectDetails', 'detail');
  const bucket = requireString(object, 'bucketName', 'detail.s3ObjectDetails');
  const key = requireString(object, 'objectKey', 'detail.s3ObjectDetails');
  const version = firstString(object.versionId, object.eTag) ?? 'null';
  const account = firstString(event.envelope.account);
  const region = firstString(event.envelope.region);
  const threats = recordList(result.threats)
    .map((t) => optString(t.name))
    .filter((n): n is string => n !== undefined);
  const findingKey = `guardduty-malware-s3:${account ?? 'unknown'}:${bucket}/${key}#${version}`;
  const ocsf = baseEvent(event, {
    cls: OcsfClass.DetectionFinding,
    activityId: 1,
    activityName: findingActivityName(1),
    severityId: 4,
    time: undefined,
    account,
    region,
    product: { name: 'GuardDuty', vendor_name: 'AWS', feature: { name: 'Malware Protection for S3' } },
    raw: event.raw,
    unmapped: omitPaths(d, MALWARE_SCAN_MAPPED),
  });
  const title = `Malware found in s3://${bucket}/${key}${threats.length > 0 ? `: ${threats.join(', ')}` : ''}`;
  ocsf.finding_info = {
    uid: findingKey,
    title,
    types: ['MalwareProtection:S3Object/MaliciousFile'],
  };
  Object.assign(ocsf, findingStatus(1));
  ocsf.is_alert = true;
  ocsf.message = title;
  ocsf.resources = [
    // OCSF resource `version`: the scanned version, which the quarantine tags (absent: unversioned bucket).
    {
      type: 'AWS::S3::Object',
      uid: `arn:aws:s3:::${bucket}/${key}`,
      name: key,
      region,
      version: optString(object.versionId),
    },
    { type: 'AWS::S3::Bucket', uid: `arn:aws:s3:::${bucket}`, name: bucket, region },
  ].map((r) => compact(r));
  return [{ alert: makeAlert(findingKey, event, false, ocsf) }];
}

/** What {@link normalizeMalwareScan} maps. */
const MALWARE_SCAN_MAPPED = new MappedPaths([
  's3ObjectDetails.bucketName',
  's3ObjectDetails.objectKey',
  'scanResultDetails.scanResultStatus',
]);

export const guardDutyNormalizers: readonly SourceNormalizer[] = [
  { source: 'aws.guardduty', detailType: 'GuardDuty Finding', normalize: normalizeGuardDutyFinding },
  {
    source: 'aws.guardduty',
    detailType: 'GuardDuty Malware Protection Object Scan Result',
    normalize: normalizeMalwareScan,
  },
];
