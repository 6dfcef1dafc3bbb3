import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import type { ActionEnv } from '../types.ts';
import { check, readChecks, type Verification, verification } from './check.ts';

/**
 * Read-back of deactivate-access-key: `ListAccessKeys` for the owner (every page) must list the
 * key as `Inactive`. IAM is eventually consistent: a read right after the write normally sees
 * it, and one that does not is recorded as not verified, never retried here.
 */

export interface AccessKeyDeactivation {
  readonly userName: string;
  readonly accessKeyId: string;
}

/**
 * Reads the key's status back: expected `Inactive` (`absent` when the key is no longer listed).
 *
 * @example
 * const v = await verifyAccessKeyInactive(env, { userName: 'ci-deployer', accessKeyId: 'AKIAEXAMPLEEXPOSED01' });
 * v.evidence; // [{ check: 'access key AKIAEXAMPLEEXPOSED01 status', expected: 'Inactive', actual: 'Inactive', ok: true }]
 */
export async function verifyAccessKeyInactive(
  env: ActionEnv,
  key: AccessKeyDeactivation,
): Promise<Verification> {
  const what = `access key ${key.accessKeyId} status`;
  const checks = await readChecks(what, async () => {
    let marker: string | undefined;
    let status = 'absent';
    do {
      const out = await env.clients.iam.send(
        new ListAccessKeysCommand({
          UserName: key.userName,
          ...(marker === undefined ? {} : { Marker: marker }),
        }),
      );
      const found = out.AccessKeyMetadata?.find((k) => k.AccessKeyId === key.accessKeyId);
      if (found !== undefined) status = found.Status ?? 'unknown';
      marker = out.IsTruncated === true ? out.Marker : undefined;
    } while (marker !== undefined);
    return [check(what, 'Inactive', status)];
  });
  return verification(checks, env);
}
