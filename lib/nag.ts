import { AspectPriority, Aspects, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * The text cdk-nag (3.x) shows for a policy resource, and so the suffix of its rule id
 * (`AwsSolutions-IAM5[Resource::<text>]`): the resolved value with `Fn::Join` joined, `Ref`
 * written `<Name>` and `Fn::GetAtt` written `<Resource.Attribute>`, as cdk-nag's own
 * `flattenCfnReference` does.
 */
export function nagResourceText(scope: IConstruct, resource: string): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      const join = record['Fn::Join'];
      if (Array.isArray(join)) {
        const [delimiter, items] = join as [string, unknown[]];
        return items.map(visit).join(delimiter);
      }
      if (record['Fn::Sub'] !== undefined) return visit(record['Fn::Sub']);
      const getAtt = record['Fn::GetAtt'];
      if (Array.isArray(getAtt)) return `<${visit(getAtt[0])}.${visit(getAtt[1])}>`;
      if (record['Fn::ImportValue'] !== undefined) return visit(record['Fn::ImportValue']);
      if (record.Ref !== undefined) return `<${visit(record.Ref)}>`;
    }
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(resource));
}

/**
 * Acknowledges, on `policy`, the `AwsSolutions-IAM5` finding of each wildcard resource, with
 * the reasons given for it (joined when several statements use the same resource).
 */
export function acknowledgeWildcardResources(
  policy: IConstruct,
  reasons: ReadonlyMap<string, readonly string[]>,
): void {
  for (const [resource, why] of reasons) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceText(policy, resource)}]`,
      reason: [...new Set(why)].join(' '),
    });
  }
}

/** The cdk-nag texts of every resource a policy's statements name. */
function resourceTextsOf(policy: iam.Policy | iam.ManagedPolicy): Set<string> {
  const doc = Stack.of(policy).resolve(policy.document) as { Statement?: { Resource?: unknown }[] };
  const texts = new Set<string>();
  for (const statement of doc.Statement ?? []) {
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const resource of resources) {
      if (resource !== undefined) texts.add(nagResourceText(policy, resource as string));
    }
  }
  return texts;
}

/**
 * Acknowledges the wildcard resources of a role's policies where they end up. A role whose
 * default policy outgrows IAM's inline limit (10,240 characters for all of a role's inline
 * policies) is split by CDK, at synthesis, into `OverflowPolicy<n>` managed policies; this runs
 * after that split (a read-only aspect) and acknowledges, on the default policy and on each
 * overflow policy, exactly the wildcard resources its own statements name.
 *
 * @example
 * acknowledgeRoleWildcards(role, wildcards.entries);
 */
export function acknowledgeRoleWildcards(
  role: iam.Role,
  reasons: ReadonlyMap<string, readonly string[]>,
): void {
  Aspects.of(role).add(
    {
      visit(node: IConstruct): void {
        if (node !== role) return;
        const policies = role.node.children.filter(
          (child): child is iam.Policy | iam.ManagedPolicy =>
            (child instanceof iam.Policy && child.node.id === 'DefaultPolicy') ||
            (child instanceof iam.ManagedPolicy && child.node.id.startsWith('OverflowPolicy')),
        );
        for (const policy of policies) {
          const present = resourceTextsOf(policy);
          const own = new Map(
            [...reasons].filter(([resource]) => present.has(nagResourceText(policy, resource))),
          );
          acknowledgeWildcardResources(policy, own);
        }
      },
    },
    { priority: AspectPriority.READONLY },
  );
}

/** Collects, per wildcard resource, why it is granted. */
export class WildcardReasons {
  private readonly reasons = new Map<string, string[]>();

  /** Records `why` for each of `resources` that contains a `*`; a wildcard without a reason throws. */
  public add(resources: readonly string[], why: string | undefined): void {
    for (const resource of resources) {
      if (!resource.includes('*')) continue;
      if (why === undefined || why.length === 0) {
        throw new Error(`a wildcard resource (${resource}) is granted without a reason`);
      }
      const list = this.reasons.get(resource) ?? [];
      list.push(why);
      this.reasons.set(resource, list);
    }
  }

  public get entries(): ReadonlyMap<string, readonly string[]> {
    return this.reasons;
  }
}
