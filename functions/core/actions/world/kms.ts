import { z } from 'zod';
import { UnsupportedWorldCallError, WorldApiError } from './errors.ts';

/**
 * The AWS KMS part of the local world: keys with their state, manager and tags.
 *
 * It answers `DescribeKey`, `ListResourceTags`, `CancelKeyDeletion`, `EnableKey` and
 * `DisableKey`, each naming the key by id or key ARN (`KeyId`), with the error codes
 * KMS uses: `NotFoundException` for an unknown key (or a key ARN of another account),
 * `KMSInvalidStateException` for an operation the key state does not allow (the key-state table,
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html), and
 * `AccessDeniedException` for a change to an AWS managed key (its key policy allows no one to
 * manage it).
 */

const IsoDate = z.iso.datetime({ offset: true });

export const KEY_STATES = [
  'Creating',
  'Enabled',
  'Disabled',
  'PendingDeletion',
  'PendingImport',
  'PendingReplicaDeletion',
  'Unavailable',
  'Updating',
] as const;

const Key = z.strictObject({
  /** The Region of the key (its ARN's). */
  region: z.string().default('eu-west-1'),
  description: z.string().default(''),
  creationDate: IsoDate,
  keyManager: z.enum(['AWS', 'CUSTOMER']).default('CUSTOMER'),
  keyState: z.enum(KEY_STATES).default('Enabled'),
  /** When a key pending deletion is deleted; present only in `PendingDeletion`. */
  deletionDate: IsoDate.optional(),
  origin: z.enum(['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE']).default('AWS_KMS'),
  keySpec: z.string().default('SYMMETRIC_DEFAULT'),
  keyUsage: z.string().default('ENCRYPT_DECRYPT'),
  multiRegion: z.boolean().default(false),
  tags: z.record(z.string(), z.string()).default({}),
});

/**
 * The KMS world section, keys by key id.
 *
 * @example
 * const kms = KmsWorldSchema.parse({
 *   keys: { '1234abcd-12ab-34cd-56ef-1234567890ab': { creationDate: '2025-01-01T00:00:00Z', keyState: 'PendingDeletion', deletionDate: '2025-01-08T00:00:00Z' } },
 * });
 * handleKms(kms, 'CancelKeyDeletion', { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' });
 * kms.keys['1234abcd-12ab-34cd-56ef-1234567890ab']?.keyState; // 'Disabled'
 */
export const KmsWorldSchema = z.strictObject({
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .default('111122223333'),
  partition: z.string().default('aws'),
  keys: z.record(z.string(), Key).default({}),
});
export type KmsWorld = z.infer<typeof KmsWorldSchema>;
type KeyRecord = KmsWorld['keys'][string];
type Params = Readonly<Record<string, unknown>>;

const KEY_ARN = /^arn:[^:]+:kms:([^:]+):(\d{12}):key\/(.+)$/;

/** The key ARN of `keyId` in the world. */
export function keyArnOf(state: KmsWorld, keyId: string, key: KeyRecord): string {
  return `arn:${state.partition}:kms:${key.region}:${state.accountId}:key/${keyId}`;
}

/** The key a call names (id or key ARN); `NotFoundException` otherwise. */
function keyOf(state: KmsWorld, params: Params): { id: string; key: KeyRecord } {
  const raw = params.KeyId;
  if (typeof raw !== 'string' || raw === '')
    throw new WorldApiError('ValidationException', 'KeyId is required');
  const arn = KEY_ARN.exec(raw);
  const id = arn === null ? raw : (arn[3] as string);
  const key = Object.hasOwn(state.keys, id) ? state.keys[id] : undefined;
  if (key === undefined || (arn !== null && (arn[2] !== state.accountId || arn[1] !== key.region))) {
    throw new WorldApiError('NotFoundException', `Key '${raw}' does not exist`);
  }
  return { id, key };
}

function invalidState(id: string, key: KeyRecord): WorldApiError {
  return new WorldApiError('KMSInvalidStateException', `${id} is ${key.keyState}`);
}

function customerManaged(state: KmsWorld, id: string, key: KeyRecord, api: string): void {
  if (key.keyManager === 'AWS') {
    throw new WorldApiError(
      'AccessDeniedException',
      `User is not authorized to perform: kms:${api} on resource: ${keyArnOf(state, id, key)}`,
    );
  }
}

type Handler = (state: KmsWorld, params: Params) => Record<string, unknown>;

const HANDLERS: Readonly<Record<string, Handler>> = {
  DescribeKey(state, params) {
    const { id, key } = keyOf(state, params);
    return {
      KeyMetadata: {
        AWSAccountId: state.accountId,
        KeyId: id,
        Arn: keyArnOf(state, id, key),
        CreationDate: new Date(key.creationDate),
        Enabled: key.keyState === 'Enabled',
        Description: key.description,
        KeyUsage: key.keyUsage,
        KeyState: key.keyState,
        ...(key.deletionDate === undefined ? {} : { DeletionDate: new Date(key.deletionDate) }),
        Origin: key.origin,
        KeyManager: key.keyManager,
        KeySpec: key.keySpec,
        MultiRegion: key.multiRegion,
      },
    };
  },
  ListResourceTags(state, params) {
    const { key } = keyOf(state, params);
    return {
      Tags: Object.entries(key.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
      Truncated: false,
    };
  },
  CancelKeyDeletion(state, params) {
    const { id, key } = keyOf(state, params);
    customerManaged(state, id, key, 'CancelKeyDeletion');
    if (key.keyState !== 'PendingDeletion' && key.keyState !== 'PendingReplicaDeletion') {
      throw invalidState(id, key);
    }
    // "When this operation succeeds, the key state of the KMS key is Disabled."
    key.keyState = 'Disabled';
    delete key.deletionDate;
    return { KeyId: keyArnOf(state, id, key) };
  },
  EnableKey(state, params) {
    const { id, key } = keyOf(state, params);
    customerManaged(state, id, key, 'EnableKey');
    if (key.keyState !== 'Enabled' && key.keyState !== 'Disabled') throw invalidState(id, key);
    key.keyState = 'Enabled';
    return {};
  },
  DisableKey(state, params) {
    const { id, key } = keyOf(state, params);
    customerManaged(state, id, key, 'DisableKey');
    if (key.keyState !== 'Enabled' && key.keyState !== 'Disabled') throw invalidState(id, key);
    key.keyState = 'Disabled';
    return {};
  },
};

/**
 * Answers one call of the KMS client from the world, applying changes to `state` in place.
 * Anything not modelled throws {@link UnsupportedWorldCallError}.
 *
 * @example
 * handleKms(kms, 'EnableKey', { KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
 */
export function handleKms(state: KmsWorld, api: string, params: Params): Record<string, unknown> {
  const handler = Object.hasOwn(HANDLERS, api) ? HANDLERS[api] : undefined;
  if (handler === undefined) throw new UnsupportedWorldCallError('kms', api);
  return handler(state, params);
}
