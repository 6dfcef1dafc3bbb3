import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  ListTagsForResourceCommand,
  type PublicAccessBlockConfiguration,
  PutPublicAccessBlockCommand,
  type S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import { NothingToReleaseError, ResourceNotFoundError } from './errors.ts';
import { type ActionEnv, defineAction } from './types.ts';

/**
 * S3 Block Public Access actions.
 *
 * Scope: **account level.** Bucket-level Block Public Access is the S3 API
 * (`PutPublicAccessBlock` with `Bucket`, `@aws-sdk/client-s3`), which Riposte does not have; the
 * S3 Control API it has sets the four settings for the whole account (`AccountId`). Blocking
 * therefore protects the named bucket and every other bucket of the account, and releasing
 * restores the account's previous settings for all of them. The output says so (`scope`).
 */

const BLOCK_ALL = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
} as const;

const SettingsSchema = z.object({
  BlockPublicAcls: z.boolean(),
  IgnorePublicAcls: z.boolean(),
  BlockPublicPolicy: z.boolean(),
  RestrictPublicBuckets: z.boolean(),
});
type Settings = z.infer<typeof SettingsSchema>;

/** What block-bucket-public-access saves under `s3-account-public-access-block:<account>`. */
const CaptureSchema = z.object({
  kind: z.literal('s3-account-public-access-block'),
  accountId: z.string(),
  /** The account's settings before containment; null when it had none. */
  previous: SettingsSchema.nullable(),
  capturedAt: z.string(),
  /** The bucket whose alert caused the capture. */
  bucketName: z.string(),
});

const stateKey = (accountId: string): string => `s3-account-public-access-block:${accountId}`;

function hasErrorCode(error: unknown, code: string): boolean {
  if (!(error instanceof Error)) return false;
  const wire = (error as Error & { Code?: unknown }).Code;
  return error.name === code || error.name === `${code}Exception` || wire === code;
}

function settingsOf(config: PublicAccessBlockConfiguration | undefined): Settings {
  return {
    BlockPublicAcls: config?.BlockPublicAcls === true,
    IgnorePublicAcls: config?.IgnorePublicAcls === true,
    BlockPublicPolicy: config?.BlockPublicPolicy === true,
    RestrictPublicBuckets: config?.RestrictPublicBuckets === true,
  };
}

function sameSettings(a: Settings | null, b: Settings | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The account's Block Public Access settings; null when none are configured. */
async function readSettings(s3control: S3ControlClient, accountId: string): Promise<Settings | null> {
  try {
    const out = await s3control.send(new GetPublicAccessBlockCommand({ AccountId: accountId }));
    return settingsOf(out.PublicAccessBlockConfiguration);
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchPublicAccessBlockConfiguration')) return null;
    throw error;
  }
}

function accountOf(input: { readonly accountId?: string | undefined }, env: ActionEnv): string {
  const account = input.accountId ?? env.execution.account;
  if (account === undefined) {
    throw new InvalidInputError('the bucket account is unknown: pass accountId (the alert has none)');
  }
  return account;
}

function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-') === true) return 'aws-cn';
  if (region?.startsWith('us-gov-') === true) return 'aws-us-gov';
  return 'aws';
}

const BucketInputSchema = z.object({
  bucketName: z
    .string()
    .min(3)
    .max(63)
    .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/),
  /** The bucket owner's account; the incident's account when absent. */
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
});

export const BlockBucketPublicAccessInputSchema = BucketInputSchema;

export const BlockBucketPublicAccessOutputSchema = z.object({
  bucketName: z.string(),
  accountId: z.string(),
  /** Where the settings were applied: the whole account (see the module documentation). */
  scope: z.literal('account'),
  /** The account's settings before containment (first capture of the incident); null: none. */
  previous: SettingsSchema.nullable(),
  applied: SettingsSchema,
  changedByThisRun: z.boolean(),
  notes: z.array(z.string()),
});
export type BlockBucketPublicAccessOutput = z.infer<typeof BlockBucketPublicAccessOutputSchema>;

/**
 * Blocks public access for a bucket that an alert found public.
 *
 * Calls, in order: `ListTagsForResource` on `arn:<partition>:s3:::<bucket>` (a missing bucket is
 * a {@link ResourceNotFoundError}), `GetPublicAccessBlock` (account); then
 * `state.save('s3-account-public-access-block:<account>')` with the previous settings (or their
 * absence) unless a capture exists, `safety.assertContainable` with the bucket's tags, and
 * `PutPublicAccessBlock` with the four settings true unless they already are (a second run
 * changes nothing).
 *
 * @example
 * const { output } = await runAction(blockBucketPublicAccessAction, { bucketName: 'payments-exports' }, env);
 * output.previous; // null: the account had no Block Public Access
 */
