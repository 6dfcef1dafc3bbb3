import { readPermissions } from '../ec2/shared/sharing.ts';
import type { ActionEnv } from '../types.ts';
import { check, idSet, readChecks, type VerificationCheck } from './check.ts';

/**
 * Read-backs of the public-sharing actions: the permission read again
 * (`DescribeSnapshotAttribute` / `DescribeImageAttribute`, or RDS's `Describe…SnapshotAttributes`
 * through `read`): no longer public, and the accounts it was shared with one by one unchanged.
 */

/**
 * The two checks of one resource: public `no`, accounts as before.
 *
 * @example
 * sharingChecks('snap-0e1f…', { public: false, accounts: ['444455556666'] }, ['444455556666']);
 */
export function sharingChecks(
  resource: string,
  read: { readonly public: boolean; readonly accounts: readonly string[] },
  accountsBefore: readonly string[],
): VerificationCheck[] {
  return [
    check(`${resource} shared with every AWS account`, 'no', read.public ? 'yes' : 'no'),
    check(`${resource} accounts shared with`, idSet(accountsBefore), idSet(read.accounts)),
  ];
}

/**
 * Reads an EBS snapshot's or an AMI's permissions back after the public one was removed.
 *
 * @example
 * const checks = await ec2SharingChecks(env, 'ami-0f1e2d3c4b5a69788', ['444455556666']);
 */
export async function ec2SharingChecks(
  env: ActionEnv,
  resource: string,
  accountsBefore: readonly string[],
): Promise<VerificationCheck[]> {
  return readChecks(`${resource} permissions`, async () =>
    sharingChecks(resource, await readPermissions(env.clients.ec2, resource), accountsBefore),
  );
}
