import { CancelKeyDeletionCommand, EnableKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { z } from 'zod';
import { InvalidInputError } from '../../errors.ts';
import { NotAllowedError } from '../errors.ts';
import { cloudTrailService } from '../services/cloudtrail.ts';
import { kmsService } from '../services/kms.ts';
import { type ActionEnv, defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyKeyRestored } from '../verify/kms.ts';
import { keyStateBeforeChange, type PriorState, PriorStateSchema } from './shared/history.ts';
import {
  assertCustomerManaged,
  KeyIdSchema,
  type KeySnapshot,
  PENDING_DELETION_STATES,
  readKey,
  readKeyTags,
} from './shared/key.ts';

/** The changes this action undoes, as triggers name them (`alert.apiCall`). */
export const KEY_CHANGES = ['kms:ScheduleKeyDeletion', 'kms:DisableKey'] as const;

export const RestoreKmsKeyInputSchema = z.object({
  keyId: KeyIdSchema,
  /** The change reported (`alert.apiCall`): `kms:ScheduleKeyDeletion` or `kms:DisableKey`. */
  change: z.string().pipe(z.enum(KEY_CHANGES)),
  /** When the change happened (the CloudTrail record's `eventTime`). */
  changedAt: z.iso.datetime({ offset: true }),
  /** The change's alert id (`cloudtrail:<eventID>`) or CloudTrail event id, left out of the history. */
  changeEventId: z.string().optional(),
  /** The principal that made the change (user or role ARN); empty when unknown. */
  actorArn: z.string().optional(),
});
export type RestoreKmsKeyInput = z.infer<typeof RestoreKmsKeyInputSchema>;

/** What restore-kms-key saves under `kms-key:<key id>` before any change. */
const CaptureSchema = z.object({
  kind: z.literal('kms-key'),
  keyId: z.string(),
  arn: z.string(),
  change: z.enum(KEY_CHANGES),
  keyStateBefore: z.string(),
  deletionDateBefore: z.string().nullable(),
  prior: PriorStateSchema,
  capturedAt: z.string(),
});
type Capture = z.infer<typeof CaptureSchema>;

export const RestoreKmsKeyOutputSchema = z.object({
  keyId: z.string(),
  arn: z.string(),
  change: z.enum(KEY_CHANGES),
  /** The key state Riposte found (first capture of the incident). */
  keyStateBefore: z.string(),
  /** The deletion date that was scheduled, if any. */
  deletionDateBefore: z.string().nullable(),
  /** Whether the key was enabled before the change, and why Riposte thinks so (null: unknown). */
  enabledBeforeChange: z.boolean().nullable(),
  basis: z.string(),
  deletionCancelled: z.boolean(),
  reEnabled: z.boolean(),
  /** The state the key is left in. */
  expectedState: z.enum(['Enabled', 'Disabled']),
  /** `DescribeKey` read back: the expected state, no deletion date. */
  verification: VerificationSchema,
  notes: z.array(z.string()),
  /** What the notification asks an operator to do by hand (a key left disabled for want of history). */
  operatorActions: z.array(z.string()),
});
export type RestoreKmsKeyOutput = z.infer<typeof RestoreKmsKeyOutputSchema>;

const stateKey = (keyId: string): string => `kms-key:${keyId}`;
const RESTORABLE = new Set(['Enabled', 'Disabled', ...PENDING_DELETION_STATES]);

/** Step 1: the key, refused unless customer managed and in a state Riposte can restore. */
async function readRestorableKey(kms: KMSClient, keyId: string): Promise<KeySnapshot> {
  const key = await readKey(kms, keyId);
  assertCustomerManaged(key);
  if (!RESTORABLE.has(key.keyState)) {
    throw new NotAllowedError(
      `KMS key ${key.arn} is ${key.keyState}: Riposte restores Enabled, Disabled or pending-deletion keys only`,
    );
  }
  return key;
}

/**
 * Step 2: whether the key was enabled before the change. `DisableKey` disabled an enabled key
 * (that is what the call does); after `ScheduleKeyDeletion` the key's history decides.
 */
async function priorStateOf(
  input: RestoreKmsKeyInput,
  key: KeySnapshot,
  env: ActionEnv,
): Promise<PriorState> {
  if (input.change === 'kms:DisableKey') {
    return {
      enabled: true,
      basis: 'DisableKey: the key was enabled when it was disabled',
      from: input.changedAt,
      to: input.changedAt,
      eventsRead: 0,
    };
  }
  try {
    return await keyStateBeforeChange(env.clients.cloudtrail, {
      keyArn: key.arn,
      changedAt: input.changedAt,
      ...(input.changeEventId === undefined
        ? {}
        : { changeEventId: input.changeEventId.replace(/^cloudtrail:/, '') }),
      ...(input.actorArn === undefined ? {} : { actorArn: input.actorArn }),
    });
  } catch (error) {
    // A history that cannot be read (throttled past the SDK's retries, refused) must not stop the
    // deletion from being cancelled: the key is then left Disabled, for a person to decide.
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      enabled: null,
      basis: `history not readable (${reason.split('\n')[0]})`,
      from: input.changedAt,
      to: input.changedAt,
      eventsRead: 0,
    };
  }
}

