import { isIP } from 'node:net';
import type { NormalizeOutput } from '../../alert.ts';
import {
  API_ACTIVITY,
  type ApiActivityId,
  EVENT_STATUS,
  OcsfClass,
  type SeverityId,
} from '../../ocsf/constants.ts';
import type { OcsfNetworkEndpoint, OcsfResource, OcsfSession, OcsfUser } from '../../ocsf/schema.ts';
import { baseEvent, firstString, identifiesEndpoint, makeAlert } from '../common.ts';
import type { SourceEvent } from '../envelope.ts';
import {
  compact,
  FieldError,
  type JsonRecord,
  MappedPaths,
  omitPaths,
  optBoolean,
  optRecord,
  optString,
  recordList,
  requireRecord,
  requireString,
} from '../read.ts';
import { firstTimestamp } from '../time.ts';
import type { SourceNormalizer } from './types.ts';

/**
 * CloudTrail events delivered by EventBridge.
 *
 * - `AWS Console Sign In via CloudTrail` → Authentication 3002 (Logon).
 * - `AWS API Call via CloudTrail`, from any `aws.*` source (GuardDuty's own API calls too) →
 *   API Activity 6003.
 *
 * Finding key: `cloudtrail:<eventID>` (CloudTrail's unique event id), so a re-delivery maps to
 * the same alert.
 *
 * CloudTrail carries no severity. Riposte rates the high-signal events its rules subscribe to
 * (see {@link cloudTrailSignal}); every other call is Informational, as Security Lake does.
 */
export function normalizeApiCall(event: SourceEvent): NormalizeOutput[] {
  const d = event.detail;
  const eventName = requireString(d, 'eventName', 'detail');
  const eventSource = requireString(d, 'eventSource', 'detail');
  const eventId = firstString(d.eventID, event.envelope.id);
  if (eventId === undefined) throw missing('detail.eventID');
  const identity = requireRecord(d, 'userIdentity', 'detail');
  const errorCode = optString(d.errorCode);
  const errorMessage = optString(d.errorMessage);
  const activityId = apiActivityFor(eventName);
  const signal = cloudTrailSignal(d, eventName, identity, errorCode);
  const requestId = firstString(d.requestID);

  const ocsf = baseEvent(event, {
    cls: OcsfClass.ApiActivity,
    activityId,
    activityName: API_ACTIVITY[activityId],
    severityId: signal.severityId,
    time: firstTimestamp(d.eventTime),
    account: firstString(d.recipientAccountId, identity.accountId, event.envelope.account),
    region: firstString(d.awsRegion, event.envelope.region),
    product: { name: 'CloudTrail', vendor_name: 'AWS' },
    labels: signal.label === undefined ? [] : [signal.label],
    raw: event.raw,
    // OCSF's api.request needs a uid: without a requestID the request parameters stay in unmapped.
    unmapped: omitPaths(d, requestId === undefined ? API_CALL_MAPPED : API_CALL_WITH_REQUEST_MAPPED),
  });
  ocsf.metadata.uid = eventId;
  ocsf.api = compact({
    operation: eventName,
    service: { name: eventSource },
    request:
      requestId === undefined
        ? undefined
        : compact({ uid: requestId, data: d.requestParameters ?? undefined }),
    response:
      errorCode === undefined && d.responseElements == null
        ? undefined
        : compact({ error: errorCode, message: errorMessage, data: d.responseElements ?? undefined }),
  });
  ocsf.actor = compact({
    user: userFromIdentity(identity),
    session: sessionFromIdentity(identity),
    invoked_by: optString(identity.invokedBy),
  });
  ocsf.src_endpoint = callerEndpoint(d, identity) ?? UNKNOWN_CALLER;
  const userAgent = optString(d.userAgent);
  if (userAgent !== undefined) ocsf.http_request = { user_agent: userAgent };
  const statusId = errorCode === undefined ? 1 : 2;
  ocsf.status_id = statusId;
  ocsf.status = EVENT_STATUS[statusId];
  if (errorCode !== undefined) ocsf.status_code = errorCode;
  if (errorMessage !== undefined) ocsf.status_detail = errorMessage;
  const resources = apiResources(d, eventName, firstString(d.awsRegion, event.envelope.region));
  if (resources.length > 0) ocsf.resources = resources;
  ocsf.message =
    signal.message ?? `${eventSource} ${eventName}${errorCode === undefined ? '' : ` failed: ${errorCode}`}`;
  return [{ alert: makeAlert(`cloudtrail:${eventId}`, event, false, ocsf) }];
}

