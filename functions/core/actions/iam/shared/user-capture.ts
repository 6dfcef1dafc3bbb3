import { z } from 'zod';
import {
  AccessKeyStateSchema,
  AttachedPolicySchema,
  LoginProfileStateSchema,
  MfaDeviceSchema,
} from './users.ts';

/** What contain-iam-user saves before its first change, and release-iam-user restores from. */

/** What contain-iam-user saves under `iam-user:<name>` before its first change. */
export const UserCaptureSchema = z.object({
  kind: z.literal('iam-user'),
  userName: z.string(),
  arn: z.string(),
  tags: z.record(z.string(), z.string()),
  capturedAt: z.string(),
  windowStart: z.string(),
  accessKeys: z.array(AccessKeyStateSchema),
  inlinePolicies: z.array(z.string()),
  attachedPolicies: z.array(AttachedPolicySchema),
  /** The `riposte-deny-all` document in place before containment (a previous incident), if any. */
  previousDenyPolicy: z.unknown().optional(),
  loginProfile: LoginProfileStateSchema.nullable(),
  mfaDevices: z.array(MfaDeviceSchema),
});
export type UserCapture = z.infer<typeof UserCaptureSchema>;

export const userStateKey = (userName: string): string => `iam-user:${userName}`;

export function inWindow(date: string | null, windowStart: string): boolean {
  return date !== null && Date.parse(date) >= Date.parse(windowStart);
}
