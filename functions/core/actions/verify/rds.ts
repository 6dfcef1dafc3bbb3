import { readInstance } from '../rds/shared/instance.ts';
import type { ActionEnv } from '../types.ts';
import { check, readChecks, type Verification, verification } from './check.ts';

/**
 * Read-backs of the RDS actions: `DescribeDBInstances`, the call the actions read with.
 *
 * What counts as verified: `PubliclyAccessible` reads as expected. RDS applies a change of
 * `PubliclyAccessible` "immediately regardless of the value of the ApplyImmediately parameter"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html), and
 * `DescribeDBInstances` reports the new value while the instance is `modifying`.
 * `PendingModifiedValues` is no evidence here: it has no `PubliclyAccessible` member
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PendingModifiedValues.html),
 * so a change waiting for a maintenance window cannot be what we read. The endpoint's public DNS
 * record is then withdrawn by RDS; resolvers may keep the old answer for its TTL.
 */

/**
 * Reads the instance's `PubliclyAccessible` back: verified when it is `expected`.
 *
 * @example
 * const v = await verifyPubliclyAccessible(env, 'orders-db', false);
 * v.verified; // true: DescribeDBInstances answers PubliclyAccessible false
 */
export async function verifyPubliclyAccessible(
  env: ActionEnv,
  identifier: string,
  expected: boolean,
): Promise<Verification> {
  const checks = await readChecks(`DB instance ${identifier} DescribeDBInstances`, async () => [
    check(
      `DB instance ${identifier} PubliclyAccessible`,
      String(expected),
      String((await readInstance(env, identifier)).publiclyAccessible),
    ),
  ]);
  return verification(checks, env);
}