/** What {@link normalizeApiCall} maps (`requestParameters` only with a `requestID`). */
const API_CALL_MAPPED = new MappedPaths([
  'eventName',
  'eventSource',
  'eventTime',
  'eventID',
  'requestID',
  'awsRegion',
  'recipientAccountId',
  'sourceIPAddress',
  'vpcEndpointId',
  'userAgent',
  'errorCode',
  'errorMessage',
  'responseElements',
  'userIdentity',
  'resources',
]);
const API_CALL_WITH_REQUEST_MAPPED = API_CALL_MAPPED.with(['requestParameters']);

/**
 * The `src_endpoint` of a record that says nothing about its caller's address. API Activity
 * requires `src_endpoint`, and OCSF's network_endpoint needs a name, an IP or a uid: this one
 * says plainly that the caller is unknown, instead of passing the called service (`eventSource`,
 * the destination) off as the source.
 */
const UNKNOWN_CALLER: OcsfNetworkEndpoint = { name: 'unknown' };

/** Console sign-in (`ConsoleLogin`) → Authentication 3002. */
export function normalizeConsoleSignIn(event: SourceEvent): NormalizeOutput[] {
  const d = event.detail;
  const eventName = requireString(d, 'eventName', 'detail');
  if (eventName !== 'ConsoleLogin') {
    // Other sign-in events (CheckMfa, SwitchRole, ...) are API activity on signin.amazonaws.com.
    return normalizeApiCall(event);
  }
  const eventId = firstString(d.eventID, event.envelope.id);
  if (eventId === undefined) throw missing('detail.eventID');
  const identity = requireRecord(d, 'userIdentity', 'detail');
  const response = optRecord(d.responseElements) ?? {};
  const outcome = optString(response.ConsoleLogin);
  const statusId = outcome === 'Success' ? 1 : outcome === 'Failure' ? 2 : 0;
  const extra = optRecord(d.additionalEventData) ?? {};
  const mfa = optString(extra.MFAUsed);
  const isRoot = optString(identity.type) === 'Root';
  // Riposte policy: a root sign-in is High, a failed sign-in Low, anything else Informational.
  const severityId: SeverityId = isRoot && statusId === 1 ? 4 : statusId === 2 ? 2 : 1;
  const user = userFromIdentity(identity);

  const ocsf = baseEvent(event, {
    cls: OcsfClass.Authentication,
    activityId: 1,
    activityName: 'Logon',
    severityId,
    time: firstTimestamp(d.eventTime),
    account: firstString(d.recipientAccountId, identity.accountId, event.envelope.account),
    region: firstString(d.awsRegion, event.envelope.region),
    product: { name: 'CloudTrail', vendor_name: 'AWS' },
    labels: isRoot ? ['signal:root-sign-in'] : statusId === 2 ? ['signal:sign-in-failure'] : [],
    raw: event.raw,
    unmapped: omitPaths(d, SIGN_IN_MAPPED),
  });
  ocsf.metadata.uid = eventId;
  ocsf.user = user;
  const session = sessionFromIdentity(identity);
  if (session !== undefined) ocsf.session = session;
  ocsf.status_id = statusId;
  ocsf.status = EVENT_STATUS[statusId];
  const errorMessage = optString(d.errorMessage);
  if (errorMessage !== undefined) ocsf.status_detail = errorMessage;
  if (mfa !== undefined) ocsf.is_mfa = mfa === 'Yes';
  const source = callerEndpoint(d, identity);
  if (source !== undefined) ocsf.src_endpoint = source;
  const userAgent = optString(d.userAgent);
  if (userAgent !== undefined) ocsf.http_request = { user_agent: userAgent };
  // Authentication needs `service` or `dst_endpoint`: the sign-in service is always known.
  ocsf.service = { name: firstString(d.eventSource) ?? 'signin.amazonaws.com' };
  const loginTo = optString(extra.LoginTo);
  if (loginTo !== undefined) ocsf.dst_endpoint = { svc_name: loginTo };
  const who = user.name ?? user.uid ?? 'unknown principal';
  ocsf.message = `Console sign-in ${outcome === undefined ? 'attempt' : outcome.toLowerCase()} by ${
    isRoot ? 'the root user' : who
  }${mfa === 'No' ? ' without MFA' : ''}`;
  return [{ alert: makeAlert(`cloudtrail:${eventId}`, event, false, ocsf) }];
}

