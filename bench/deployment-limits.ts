import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What a synthesized Riposte deployment is checked against: the documented limits `cdk synth`
 * does not check and `cdk deploy` (CloudFormation, then each service) refuses, each with where
 * AWS states it. Used by the deployment-limits test (1, 50 and 200 generated playbooks) and by
 * `npm run bench:synth`.
 *
 * Sources (AWS documentation):
 * - CloudFormation quotas, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html:
 *   template body 51,200 bytes in a request and 1 MB from S3; 500 resources, 200 outputs,
 *   200 parameters and 200 mappings per template; a parameter value is at most 4,096 bytes.
 * - Lambda quotas, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html:
 *   a function's environment variables total at most 4 KB.
 * - IAM and AWS STS quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html:
 *   a role's inline policies total at most 10,240 characters, a managed policy 6,144, a role
 *   trust policy 2,048 by default (white space not counted).
 * - Step Functions quotas, https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html:
 *   a state machine definition is at most 1 MB (hard quota).
 * - EventBridge quotas, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html:
 *   300 rules per event bus by default.
 */
export const LIMITS = {
  templateBytesInRequest: 51_200,
  templateBytesFromS3: 1_048_576,
  resourcesPerTemplate: 500,
  outputsPerTemplate: 200,
  parametersPerTemplate: 200,
  mappingsPerTemplate: 200,
  parameterValueBytes: 4_096,
  lambdaEnvironmentBytes: 4_096,
  roleInlinePolicyChars: 10_240,
  managedPolicyChars: 6_144,
  roleTrustPolicyChars: 2_048,
  stateMachineDefinitionBytes: 1_048_576,
  rulesPerEventBus: 300,
} as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}
interface Template {
  readonly Resources?: Record<string, Resource>;
  readonly Outputs?: Record<string, Json>;
  readonly Parameters?: Record<string, Json>;
  readonly Mappings?: Record<string, Json>;
}

/**
 * Lengths that stand in for what CloudFormation resolves at deploy time, chosen long: the
 * longest partition and Region names, and 160 characters for any other reference (a Lambda
 * function ARN with a 64-character name is about 110).
 */
const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws-iso-b',
  'AWS::Region': 'ap-southeast-4',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackName': 'x'.repeat(40),
  'AWS::StackId': 'x'.repeat(128),
};
const REFERENCE = 'r'.repeat(160);

/** `value` with every CloudFormation intrinsic replaced by a string as long as it may resolve to. */
export function render(value: Json): Json {
  if (Array.isArray(value)) return value.map(render);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const key = keys[0] as string;
    const arg = value[key] as Json;
    if (key === 'Ref') return PSEUDO[arg as string] ?? REFERENCE;
    if (key === 'Fn::GetAtt' || key === 'Fn::ImportValue' || key === 'Fn::GetAZs') return REFERENCE;
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, Json[]];
      const rendered = render(parts as Json);
      return (Array.isArray(rendered) ? rendered : [rendered]).map(String).join(separator);
    }
    if (key === 'Fn::Sub') {
      const template = typeof arg === 'string' ? arg : String((arg as Json[])[0]);
      return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => PSEUDO[name] ?? REFERENCE);
    }
    if (key.startsWith('Fn::')) return REFERENCE;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
}

/** The size IAM counts: the rendered document without white space. */
function iamChars(document: Json): number {
  return JSON.stringify(render(document)).length;
}

export interface TemplateFigures {
  readonly file: string;
  readonly bytes: number;
  readonly resources: number;
  readonly outputs: number;
  readonly parameters: number;
  readonly mappings: number;
}

/** A measured quantity of one resource. */
export interface Measure {
  readonly file: string;
  readonly logicalId: string;
  readonly size: number;
}

