import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../alert.ts';
import { keys } from '../store/table.ts';

/**
 * Suppressions at intake: an operator who closed an incident as a false positive may suppress
 * its resource and finding type for a while (functions/core/cases/suppressions.ts). An alert
 * they cover is stored and counted like any other, and opens no incident and starts no playbook.
 *
 * The check is one `GetItem` per finding type of the alert (usually one), made only for an alert
 * that would otherwise open or join an incident. The alert is marked with the suppression once,
 * with a condition, so a storm of duplicates counts it suppressed exactly once.
 *
 * IAM: `dynamodb:GetItem` (the suppression) and `dynamodb:UpdateItem` (the alert's mark) on the
 * alert table, which the ingest role holds already (`AlertStore.grantIngest`).
 */
export const SUPPRESSION_CHECK_PERMISSIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;

/** At most this many finding types of one alert are checked. */
const MAX_TYPES = 5;

/**
 * The deterministic id of the suppression of `findingType` on `resourceKey`: suppressing the same
 * pair again replaces the suppression (a new expiry), never adds a second one.
 *
 * @example
 * suppressionId('111122223333|us-east-1|AWS::EC2::Instance|i-0abc', 'Recon:EC2/PortProbeUnprotectedPort')
 */
export function suppressionId(resourceKey: string, findingType: string): string {
  return createHash('sha256').update(`${resourceKey}\n${findingType}`).digest('hex').slice(0, 32);
}

/**
 * The finding types a suppression can name for an alert: its `finding_info.types`, or its title
 * when the source gives no type.
 *
 * @example
 * findingTypesOf(alert) // ['Backdoor:EC2/C&CActivity.B!DNS']
 */
export function findingTypesOf(alert: Pick<Alert, 'ocsf'>): string[] {
  const info = alert.ocsf.finding_info;
  const types = (info?.types ?? []).filter((t) => t.length > 0);
  if (types.length > 0) return [...new Set(types)].slice(0, MAX_TYPES);
  const title = info?.title ?? alert.ocsf.type_name;
  return title === undefined || title === '' ? [] : [title];
}

/** The active suppression covering an alert, if any. */
export interface ActiveSuppression {
  readonly id: string;
  readonly expiresAtMs: number;
}

/**
 * The suppression, still in force at `now`, that covers the alert on `resourceKey`, or undefined.
 * Expiry is checked here: DynamoDB's TTL deletes expired items only eventually.
 *
 * @example
 * const hit = await activeSuppression(db, tableName, resource.key, alert, Date.now());
 */
export async function activeSuppression(
  db: DynamoDBDocumentClient,
  tableName: string,
  resourceKey: string,
  alert: Pick<Alert, 'ocsf'>,
  now: number,
): Promise<ActiveSuppression | undefined> {
  const found = await Promise.all(
    findingTypesOf(alert).map(async (type) => {
      const out = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.suppression(suppressionId(resourceKey, type)) }),
      );
      const item = out.Item;
      const expiresAtMs = item?.expiresAtMs;
      const id = item?.id;
      return typeof expiresAtMs === 'number' && typeof id === 'string' && expiresAtMs > now
        ? { id, expiresAtMs }
        : undefined;
    }),
  );
  return found.find((hit) => hit !== undefined);
}

/**
 * Marks the alert as suppressed by `suppression`; true the first time only (a condition makes
 * concurrent and repeated deliveries count it once).
 */
export async function markSuppressed(
  db: DynamoDBDocumentClient,
  tableName: string,
  alertId: string,
  suppression: ActiveSuppression,
  now: number,
): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.alert(alertId),
        UpdateExpression: 'SET #by = :id, #at = :now',
        ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#by) OR #by <> :id)',
        ExpressionAttributeNames: { '#by': 'suppressedBy', '#at': 'suppressedAt', '#pk': 'pk' },
        ExpressionAttributeValues: { ':id': suppression.id, ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (
      error instanceof ConditionalCheckFailedException ||
      (error instanceof Error && error.name === 'ConditionalCheckFailedException')
    ) {
      return false;
    }
    throw error;
  }
}

/**
 * The ingest step: when a suppression covers the alert, marks it and returns true (the caller
 * then opens no incident and dispatches nothing); false otherwise.
 *
 * @example
 * if (await suppressedAtIntake(deps, alert, resource.key, now, report)) return;
 */
export async function suppressedAtIntake(
  deps: { readonly db: DynamoDBDocumentClient; readonly tableName: string },
  alert: Alert,
  resourceKey: string,
  now: number,
  report: { suppressed: number; writes: number },
): Promise<boolean> {
  const hit = await activeSuppression(deps.db, deps.tableName, resourceKey, alert, now);
  if (hit === undefined) return false;
  if (await markSuppressed(deps.db, deps.tableName, alert.id, hit, now)) report.suppressed += 1;
  report.writes += 1;
  return true;
}
