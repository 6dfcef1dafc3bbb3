import { describe, expect, it } from 'vitest';
import { ResourceNotFoundError } from '../../../../functions/core/actions/errors.ts';
import { enrichKmsKeyAction } from '../../../../functions/core/actions/kms/enrich-kms-key.ts';
import { LocalWorld } from '../../../../functions/core/actions/world/index.ts';
import { actionEnv } from '../../../support/action-env.ts';

const env = () => actionEnv({ mode: { kind: 'world', world: LocalWorld.fromFile('examples/world.json') } });

describe('enrich-kms-key', () => {
  it('reads the state, manager, deletion date and tags of a key named by its ARN, and changes nothing', async () => {
    // Prepare
    const e = env();

    // Act
    const output = await enrichKmsKeyAction.run(
      { keyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      e,
    );

    // Assess
    expect(output).toMatchObject({
      keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      keyState: 'PendingDeletion',
      keyManager: 'CUSTOMER',
      awsManaged: false,
      deletionDate: '2026-11-19T03:41:19.000Z',
      tags: { owner: 'payments-team', environment: 'production' },
      protected: false,
    });
    expect(e.recorder.calls.map((c) => c.api)).toEqual(['DescribeKey', 'ListResourceTags']);
    expect(e.recorder.mutations).toEqual([]);
  });

  it.each([
    ['an AWS managed key', '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d', { awsManaged: true, protected: false }],
    [
      'a key tagged protected in another case, with spaces',
      '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0',
      { protected: true },
    ],
  ])('flags %s', async (_label, keyId, expected) => {
    // Act
    const output = await enrichKmsKeyAction.run({ keyId }, env());

    // Assess
    expect(output).toMatchObject(expected);
  });

  it('reports a key that does not exist, or of another account, as not found', async () => {
    // Act & Assess
    await expect(
      enrichKmsKeyAction.run({ keyId: '99999999-9999-4999-8999-999999999999' }, env()),
    ).rejects.toThrow(ResourceNotFoundError);
    await expect(
      enrichKmsKeyAction.run(
        { keyId: 'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
        env(),
      ),
    ).rejects.toThrow(ResourceNotFoundError);
  });

  it('refuses an alias: it can be pointed at another key', () => {
    expect(enrichKmsKeyAction.input.safeParse({ keyId: 'alias/payments' }).success).toBe(false);
  });
});
