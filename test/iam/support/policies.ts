import { ResolvedTemplate } from './cfn.ts';

/** An IAM policy document as the evaluator takes it. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

/** One role of a synthesized stack, resolved: its name, ARN, trust policy and identity policies. */
export interface RoleModel {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly trust: PolicyDocument;
  /** Inline and attached policies, by name. */
  readonly policies: { readonly name: string; readonly document: PolicyDocument }[];
}

/** Resource policies of a stack, by the ARN of the resource they protect. */
export type ResourcePolicies = Map<string, PolicyDocument>;

function statements(document: unknown): PolicyDocument {
  const doc = document as { Version?: string; Statement: unknown };
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return { Version: doc.Version ?? '2012-10-17', Statement: list as Record<string, unknown>[] };
}

/** Every role of `resolved`, with the policies attached to it. */
export function rolesOf(resolved: ResolvedTemplate): Map<string, RoleModel> {
  const roles = new Map<string, RoleModel>();
  for (const [logicalId, resource] of resolved.resourcesOf('AWS::IAM::Role')) {
    const props = resource.Properties ?? {};
    const inline = (
      (props.Policies as { PolicyName: unknown; PolicyDocument: unknown }[] | undefined) ?? []
    ).map((policy) => ({
      name: String(resolved.resolveAt(logicalId, policy.PolicyName)),
      document: statements(resolved.resolveAt(logicalId, policy.PolicyDocument)),
    }));
    if ((props.ManagedPolicyArns as unknown[] | undefined)?.length) {
      throw new Error(`role ${logicalId} has managed policies: the evaluation does not know their content`);
    }
    roles.set(logicalId, {
      logicalId,
      name: resolved.nameOf(logicalId),
      arn: resolved.arnOf(logicalId),
      account: resolved.env.account,
      trust: statements(resolved.resolveAt(logicalId, props.AssumeRolePolicyDocument)),
      policies: inline,
    });
  }
  // Customer managed policies attached by `Roles` (CDK moves a role's statements past IAM's
  // 10,240-character inline limit into `OverflowPolicy` managed policies) count like inline ones.
  const attached = [
    ...resolved.resourcesOf('AWS::IAM::Policy'),
    ...resolved.resourcesOf('AWS::IAM::ManagedPolicy').filter(([, r]) => r.Properties?.Roles !== undefined),
  ];
  for (const [logicalId, resource] of attached) {
    const props = resource.Properties ?? {};
    for (const role of (props.Roles as unknown[] | undefined) ?? []) {
      const ref = (role as { Ref?: string }).Ref;
      const model = ref === undefined ? undefined : roles.get(ResolvedTemplate.sibling(logicalId, ref));
      if (model === undefined) throw new Error(`policy ${logicalId} is attached to a role outside the stack`);
      model.policies.push({
        name: logicalId,
        document: statements(resolved.resolveAt(logicalId, props.PolicyDocument)),
      });
    }
  }
  return roles;
}

/** The resource policies of `resolved`: key policies, bus, topic and queue policies. */
export function resourcePoliciesOf(resolved: ResolvedTemplate): ResourcePolicies {
  const policies: ResourcePolicies = new Map();
  const add = (arn: string, document: PolicyDocument) => {
    const existing = policies.get(arn);
    policies.set(
      arn,
      existing === undefined
        ? document
        : { ...existing, Statement: [...existing.Statement, ...document.Statement] },
    );
  };
  for (const [id, resource] of resolved.resourcesOf('AWS::KMS::Key')) {
    add(resolved.arnOf(id), statements(resolved.resolveAt(id, resource.Properties?.KeyPolicy)));
  }
  for (const [id, resource] of resolved.resourcesOf('AWS::Events::EventBusPolicy')) {
    const props = resource.Properties ?? {};
    const bus = String(resolved.resolveAt(id, props.EventBusName));
    const arn = `arn:${resolved.env.partition}:events:${resolved.env.region}:${resolved.env.account}:event-bus/${bus}`;
    add(arn, statements({ Statement: [resolved.resolveAt(id, props.Statement)] }));
  }
  for (const [id, resource] of resolved.resourcesOf('AWS::Events::EventBus')) {
    const policy = resource.Properties?.Policy;
    if (policy !== undefined) add(resolved.arnOf(id), statements(resolved.resolveAt(id, policy)));
  }
  for (const [id, resource] of resolved.resourcesOf('AWS::SNS::TopicPolicy')) {
    const props = resource.Properties ?? {};
    for (const topic of resolved.resolveAt(id, props.Topics) as string[])
      add(topic, statements(resolved.resolveAt(id, props.PolicyDocument)));
  }
  for (const [id, resource] of resolved.resourcesOf('AWS::SQS::QueuePolicy')) {
    const props = resource.Properties ?? {};
    for (const url of resolved.resolveAt(id, props.Queues) as string[]) {
      const name = url.split('/').at(-1);
      const arn = `arn:${resolved.env.partition}:sqs:${resolved.env.region}:${resolved.env.account}:${name}`;
      add(arn, statements(resolved.resolveAt(id, props.PolicyDocument)));
    }
  }
  return policies;
}
