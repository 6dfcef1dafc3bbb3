import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { declares } from '#core/permissions.ts';
import { OperatorError } from '../command.ts';

/** {@link describeDeployment}: the stack's status and outputs. */
export const STACK_READ_CALLS = declares({
  service: 'cloudformation',
  actions: ['cloudformation:DescribeStacks'],
  resource: 'stack',
  why: '--stack reads the table and the deployed playbooks from the stack outputs',
});

/**
 * The outputs of a deployed Riposte stack the CLI reads (`lib/riposte-stack.ts` publishes them
 * under these keys: `RiposteStack.OUTPUTS`).
 */
export const STACK_OUTPUTS = {
  tableName: 'TableName',
  playbooks: 'DeployedPlaybooks',
  operatorPolicy: 'OperatorPolicyArn',
} as const;

/** A playbook as the `DeployedPlaybooks` output describes it. */
export const DeployedPlaybookSchema = z.strictObject({
  version: z.string().min(1),
  /** The ARN of its `live` alias, where executions start. */
  aliasArn: z.string().regex(/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:.+:live$/),
});
export type DeployedPlaybook = z.infer<typeof DeployedPlaybookSchema>;

/** The `DeployedPlaybooks` output: a JSON object of playbooks by id. */
const DeployedPlaybooksSchema = z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), DeployedPlaybookSchema);

/** What the CLI needs of a deployed Riposte stack, read from its outputs. */
export interface Deployment {
  readonly stackName: string;
  /** The stack's status when it was read, e.g. `UPDATE_COMPLETE`. */
  readonly status: string;
  /** The alert table's name. */
  readonly tableName: string;
  /** The deployed playbooks by id; undefined when the stack publishes no `DeployedPlaybooks` output. */
  readonly playbooks: Readonly<Record<string, DeployedPlaybook>> | undefined;
}

/** A deployed stack the CLI cannot work with: missing, not settled, or not a Riposte stack. */
export class DeploymentError extends OperatorError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeploymentError';
  }
}

/** Raised when no stack has the name (in the account and region of the credentials). */
export class StackNotFoundError extends DeploymentError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StackNotFoundError';
  }
}

/** Raised when the stack is being created, updated, rolled back or deleted, or failed to be. */
export class StackNotReadyError extends DeploymentError {
  public constructor(message: string) {
    super(message);
    this.name = 'StackNotReadyError';
  }
}

/** Raised when the stack lacks an output the CLI needs or has one it cannot read. */
export class StackOutputsError extends DeploymentError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StackOutputsError';
  }
}

/** Raised when the default credential chain finds no AWS credentials. */
export class AwsCredentialsError extends DeploymentError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AwsCredentialsError';
  }
}

/**
 * The states in which a stack's resources and outputs are settled and usable. `ROLLBACK_COMPLETE`
 * (a failed creation, its resources deleted) and `DELETE_COMPLETE` are not.
 */
const USABLE_STATUSES: ReadonlySet<string> = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);

/**
 * Reads a deployed Riposte stack with `DescribeStacks`: its status, then the `TableName` and
 * `DeployedPlaybooks` outputs. Throws {@link StackNotFoundError} when there is no such stack,
 * {@link StackNotReadyError} when it is not in a usable COMPLETE state and
 * {@link StackOutputsError} when it lacks the table output (e.g. the `RiposteMember` stack) or
 * an output is malformed, and {@link AwsCredentialsError} when there are no credentials.
 *
 * @example
 * const cloudFormation = new CloudFormationClient({ region: 'eu-west-1' });
 * const deployment = await describeDeployment(cloudFormation, 'Riposte');
 * deployment.tableName; // 'Riposte-AlertStoreTable910AB584-1A2B3C4D'
 */
export async function describeDeployment(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<Deployment> {
  let stack: Stack | undefined;
  try {
    const out = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    stack = out.Stacks?.[0];
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message)) {
      throw new StackNotFoundError(notFound(stackName), { cause: error });
    }
    if (error instanceof Error && error.name === 'CredentialsProviderError') {
      throw new AwsCredentialsError(
        `no AWS credentials to read stack ${stackName} (${error.message}): sign in (aws sso login), ` +
          'or set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
        { cause: error },
      );
    }
    throw error;
  }
  const status = stack?.StackStatus;
  if (stack === undefined || status === undefined || status === 'DELETE_COMPLETE') {
    throw new StackNotFoundError(notFound(stackName));
  }
  if (!USABLE_STATUSES.has(status)) {
    throw new StackNotReadyError(
      `stack ${stackName} is ${status}: its resources are not settled. ` +
        `Wait for CREATE_COMPLETE or UPDATE_COMPLETE (or repair the stack), then run the command again`,
    );
  }
  const outputs = new Map((stack.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
  const tableName = outputs.get(STACK_OUTPUTS.tableName);
  if (tableName === undefined || tableName.length < 3) {
    const keys = [...outputs.keys()].filter((key) => key !== undefined);
    throw new StackOutputsError(
      `stack ${stackName} has no ${STACK_OUTPUTS.tableName} output: it is not a Riposte stack, or one ` +
        `deployed before the CLI read stacks (its outputs: ${keys.length === 0 ? 'none' : keys.join(', ')}). ` +
        'Name the Riposte stack (not RiposteMember), redeploy it, or give the table with --table NAME',
    );
  }
  const playbooksJson = outputs.get(STACK_OUTPUTS.playbooks);
  return {
    stackName,
    status,
    tableName,
    playbooks: playbooksJson === undefined ? undefined : parsePlaybooks(stackName, playbooksJson),
  };
}

function parsePlaybooks(stackName: string, json: string): Record<string, DeployedPlaybook> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new StackOutputsError(`stack ${stackName}: the ${STACK_OUTPUTS.playbooks} output is not JSON`, {
      cause: error,
    });
  }
  const parsed = DeployedPlaybooksSchema.safeParse(value);
  if (!parsed.success) {
    throw new StackOutputsError(
      `stack ${stackName}: the ${STACK_OUTPUTS.playbooks} output is not {"<id>":{"version","aliasArn"}}: ` +
        parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

function notFound(stackName: string): string {
  return (
    `there is no stack ${stackName} in this account and region: check the stack name, ` +
    '--region (or AWS_REGION) and the credentials (AWS_PROFILE)'
  );
}

/**
 * The deployed playbook `id` of `deployment`. Throws {@link StackOutputsError} when the stack
 * publishes no `DeployedPlaybooks` output or does not deploy that playbook.
 *
 * @example
 * const { aliasArn, version } = deployedPlaybook(deployment, 'ec2-instance-release');
 */
export function deployedPlaybook(deployment: Deployment, id: string): DeployedPlaybook {
  const { playbooks, stackName } = deployment;
  if (playbooks === undefined) {
    throw new StackOutputsError(
      `stack ${stackName} has no ${STACK_OUTPUTS.playbooks} output: redeploy it with this version of Riposte`,
    );
  }
  const playbook = playbooks[id];
  if (playbook === undefined) {
    const ids = Object.keys(playbooks);
    throw new StackOutputsError(
      `stack ${stackName} does not deploy the playbook ${id} (it deploys ${ids.length === 0 ? 'none' : ids.join(', ')})`,
    );
  }
  return playbook;
}
