import { ArnFormat, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { OPERATOR_CALLS, OPERATOR_STARTABLE_PLAYBOOKS } from '../cli/aws/operator.ts';
import { LIVE_ALIAS } from '../functions/ingest/routes.ts';
import type { AlertStore } from './alert-store.ts';
import { declaredStatements, policyStatementOf } from './declared-permissions.ts';
import type { PlaybookStateMachines } from './playbook-state-machines.ts';

/** Properties of {@link OperatorPolicy}. */
export interface OperatorPolicyProps {
  /** The alert table the operator reads and works incidents in. */
  readonly store: AlertStore;
  /** The key the table is encrypted with (used through DynamoDB only). */
  readonly encryptionKey: kms.IKey;
  /** The playbooks: approvals are answered on them, release playbooks are started. */
  readonly playbooks: PlaybookStateMachines;
}

/**
 * The customer managed policy an analyst's role or permission set needs to work a deployment
 * with `riposte --stack` and `riposte console --stack`: read the stack's outputs and the table,
 * manage cases, decide approvals, start release playbooks. It is built from the calls the CLI
 * declares (`cli/aws/operator.ts`), and allows no containment: the only playbooks it may start
 * are the release playbooks, through their `live` alias.
 *
 * Named `<stack name>-operator-<Region>`, since managed policy names are unique in an account.
 *
 * @example
 * const operator = new OperatorPolicy(this, 'Operator', { store, encryptionKey: key, playbooks });
 * new CfnOutput(this, 'OperatorPolicyArn', { value: operator.policy.managedPolicyArn });
 */
export class OperatorPolicy extends Construct {
  /** The managed policy. */
  public readonly policy: iam.ManagedPolicy;

  public constructor(scope: Construct, id: string, props: OperatorPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { playbooks } = props;
    const prefix = playbooks.namePrefix;
    const executions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${prefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const releases = OPERATOR_STARTABLE_PLAYBOOKS.filter((playbook) => playbooks.machines.has(playbook));
    const statements = declaredStatements(
      'the operator policy',
      OPERATOR_CALLS,
      {
        stack: { arns: [stack.stackId] },
        table: {
          arns: [props.store.table.tableArn],
          key: {
            keyArn: props.encryptionKey.keyArn,
            viaService: `dynamodb.${stack.region}.${stack.urlSuffix}`,
          },
        },
        'table-index': { arns: [`${props.store.table.tableArn}/index/*`] },
        'playbook-machines': { arns: [playbooks.stateMachineArnPattern] },
        'playbook-executions': { arns: [executions] },
        // Step Functions authorizes a start through an alias on the machine's ARN, with the alias
        // name in states:StateMachineQualifier.
        'playbook-aliases': {
          arns: releases.map((release) => playbooks.stateMachineArnOf(release)),
          conditions: { 'ForAnyValue:StringEquals': { 'states:StateMachineQualifier': [LIVE_ALIAS] } },
        },
      },
      releases.length === 0 ? ['playbook-aliases'] : [],
    );
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: `${stack.stackName}-operator-${stack.region}`,
      description:
        'Riposte operator: riposte --stack and riposte console --stack (read, case management, approvals, release)',
      statements: statements.map(policyStatementOf),
    });
    const wildcards: Record<string, string> = {
      [`Resource::<${stack.getLogicalId(props.store.table.node.defaultChild as CfnElement)}.Arn>/index/*`]:
        "the table's indexes, read by time to list incidents, alerts and rejections",
      [`Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${prefix}*`]:
        `the playbooks' state machines, named ${prefix}<playbook id>: an approval is answered on the machine ` +
        'of the waiting execution, whichever playbook it is',
      [`Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${prefix}*`]:
        `the executions of the playbooks named ${prefix}*: approve and deny read the waiting task token ` +
        'from the history of the execution the approval item names',
    };
    for (const [appliesTo, reason] of Object.entries(wildcards)) {
      Validations.of(this.policy).acknowledge({
        id: `AwsSolutions-IAM5[${appliesTo}]`,
        reason: `${reason}. No action of this policy changes a resource outside Riposte.`,
      });
    }
  }
}
