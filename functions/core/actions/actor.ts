import type { OcsfEvent } from '../ocsf/schema.ts';
import { AccessKeyIdSchema } from './iam/shared/attacker-keys.ts';

/**
 * Who made the call an alert reports, as a playbook reads it (`alert.actor`): the IAM principal a
 * response can contain. For a CloudTrail record it comes from `userIdentity` as the normalizer
 * mapped it (`actor.user`, `actor.session.issuer`, `actor.invoked_by`); for a GuardDuty IAM
 * finding, from the access key's principal (`resources[]` of type `AWS::IAM::AccessKey`).
 */
export interface ActorView {
  /**
   * CloudTrail's `userIdentity.type`: `IAMUser`, `AssumedRole`, `Root`, `AWSService`,
   * `FederatedUser`, `IdentityCenterUser`…; empty when the alert names no caller.
   */
  readonly type: string;
  /** The principal to contain: the IAM user's name, or the role's name (the session's issuer); empty when none. */
  readonly name: string;
  /** The principal's ARN: the user's, or the role's (not the session's); empty when unknown. */
  readonly arn: string;
  /** The principal's account; empty when unknown. */
  readonly account: string;
  /** The AWS service that made the call on the principal's behalf (`invokedBy`); empty when none. */
  readonly invokedBy: string;
  /** The long-term access key the call was signed with (`AKIA…`), as a list of zero or one. */
  readonly accessKeyIds: string[];
}

/** OCSF user `type_id` back to CloudTrail's `userIdentity.type` (see the CloudTrail normalizer). */
const TYPE_OF_ID: Readonly<Record<number, string>> = { 1: 'IAMUser', 2: 'Root', 4: 'AWSService' };

// `arn:aws:iam::111122223333:role/path/name` → `name`.
const ROLE_ARN = /^arn:[^:]+:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/;
const USER_ARN = /^arn:[^:]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/;

const NO_ACTOR: ActorView = { type: '', name: '', arn: '', account: '', invokedBy: '', accessKeyIds: [] };

/**
 * The actor of an alert's OCSF event.
 *
 * @example
 * actorOf(cloudTrailAlert.ocsf);
 * // { type: 'AssumedRole', name: 'ci-deployer', arn: 'arn:aws:iam::111122223333:role/ci-deployer', … }
 */
export function actorOf(ocsf: OcsfEvent): ActorView {
  const user = ocsf.actor?.user;
  if (user !== undefined) {
    const type = (user.type_id === undefined ? undefined : TYPE_OF_ID[user.type_id]) ?? user.type ?? '';
    const issuer = ocsf.actor?.session?.issuer ?? '';
    const role = ROLE_ARN.exec(issuer);
    const userArn = USER_ARN.exec(user.uid ?? '');
    const key = user.credential_uid;
    return {
      type,
      name: role?.[1] ?? userArn?.[1] ?? (type === 'IAMUser' ? (user.name ?? '') : ''),
      arn: role === null ? (userArn === null ? '' : (user.uid ?? '')) : issuer,
      account: user.account?.uid ?? ocsf.cloud.account?.uid ?? '',
      invokedBy: ocsf.actor?.invoked_by ?? '',
      accessKeyIds: key?.startsWith('AKIA') === true && AccessKeyIdSchema.safeParse(key).success ? [key] : [],
    };
  }
  const accessKey = (ocsf.resources ?? []).find((r) => r.type === 'AWS::IAM::AccessKey');
  if (accessKey === undefined) return NO_ACTOR;
  const data = (accessKey.data ?? {}) as { user_type?: unknown };
  const type = typeof data.user_type === 'string' ? data.user_type : '';
  const key = accessKey.uid;
  return {
    type,
    name: type === 'IAMUser' || type === 'AssumedRole' ? (accessKey.name ?? '') : '',
    arn: '',
    account: ocsf.cloud.account?.uid ?? '',
    invokedBy: '',
    accessKeyIds: key?.startsWith('AKIA') === true && AccessKeyIdSchema.safeParse(key).success ? [key] : [],
  };
}

/**
 * The API call an alert reports as `service:Operation` (`kms:ScheduleKeyDeletion`), the form
 * triggers' `apiCalls` use: a CloudTrail record's own call, else the call a GuardDuty finding
 * describes (`awsApiCallAction`, kept as its first evidence); empty when it reports none.
 *
 * @example
 * apiCallView(cloudTrailAlert.ocsf); // 'kms:ScheduleKeyDeletion'
 * apiCallView(guardDutyStealthAlert.ocsf); // 'cloudtrail:StopLogging'
 */
export function apiCallView(ocsf: OcsfEvent): string {
  const api = ocsf.api ?? ocsf.evidences?.find((e) => e.api?.service?.name !== undefined)?.api;
  const service = api?.service?.name;
  if (api?.operation === undefined || service === undefined) return '';
  return `${service.replace(/\.amazonaws\.com$/, '')}:${api.operation}`;
}

/** One resource of an alert, as a playbook reads it (`alert.resources`). */
export interface ResourceView {
  readonly type: string;
  readonly uid: string;
  /** Empty when the alert does not say. */
  readonly region: string;
  /** The resource's version, when the alert names one (an S3 object's scanned version id). */
  readonly version?: string;
}

/**
 * The alert's resources with a type and an id, in the alert's order (the primary one first).
 *
 * @example
 * resourcesView(guardDutyStealthAlert.ocsf);
 * // [{ type: 'AWS::IAM::AccessKey', uid: 'AKIA…', region: 'us-east-1' }, { type: 'AWS::CloudTrail::Trail', uid: 'arn:…:trail/main', region: 'us-east-1' }]
 */
export function resourcesView(ocsf: OcsfEvent): ResourceView[] {
  return (ocsf.resources ?? []).flatMap((r) =>
    r.type === undefined || r.uid === undefined
      ? []
      : [
          {
            type: r.type,
            uid: r.uid,
            region: r.region ?? '',
            ...(r.version === undefined ? {} : { version: r.version }),
          },
        ],
  );
}
