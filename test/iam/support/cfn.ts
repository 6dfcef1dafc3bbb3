/**
 * Resolves a synthesized CloudFormation template to what CloudFormation would deploy in one
 * account and Region: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Split`, `Fn::Select`, `Fn::Sub` and the
 * pseudo parameters become strings, each resource gets a physical name (its name property, or
 * one made from its logical id) and an ARN. The IAM evaluation reads the roles' policies, trust
 * policies and resource policies from it.
 */

export interface Environment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
  readonly Conditions?: Record<string, unknown>;
}

/** Thrown for an intrinsic the resolver does not know: the test must learn it, not guess. */
export class UnresolvableError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UnresolvableError';
  }
}

const NO_VALUE = '\u0000no-value';

const NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Events::Rule': 'Name',
};

/** A template resolved in `env`, with `parameters` for its parameters (else their defaults). */
export class ResolvedTemplate {
  /** Nested stacks, by the logical id of their `AWS::CloudFormation::Stack` resource here. */
  public readonly children = new Map<string, ResolvedTemplate>();

  public constructor(
    public readonly template: CfnTemplate,
    public readonly env: Environment,
    private readonly parameters: Readonly<Record<string, unknown>> | (() => Record<string, unknown>) = {},
    private readonly stackName = 'Riposte',
  ) {}

  /**
   * Adds the template of the nested stack whose resource here is `logicalId`: its parameters are
   * the resource's `Parameters`, resolved here when first read. A resource of a nested stack is
   * named `<nested stack logical id>/<its logical id>` everywhere in this class.
   */
  public addNested(logicalId: string, template: CfnTemplate): ResolvedTemplate {
    const resource = this.ownResource(logicalId);
    if (resource.Type !== 'AWS::CloudFormation::Stack') {
      throw new UnresolvableError(`${logicalId} is no nested stack (${resource.Type})`);
    }
    let resolved: Record<string, unknown> | undefined;
    const child = new ResolvedTemplate(
      template,
      this.env,
      () => {
        resolved ??= this.resolve(resource.Properties?.Parameters ?? {}) as Record<string, unknown>;
        return resolved;
      },
      `${this.stackName}-${logicalId}`,
    );
    this.children.set(logicalId, child);
    return child;
  }

  /** The template that holds the resource `id` (qualified as above), and its id there. */
  public locate(id: string): { readonly template: ResolvedTemplate; readonly localId: string } {
    const slash = id.indexOf('/');
    if (slash < 0) return { template: this, localId: id };
    const child = this.children.get(id.slice(0, slash));
    if (child === undefined) throw new UnresolvableError(`no nested stack ${id.slice(0, slash)}`);
    return child.locate(id.slice(slash + 1));
  }

  /** `localId` qualified as a resource of the same template as `id`. */
  public static sibling(id: string, localId: string): string {
    const slash = id.lastIndexOf('/');
    return slash < 0 ? localId : `${id.slice(0, slash + 1)}${localId}`;
  }

  /** `value` resolved in the template that holds the resource `id`. */
  public resolveAt(id: string, value: unknown): unknown {
    return this.locate(id).template.resolve(value);
  }

  /** The physical name of a resource. */
  public nameOf(logicalId: string): string {
    if (logicalId.includes('/')) {
      const { template, localId } = this.locate(logicalId);
      return template.nameOf(localId);
    }
    const resource = this.resource(logicalId);
    const property = NAME_PROPERTY[resource.Type];
    const given = property === undefined ? undefined : resource.Properties?.[property];
    if (given !== undefined) return String(this.resolve(given));
    // What CloudFormation would generate: stable and unique per logical id.
    return `${logicalId.slice(0, 40)}-gen`;
  }

