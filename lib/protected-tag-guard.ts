import * as iam from 'aws-cdk-lib/aws-iam';
import { iamActionsOfFamily } from '../functions/core/actions/registry.ts';
import type { ActionFamily } from '../functions/core/actions/types.ts';

/**
 * The protected-tag guard: explicit Deny statements, in every role that changes resources (the
 * security account's action roles and the member role), on the writes Riposte's actions make to
 * a principal or resource **carrying** the protected tag. The rails in the actions refuse such a
 * resource first (`safety.ts`, trimmed and case-insensitive); these statements are defence in
 * depth: a bug in an action, or a playbook reaching an action another way, still cannot change a
 * protected user, role, instance or bucket.
 *
 * Each statement names only the actions whose resource type supports the condition key, per the
 * Service Authorization Reference:
 *
 * | actions | resource type | condition key |
 * |---|---|---|
 * | `iam:UpdateAccessKey`, `iam:PutUserPolicy`, `iam:DeleteUserPolicy`, `iam:DeleteLoginProfile` | user | `iam:ResourceTag/${TagKey}` |
 * | `iam:PutRolePolicy`, `iam:DeleteRolePolicy` | role | `iam:ResourceTag/${TagKey}` |
 * | `ec2:ModifyInstanceAttribute`, `ec2:ModifyInstanceMetadataOptions`, `ec2:DisassociateIamInstanceProfile`, `ec2:AssociateIamInstanceProfile`, `ec2:CreateTags` | instance | `ec2:ResourceTag/${TagKey}` |
 * | `ec2:RevokeSecurityGroupIngress`, `ec2:AuthorizeSecurityGroupIngress` | security-group | `ec2:ResourceTag/${TagKey}` |
 * | `ec2:ModifySnapshotAttribute`, `ec2:ModifyImageAttribute` | snapshot, image | `ec2:ResourceTag/${TagKey}` |
 * | `s3:PutBucketPublicAccessBlock`, `s3:PutBucketPolicy`, `s3:DeleteBucketPolicy` | bucket | `aws:ResourceTag/${TagKey}` |
 * | `lambda:PutFunctionConcurrency`, `lambda:DeleteFunctionConcurrency` | function | `aws:ResourceTag/${TagKey}` |
 * | `rds:ModifyDBInstance`, `rds:CreateDBSnapshot` | db | `aws:ResourceTag/${TagKey}` |
 *
 * IAM compares a tag value exactly, so the guard lists the value in the variants people write
 * (`StringEqualsIgnoreCase`: any case; with a leading or trailing space). Keys in condition keys
 * are compared case-insensitively by IAM. Auto Scaling and ELB writes act on the group and the
 * target group, not on the protected instance: no resource tag of the instance applies.
 * S3 evaluates `aws:ResourceTag` on buckets with attribute-based access control enabled.
 */

/** The writes the guard covers, by the condition key their resource type supports. */
export const PROTECTED_TAG_GUARDED_ACTIONS = {
  'iam:ResourceTag': [
    'iam:UpdateAccessKey',
    'iam:PutUserPolicy',
    'iam:DeleteUserPolicy',
    'iam:DeleteLoginProfile',
    'iam:PutRolePolicy',
    'iam:DeleteRolePolicy',
  ],
  'ec2:ResourceTag': [
    'ec2:ModifyInstanceAttribute',
    'ec2:ModifyInstanceMetadataOptions',
    'ec2:DisassociateIamInstanceProfile',
    'ec2:AssociateIamInstanceProfile',
    'ec2:CreateTags',
    'ec2:RevokeSecurityGroupIngress',
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:ModifySnapshotAttribute',
    'ec2:ModifyImageAttribute',
  ],
  'aws:ResourceTag': [
    's3:PutBucketPublicAccessBlock',
    's3:PutBucketPolicy',
    's3:DeleteBucketPolicy',
    'lambda:PutFunctionConcurrency',
    'lambda:DeleteFunctionConcurrency',
    'rds:ModifyDBInstance',
    'rds:CreateDBSnapshot',
  ],
} as const satisfies Record<string, readonly string[]>;

/** The tag value as IAM must match it: any case (IgnoreCase), with or without spaces around. */
export function protectedTagValueVariants(value: string): string[] {
  const v = value.trim();
  return [...new Set([v, ` ${v}`, `${v} `, ` ${v} `])];
}

/**
 * The guard statements for the roles of `families`: one Deny per condition key, naming the
 * guarded actions the families declare (none when they declare none).
 *
 * @example
 * for (const s of protectedTagGuardStatements(['contain'], { key: 'riposte:protected', value: 'true' })) role.addToPrincipalPolicy(s);
 */
export function protectedTagGuardStatements(
  families: readonly ActionFamily[],
  protectedTag: { readonly key: string; readonly value: string },
): iam.PolicyStatement[] {
  const declared = new Set(families.flatMap((family) => iamActionsOfFamily(family)));
  const key = protectedTag.key.trim();
  const values = protectedTagValueVariants(protectedTag.value);
  const statements: iam.PolicyStatement[] = [];
  for (const [conditionKey, actions] of Object.entries(PROTECTED_TAG_GUARDED_ACTIONS)) {
    const guarded = actions.filter((action) => declared.has(action));
    if (guarded.length === 0) continue;
    statements.push(
      new iam.PolicyStatement({
        sid: `DenyProtectedTag${conditionKey.split(':')[0]?.toUpperCase() ?? ''}`,
        effect: iam.Effect.DENY,
        actions: guarded,
        resources: ['*'],
        conditions: { StringEqualsIgnoreCase: { [`${conditionKey}/${key}`]: values } },
      }),
    );
  }
  return statements;
}
