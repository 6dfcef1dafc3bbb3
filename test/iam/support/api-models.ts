import { createRequire } from 'node:module';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { RecordedCall } from './authorize.ts';

/**
 * Checks a recorded call's parameters against the AWS API model of its operation: required
 * members, unknown members, member types. The models are the `aws-sdk` (v2) package's
 * `apis/*.min.json`, checked by its own `ParamValidator`. (Those minified models carry no enum
 * lists and no shape names to find them in SDK v3's: enums are not checked here.)
 */

const require = createRequire(import.meta.url);
const AWS = require('aws-sdk/lib/core') as {
  Model: { Api: new (json: unknown) => { operations: Record<string, { input: unknown }> } };
  ParamValidator: new (validation: unknown) => { validate(shape: unknown, params: unknown): void };
};

const MODEL: Record<string, string> = {
  ec2: 'ec2-2016-11-15',
  iam: 'iam-2010-05-08',
  autoScaling: 'autoscaling-2011-01-01',
  elbv2: 'elasticloadbalancingv2-2015-12-01',
  s3: 's3-2006-03-01',
  dynamodb: 'dynamodb-2012-08-10',
  sfn: 'states-2016-11-23',
  ssm: 'ssm-2014-11-06',
  sts: 'sts-2011-06-15',
  events: 'eventbridge-2015-10-07',
  sns: 'sns-2010-03-31',
  secretsmanager: 'secretsmanager-2017-10-17',
  lambda: 'lambda-2015-03-31',
  rds: 'rds-2014-10-31',
  kms: 'kms-2014-11-01',
  cloudtrail: 'cloudtrail-2013-11-01',
};

/** lib-dynamodb's commands, as the DynamoDB operations they send (values marshalled as it does). */
const DOCUMENT_COMMANDS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  BatchGet: 'BatchGetItem',
};

const apis = new Map<string, { operations: Record<string, { input: unknown }> }>();

function apiOf(service: string) {
  const name = MODEL[service];
  if (name === undefined) throw new Error(`no API model for the ${service} client`);
  let api = apis.get(name);
  if (api === undefined) {
    api = new AWS.Model.Api(require(`aws-sdk/apis/${name}.min.json`));
    apis.set(name, api);
  }
  return api;
}

function marshalled(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  const options = { removeUndefinedValues: true, convertClassInstanceToMap: true };
  for (const field of ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey']) {
    if (out[field] !== undefined) out[field] = marshall(out[field] as Record<string, unknown>, options);
  }
  return out;
}

/** The problem with a call's parameters, or undefined when the model accepts them. */
export function parameterProblem(call: RecordedCall): string | undefined {
  const api = apiOf(call.service);
  const document = call.service === 'dynamodb' ? DOCUMENT_COMMANDS[call.api] : undefined;
  const operation = document ?? call.api;
  const model = api.operations[operation.charAt(0).toLowerCase() + operation.slice(1)];
  if (model === undefined)
    return `${call.service} ${operation} is not an operation of ${MODEL[call.service]}`;
  const params = document === undefined ? call.params : marshalled(call.params);
  // Extra keys the recorder adds for the evaluation only.
  const { stateMachineArnOfToken: _hint, ...sent } = params as Record<string, unknown>;
  try {
    new AWS.ParamValidator({ min: true, max: true }).validate(model.input, sent);
    return undefined;
  } catch (error) {
    return `${call.service} ${operation}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