/** What {@link normalizeConsoleSignIn} maps. */
const SIGN_IN_MAPPED = new MappedPaths([
  'eventName',
  'eventSource',
  'eventTime',
  'eventID',
  'awsRegion',
  'recipientAccountId',
  'sourceIPAddress',
  'vpcEndpointId',
  'userAgent',
  'errorMessage',
  'responseElements.ConsoleLogin',
  'additionalEventData.MFAUsed',
  'additionalEventData.LoginTo',
  'userIdentity',
]);

function missing(path: string): FieldError {
  return new FieldError('missing_field', path, 'is required');
}

const VERBS: ReadonlyArray<readonly [RegExp, ApiActivityId]> = [
  [/^(Create|Run|Put|Attach|Authorize|Add|Associate|Register|Import|Start|Enable|Invoke|Allocate)/, 1],
  [/^(Get|List|Describe|Head|Lookup|Search|Select|Scan|Query|Batch(Get|Describe)|Check|Test)/, 2],
  [/^(Update|Modify|Stop|Set|Change|Reset|Replace|Tag|Untag|Edit|Reboot|Restore)/, 3],
  [/^(Delete|Revoke|Detach|Remove|Disassociate|Deregister|Disable|Terminate|Release|Deactivate)/, 4],
];

/** API Activity `activity_id` from the verb that opens a CloudTrail `eventName`. */
export function apiActivityFor(eventName: string): ApiActivityId {
  for (const [pattern, id] of VERBS) if (pattern.test(eventName)) return id;
  return 99;
}

const USER_TYPES: Readonly<Record<string, { type_id: number; type: string }>> = {
  IAMUser: { type_id: 1, type: 'User' },
  Root: { type_id: 2, type: 'Admin' },
  AWSService: { type_id: 4, type: 'Service' },
};

// `arn:aws:sts::111122223333:assumed-role/Role/session` and `...:federated-user/name`.
const STS_SESSION_ARN = /^arn:[^:]+:sts::[^:]*:(?:assumed-role\/[^/]+|federated-user)\/([^/]+)$/;

/**
 * An OCSF user from a CloudTrail `userIdentity`. For an assumed role (or a federated user) the
 * user is the session: `name` is the session name from the ARN (`carol` in
 * `assumed-role/Developer/carol`); the role itself is the session's issuer (see
 * {@link sessionFromIdentity}).
 */
export function userFromIdentity(identity: JsonRecord): OcsfUser {
  const kind = optString(identity.type) ?? 'Unknown';
  const mapped = (Object.hasOwn(USER_TYPES, kind) ? USER_TYPES[kind] : undefined) ?? {
    type_id: 99,
    type: kind,
  };
  const issuer = optRecord(optRecord(identity.sessionContext)?.sessionIssuer);
  const arn = optString(identity.arn);
  const account = firstString(identity.accountId);
  const principalId = optString(identity.principalId);
  const name =
    optString(identity.userName) ??
    (arn === undefined ? undefined : STS_SESSION_ARN.exec(arn)?.[1]) ??
    // An assumed role's principalId is `AROA...:session`.
    (kind === 'AssumedRole' ? principalId?.split(':')[1] || undefined : undefined) ??
    optString(issuer?.userName) ??
    (kind === 'Root' ? 'root' : undefined) ??
    optString(identity.invokedBy) ??
    arn?.split('/').pop();
  return compact({
    ...mapped,
    uid: arn ?? principalId,
    name,
    credential_uid: optString(identity.accessKeyId),
    account: account === undefined ? undefined : { uid: account, type_id: 10, type: 'AWS Account' },
  });
}

/**
 * The session of a CloudTrail `userIdentity.sessionContext` (as Security Lake maps it): its
 * creation time, whether MFA authenticated it, the ARN of its issuer (the role of an assumed
 * role) and, for an STS session, the session ARN as `uid_alt`. Undefined without a context.
 */
export function sessionFromIdentity(identity: JsonRecord): OcsfSession | undefined {
  const context = optRecord(identity.sessionContext);
  if (context === undefined) return undefined;
  const attributes = optRecord(context.attributes) ?? {};
  const arn = optString(identity.arn);
  const session = compact({
    uid_alt: arn !== undefined && STS_SESSION_ARN.test(arn) ? arn : undefined,
    issuer: optString(optRecord(context.sessionIssuer)?.arn),
    created_time: firstTimestamp(attributes.creationDate),
    is_mfa: optBoolean(attributes.mfaAuthenticated),
  });
  return Object.keys(session).length > 0 ? session : undefined;
}

/** `sourceIPAddress` is not always an IP (`AWS Internal`, `signin.amazonaws.com`): non-IPs go to `domain`. */
export function sourceEndpoint(value: unknown): OcsfNetworkEndpoint {
  const text = optString(value);
  if (text === undefined) return {};
  return isIP(text) === 0 ? { domain: text } : { ip: text };
}

