import { Stack, Validations } from 'aws-cdk-lib';
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
