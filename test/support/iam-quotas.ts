/**
 * IAM's quotas on the permissions of a role, measured on synthesized CloudFormation templates.
 *
 * The figures are IAM's documented quotas ("IAM and AWS STS quotas",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): the inline
 * policies of a role may total 10,240 characters, a customer managed policy 6,144 characters,
 * and a role may have 10 managed policies attached by default (20 on request). IAM does not count
 * white space. CDK only estimates the size of one policy (a role's default policy) when it splits
 * the overflow into `OverflowPolicy<n>` managed policies, so these are measured here on the
 * template as a whole: every inline policy of a role (its `Policies` and every `AWS::IAM::Policy`
 * naming it), every managed policy attached to it.
 */

/** IAM's quotas, as documented (see the module comment). */
export const IAM_QUOTAS = {
  /** Characters, without white space, of all of a role's inline policies together. */
  roleInlineCharacters: 10_240,
  /** Characters, without white space, of one customer managed policy. */
  managedPolicyCharacters: 6_144,
  /** Managed policies attached to one role (the default quota). */
  managedPoliciesPerRole: 10,
} as const;

export type IamQuotas = { readonly [K in keyof typeof IAM_QUOTAS]: number };

/** A synthesized template: its file name and parsed JSON. */
export interface QuotaTemplate {
  readonly file: string;
  readonly json: {
    readonly Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
}

/** What one role's permissions measure, and what a customer managed policy does. */
export interface RoleFigures {
  readonly role: string;
  readonly inlineCharacters: number;
  readonly managedPolicies: number;
}

/**
 * Worst-case values for what CloudFormation resolves at deployment: the longest partition and
 * region names, and for a reference to a resource (an ARN, a name) 200 characters, more than any
 * ARN of these templates resolves to (generated names are at most 64 to 128 characters; the longest
 * ARN here, a DynamoDB stream's, adds about 90 to the table name).
 */
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::AccountId': '111122223333',
  'AWS::Region': 'ap-southeast-5',
  'AWS::URLSuffix': 'amazonaws.com.cn',
};
const REFERENCE = 'r'.repeat(200);

/** A policy document with CloudFormation's intrinsic functions resolved to worst-case strings. */
export function resolveIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [key, argument] = entries.length === 1 ? (entries[0] as [string, unknown]) : ['', undefined];
  if (key === 'Ref') return PSEUDO[String(argument)] ?? REFERENCE;
  if (key === 'Fn::GetAtt' || key === 'Fn::ImportValue' || key === 'Fn::Sub') return REFERENCE;
  if (key === 'Fn::Join') {
    const [separator, parts] = argument as [string, unknown[]];
    return (resolveIntrinsics(parts) as unknown[]).map(String).join(separator);
  }
  if (key === 'Fn::Select') {
    const [index, list] = resolveIntrinsics(argument) as [string | number, unknown];
    const items = Array.isArray(list) ? list : [list];
    return items[Number(index)] ?? REFERENCE;
  }
  if (key === 'Fn::Split') {
    const [separator, text] = resolveIntrinsics(argument) as [string, string];
    return String(text).split(separator);
  }
  if (key.startsWith('Fn::')) throw new Error(`iam-quotas: intrinsic ${key} is not resolved; add it`);
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v)]));
}

/** Characters IAM counts in a policy document: its JSON without white space. */
export function policyCharacters(document: unknown): number {
  return JSON.stringify(resolveIntrinsics(document)).replace(/\s/g, '').length;
}

/** The roles a policy resource is attached to, by logical id; fails on a role it cannot place. */
function rolesOf(template: QuotaTemplate, id: string, roles: unknown): string[] {
  return ((roles as unknown[] | undefined) ?? []).map((role) => {
    const ref = (role as { Ref?: unknown }).Ref;
    if (typeof ref !== 'string' || template.json.Resources?.[ref]?.Type !== 'AWS::IAM::Role') {
      throw new Error(
        `iam-quotas: ${template.file} ${id} names a role not in its template: ${JSON.stringify(role)}`,
      );
    }
    return ref;
  });
}

/** Every role of the templates, measured, and every customer managed policy's size, by name. */
export function measureRoles(templates: readonly QuotaTemplate[]): {
  readonly roles: RoleFigures[];
  readonly managedPolicies: Map<string, number>;
} {
  const roles: RoleFigures[] = [];
  const managedPolicies = new Map<string, number>();
  for (const template of templates) {
    const resources = Object.entries(template.json.Resources ?? {});
    const inline = new Map<string, number>();
    const attached = new Map<string, number>();
    const add = (map: Map<string, number>, role: string, amount: number) =>
      map.set(role, (map.get(role) ?? 0) + amount);
    for (const [id, { Type, Properties = {} }] of resources) {
      if (Type === 'AWS::IAM::Role') {
        for (const policy of (Properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) {
          add(inline, id, policyCharacters(policy.PolicyDocument));
        }
        add(attached, id, ((Properties.ManagedPolicyArns as unknown[] | undefined) ?? []).length);
      }
      if (Type === 'AWS::IAM::Policy') {
        const size = policyCharacters(Properties.PolicyDocument);
        for (const role of rolesOf(template, id, Properties.Roles)) add(inline, role, size);
      }
      if (Type === 'AWS::IAM::ManagedPolicy') {
        managedPolicies.set(`${template.file} ${id}`, policyCharacters(Properties.PolicyDocument));
        for (const role of rolesOf(template, id, Properties.Roles)) add(attached, role, 1);
      }
    }
    for (const [id, { Type }] of resources) {
      if (Type !== 'AWS::IAM::Role') continue;
      roles.push({
        role: `${template.file} ${id}`,
        inlineCharacters: inline.get(id) ?? 0,
        managedPolicies: attached.get(id) ?? 0,
      });
    }
  }
  return { roles, managedPolicies };
}

/**
 * One line per quota a role or managed policy of the templates exceeds; none when all fit.
 *
 * @example
 * quotaViolations([{ file: 'Riposte.template.json', json }]);
 * // ['Riposte.template.json ActionsContainRole…: inline policies total 10301 characters > 10240']
 */
export function quotaViolations(
  templates: readonly QuotaTemplate[],
  quotas: IamQuotas = IAM_QUOTAS,
): string[] {
  const { roles, managedPolicies } = measureRoles(templates);
  return [
    ...roles.flatMap((r) => [
      ...(r.inlineCharacters > quotas.roleInlineCharacters
        ? [
            `${r.role}: inline policies total ${r.inlineCharacters} characters > ${quotas.roleInlineCharacters}`,
          ]
        : []),
      ...(r.managedPolicies > quotas.managedPoliciesPerRole
        ? [`${r.role}: ${r.managedPolicies} managed policies attached > ${quotas.managedPoliciesPerRole}`]
        : []),
    ]),
    ...[...managedPolicies]
      .filter(([, size]) => size > quotas.managedPolicyCharacters)
      .map(
        ([name, size]) => `${name}: managed policy of ${size} characters > ${quotas.managedPolicyCharacters}`,
      ),
  ];
}
