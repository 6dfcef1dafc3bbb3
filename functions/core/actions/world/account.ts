import { z } from 'zod';
import type { IamWorld } from './iam/schema.ts';

/**
 * The account-wide facts of the local world that IAM reports without naming a user or role: the
 * root user's MFA and access keys. It answers `GetAccountSummary` (IAM), counting the world's
 * users and roles as IAM would; the other IAM calls stay with `iam.ts`.
 */
export const AccountWorldSchema = z.strictObject({
  /** `AccountMFAEnabled`: whether the root user has an MFA device. */
  rootMfaEnabled: z.boolean().default(true),
  /** `AccountAccessKeysPresent`: whether the root user has access keys. */
  rootAccessKeysPresent: z.boolean().default(false),
  /** `AccountSigningCertificatesPresent`: whether the root user has signing certificates. */
  rootSigningCertificatesPresent: z.boolean().default(false),
});
export type AccountWorld = z.infer<typeof AccountWorldSchema>;

/**
 * `GetAccountSummary`'s `SummaryMap` for the world (the keys Riposte reads, and the user and
 * role counts).
 *
 * @example
 * accountSummary(AccountWorldSchema.parse({ rootAccessKeysPresent: true }), iam).SummaryMap.AccountAccessKeysPresent; // 1
 */
export function accountSummary(account: AccountWorld, iam: IamWorld): { SummaryMap: Record<string, number> } {
  return {
    SummaryMap: {
      AccountMFAEnabled: account.rootMfaEnabled ? 1 : 0,
      AccountAccessKeysPresent: account.rootAccessKeysPresent ? 1 : 0,
      AccountSigningCertificatesPresent: account.rootSigningCertificatesPresent ? 1 : 0,
      Users: Object.keys(iam.users).length,
      Roles: Object.keys(iam.roles).length,
    },
  };
}