  /** The ARN of a resource (`Fn::GetAtt [id, Arn]`). */
  public arnOf(logicalId: string): string {
    if (logicalId.includes('/')) {
      const { template, localId } = this.locate(logicalId);
      return template.arnOf(localId);
    }
    const { account, region, partition } = this.env;
    const resource = this.resource(logicalId);
    const name = this.nameOf(logicalId);
    const regional = (service: string, rest: string) =>
      `arn:${partition}:${service}:${region}:${account}:${rest}`;
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return `arn:${partition}:iam::${account}:role/${name}`;
      case 'AWS::Lambda::Function':
        return regional('lambda', `function:${name}`);
      case 'AWS::DynamoDB::Table':
        return regional('dynamodb', `table/${name}`);
      case 'AWS::KMS::Key':
        return regional('kms', `key/${this.keyIdOf(logicalId)}`);
      case 'AWS::Logs::LogGroup':
        return regional('logs', `log-group:${name}:*`);
      case 'AWS::SQS::Queue':
        return regional('sqs', name);
      case 'AWS::SNS::Topic':
        return regional('sns', name);
      case 'AWS::Events::EventBus':
        return regional('events', `event-bus/${name}`);
      case 'AWS::Events::Rule':
        return regional('events', `rule/${name}`);
      case 'AWS::StepFunctions::StateMachine':
        return regional('states', `stateMachine:${name}`);
      case 'AWS::StepFunctions::StateMachineAlias':
        return `${this.resolve(this.deploymentTarget(logicalId))}:${String(this.resolve(resource.Properties?.Name))}`;
      case 'AWS::StepFunctions::StateMachineVersion':
        return `${String(this.resolve(resource.Properties?.StateMachineArn))}:1`;
      case 'AWS::SecretsManager::Secret':
        return regional('secretsmanager', `secret:${name}-AbCdEf`);
      case 'AWS::SSM::Parameter':
        return regional('ssm', `parameter${name.startsWith('/') ? '' : '/'}${name}`);
      case 'AWS::ApiGatewayV2::Api':
        return regional('execute-api', name);
      case 'AWS::CloudWatch::Alarm':
        return regional('cloudwatch', `alarm:${name}`);
      default:
        throw new UnresolvableError(`no ARN for ${logicalId} (${resource.Type})`);
    }
  }

  /** `Ref` of a resource, as CloudFormation returns it for its type. */
  public refOf(logicalId: string): string {
    if (logicalId.includes('/')) {
      const { template, localId } = this.locate(logicalId);
      return template.refOf(localId);
    }
    if (this.template.Parameters?.[logicalId] !== undefined) {
      const parameters = typeof this.parameters === 'function' ? this.parameters() : this.parameters;
      const value = parameters[logicalId] ?? this.template.Parameters[logicalId]?.Default;
      if (value === undefined) throw new UnresolvableError(`parameter ${logicalId} has no value`);
      return String(value);
    }
    const resource = this.resource(logicalId);
    switch (resource.Type) {
      case 'AWS::SNS::Topic':
      case 'AWS::SecretsManager::Secret':
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::StepFunctions::StateMachineAlias':
      case 'AWS::StepFunctions::StateMachineVersion':
        return this.arnOf(logicalId);
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.env.region}.amazonaws.com/${this.env.account}/${this.nameOf(logicalId)}`;
      case 'AWS::KMS::Key':
        return this.keyIdOf(logicalId);
      default:
        return this.nameOf(logicalId);
    }
  }

  /** The value of a template expression. */
  public resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0] as [string, unknown];
      if (key === 'Ref') return this.pseudo(String(arg)) ?? this.refOf(String(arg));
      if (key === 'Fn::GetAtt') return this.getAtt(arg);
      if (key === 'Fn::Join') {
        const [separator, parts] = arg as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).map(String).join(separator);
      }
      if (key === 'Fn::Split') {
        const [separator, source] = arg as [string, unknown];
        return String(this.resolve(source)).split(separator);
      }
      if (key === 'Fn::Select') {
        const [index, list] = arg as [unknown, unknown];
        return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
      }
      if (key === 'Fn::Sub') return this.sub(arg);
      if (key === 'Fn::ToJsonString') return JSON.stringify(this.resolve(arg));
      if (key === 'Fn::If') {
        const [name, yes, no] = arg as [string, unknown, unknown];
        return this.resolve(this.condition(name) ? yes : no);
      }
      if (key === 'Fn::Equals') {
        const [a, b] = arg as [unknown, unknown];
        return JSON.stringify(this.resolve(a)) === JSON.stringify(this.resolve(b));
      }
      if (key === 'Fn::Not') return !(this.resolve((arg as unknown[])[0]) as boolean);
      if (key === 'Fn::And') return (arg as unknown[]).every((item) => this.resolve(item) === true);
      if (key === 'Fn::Or') return (arg as unknown[]).some((item) => this.resolve(item) === true);
      if (key === 'Condition') return this.condition(String(arg));
      if (key.startsWith('Fn::')) throw new UnresolvableError(`unsupported intrinsic ${key}`);
    }
    return Object.fromEntries(
      entries.map(([k, v]) => [k, this.resolve(v)] as const).filter(([, v]) => v !== NO_VALUE),
    );
  }

  private condition(name: string): boolean {
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) throw new UnresolvableError(`no condition ${name}`);
    return this.resolve(expression) === true;
  }

  /** Resources of `type` here and in every nested stack, by (qualified) logical id. */
  public resourcesOf(type: string): [string, CfnResource][] {
    const own = Object.entries(this.template.Resources).filter(([, resource]) => resource.Type === type);
    const nested = [...this.children].flatMap(([prefix, child]) =>
      child.resourcesOf(type).map(([id, resource]): [string, CfnResource] => [`${prefix}/${id}`, resource]),
    );
    return [...own, ...nested];
  }

  /** A resource, by (qualified) logical id. */
  public resource(logicalId: string): CfnResource {
    const { template, localId } = this.locate(logicalId);
    return template.ownResource(localId);
  }

  private ownResource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) throw new UnresolvableError(`no resource ${logicalId}`);
    return resource;
  }

  private keyIdOf(logicalId: string): string {
    return `${logicalId
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 8)
      .padEnd(8, '0')}-1111-2222-3333-444455556666`;
  }

  private deploymentTarget(aliasId: string): unknown {
    const alias = this.resource(aliasId);
    const config = alias.Properties?.RoutingConfiguration as
      | { StateMachineVersionArn: unknown }[]
      | undefined;
    const versionArn = config?.[0]?.StateMachineVersionArn ?? alias.Properties?.DeploymentPreference;
    const resolved = String(this.resolve(versionArn));
    return resolved.replace(/:\d+$/, '');
  }

  private pseudo(name: string): string | undefined {
    // (AWS::NoValue is removed from the object holding it.)
    const { account, region, partition } = this.env;
    const values: Record<string, string> = {
      'AWS::AccountId': account,
      'AWS::Region': region,
      'AWS::Partition': partition,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stackName,
      'AWS::StackId': `arn:${partition}:cloudformation:${region}:${account}:stack/${this.stackName}/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9`,
      'AWS::NoValue': NO_VALUE,
    };
    return values[name];
  }

  private getAtt(arg: unknown): unknown {
    const [logicalId, attribute] = (
      typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : arg
    ) as [string, string];
    const resource = this.ownResource(logicalId);
    if (resource.Type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) {
      const child = this.children.get(logicalId);
      if (child === undefined) throw new UnresolvableError(`nested stack ${logicalId} has no template`);
      const output = child.template.Outputs?.[attribute.slice('Outputs.'.length)];
      if (output === undefined) throw new UnresolvableError(`no output ${logicalId}.${attribute}`);
      return child.resolve(output.Value);
    }
    if (attribute === 'Arn') {
      if (resource.Type === 'AWS::SQS::Queue') return this.arnOf(logicalId);
      return this.arnOf(logicalId);
    }
    if (attribute === 'Name' || attribute === 'QueueName' || attribute === 'TopicName')
      return this.nameOf(logicalId);
    if (attribute === 'QueueUrl') return this.refOf(logicalId);
    if (attribute === 'ApiEndpoint')
      return `https://${this.nameOf(logicalId)}.execute-api.${this.env.region}.amazonaws.com`;
    if (attribute === 'StateMachineVersionArn') return this.arnOf(logicalId);
    if (attribute === 'RoleId') return `AROA${logicalId.toUpperCase().slice(0, 16)}`;
    if (attribute === 'StreamArn') return `${this.arnOf(logicalId)}/stream/2026-01-01T00:00:00.000`;
    throw new UnresolvableError(`unsupported attribute ${logicalId}.${attribute}`);
  }

  private sub(arg: unknown): string {
    const [text, variables] = (typeof arg === 'string' ? [arg, {}] : arg) as [
      string,
      Record<string, unknown>,
    ];
    return text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      const pseudo = this.pseudo(name);
      if (pseudo !== undefined) return pseudo;
      if (name.includes('.')) return String(this.getAtt(name));
      return this.refOf(name);
    });
  }
}
