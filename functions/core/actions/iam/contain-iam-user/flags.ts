import type { ContainUserOutput } from '../contain-iam-user.ts';
import { AWS_QUARANTINE_PREFIX, DENY_ALL_POLICY_NAME } from '../shared/policies.ts';
import { inWindow } from '../shared/user-capture.ts';
import type { UserContainment } from './capture.ts';

type Flags = Pick<
  ContainUserOutput,
  'accessKeys' | 'flaggedAccessKeys' | 'mfaDevices' | 'flaggedMfaDevices' | 'awsQuarantinePolicies' | 'notes'
>;

/**
 * Step "flag" (no call): keys and MFA devices created in the incident window, the
 * `AWSCompromisedKeyQuarantine*` policies AWS attached (left in place), and the notes.
 */
export function flagRecent(ctx: UserContainment): Flags {
  const { current, capture, windowStart } = ctx;
  const statusBefore = new Map(capture.accessKeys.map((k) => [k.accessKeyId, k.status]));
  const accessKeys = current.accessKeys.map((k) => ({
    accessKeyId: k.accessKeyId,
    statusBefore: statusBefore.get(k.accessKeyId) ?? null,
    status: 'Inactive' as const,
    createDate: k.createDate,
    createdDuringWindow: inWindow(k.createDate, windowStart),
  }));
  const flaggedAccessKeys = accessKeys.flatMap((k) =>
    k.createdDuringWindow && k.createDate !== null
      ? [{ accessKeyId: k.accessKeyId, createDate: k.createDate }]
      : [],
  );
  const mfaDevices = current.mfaDevices.map((d) => ({
    ...d,
    createdDuringWindow: inWindow(d.enableDate, windowStart),
  }));
  const flaggedMfaDevices = mfaDevices.flatMap((d) =>
    d.createdDuringWindow && d.enableDate !== null
      ? [{ serialNumber: d.serialNumber, enableDate: d.enableDate }]
      : [],
  );
  const awsQuarantinePolicies = current.attachedPolicies
    .filter((p) => p.name.startsWith(AWS_QUARANTINE_PREFIX))
    .map((p) => p.name);

  const notes = [
    `${DENY_ALL_POLICY_NAME} denies * on * without condition: it blocks the user's keys, console and every temporary credential minted from them (GetSessionToken/GetFederationToken), so no separate aws:TokenIssueTime statement is needed. Policy changes take effect within minutes.`,
    ...flaggedAccessKeys.map(
      (k) =>
        `access key ${k.accessKeyId} was created during the incident window (${k.createDate}): likely the attacker's; it is inactive, delete it once the investigation is over`,
    ),
    ...flaggedMfaDevices.map(
      (d) =>
        `MFA device ${d.serialNumber} was enabled during the incident window (${d.enableDate}): check whether the attacker registered it`,
    ),
    ...awsQuarantinePolicies.map((name) => `${name} was attached by AWS and is left in place`),
    'hunt: search CloudTrail for the key ids; look for new access keys on other users, new roles with external trust, new Lambda functions',
  ];
  return { accessKeys, flaggedAccessKeys, mfaDevices, flaggedMfaDevices, awsQuarantinePolicies, notes };
}