/**
 * Where a call came from: `sourceIPAddress`, else the AWS service that made it on the caller's
 * behalf (`userIdentity.invokedBy`, a domain as CloudTrail writes in `sourceIPAddress` when it has
 * one), with the VPC endpoint it came through as `uid`. Undefined when the record names none of
 * them (OCSF's network_endpoint must name something).
 */
export function callerEndpoint(detail: JsonRecord, identity: JsonRecord): OcsfNetworkEndpoint | undefined {
  const address = sourceEndpoint(detail.sourceIPAddress);
  const invokedBy = optString(identity.invokedBy);
  const endpoint: OcsfNetworkEndpoint = compact({
    ...address,
    domain: address.ip === undefined && address.domain === undefined ? invokedBy : address.domain,
    uid: optString(detail.vpcEndpointId),
  });
  return identifiesEndpoint(endpoint) ? endpoint : undefined;
}

interface Signal {
  readonly severityId: SeverityId;
  readonly label?: string;
  readonly message?: string;
}

const TRAIL_TAMPERING = new Set(['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors']);
const BUCKET_EXPOSURE = new Set([
  'PutBucketPolicy',
  'PutBucketAcl',
  'DeleteBucketPublicAccessBlock',
  'PutBucketPublicAccessBlock',
  'DeletePublicAccessBlock',
  'PutPublicAccessBlock',
]);
const WORLD_CIDRS = new Set(['0.0.0.0/0', '::/0']);
/** KMS calls that make a key unusable: scheduled deletion destroys it after the waiting period. */
const KEY_DISABLING = new Set(['ScheduleKeyDeletion', 'DisableKey']);
/** Calls that can share a snapshot or image with every AWS account (`group: all`, `all`). */
const PUBLIC_SHARING = new Set([
  'ModifySnapshotAttribute',
  'ModifyImageAttribute',
  'ModifyDBSnapshotAttribute',
  'ModifyDBClusterSnapshotAttribute',
]);

/**
 * Riposte's severity policy for CloudTrail API calls, documented in the README: failed calls
 * and ordinary calls are Informational; trail tampering and world-open ingress are High; root
 * activity is High; KMS keys disabled or scheduled for deletion and snapshots or images shared
 * with everyone are High; bucket exposure changes are Medium; new access keys are Low.
 */
export function cloudTrailSignal(
  detail: JsonRecord,
  eventName: string,
  identity: JsonRecord,
  errorCode: string | undefined,
): Signal {
  if (errorCode !== undefined) return { severityId: 1 };
  if (TRAIL_TAMPERING.has(eventName)) {
    const params = optRecord(detail.requestParameters);
    // StopLogging, DeleteTrail and UpdateTrail name the trail `name`; PutEventSelectors `trailName`.
    const trail = optString(params?.name) ?? optString(params?.trailName);
    return {
      severityId: 4,
      label: 'signal:cloudtrail-tampering',
      message: `CloudTrail ${eventName}${trail === undefined ? '' : ` on ${trail}`}`,
    };
  }
  if (
    (eventName === 'AuthorizeSecurityGroupIngress' || eventName === 'ModifySecurityGroupRules') &&
    opensToWorld(detail.requestParameters)
  ) {
    return {
      severityId: 4,
      label: 'signal:world-open-ingress',
      message: `Security group ingress opened to the internet (${eventName})`,
    };
  }
  if (KEY_DISABLING.has(eventName)) {
    const key = optString(optRecord(detail.requestParameters)?.keyId);
    return {
      severityId: 4,
      label: 'signal:kms-key-disabled',
      message: `KMS ${eventName}${key === undefined ? '' : ` on ${key}`}`,
    };
  }
  if (PUBLIC_SHARING.has(eventName) && sharesWithEveryone(detail.requestParameters)) {
    return {
      severityId: 4,
      label: 'signal:public-share',
      message: `Shared with every AWS account (${eventName})`,
    };
  }
  if (optString(identity.type) === 'Root') {
    return { severityId: 4, label: 'signal:root-activity', message: `Root user called ${eventName}` };
  }
  if (BUCKET_EXPOSURE.has(eventName)) {
    return { severityId: 3, label: 'signal:bucket-exposure', message: `S3 ${eventName}` };
  }
  if (eventName === 'CreateAccessKey') {
    return { severityId: 2, label: 'signal:access-key-created', message: 'IAM access key created' };
  }
  return { severityId: 1 };
}

