import type { KMSClient } from '@aws-sdk/client-kms';
import { readKey } from '../kms/shared/key.ts';
import type { ActionEnv } from '../types.ts';
import { check, readChecks, type Verification, verification } from './check.ts';

/**
 * Read-back of restore-kms-key: `DescribeKey` after the change, the same call the action reads
 * with. Verified when the key is in the expected state (`Enabled`, or `Disabled` for a key that
 * was disabled before) and no deletion is scheduled (no `DeletionDate`).
 *
 * @example
 * const v = await verifyKeyRestored(env.clients.kms, 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-…', 'Enabled', env);
 * v.evidence; // [{ check: 'key … KeyState', expected: 'Enabled', actual: 'Enabled', ok: true }, { check: 'key … DeletionDate', … }]
 */
export async function verifyKeyRestored(
  kms: KMSClient,
  keyArn: string,
  expectedState: 'Enabled' | 'Disabled',
  env: ActionEnv,
): Promise<Verification> {
  const checks = await readChecks(`key ${keyArn} DescribeKey`, async () => {
    const key = await readKey(kms, keyArn);
    return [
      check(`key ${key.keyId} KeyState`, expectedState, key.keyState),
      check(`key ${key.keyId} DeletionDate`, 'none', key.deletionDate ?? 'none'),
    ];
  });
  return verification(checks, env);
}
