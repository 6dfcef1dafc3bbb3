import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import { normalize } from '../../functions/core/normalize/index.ts';
import { matchesTrigger } from '../../functions/core/playbooks/trigger.ts';
import playbook from '../../playbooks/s3-public-bucket.ts';
import {
  accessAnalyzerPublicBucket,
  guardDutyInstanceFinding,
  securityHubControlFinding,
} from '../support/events.ts';

const PUBLIC_BUCKET = 'payments-exports';
const PROTECTED_BUCKET = 'riposte-protected-logs';

const BLOCK_ALL_PARAMS = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const BLOCK_ALL_WORLD = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

/** Whether the playbook's own trigger starts it for `event` (the test kit runs it regardless). */
function triggers(event: unknown): boolean {
  return normalize(event).some((out) => 'alert' in out && matchesTrigger(playbook.trigger, out.alert));
}

describe('s3-public-bucket', () => {
  it.each([
    ['an Access Analyzer public bucket finding', true, accessAnalyzerPublicBucket({ bucket: PUBLIC_BUCKET })],
    ['a failed S3.8 control', true, securityHubControlFinding({ control: 'S3.8', bucket: PUBLIC_BUCKET })],
    [
      'a failed control of another service',
      false,
      securityHubControlFinding({ control: 'EC2.19', bucket: PUBLIC_BUCKET }),
    ],
    ['an EC2 finding', false, guardDutyInstanceFinding()],
  ])('its trigger, given %s, starts it: %s', (_label, expected, event) => {
    // Act
    const started = triggers(event);

    // Assess
    expect(started).toBe(expected);
  });

  it.each([
    ['an Access Analyzer public finding', accessAnalyzerPublicBucket({ bucket: PUBLIC_BUCKET })],
    [
      'a Security Hub S3.8 control finding',
      securityHubControlFinding({ control: 'S3.8', bucket: PUBLIC_BUCKET }),
    ],
  ])('blocks public access on that bucket only, for %s', async (_label, event) => {
    // Prepare
    const before = exampleWorld().s3;

    // Act
    const result = await scenario(playbook).event(event).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Block public access');
    expect(result.path).toContain('Notify: blocked');
    const puts = result.mutations('block-bucket-public-access');
    expect(puts).toEqual([
      {
        api: 'PutPublicAccessBlock',
        params: expect.objectContaining({
          Bucket: PUBLIC_BUCKET,
          PublicAccessBlockConfiguration: BLOCK_ALL_PARAMS,
        }),
      },
    ]);
    // Bucket level (S3 API), not the account (S3 Control, keyed by AccountId).
    expect(puts[0]?.params).not.toHaveProperty('AccountId');
    expect(result.world.s3.buckets[PUBLIC_BUCKET]?.publicAccessBlock).toEqual(BLOCK_ALL_WORLD);
    expect(result.world.s3.buckets[PROTECTED_BUCKET]).toEqual(before.buckets[PROTECTED_BUCKET]);
    expect(result.world.s3.accountPublicAccessBlocks).toEqual(before.accountPublicAccessBlocks);
  });

  it('refuses a protected bucket and changes nothing', async () => {
    // Prepare
    const before = exampleWorld().s3;

    // Act
    const result = await scenario(playbook)
      .event(accessAnalyzerPublicBucket({ bucket: PROTECTED_BUCKET }))
      .run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: refused');
    expect(result.path).not.toContain('Notify: blocked');
    expect(result.actions.find((a) => a.action === 'block-bucket-public-access')?.error).toMatch(
      /^ProtectedResourceError/,
    );
    expect(result.mutations()).toEqual([]);
    expect(result.world.s3).toEqual(before);
  });

  it('only notifies for a sample finding', async () => {
    // Prepare
    const before = exampleWorld().s3;
    const sample = securityHubControlFinding({ control: 'S3.8', bucket: PUBLIC_BUCKET, sample: true });

    // Act
    const result = await scenario(playbook).event(sample).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Notify: sample');
    expect(result.path).not.toContain('Block public access');
    expect(result.actions.map((a) => a.action)).toEqual(['notify']);
    expect(result.mutations()).toEqual([]);
    expect(result.world.s3).toEqual(before);
  });
});
