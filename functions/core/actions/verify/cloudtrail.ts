import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { canonical } from '../cloudtrail/shared/coverage.ts';
import { readIsLogging, readSelectors, type Selectors } from '../cloudtrail/shared/trail.ts';
import type { ActionEnv } from '../types.ts';
import { check, readChecks, type Verification, verification } from './check.ts';

/**
 * Read-back of restore-trail-logging: `GetTrailStatus` (`IsLogging` true) and, when selectors
 * were put back, `GetEventSelectors` (the same selectors, compared as canonical JSON).
 *
 * @example
 * const v = await verifyTrailRestored(env.clients.cloudtrail, 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main', null, env);
 * v.evidence; // [{ check: 'trail … IsLogging', expected: 'true', actual: 'true', ok: true }]
 */
export async function verifyTrailRestored(
  cloudtrail: CloudTrailClient,
  arn: string,
  selectors: Selectors | null,
  env: ActionEnv,
): Promise<Verification> {
  const logging = await readChecks(`trail ${arn} GetTrailStatus`, async () => [
    check(`trail ${arn} IsLogging`, 'true', String(await readIsLogging(cloudtrail, arn))),
  ]);
  const restored =
    selectors === null
      ? []
      : await readChecks(`trail ${arn} GetEventSelectors`, async () => [
          check(
            `trail ${arn} event selectors`,
            canonical(selectors),
            canonical(await readSelectors(cloudtrail, arn)),
          ),
        ]);
  return verification([...logging, ...restored], env);
}
