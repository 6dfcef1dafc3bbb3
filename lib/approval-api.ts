import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EXECUTION_STATE_CALLS } from '../functions/core/actions/approval/approval-settlement.ts';
import { APPROVAL_ENDPOINT_CALLS, TASK_RESPONSE_CALLS } from '../functions/core/actions/approval/calls.ts';
import type { AlertStore } from './alert-store.ts';
import { declaredStatements, policyStatementOf } from './declared-permissions.ts';
import { encryptedLogGroup, FUNCTION_DEFAULTS } from './function-defaults.ts';
import type { ResponseSettings } from './response-settings.ts';

/** Properties of {@link ApprovalApi}. */
export interface ApprovalApiProps {
  /** The alert table, holding the approval items. */
  readonly store: AlertStore;

  /** The key the log groups are encrypted with (and the table, used only through DynamoDB). */
  readonly encryptionKey: kms.IKey;

  /** The settings holding the approval key. */
  readonly settings: ResponseSettings;

  /** CloudWatch Logs retention of the function's and the access log's log groups, in days. */
  readonly logRetentionDays: number;

  /**
   * Steady-state requests per second the API accepts (a human clicks a link now and then).
   *
   * @default 5
   */
  readonly rateLimit?: number;

  /**
   * Requests the API accepts in a burst.
   *
   * @default 10
   */
  readonly burstLimit?: number;
}

const HANDLER_ENTRY = fileURLToPath(new URL('../functions/approval/handler.ts', import.meta.url));

/**
 * One access log line per request, as JSON. No query string and no body: the approval token
 * travels in both, and must never reach a log.
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  route: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
});

/**
 * The approval endpoint: an HTTP API (API Gateway v2) with `GET` and `POST` on `/approve` and
 * `/deny`, integrated with the approval Lambda (`functions/approval/handler.ts`). `GET` shows a
 * confirmation page and changes nothing (mail scanners and link previews fetch links); the
 * page's button `POST`s the decision, which the function checks (signed, unexpired, first
 * decision wins) before telling the waiting execution.
 *
 * The function's role can write its log group, X-Ray, and make the calls its code declares
 * (`APPROVAL_ENDPOINT_CALLS`): read the approval key (decrypted through Secrets Manager),
 * `GetItem`/`UpdateItem` on the table (the key only through DynamoDB), and
 * `states:SendTaskSuccess`/`SendTaskFailure` on the playbook state machines and
 * `states:DescribeExecution` on their executions, given to {@link allowTaskResponses}. The `$default` stage is throttled and writes JSON access logs,
 * without query strings, to a log group encrypted with the key.
 *
 * @example
 * const approval = new ApprovalApi(this, 'Approval', { store, encryptionKey: key, settings, logRetentionDays: 365 });
 * approval.baseUrl; // https://<id>.execute-api.<region>.amazonaws.com
 */
export class ApprovalApi extends Construct {
  /** The HTTP API. */
  public readonly api: apigwv2.HttpApi;
  /** Its `$default` stage. */
  public readonly stage: apigwv2.HttpStage;
  /** The approval function. */
  public readonly function: nodejs.NodejsFunction;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The stage's access log group. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The base URL of the links, without a trailing slash: `<baseUrl>/approve?token=…`. */
  public readonly baseUrl: string;

  public constructor(scope: Construct, id: string, props: ApprovalApiProps) {
    super(scope, id);
    const rateLimit = props.rateLimit ?? 5;
    const burstLimit = props.burstLimit ?? 10;
    if (!(rateLimit > 0) || !Number.isInteger(burstLimit) || burstLimit < 1) {
      throw new Error(`ApprovalApi: rateLimit must be positive and burstLimit a positive integer`);
    }
    const retention = props.logRetentionDays as logs.RetentionDays;

    this.logGroup = encryptedLogGroup(this, 'LogGroup', { retention, encryptionKey: props.encryptionKey });
    this.accessLogGroup = encryptedLogGroup(this, 'AccessLogs', {
      retention,
      encryptionKey: props.encryptionKey,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Riposte approval endpoint: approval items, approval key, task responses to playbooks',
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      ...FUNCTION_DEFAULTS,
      description: 'Riposte approval endpoint: approve/deny links to Step Functions task responses',
      entry: HANDLER_ENTRY,
      memorySize: 256,
      timeout: Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        TABLE_NAME: props.store.tableName,
        APPROVAL_KEY_SECRET_ARN: props.settings.approvalKey.secretArn,
        POWERTOOLS_SERVICE_NAME: 'riposte-approval',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    // What the endpoint's code declares; the task responses once the state machines exist.
    const region = Stack.of(this).region;
    const keyArn = props.encryptionKey.keyArn;
    const statements = declaredStatements(
      'the approval endpoint',
      APPROVAL_ENDPOINT_CALLS,
      {
        table: {
          arns: [props.store.table.tableArn],
          key: { keyArn, viaService: `dynamodb.${region}.amazonaws.com` },
        },
        'approval-key': {
          arns: [props.settings.approvalKey.secretArn],
          key: { keyArn, viaService: `secretsmanager.${region}.amazonaws.com` },
        },
      },
      ['playbook-machines', 'playbook-executions'],
    );
    for (const statement of statements) this.role.addToPrincipalPolicy(policyStatementOf(statement));

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Riposte approval links: GET shows the decision, POST records it',
      createDefaultStage: false,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigateway.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
    const integration = new HttpLambdaIntegration('Integration', this.function);
    for (const path of ['/approve', '/deny']) {
      this.api.addRoutes({ path, methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST], integration });
    }
    this.baseUrl = this.api.apiEndpoint;

    // The role's policy exists by now: the log group grant above created it.
    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords accept no resource but "*"; ' +
        'every other statement of this policy names its table, key, secret, log group or state machine.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is deliberate: it is the runtime Riposte develops, tests and runs its local runtime on; ' +
        'moving to a newer Node.js is a tested upgrade of its own, not a drift.',
    });
    for (const route of this.api.node.findAll()) {
      if (route instanceof apigwv2.HttpRoute) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'The approval links are opened from e-mail and Slack by people with no AWS identity: each request ' +
            'carries its own authorization, an HMAC-signed, expiring token bound to one decision, one incident ' +
            'and one task token, which the function verifies before reading or changing anything.',
        });
      }
    }
  }

  /**
   * Allows the function to answer the task tokens of the state machines `playbooks.stateMachineArns`
   * names (`states:SendTaskSuccess` and `states:SendTaskFailure`, which Step Functions
   * authorizes on the state machine's ARN), and to read their executions
   * `playbooks.executionArns` names (`states:DescribeExecution`, to settle a decision whose answer
   * was lost): ARNs or ARN patterns such as `PlaybookStateMachines.stateMachineArnPattern` and
   * `executionArnPattern`, which name every playbook at any count.
   *
   * @example
   * approval.allowTaskResponses({ stateMachineArns: [machines.stateMachineArnPattern],
   *   executionArns: [machines.executionArnPattern] });
   */
  public allowTaskResponses(playbooks: {
    readonly stateMachineArns: readonly string[];
    readonly executionArns: readonly string[];
  }): void {
    if (playbooks.stateMachineArns.length === 0 && playbooks.executionArns.length === 0) return;
    const statements = declaredStatements(
      'the approval endpoint',
      [TASK_RESPONSE_CALLS, EXECUTION_STATE_CALLS],
      {
        'playbook-machines': { arns: [...playbooks.stateMachineArns] },
        'playbook-executions': { arns: [...playbooks.executionArns] },
      },
    );
    for (const statement of statements) this.role.addToPrincipalPolicy(policyStatementOf(statement));
  }
}
