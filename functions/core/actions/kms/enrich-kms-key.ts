import { z } from 'zod';
import { kmsService } from '../services/kms.ts';
import { defineAction } from '../types.ts';
import { KeyIdSchema, readKey, readKeyTags } from './shared/key.ts';

export const EnrichKmsKeyInputSchema = z.object({ keyId: KeyIdSchema });

export const EnrichKmsKeyOutputSchema = z.object({
  keyId: z.string(),
  arn: z.string(),
  keyState: z.string(),
  keyManager: z.string(),
  /** AWS manages the key (`KeyManager: AWS`): Riposte never changes it. */
  awsManaged: z.boolean(),
  /** When KMS deletes the key (ISO 8601); null unless a deletion is scheduled. */
  deletionDate: z.string().nullable(),
  description: z.string(),
  multiRegion: z.boolean(),
  tags: z.record(z.string(), z.string()),
  /** Carries the configured protected tag (compared trimmed and case-insensitively). */
  protected: z.boolean(),
});
export type EnrichKmsKeyOutput = z.infer<typeof EnrichKmsKeyOutputSchema>;

/**
 * Reads a KMS key for the playbook's decisions: `DescribeKey`
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html: state, manager,
 * deletion date) then `ListResourceTags`
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListResourceTags.html). Read-only.
 * A key that no longer exists is a `ResourceNotFoundError`.
 *
 * @example
 * const { output } = await runAction(enrichKmsKeyAction, { keyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }, env);
 * output.keyState; // 'PendingDeletion'
 * output.awsManaged; // false
 */
export const enrichKmsKeyAction = defineAction({
  id: 'enrich-kms-key',
  family: 'enrich',
  services: kmsService,
  description: "Reads a KMS key's state, manager, deletion date and tags.",
  input: EnrichKmsKeyInputSchema,
  output: EnrichKmsKeyOutputSchema,
  iamActions: ['kms:DescribeKey', 'kms:ListResourceTags'],
  target: (input) => input.keyId,
  async run(input, env): Promise<EnrichKmsKeyOutput> {
    const key = await readKey(env.clients.kms, input.keyId);
    const tags = await readKeyTags(env.clients.kms, key.arn);
    return {
      ...key,
      awsManaged: key.keyManager === 'AWS',
      tags,
      protected: env.safety.standing(tags).protected,
    };
  },
});
