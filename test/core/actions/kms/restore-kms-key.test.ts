import { describe, expect, it } from 'vitest';
import {
  NotAllowedError,
  ProtectedResourceError,
  SampleAlertError,
} from '../../../../functions/core/actions/errors.ts';
import {
  type RestoreKmsKeyInput,
  restoreKmsKeyAction,
} from '../../../../functions/core/actions/kms/restore-kms-key.ts';
import { LocalWorld, type WorldData } from '../../../../functions/core/actions/world/index.ts';
import { actionEnv, executionFacts, StaticSafetyRails } from '../../../support/action-env.ts';
import { DriftingWorld, failed, worldEnv } from '../../../support/drifting-world.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY}`;
const RETIRED = '5d6e7f80-91a2-4b3c-8d4e-5f6071829304';
const PROTECTED = '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0';
const AWS_MANAGED = '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d';
const CI_ROLE = 'arn:aws:iam::111122223333:role/ci-deployer';

const scheduled = (keyId: string, extra: Partial<RestoreKmsKeyInput> = {}): RestoreKmsKeyInput => ({
  keyId,
  change: 'kms:ScheduleKeyDeletion',
  changedAt: '2026-11-12T03:41:19Z',
  actorArn: CI_ROLE,
  ...extra,
});

/** A world whose CloudTrail answers every LookupEvents with a throttling error. */
class ThrottledHistoryWorld extends LocalWorld {
  public override async handle(
    service: Parameters<LocalWorld['handle']>[0],
    api: string,
    params: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> {
    if (api === 'LookupEvents') {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    return super.handle(service, api, params);
  }
}

function world(edit?: (data: WorldData) => void): LocalWorld {
  const w = LocalWorld.fromFile('examples/world.json');
  edit?.(w.state);
  return w;
}

describe('restore-kms-key', () => {
  it('cancels the deletion, enables a key that was in use, reads it back and saves the capture', async () => {
    // Prepare
    const w = world();
    const env = worldEnv(w);

    // Act
    const output = await restoreKmsKeyAction.run(scheduled(KEY), env);

    // Assess
    expect(env.recorder.mutations.map((c) => [c.api, c.params])).toEqual([
      ['CancelKeyDeletion', { KeyId: KEY_ARN }],
      ['EnableKey', { KeyId: KEY_ARN }],
    ]);
    expect(output).toMatchObject({
      keyStateBefore: 'PendingDeletion',
      deletionDateBefore: '2026-11-19T03:41:19.000Z',
      enabledBeforeChange: true,
      deletionCancelled: true,
      reEnabled: true,
      expectedState: 'Enabled',
      verification: { verified: true, basis: 'read-back' },
    });
    expect(output.basis).toMatch(/^in use: Decrypt at 2026-11-12T02:10:44.000Z/);
    expect(await env.state.load(`kms-key:${KEY}`)).toMatchObject({
      kind: 'kms-key',
      keyStateBefore: 'PendingDeletion',
    });
  });

  it('keeps a key disabled by someone else before the deletion disabled', async () => {
    // Prepare
    const env = worldEnv(world());

    // Act
    const output = await restoreKmsKeyAction.run(scheduled(RETIRED), env);

    // Assess
    expect(env.recorder.mutations.map((c) => c.api)).toEqual(['CancelKeyDeletion']);
    expect(output).toMatchObject({ enabledBeforeChange: false, expectedState: 'Disabled', reEnabled: false });
    expect(output.basis).toMatch(/^already disabled: DisableKey at 2026-10-01T14:20:00.000Z/);
    expect(output.verification.verified).toBe(true);
    expect(output.notes.join(' ')).toMatch(/it was disabled before the change/);
  });

  it('skips failed calls in the history, and keeps the key disabled when nothing decides', async () => {
    // Prepare: only a failed EnableKey and an old CreateKey (outside the 90 days).
    const env = worldEnv(
      world((data) => {
        data.cloudtrail.events = data.cloudtrail.events.filter((e) => e.eventName !== 'DisableKey');
      }),
    );

    // Act
    const output = await restoreKmsKeyAction.run(scheduled(RETIRED), env);

    // Assess
    expect(output.enabledBeforeChange).toBeNull();
    expect(output.expectedState).toBe('Disabled');
    expect(output.notes.join(' ')).toMatch(/could not be established/);
    expect(output.operatorActions).toEqual([
      expect.stringMatching(/^decide whether KMS key .* must be enabled again/),
    ]);
  });

  it('still cancels the deletion when the history cannot be read, and leaves the key disabled for a person', async () => {
    // Prepare: CloudTrail refuses every LookupEvents (throttled past the retries)
    const w = new ThrottledHistoryWorld(LocalWorld.fromFile('examples/world.json').state);
    const env = worldEnv(w);

    // Act
    const output = await restoreKmsKeyAction.run(scheduled(KEY), env);

    // Assess
    expect(env.recorder.mutations.map((c) => c.api)).toEqual(['CancelKeyDeletion']);
    expect(output).toMatchObject({ enabledBeforeChange: null, expectedState: 'Disabled', reEnabled: false });
    expect(output.basis).toMatch(/^history not readable \(ThrottlingException: Rate exceeded\)/);
    expect(output.verification.verified).toBe(true);
    expect(output.operatorActions).toEqual([
      expect.stringMatching(/^decide whether KMS key .* must be enabled again/),
    ]);
  });

  it('leaves the change’s own event out of the history', async () => {
    // Prepare: the change itself, at the very second of the end of the window.
    const env = worldEnv(
      world((data) => {
        data.cloudtrail.events = [
          {
            eventId: 'the-change',
            eventName: 'ScheduleKeyDeletion',
            eventSource: 'kms.amazonaws.com',
            eventTime: '2026-11-12T03:41:19Z',
            userIdentity: {},
            readOnly: false,
            resources: [{ type: 'AWS::KMS::Key', name: KEY_ARN }],
          },
          ...data.cloudtrail.events,
        ];
      }),
    );

    // Act
    const output = await restoreKmsKeyAction.run(
      scheduled(KEY, { changeEventId: 'cloudtrail:the-change' }),
      env,
    );

    // Assess
    expect(output.enabledBeforeChange).toBe(true);
  });

  it('enables a key after DisableKey without reading the history', async () => {
    // Prepare
    const env = worldEnv(
      world((data) => {
        const key = data.kms.keys[KEY];
        if (key !== undefined) {
          key.keyState = 'Disabled';
          delete key.deletionDate;
        }
      }),
    );

    // Act
    const output = await restoreKmsKeyAction.run(scheduled(KEY, { change: 'kms:DisableKey' }), env);

    // Assess
    expect(env.recorder.calls.map((c) => c.api)).toEqual([
      'DescribeKey',
      'ListResourceTags',
      'EnableKey',
      'DescribeKey',
    ]);
    expect(output).toMatchObject({ deletionCancelled: false, reEnabled: true, expectedState: 'Enabled' });
  });

  it('changes nothing on a second run', async () => {
    // Prepare
    const w = world();
    const env = worldEnv(w);
    await restoreKmsKeyAction.run(scheduled(KEY), env);
    const again = { ...worldEnv(w), state: env.state };

    // Act
    const output = await restoreKmsKeyAction.run(scheduled(KEY), again);

    // Assess
    expect(again.recorder.mutations).toEqual([]);
    expect(again.recorder.calls.map((c) => c.api)).not.toContain('LookupEvents');
    expect(output).toMatchObject({
      keyStateBefore: 'PendingDeletion',
      expectedState: 'Enabled',
      verification: { verified: true },
    });
  });

  it('is not verified when the key is scheduled for deletion again right after', async () => {
    // Prepare
    const w = new DriftingWorld('EnableKey', (data) => {
      const key = data.kms.keys[KEY];
      if (key !== undefined) {
        key.keyState = 'PendingDeletion';
        key.deletionDate = '2026-11-19T05:00:00Z';
      }
    });
    const env = worldEnv(w);

    // Act
    const output = await restoreKmsKeyAction.run(scheduled(KEY), env);

    // Assess
    expect(output.verification.verified).toBe(false);
    expect(failed(output.verification)).toEqual([`key ${KEY} KeyState`, `key ${KEY} DeletionDate`]);
  });

  it.each([
    ['an AWS managed key', AWS_MANAGED, NotAllowedError, /managed by AWS/],
    [
      'a protected key (tag key and value in another case, with spaces)',
      PROTECTED,
      ProtectedResourceError,
      /protected/,
    ],
  ])('refuses %s and changes nothing', async (_label, keyId, error, message) => {
    // Prepare
    const env = actionEnv({ mode: { kind: 'world', world: world() } });

    // Act
    const run = restoreKmsKeyAction.run(scheduled(keyId), env);

    // Assess
    await expect(run).rejects.toThrow(error);
    await expect(restoreKmsKeyAction.run(scheduled(keyId), env)).rejects.toThrow(message);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('refuses a sample alert', async () => {
    // Prepare
    const facts = executionFacts({ sample: true });
    const env = actionEnv({
      mode: { kind: 'world', world: world() },
      execution: { sample: true },
      safety: new StaticSafetyRails(facts),
    });

    // Act & Assess
    await expect(restoreKmsKeyAction.run(scheduled(KEY), env)).rejects.toThrow(SampleAlertError);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('refuses a key in a state it cannot restore', async () => {
    // Prepare
    const env = worldEnv(
      world((data) => {
        const key = data.kms.keys[KEY];
        if (key !== undefined) key.keyState = 'PendingImport';
      }),
    );

    // Act & Assess
    await expect(restoreKmsKeyAction.run(scheduled(KEY), env)).rejects.toThrow(/is PendingImport/);
  });

  it('rejects another change than the two it undoes', () => {
    // Act
    const parsed = restoreKmsKeyAction.input.safeParse({ ...scheduled(KEY), change: 'kms:PutKeyPolicy' });

    // Assess
    expect(parsed.success).toBe(false);
  });
});