export interface DeploymentFigures {
  /** The root template and every nested template, root first. */
  readonly templates: readonly TemplateFigures[];
  readonly nestedStacks: number;
  readonly totalBytes: number;
  readonly totalResources: number;
  /** Bytes of each function's environment (names and rendered values). */
  readonly lambdaEnvironments: readonly Measure[];
  /** Characters of each role's inline policies together (its `Policies` and the AWS::IAM::Policy resources naming it). */
  readonly roleInlinePolicies: readonly Measure[];
  readonly managedPolicies: readonly Measure[];
  readonly trustPolicies: readonly Measure[];
  /** Bytes of each state machine definition, substitutions applied. */
  readonly definitions: readonly Measure[];
  /** Bytes of each parameter value a parent passes to a nested stack. */
  readonly nestedParameterValues: readonly Measure[];
  /** Rules per event bus (`default` for the default bus), all templates together. */
  readonly rulesPerBus: Readonly<Record<string, number>>;
}

/** The template files of stack `stackName` in the cloud assembly `dir`: the root, then its nested stacks. */
export function templateFiles(dir: string, stackName: string): string[] {
  const nested = readdirSync(dir)
    .filter((file) => file.startsWith(stackName) && file.endsWith('.nested.template.json'))
    .sort();
  return [`${stackName}.template.json`, ...nested];
}

function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);
}

function refOf(value: Json | undefined): string | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.Ref === 'string'
    ? value.Ref
    : undefined;
}

