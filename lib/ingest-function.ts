import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { INGEST_FUNCTION_CALLS } from '../functions/core/intake/calls.ts';
import { DISPATCH_CALLS } from '../functions/core/intake/dispatch.ts';
import { type BundledRoute, LIVE_ALIAS, ROUTES_FILE } from '../functions/ingest/routes.ts';
import type { AlertStore } from './alert-store.ts';
import { declaredStatements, policyStatementOf } from './declared-permissions.ts';
import {
  BUNDLING,
  encryptedLogGroup,
  FUNCTION_DEFAULTS,
  isRetentionDays,
  LOG_RETENTION_DAYS,
} from './function-defaults.ts';
import type { IntakeQueue } from './intake-queue.ts';

/** Log levels Powertools Logger understands. */
export type IngestLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT';

/** Properties of {@link IngestFunction}. */
export interface IngestFunctionProps {
  /** The alert table; the function gets the calls its code declares on it, nothing else. */
  readonly store: AlertStore;

  /** The queue the function consumes (and may only consume). */
  readonly intake: IntakeQueue;

  /** The key the function's log group is encrypted with. */
  readonly encryptionKey: kms.IKey;

  /** How long an incident stays open for new alerts on the same resource (`INCIDENT_WINDOW_HOURS`). */
  readonly incidentWindowHours: number;

  /** Days a rejected event is kept before DynamoDB TTL removes it (`REJECTED_RETENTION_DAYS`). */
  readonly rejectedRetentionDays: number;

  /**
   * CloudWatch Logs retention of the function's log group, in days: one of the values CloudWatch
   * Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
   * 2557, 2922, 3288, 3653).
   */
  readonly logRetentionDays: number;

  /**
   * Accounts allowed to send `riposte.custom` events (`CUSTOM_SOURCE_ACCOUNTS`); ingest refuses
   * custom alerts from any other account.
   *
   * @default [] - every custom alert is refused
   */
  readonly customSourceAccounts?: readonly string[];

  /**
   * The deployed playbooks the function dispatches to: id, version, trigger and state machine
   * name of each. They are written to `playbook-routes.json` in the function's bundle (see
   * `functions/ingest/routes.ts`), not to its environment, whose 4 KB they would outgrow.
   *
   * @default [] - no playbook: alerts are stored and grouped into incidents, nothing is started.
   */
  readonly routes?: readonly BundledRoute[];

  /**
   * What every playbook state machine name starts with: the stack name and a hyphen
   * (`PlaybookStateMachines.namePrefix`); required with {@link routes}. The function starts a
   * playbook on `arn:<partition>:states:<region>:<account>:stateMachine:<name>:live`, and may
   * call `states:StartExecution` on `…:stateMachine:<prefix>*` only, only with
   * `states:StateMachineQualifier` equal to `live`: Step Functions authorizes a start through an
   * alias on the unqualified ARN, so a statement naming the alias ARN would never match, and
   * without the condition the function could also start the unpublished latest revision or any
   * version. One statement whatever the number of playbooks: the role's policy stays far below
   * IAM's 10,240 characters.
   *
   * @default - none; there must be no routes.
   */
  readonly stateMachineNamePrefix?: string;

  /**
   * Function timeout. The intake queue's visibility timeout must be at least six times this plus
   * {@link maxBatchingWindow}.
   *
   * @default IngestFunction.DEFAULT_TIMEOUT (30 seconds)
   */
  readonly timeout?: Duration;

  /**
   * Memory of the function, in MiB (128 to 10240); CPU grows with it.
   *
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * Most messages handed to one invocation (1 to 10000; above 10 needs a batching window).
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * Longest time Lambda gathers messages before invoking with a partial batch.
   *
   * @default IngestFunction.DEFAULT_BATCHING_WINDOW (2 seconds) - an alert waits at most that long.
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Most concurrent invocations the SQS event source runs (2 to 1000); bounds the write rate on
   * the table and the playbook start rate during an alert storm.
   *
   * @default 5
   */
  readonly maxConcurrency?: number;

  /**
   * `POWERTOOLS_LOG_LEVEL`.
   *
   * @default 'INFO'
   */
  readonly logLevel?: IngestLogLevel;
}

const HANDLER_ENTRY = fileURLToPath(new URL('../functions/ingest/handler.ts', import.meta.url));

