import { describe, expect, it } from 'vitest';
import { handleKms, KmsWorldSchema } from '../../../../functions/core/actions/world/kms.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const world = (keyState: string, keyManager = 'CUSTOMER') =>
  KmsWorldSchema.parse({
    keys: {
      [KEY]: {
        creationDate: '2025-01-01T00:00:00Z',
        keyState,
        keyManager,
        deletionDate: keyState === 'PendingDeletion' ? '2026-01-08T00:00:00Z' : undefined,
      },
    },
  });

describe('world: KMS', () => {
  it('leaves a key Disabled after CancelKeyDeletion, as KMS does, and answers its key ARN', () => {
    // Prepare
    const kms = world('PendingDeletion');

    // Act
    const out = handleKms(kms, 'CancelKeyDeletion', { KeyId: KEY });

    // Assess
    expect(out).toEqual({ KeyId: `arn:aws:kms:eu-west-1:111122223333:key/${KEY}` });
    expect(kms.keys[KEY]).toMatchObject({ keyState: 'Disabled' });
    expect(kms.keys[KEY]?.deletionDate).toBeUndefined();
    expect(handleKms(kms, 'DescribeKey', { KeyId: KEY })).toMatchObject({
      KeyMetadata: { Enabled: false, KeyState: 'Disabled' },
    });
  });

  it('refuses what the key-state table refuses', () => {
    expect(() => handleKms(world('Enabled'), 'CancelKeyDeletion', { KeyId: KEY })).toThrow(
      expect.objectContaining({ name: 'KMSInvalidStateException' }),
    );
    expect(() => handleKms(world('PendingDeletion'), 'EnableKey', { KeyId: KEY })).toThrow(
      expect.objectContaining({ name: 'KMSInvalidStateException' }),
    );
  });

  it('denies changes to an AWS managed key and finds no unknown key', () => {
    expect(() => handleKms(world('Enabled', 'AWS'), 'DisableKey', { KeyId: KEY })).toThrow(
      expect.objectContaining({ name: 'AccessDeniedException' }),
    );
    expect(() => handleKms(world('Enabled'), 'DescribeKey', { KeyId: 'nope' })).toThrow(
      expect.objectContaining({ name: 'NotFoundException' }),
    );
  });
});
