import * as iam from 'aws-cdk-lib/aws-iam';
import {
  type CallDeclaration,
  type DeclaredResource,
  mergeDeclarations,
} from '../functions/core/permissions.ts';

/**
 * Turns the calls a function's code declares (`functions/core/permissions.ts`) into the
 * statements of its role: one statement per resource, with exactly the declared actions, and the
 * use of the resource's KMS key through its service only. No role of Riposte lists actions on
 * its own resources by hand.
 */

/** Where one declared resource is, in this deployment. */
export interface ResolvedResource {
  readonly arns: readonly string[];
  /** Conditions every call on it is allowed under (`sts:ExternalId`...). */
  readonly conditions?: Record<string, Record<string, unknown>>;
  /** Why a wildcard ARN, for the cdk-nag acknowledgement (required when an ARN has a `*`). */
  readonly why?: string;
  /**
   * The KMS key the resource is encrypted with, when the caller's identity must be allowed to use
   * it (DynamoDB, SNS and Secrets Manager use the key on the caller's behalf).
   */
  readonly key?: {
    readonly keyArn: string;
    /** The service host in `kms:ViaService`, e.g. `dynamodb.eu-west-1.amazonaws.com`. */
    readonly viaService: string;
  };
}

export type ResolvedResources = Partial<Readonly<Record<DeclaredResource, ResolvedResource>>>;

/** A statement derived from declarations. */
export interface DeclaredStatement {
  readonly actions: string[];
  readonly resources: readonly string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
  readonly why?: string;
}

/**
 * The KMS actions a caller needs for the key of a resource it uses through a service, as each
 * service documents them: DynamoDB (reads and writes of an encrypted table), SNS (a publisher to
 * an encrypted topic needs `GenerateDataKey` and `Decrypt`), Secrets Manager (a reader needs
 * `Decrypt`).
 */
const KEY_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  dynamodb: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
  sns: ['kms:Decrypt', 'kms:GenerateDataKey'],
  secretsmanager: ['kms:Decrypt'],
};

/** Thrown when code declares a call on a resource the stack does not give the function. */
export class UndeclaredResourceError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UndeclaredResourceError';
  }
}

/**
 * The statements for `declarations` (merged per resource), with the resources' ARNs from
 * `resolved`, and one statement per key for the services that use it on the caller's behalf.
 * `skip` leaves resources a later grant adds (the playbooks' state machines, known later).
 *
 * @example
 * for (const s of declaredStatements(runnerCallsOf('contain'), { table: { arns: [tableArn], key } })) role.addToPrincipalPolicy(new iam.PolicyStatement(s));
 */
export function declaredStatements(
  owner: string,
  declarations: readonly CallDeclaration[],
  resolved: ResolvedResources,
  skip: readonly DeclaredResource[] = [],
): DeclaredStatement[] {
  const statements: DeclaredStatement[] = [];
  const keys = new Map<string, { keyArn: string; viaService: string; actions: Set<string> }>();
  const services = new Map(declarations.map((declaration) => [declaration.resource, declaration.service]));
  for (const { resource, actions, why } of mergeDeclarations(declarations)) {
    if (skip.includes(resource)) continue;
    const where = resolved[resource];
    if (where === undefined) {
      throw new UndeclaredResourceError(
        `${owner}: its code calls ${actions.join(', ')} on the ${resource}, which this stack does not give it`,
      );
    }
    statements.push({
      actions: [...actions],
      resources: where.arns,
      ...(where.conditions === undefined ? {} : { conditions: where.conditions }),
      why: where.why ?? why,
    });
    const service = services.get(resource) ?? '';
    const keyActions = KEY_ACTIONS[service];
    if (where.key !== undefined && keyActions !== undefined) {
      const id = `${where.key.viaService}`;
      const entry = keys.get(id) ?? { ...where.key, actions: new Set<string>() };
      for (const action of keyActions) entry.actions.add(action);
      keys.set(id, entry);
    }
  }
  for (const { keyArn, viaService, actions } of keys.values()) {
    statements.push({
      actions: [...actions].sort(),
      resources: [keyArn],
      conditions: { StringEquals: { 'kms:ViaService': viaService } },
    });
  }
  return statements;
}

/** Whether `declarations` include `action`. */
export function declaresAction(declarations: readonly CallDeclaration[], action: string): boolean {
  return declarations.some((declaration) => declaration.actions.includes(action));
}

/**
 * The IAM statement of a derived statement.
 *
 * @example
 * role.addToPrincipalPolicy(policyStatementOf(statement));
 */
export function policyStatementOf(statement: DeclaredStatement): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...statement.actions],
    resources: [...statement.resources],
    ...(statement.conditions === undefined ? {} : { conditions: statement.conditions }),
  });
}
