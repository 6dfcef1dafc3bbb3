import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../alert.ts';
import { keys } from '../store/table.ts';

/**
 * Suppressions at intake: an operator who closed an incident as a false positive may suppress
 * its resource and finding type for a while (functions/core/cases/suppressions.ts). An alert
 * they cover is stored and counted like any other, and opens no incident and starts no playbook.
 *
 * The check is one `GetItem` per finding type of the alert (usually one), made only for an alert
 * that would otherwise open or join an incident.
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

/**
 * The ingest step: when a suppression in force at `now` covers the alert, marks the alert with it
 * and returns true (the caller then opens no incident and dispatches nothing); false otherwise.
 * Expiry is checked here: DynamoDB's TTL deletes expired items only eventually. The mark is
 * conditional, so concurrent and repeated deliveries count the alert suppressed once.
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
  for (const type of findingTypesOf(alert)) {
    const id = suppressionId(resourceKey, type);
    const out = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key: keys.suppression(id) }));
    if (!((out.Item?.expiresAtMs ?? 0) > now)) continue;
    try {
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: keys.alert(alert.id),
          UpdateExpression: 'SET #by = :id, #at = :now',
          ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#by) OR #by <> :id)',
          ExpressionAttributeNames: { '#by': 'suppressedBy', '#at': 'suppressedAt', '#pk': 'pk' },
          ExpressionAttributeValues: { ':id': id, ':now': now },
        }),
      );
      report.suppressed += 1;
    } catch (error) {
      if ((error as Error | undefined)?.name !== 'ConditionalCheckFailedException') throw error;
    }
    report.writes += 1;
    return true;
  }
  return false;
}
