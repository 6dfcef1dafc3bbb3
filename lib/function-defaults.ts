import { fileURLToPath } from 'node:url';
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * What every Riposte Lambda function shares (the ingest function, the approval endpoint, the
 * action functions): how it is bundled and run, and its own encrypted, retained log group.
 */

/** The repository root, esbuild's project root. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The lock file the bundling resolves dependencies with. */
export const LOCK_FILE = fileURLToPath(new URL('../package-lock.json', import.meta.url));

/**
 * The esbuild bundling of every function, done locally: minified ESM for Node.js 22 with source
 * maps (without the sources), names kept for stack traces, and the AWS SDK v3 clients bundled
 * and tree-shaken (their ESM builds, `mainFields` module first) rather than loaded from the
 * runtime's copy. `npm run bench:cold-start` measures both in the same run: one minified file
 * imports faster than the runtime's SDK, hundreds of CommonJS files resolved and compiled one by
 * one (see the README, Measured), at the price of a larger bundle.
 */
export const BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  // ESM output: give bundled CommonJS dependencies a `require`.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  minify: true,
  keepNames: true,
  sourceMap: true,
  sourcesContent: false,
  logLevel: nodejs.LogLevel.WARNING,
  // Bundle the AWS SDK for JavaScript v3 (the runtime's copy is slower to import).
  bundleAwsSDK: true,
  externalModules: [],
};

/**
 * The `NodejsFunction` properties every function shares: the `handler` export, Node.js 22 on
 * ARM64, X-Ray active tracing and {@link BUNDLING}. Spread first, then add the function's own.
 *
 * @example
 * new nodejs.NodejsFunction(this, 'Function', { ...FUNCTION_DEFAULTS, entry, role, logGroup });
 */
export const FUNCTION_DEFAULTS: nodejs.NodejsFunctionProps = {
  handler: 'handler',
  projectRoot: PROJECT_ROOT,
  depsLockFilePath: LOCK_FILE,
  runtime: lambda.Runtime.NODEJS_22_X,
  architecture: lambda.Architecture.ARM_64,
  tracing: lambda.Tracing.ACTIVE,
  bundling: BUNDLING,
};

/** The retention values CloudWatch Logs accepts, in days (never-expire excluded). */
export const LOG_RETENTION_DAYS: ReadonlySet<number> = new Set(
  Object.values(logs.RetentionDays).filter(
    (days): days is logs.RetentionDays => typeof days === 'number' && days !== logs.RetentionDays.INFINITE,
  ),
);

/** Whether `days` is one of {@link LOG_RETENTION_DAYS}. */
export function isRetentionDays(days: number): days is logs.RetentionDays {
  return LOG_RETENTION_DAYS.has(days);
}

/** Properties of {@link encryptedLogGroup}. */
export interface EncryptedLogGroupProps {
  /** How long CloudWatch Logs keeps the events. */
  readonly retention: logs.RetentionDays;
  /** The key the log group is encrypted with. */
  readonly encryptionKey: kms.IKey;
}

/**
 * A log group encrypted with `encryptionKey` and retained when the stack is deleted (its logs
 * outlive the function). `id` is the construct id, a contract: changing it replaces the group.
 *
 * @example
 * this.logGroup = encryptedLogGroup(this, 'LogGroup', { retention, encryptionKey: props.encryptionKey });
 */
export function encryptedLogGroup(
  scope: Construct,
  id: string,
  props: EncryptedLogGroupProps,
): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    retention: props.retention,
    encryptionKey: props.encryptionKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