/**
 * The ingest Lambda function (`functions/ingest/handler.ts`): consumes the intake queue in
 * batches, normalizes each event to OCSF, stores alerts and incidents, and starts playbooks.
 *
 * Node.js 22 on ARM64, bundled locally by esbuild as minified ESM with source maps (the AWS SDK
 * v3 clients bundled and tree-shaken, see `BUNDLING`), with its playbook routes beside the
 * bundle (`playbook-routes.json`), X-Ray active tracing, and its own log group, encrypted and with a
 * set retention. The SQS event source reports partial batch failures, so one bad message is
 * retried (and eventually dead-lettered) alone.
 *
 * Its role is built here with no managed policy: it can write its own log group, X-Ray traces,
 * consume the intake queue (`grantConsumeMessages`), make the table calls its code declares (`INGEST_FUNCTION_CALLS`) and
 * start the listed playbooks through their aliases (and only through them), nothing else.
 *
 * @example
 * new IngestFunction(this, 'Ingest', { store, intake, encryptionKey: key, incidentWindowHours: 24,
 *   rejectedRetentionDays: 90, logRetentionDays: 365 });
 */
export class IngestFunction extends Construct {
  /** Default {@link IngestFunctionProps.timeout}. */
  public static readonly DEFAULT_TIMEOUT = Duration.seconds(30);
  /** Default {@link IngestFunctionProps.maxBatchingWindow}. */
  public static readonly DEFAULT_BATCHING_WINDOW = Duration.seconds(2);

  /** The function. */
  public readonly function: nodejs.NodejsFunction;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: IngestFunctionProps) {
    super(scope, id);
    const timeout = props.timeout ?? IngestFunction.DEFAULT_TIMEOUT;
    const maxBatchingWindow = props.maxBatchingWindow ?? IngestFunction.DEFAULT_BATCHING_WINDOW;
    const batchSize = props.batchSize ?? 10;
    const maxConcurrency = props.maxConcurrency ?? 5;
    const memorySize = props.memorySize ?? 512;
    const routes = props.routes ?? [];
    validate(props, { timeout, maxBatchingWindow, batchSize, maxConcurrency, memorySize });
    if (!isRetentionDays(props.logRetentionDays)) {
      throw new Error(
        `IngestFunction: logRetentionDays must be one of ${[...LOG_RETENTION_DAYS].join(', ')}, got ${props.logRetentionDays}`,
      );
    }

    this.logGroup = encryptedLogGroup(this, 'LogGroup', {
      retention: props.logRetentionDays,
      encryptionKey: props.encryptionKey,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Riposte ingest function: intake queue, alert table, its log group, X-Ray, playbook aliases',
    });
    this.logGroup.grantWrite(this.role);

    const stack = Stack.of(this);
    const arnPrefix = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: '',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const routesFile = routes.length === 0 ? undefined : writeRoutesFile(routes);
    const namePrefix = props.stateMachineNamePrefix;
    if (routes.length > 0 && namePrefix === undefined) {
      throw new Error('IngestFunction: routes need a stateMachineNamePrefix');
    }
    for (const route of routes) {
      if (namePrefix !== undefined && !route.stateMachineName.startsWith(namePrefix)) {
        throw new Error(
          `IngestFunction: the state machine of playbook ${route.id}, ${route.stateMachineName}, does not start with ${namePrefix}`,
        );
      }
    }
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      ...FUNCTION_DEFAULTS,
      ...(routesFile === undefined ? {} : { bundling: bundlingWithRoutes(routesFile) }),
      description: 'Riposte ingest: intake queue to OCSF alerts and incidents in DynamoDB, then playbooks',
      entry: HANDLER_ENTRY,
      memorySize,
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        TABLE_NAME: props.store.tableName,
        INCIDENT_WINDOW_HOURS: String(props.incidentWindowHours),
        REJECTED_RETENTION_DAYS: String(props.rejectedRetentionDays),
        CUSTOM_SOURCE_ACCOUNTS: (props.customSourceAccounts ?? []).join(','),
        POWERTOOLS_SERVICE_NAME: 'riposte-ingest',
        POWERTOOLS_METRICS_NAMESPACE: 'Riposte',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        ...(routesFile === undefined
          ? {}
          : { PLAYBOOK_ROUTES_FILE: ROUTES_FILE, PLAYBOOK_ARN_PREFIX: arnPrefix }),
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    this.function.addEventSource(
      new SqsEventSource(props.intake.queue, {
        batchSize,
        maxBatchingWindow,
        maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // The table, as the ingest code declares its calls (INGEST_FUNCTION_CALLS); the aliases below.
    const region = Stack.of(this).region;
    const tableCalls = declaredStatements(
      'the ingest function',
      INGEST_FUNCTION_CALLS,
      {
        table: {
          arns: [props.store.table.tableArn],
          key: { keyArn: props.encryptionKey.keyArn, viaService: `dynamodb.${region}.amazonaws.com` },
        },
      },
      ['playbook-aliases', 'lifecycle-bus'],
    );
    for (const statement of tableCalls) this.role.addToPrincipalPolicy(policyStatementOf(statement));
    if (routes.length > 0 && namePrefix !== undefined) {
      // Step Functions authorizes a start through an alias on the state machine's (unqualified)
      // ARN, with the alias name in states:StateMachineQualifier: allow exactly that alias, on
      // the stack's playbook state machines (one statement, whatever the number of playbooks).
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [...DISPATCH_CALLS.actions],
          resources: [`${arnPrefix}${namePrefix}*`],
          conditions: { 'ForAnyValue:StringEquals': { 'states:StateMachineQualifier': [LIVE_ALIAS] } },
        }),
      );
      Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${namePrefix}*]`,
        reason:
          `states:StartExecution on the state machines named ${namePrefix}*, the playbooks of this stack (their ` +
          'names are deterministic: <stack name>-<playbook id>), and only through their live alias ' +
          '(states:StateMachineQualifier): one statement for any number of playbooks, where a list of ARNs ' +
          "would outgrow IAM's 10,240-character limit on a role's inline policies.",
      });
    }

    // The role's policy exists by now: the log group grant above created it.
    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords accept no resource but "*" ' +
        '(the X-Ray service authorization reference lists no resource type for them); every other statement ' +
        'of this policy names its table, index, queue, key, log group or state machine.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is deliberate: it is the runtime Riposte develops, tests and runs its local runtime on; ' +
        'moving to a newer Node.js is a tested upgrade of its own, not a drift.',
    });
  }
}

/**
 * Writes `routes` as JSON to a file named by its content hash (so a changed route set is a new
 * file, and the bundling cache never serves an old one) and returns its path.
 */
function writeRoutesFile(routes: readonly BundledRoute[]): string {
  const text = `${JSON.stringify(routes)}\n`;
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 32);
  const dir = path.join(tmpdir(), 'riposte-playbook-routes');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${digest}.json`);
  writeFileSync(file, text);
  return file;
}