/** True when any CIDR in the request parameters is `0.0.0.0/0` or `::/0`. */
function opensToWorld(value: unknown): boolean {
  if (typeof value === 'string') return WORLD_CIDRS.has(value);
  if (Array.isArray(value)) return value.some(opensToWorld);
  const record = optRecord(value);
  if (record === undefined) return false;
  return Object.values(record).some(opensToWorld);
}

/**
 * True when the request adds the `all` group: EC2's `createVolumePermission.add` /
 * `launchPermission.add` items with `group: all`, or RDS's `valuesToAdd` containing `all`.
 */
function sharesWithEveryone(value: unknown): boolean {
  const params = optRecord(value);
  if (params === undefined) return false;
  const valuesToAdd = Array.isArray(params.valuesToAdd) ? params.valuesToAdd : [];
  if (valuesToAdd.some((v) => typeof v === 'string' && v.toLowerCase() === 'all')) return true;
  return ['createVolumePermission', 'launchPermission'].some((attribute) =>
    recordList(optRecord(optRecord(params[attribute])?.add)?.items).some(
      (item) => optString(item.group)?.toLowerCase() === 'all',
    ),
  );
}

/** The resources an API call touched: CloudTrail's own `resources[]`, else well-known request parameters. */
function apiResources(detail: JsonRecord, eventName: string, region: string | undefined): OcsfResource[] {
  const listed = recordList(detail.resources)
    .map((r) => compact({ uid: firstString(r.ARN, r.arn), type: optString(r.type), region }))
    .filter((r) => r.uid !== undefined);
  if (listed.length > 0) return listed;
  const params = optRecord(detail.requestParameters) ?? {};
  // ModifySecurityGroupRules records its request as `ModifySecurityGroupRulesRequest.GroupId`; a
  // call naming the group by `groupName` (default VPC) has its id only in the rules it created.
  const groupId =
    optString(params.groupId) ??
    optString(optRecord(params.ModifySecurityGroupRulesRequest)?.GroupId) ??
    recordList(optRecord(optRecord(detail.responseElements)?.securityGroupRuleSet)?.items)
      .map((rule) => optString(rule.groupId))
      .find((id) => id !== undefined);
  if (groupId !== undefined) return [{ type: 'AWS::EC2::SecurityGroup', uid: groupId, region }];
  const bucket = optString(params.bucketName);
  if (bucket !== undefined)
    return [{ type: 'AWS::S3::Bucket', uid: `arn:aws:s3:::${bucket}`, name: bucket, region }];
  if (TRAIL_TAMPERING.has(eventName)) {
    const trail = optString(params.name) ?? optString(params.trailName);
    if (trail !== undefined) return [{ type: 'AWS::CloudTrail::Trail', uid: trail, region }];
  }
  const shared = sharedResource(params, region);
  if (shared !== undefined) return [shared];
  const userName = optString(params.userName);
  if (userName !== undefined) return [{ type: 'AWS::IAM::User', uid: userName, name: userName }];
  const instances = recordList(optRecord(params.instancesSet)?.items)
    .map((i) => optString(i.instanceId))
    .filter((id): id is string => id !== undefined);
  return instances.map((id) => ({ type: 'AWS::EC2::Instance', uid: id, region }));
}

/** The snapshot or image a sharing call names (CloudTrail's request parameters). */
function sharedResource(params: JsonRecord, region: string | undefined): OcsfResource | undefined {
  const snapshot = optString(params.snapshotId);
  if (snapshot !== undefined) return { type: 'AWS::EC2::Snapshot', uid: snapshot, region };
  const image = optString(params.imageId);
  if (image !== undefined) return { type: 'AWS::EC2::Image', uid: image, region };
  const dbSnapshot = optString(params.dBSnapshotIdentifier);
  if (dbSnapshot !== undefined)
    return { type: 'AWS::RDS::DBSnapshot', uid: dbSnapshot, name: dbSnapshot, region };
  const clusterSnapshot = optString(params.dBClusterSnapshotIdentifier);
  if (clusterSnapshot !== undefined) {
    return { type: 'AWS::RDS::DBClusterSnapshot', uid: clusterSnapshot, name: clusterSnapshot, region };
  }
  return undefined;
}

export const cloudTrailNormalizers: readonly SourceNormalizer[] = [
  {
    source: 'aws.signin',
    detailType: 'AWS Console Sign In via CloudTrail',
    normalize: normalizeConsoleSignIn,
  },
  { source: '*', detailType: 'AWS API Call via CloudTrail', normalize: normalizeApiCall },
  { source: '*', detailType: 'AWS Console Sign In via CloudTrail', normalize: normalizeConsoleSignIn },
];