/** Step 3: the capture, saved before any change; a later run of the incident keeps the first. */
async function capture(input: RestoreKmsKeyInput, key: KeySnapshot, env: ActionEnv): Promise<Capture> {
  const storeKey = stateKey(key.keyId);
  const saved = await env.state.load(storeKey);
  if (saved !== undefined) {
    const parsed = CaptureSchema.safeParse(saved);
    if (!parsed.success) {
      throw new InvalidInputError(
        `the state saved for ${storeKey} is not readable: ${parsed.error.message}`,
        {
          cause: parsed.error,
        },
      );
    }
    return parsed.data;
  }
  const made: Capture = {
    kind: 'kms-key',
    keyId: key.keyId,
    arn: key.arn,
    change: input.change,
    keyStateBefore: key.keyState,
    deletionDateBefore: key.deletionDate,
    prior: await priorStateOf(input, key, env),
    capturedAt: new Date(env.now()).toISOString(),
  };
  await env.state.save(storeKey, made);
  return made;
}

/** Steps 4 and 5: cancel a scheduled deletion, then enable the key if it was enabled before. */
async function restore(kms: KMSClient, key: KeySnapshot, enable: boolean) {
  const deletionCancelled = PENDING_DELETION_STATES.has(key.keyState);
  if (deletionCancelled) await kms.send(new CancelKeyDeletionCommand({ KeyId: key.arn }));
  // CancelKeyDeletion leaves the key Disabled; a key found Enabled needs nothing.
  const reEnabled = enable && key.keyState !== 'Enabled';
  if (reEnabled) await kms.send(new EnableKeyCommand({ KeyId: key.arn }));
  return { deletionCancelled, reEnabled };
}

/**
 * Undoes a KMS key's scheduled deletion or disabling: cancels the deletion, and enables the key
 * again only if it was enabled before the change.
 *
 * Calls, in order: `DescribeKey` (an AWS managed key, or a key in another state than Enabled,
 * Disabled or pending deletion, is refused with `NotAllowedError`); `ListResourceTags`; for a
 * `ScheduleKeyDeletion`, `LookupEvents` on the key's ARN over the 90 days before the change
 * (see `shared/history.ts`: a key already disabled before stays disabled, and so does a key whose
 * history says nothing); `state.save('kms-key:<id>')` unless a capture exists;
 * `safety.assertContainable` (protected tag, accounts, Regions, sample, blast radius); then
 * `CancelKeyDeletion` when a deletion is scheduled
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_CancelKeyDeletion.html: "When this
 * operation succeeds, the key state of the KMS key is Disabled"), `EnableKey`
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKey.html) when the key was
 * enabled before and is not now, and last `DescribeKey` again, recorded as `verification`.
 * A second run finds the work done and changes nothing.
 *
 * KMS authorizes these calls through the key policy too: a key policy that does not let the
 * account's IAM policies apply (no `arn:aws:iam::<account>:root` statement) answers
 * `AccessDeniedException`, which is not retried.
 *
 * @example
 * const { output } = await runAction(restoreKmsKeyAction, { keyId: keyArn, change: 'kms:ScheduleKeyDeletion', changedAt: '2026-11-12T03:41:19Z' }, env);
 * output.deletionCancelled; // true
 * output.expectedState; // 'Enabled' when the history shows the key was enabled
 */
export const restoreKmsKeyAction = defineAction({
  id: 'restore-kms-key',
  family: 'contain',
  services: { ...kmsService, ...cloudTrailService },
  description:
    'Cancels a KMS key’s scheduled deletion and enables it again if it was enabled before the change; AWS managed keys are refused.',
  input: RestoreKmsKeyInputSchema,
  output: RestoreKmsKeyOutputSchema,
  iamActions: [
    'kms:DescribeKey',
    'kms:ListResourceTags',
    'cloudtrail:LookupEvents',
    'kms:CancelKeyDeletion',
    'kms:EnableKey',
  ],
  target: (input) => input.keyId,
  async run(input, env): Promise<RestoreKmsKeyOutput> {
    const { kms } = env.clients;
    const key = await readRestorableKey(kms, input.keyId);
    const tags = await readKeyTags(kms, key.arn);
    const saved = await capture(input, key, env);
    await env.safety.assertContainable({ resource: key.arn, tags });

    const enable = saved.prior.enabled === true;
    const { deletionCancelled, reEnabled } = await restore(kms, key, enable);
    const expectedState = enable || key.keyState === 'Enabled' ? 'Enabled' : 'Disabled';
    const notes = [
      'the key material is kept: data encrypted under the key can be decrypted again once the key is enabled',
    ];
    if (!enable && key.keyState !== 'Enabled') {
      notes.push(
        saved.prior.enabled === false
          ? `the key stays Disabled: it was disabled before the change (${saved.prior.basis})`
          : `the key stays Disabled: whether it was enabled before could not be established (${saved.prior.basis}); enable it by hand if workloads need it`,
      );
    }
    return {
      keyId: key.keyId,
      arn: key.arn,
      change: saved.change,
      keyStateBefore: saved.keyStateBefore,
      deletionDateBefore: saved.deletionDateBefore,
      enabledBeforeChange: saved.prior.enabled,
      basis: saved.prior.basis,
      deletionCancelled,
      reEnabled,
      expectedState,
      verification: await verifyKeyRestored(kms, key.arn, expectedState, env),
      notes,
      operatorActions:
        expectedState === 'Disabled' && saved.prior.enabled === null
          ? [`decide whether KMS key ${key.arn} must be enabled again (EnableKey): Riposte left it Disabled`]
          : [],
    };
  },
});