/** Measures the stack `stackName` (and its nested stacks) of the cloud assembly in `dir`. */
export function measureAssembly(dir: string, stackName: string): DeploymentFigures {
  const templates: TemplateFigures[] = [];
  const lambdaEnvironments: Measure[] = [];
  const roleInlinePolicies: Measure[] = [];
  const managedPolicies: Measure[] = [];
  const trustPolicies: Measure[] = [];
  const definitions: Measure[] = [];
  const nestedParameterValues: Measure[] = [];
  const rulesPerBus: Record<string, number> = {};
  let nestedStacks = 0;
  for (const file of templateFiles(dir, stackName)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const template = JSON.parse(text) as Template;
    templates.push({
      file,
      bytes: Buffer.byteLength(text),
      resources: Object.keys(template.Resources ?? {}).length,
      outputs: Object.keys(template.Outputs ?? {}).length,
      parameters: Object.keys(template.Parameters ?? {}).length,
      mappings: Object.keys(template.Mappings ?? {}).length,
    });
    for (const [logicalId, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      const variables = ((fn.Properties?.Environment as { Variables?: Record<string, Json> } | undefined)
        ?.Variables ?? {}) as Record<string, Json>;
      const size = Object.entries(variables).reduce(
        (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(String(render(value))),
        0,
      );
      lambdaEnvironments.push({ file, logicalId, size });
    }
    const inline = new Map<string, number>();
    for (const [logicalId, role] of resourcesOf(template, 'AWS::IAM::Role')) {
      const policies = (role.Properties?.Policies ?? []) as { PolicyDocument: Json }[];
      inline.set(
        logicalId,
        policies.reduce((sum, p) => sum + iamChars(p.PolicyDocument), 0),
      );
      trustPolicies.push({
        file,
        logicalId,
        size: iamChars(role.Properties?.AssumeRolePolicyDocument ?? null),
      });
    }
    for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
      const chars = iamChars(policy.Properties?.PolicyDocument ?? null);
      for (const role of (policy.Properties?.Roles ?? []) as Json[]) {
        const roleId = refOf(role) ?? JSON.stringify(role);
        inline.set(roleId, (inline.get(roleId) ?? 0) + chars);
      }
    }
    for (const [logicalId, size] of inline) roleInlinePolicies.push({ file, logicalId, size });
    for (const [logicalId, policy] of resourcesOf(template, 'AWS::IAM::ManagedPolicy')) {
      managedPolicies.push({ file, logicalId, size: iamChars(policy.Properties?.PolicyDocument ?? null) });
    }
    for (const [logicalId, machine] of resourcesOf(template, 'AWS::StepFunctions::StateMachine')) {
      const raw = render(machine.Properties?.DefinitionString ?? machine.Properties?.Definition ?? null);
      const definition = typeof raw === 'string' ? raw : JSON.stringify(raw);
      const substitutions = Object.keys(machine.Properties?.DefinitionSubstitutions ?? {});
      const size = substitutions.reduce((text, key) => text.replaceAll(`\${${key}}`, REFERENCE), definition);
      definitions.push({ file, logicalId, size: Buffer.byteLength(size) });
    }
    for (const [logicalId, stack] of resourcesOf(template, 'AWS::CloudFormation::Stack')) {
      nestedStacks += 1;
      const parameters = (stack.Properties?.Parameters ?? {}) as Record<string, Json>;
      const largest = Math.max(
        0,
        ...Object.values(parameters).map((v) => Buffer.byteLength(String(render(v)))),
      );
      nestedParameterValues.push({ file, logicalId, size: largest });
    }
    for (const [, rule] of resourcesOf(template, 'AWS::Events::Rule')) {
      const bus = rule.Properties?.EventBusName;
      const key = bus === undefined ? 'default' : JSON.stringify(bus);
      rulesPerBus[key] = (rulesPerBus[key] ?? 0) + 1;
    }
  }
  return {
    templates,
    nestedStacks,
    totalBytes: templates.reduce((sum, t) => sum + t.bytes, 0),
    totalResources: templates.reduce((sum, t) => sum + t.resources, 0),
    lambdaEnvironments,
    roleInlinePolicies,
    managedPolicies,
    trustPolicies,
    definitions,
    nestedParameterValues,
    rulesPerBus,
  };
}

/** The largest of `measures` (size 0 when there is none). */
export function largest(measures: readonly Measure[]): Measure {
  return measures.reduce<Measure>((max, m) => (m.size > max.size ? m : max), {
    file: '',
    logicalId: '',
    size: 0,
  });
}

/**
 * Every limit `figures` exceeds, one line each (`[]`: deployable as far as these limits go).
 * The template size is checked against the 1 MB of a template uploaded to S3, which is how
 * `cdk deploy` passes any template over 50 KB, and always the nested ones.
 */
export function limitViolations(figures: DeploymentFigures): string[] {
  const violations: string[] = [];
  const over = (what: string, size: number, limit: number): void => {
    if (size > limit) violations.push(`${what}: ${size} > ${limit}`);
  };
  for (const t of figures.templates) {
    over(`${t.file} bytes`, t.bytes, LIMITS.templateBytesFromS3);
    over(`${t.file} resources`, t.resources, LIMITS.resourcesPerTemplate);
    over(`${t.file} outputs`, t.outputs, LIMITS.outputsPerTemplate);
    over(`${t.file} parameters`, t.parameters, LIMITS.parametersPerTemplate);
    over(`${t.file} mappings`, t.mappings, LIMITS.mappingsPerTemplate);
  }
  const each = (kind: string, measures: readonly Measure[], limit: number): void => {
    for (const m of measures) over(`${kind} ${m.file} ${m.logicalId}`, m.size, limit);
  };
  each('Lambda environment', figures.lambdaEnvironments, LIMITS.lambdaEnvironmentBytes);
  each('role inline policies', figures.roleInlinePolicies, LIMITS.roleInlinePolicyChars);
  each('managed policy', figures.managedPolicies, LIMITS.managedPolicyChars);
  each('role trust policy', figures.trustPolicies, LIMITS.roleTrustPolicyChars);
  each('state machine definition', figures.definitions, LIMITS.stateMachineDefinitionBytes);
  each('nested stack parameter value', figures.nestedParameterValues, LIMITS.parameterValueBytes);
  for (const [bus, rules] of Object.entries(figures.rulesPerBus)) {
    over(`rules on event bus ${bus}`, rules, LIMITS.rulesPerEventBus);
  }
  return violations;
}
