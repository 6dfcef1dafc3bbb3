import type { Alert } from '../alert.ts';

/** The resource an incident is about: what containment would act on. */
export interface PrimaryResource {
  /** Grouping key: one open incident per key. */
  readonly key: string;
  readonly type: string;
  readonly uid: string;
  /** A short name actions take (a bucket's name, a user's name); the uid when there is none. */
  readonly name: string;
  readonly account: string | undefined;
  readonly region: string | undefined;
}

// Resources without a region: the key must not split them by the region of the reporting service.
const GLOBAL_TYPES = new Set([
  'AWS::IAM::User',
  'AWS::IAM::Role',
  'AWS::S3::Bucket',
  'AwsIamUser',
  'AwsIamRole',
  'AwsS3Bucket',
]);
const PRINCIPAL_TYPES = new Set(['AWS::IAM::AccessKey', 'AwsIamAccessKey']);

/**
 * The primary resource of an alert, used to group alerts into incidents:
 * - an instance, a bucket, a security group…: its type and id (first resource with an id);
 * - an access key: the IAM principal that owns it, so findings on two keys of one user (or a
 *   key and the user's console sign-in) share one incident;
 * - no resource (sign-ins, some API calls): the acting principal;
 * - nothing at all: the alert itself.
 *
 * @example
 * primaryResource(alert).key // '111122223333|us-east-1|AWS::EC2::Instance|i-0a1b2c3d4e5f60718'
 */
export function primaryResource(alert: Alert): PrimaryResource {
  const { ocsf } = alert;
  const account = ocsf.cloud.account?.uid;
  const region = ocsf.cloud.region;
  for (const resource of ocsf.resources ?? []) {
    if (resource.uid === undefined || resource.type === undefined) continue;
    if (PRINCIPAL_TYPES.has(resource.type) && resource.name !== undefined) {
      const kind = principalKind(resource.data);
      if (kind === 'Root') return make('AWS::IAM::Root', account ?? 'root', account, undefined);
      return make(
        kind === 'AssumedRole' || kind === 'Role' ? 'AWS::IAM::Role' : 'AWS::IAM::User',
        resource.name,
        account,
        undefined,
      );
    }
    if (resource.type === 'AWS::S3::Bucket') {
      // Config names a bucket by its name, the detectors by its ARN: one key for both.
      const name = resource.uid.startsWith('arn:')
        ? (resource.uid.split(':').pop() ?? resource.uid)
        : resource.uid;
      return make(resource.type, `arn:aws:s3:::${name}`, account, undefined, name);
    }
    return make(
      resource.type,
      resource.uid,
      account,
      GLOBAL_TYPES.has(resource.type) ? undefined : (resource.region ?? region),
      resource.name,
    );
  }
  const user = ocsf.user ?? ocsf.actor?.user;
  const principal = user?.uid ?? user?.name;
  if (principal !== undefined) return make('Principal', principal, account, undefined);
  return make('Alert', alert.id, account, region);
}

/** The principal type behind an access key: GuardDuty `userType`, or ASFF `PrincipalType`. */
function principalKind(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const record = data as { user_type?: unknown; AwsIamAccessKey?: { PrincipalType?: unknown } };
  const kind = record.user_type ?? record.AwsIamAccessKey?.PrincipalType;
  return typeof kind === 'string' ? kind : undefined;
}

function make(
  type: string,
  uid: string,
  account: string | undefined,
  region: string | undefined,
  name?: string,
): PrimaryResource {
  return {
    key: `${account ?? '-'}|${region ?? '-'}|${type}|${uid}`,
    type,
    uid,
    name: name ?? uid,
    account,
    region,
  };
}