export const blockBucketPublicAccessAction = defineAction({
  id: 'block-bucket-public-access',
  family: 'contain',
  description:
    'Turns on the four S3 Block Public Access settings (account level: S3 Control), saving the previous ones.',
  input: BlockBucketPublicAccessInputSchema,
  output: BlockBucketPublicAccessOutputSchema,
  iamActions: ['s3:ListTagsForResource', 's3:GetAccountPublicAccessBlock', 's3:PutAccountPublicAccessBlock'],
  target: (input) => input.bucketName,
  async run(input, env): Promise<BlockBucketPublicAccessOutput> {
    const { s3control } = env.clients;
    const accountId = accountOf(input, env);
    const resourceArn = `arn:${partitionOf(env.execution.region)}:s3:::${input.bucketName}`;
    let tags: Record<string, string>;
    try {
      const out = await s3control.send(
        new ListTagsForResourceCommand({ AccountId: accountId, ResourceArn: resourceArn }),
      );
      tags = Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch (error) {
      if (hasErrorCode(error, 'NoSuchBucket')) {
        throw new ResourceNotFoundError(`S3 bucket ${input.bucketName} does not exist`, { cause: error });
      }
      throw error;
    }
    const current = await readSettings(s3control, accountId);

    const key = stateKey(accountId);
    const saved = await env.state.load(key);
    let previous: Settings | null;
    if (saved === undefined) {
      previous = current;
      await env.state.save(key, {
        kind: 's3-account-public-access-block',
        accountId,
        previous,
        capturedAt: new Date(env.now()).toISOString(),
        bucketName: input.bucketName,
      });
    } else {
      previous = parseCapture(key, saved).previous;
    }

    await env.safety.assertContainable({ resource: input.bucketName, tags });

    const change = !sameSettings(current, BLOCK_ALL);
    if (change) {
      await s3control.send(
        new PutPublicAccessBlockCommand({
          AccountId: accountId,
          PublicAccessBlockConfiguration: { ...BLOCK_ALL },
        }),
      );
    }
    return {
      bucketName: input.bucketName,
      accountId,
      scope: 'account',
      previous,
      applied: { ...BLOCK_ALL },
      changedByThisRun: change,
      notes: [
        `Block Public Access is set for the whole account ${accountId} (S3 Control): bucket-level settings need the S3 client, which Riposte does not have; every bucket of the account loses public access, not only ${input.bucketName}`,
        'Block Public Access does not stop access by principals of the account or non-public cross-account grants: review the bucket policy too',
      ],
    };
  },
});

function parseCapture(key: string, saved: Record<string, unknown>): z.infer<typeof CaptureSchema> {
  const parsed = CaptureSchema.safeParse(saved);
  if (!parsed.success) {
    throw new InvalidInputError(`the state saved for ${key} is not readable: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

export const ReleaseBucketPublicAccessInputSchema = BucketInputSchema;

export const ReleaseBucketPublicAccessOutputSchema = z.object({
  bucketName: z.string(),
  accountId: z.string(),
  scope: z.literal('account'),
  /** The settings restored; null: the account had none, the configuration was deleted. */
  restored: SettingsSchema.nullable(),
  changedByThisRun: z.boolean(),
  warnings: z.array(z.string()),
});
export type ReleaseBucketPublicAccessOutput = z.infer<typeof ReleaseBucketPublicAccessOutputSchema>;

/**
 * Undoes {@link blockBucketPublicAccessAction}: `GetPublicAccessBlock`, then
 * `PutPublicAccessBlock` with the captured settings, or `DeletePublicAccessBlock` when the
 * account had none, unless the account is already so. Throws {@link NothingToReleaseError}
 * when nothing was captured in this incident.
 *
 * @example
 * const { output } = await runAction(releaseBucketPublicAccessAction, { bucketName: 'payments-exports' }, env);
 * output.restored; // null: the configuration was deleted, as before containment
 */
export const releaseBucketPublicAccessAction = defineAction({
  id: 'release-bucket-public-access',
  family: 'release',
  description: 'Restores the account Block Public Access settings saved by block-bucket-public-access.',
  input: ReleaseBucketPublicAccessInputSchema,
  output: ReleaseBucketPublicAccessOutputSchema,
  iamActions: ['s3:GetAccountPublicAccessBlock', 's3:PutAccountPublicAccessBlock'],
  target: (input) => input.bucketName,
  async run(input, env): Promise<ReleaseBucketPublicAccessOutput> {
    const { s3control } = env.clients;
    const accountId = accountOf(input, env);
    const key = stateKey(accountId);
    const saved = await env.state.load(key);
    if (saved === undefined) {
      throw new NothingToReleaseError(
        `no Block Public Access change for account ${accountId} was recorded in this incident`,
      );
    }
    const { previous } = parseCapture(key, saved);
    const current = await readSettings(s3control, accountId);
    let change = false;
    if (previous === null) {
      if (current !== null) {
        await s3control.send(new DeletePublicAccessBlockCommand({ AccountId: accountId }));
        change = true;
      }
    } else if (!sameSettings(current, previous)) {
      await s3control.send(
        new PutPublicAccessBlockCommand({
          AccountId: accountId,
          PublicAccessBlockConfiguration: { ...previous },
        }),
      );
      change = true;
    }
    return {
      bucketName: input.bucketName,
      accountId,
      scope: 'account',
      restored: previous,
      changedByThisRun: change,
      warnings: change
        ? [
            `account ${accountId}: every bucket whose policy or ACL is public is public again, not only ${input.bucketName}`,
          ]
        : [],
    };
  },
});