/** {@link BUNDLING}, plus copying the routes file beside the bundle once esbuild is done. */
function bundlingWithRoutes(routesFile: string): nodejs.BundlingOptions {
  const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;
  return {
    ...BUNDLING,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [
        `cp ${quote(routesFile)} ${quote(path.join(outputDir, ROUTES_FILE))}`,
      ],
    },
  };
}

function validate(
  props: IngestFunctionProps,
  resolved: {
    readonly timeout: Duration;
    readonly maxBatchingWindow: Duration;
    readonly batchSize: number;
    readonly maxConcurrency: number;
    readonly memorySize: number;
  },
): void {
  const { timeout, maxBatchingWindow, batchSize, maxConcurrency, memorySize } = resolved;
  if (!(props.incidentWindowHours > 0)) {
    throw new Error(`IngestFunction: incidentWindowHours must be positive, got ${props.incidentWindowHours}`);
  }
  if (!Number.isInteger(props.rejectedRetentionDays) || props.rejectedRetentionDays < 1) {
    throw new Error(
      `IngestFunction: rejectedRetentionDays must be a positive integer, got ${props.rejectedRetentionDays}`,
    );
  }
  const timeoutSeconds = timeout.toSeconds();
  if (timeoutSeconds < 1 || timeoutSeconds > 900) {
    throw new Error(`IngestFunction: timeout must be from 1 to 900 seconds, got ${timeoutSeconds}`);
  }
  const windowSeconds = maxBatchingWindow.toSeconds();
  if (windowSeconds > 300) {
    throw new Error(`IngestFunction: maxBatchingWindow must be at most 300 seconds, got ${windowSeconds}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new Error(`IngestFunction: batchSize must be an integer from 1 to 10000, got ${batchSize}`);
  }
  if (batchSize > 10 && windowSeconds === 0) {
    throw new Error('IngestFunction: batchSize above 10 needs a maxBatchingWindow');
  }
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
    throw new Error(
      `IngestFunction: maxConcurrency must be an integer from 2 to 1000, got ${maxConcurrency}`,
    );
  }
  if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240) {
    throw new Error(`IngestFunction: memorySize must be an integer from 128 to 10240 MiB, got ${memorySize}`);
  }
  const needed = 6 * timeoutSeconds + windowSeconds;
  const visibility = props.intake.visibilityTimeout.toSeconds();
  if (visibility < needed) {
    throw new Error(
      `IngestFunction: the intake queue's visibility timeout (${visibility}s) must be at least 6 × timeout + ` +
        `maxBatchingWindow (${needed}s); give IntakeQueue the same consumerTimeout and consumerBatchingWindow`,
    );
  }
}
