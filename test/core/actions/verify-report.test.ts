import { describe, expect, it } from 'vitest';
import { buildNotification } from '../../../functions/core/actions/notify/build.ts';
import { renderEmail } from '../../../functions/core/actions/notify/channels/email.ts';
import { renderSlack } from '../../../functions/core/actions/notify/channels/slack.ts';
import { runAction } from '../../../functions/core/actions/runner.ts';
import { blockBucketPublicAccessAction } from '../../../functions/core/actions/s3/block-bucket-public-access.ts';
import { releaseBucketPublicAccessAction } from '../../../functions/core/actions/s3/release-bucket-public-access.ts';
import { MemoryContainmentState, MemoryTimeline } from '../../../functions/core/actions/state.ts';
import { type ActionDefinition, defineAction } from '../../../functions/core/actions/types.ts';
import type { Verification } from '../../../functions/core/actions/verify/check.ts';
import { executionFacts, PermissiveSafetyRails } from '../../support/action-env.ts';
import { DriftingWorld, failed, worldEnv } from '../../support/drifting-world.ts';

const USER = 'payments-deployer';
const ATTACKER_KEY = 'AKIAPAYMENTSATTACK02';
const BUCKET = 'payments-exports';

describe('block-bucket-public-access reads back its effect', () => {
  it('verifies the four settings, and is NOT VERIFIED when one reads back false', async () => {
    // Prepare
    const clean = worldEnv(new DriftingWorld());
    const drifting = worldEnv(
      new DriftingWorld('PutPublicAccessBlock', (state) => {
        const settings = state.s3.buckets[BUCKET]?.publicAccessBlock;
        if (settings !== undefined) settings.restrictPublicBuckets = false;
      }),
    );

    // Act
    const blocked = await blockBucketPublicAccessAction.run({ bucketName: BUCKET }, clean);
    const drifted = await blockBucketPublicAccessAction.run({ bucketName: BUCKET }, drifting);
    const released = await releaseBucketPublicAccessAction.run({ bucketName: BUCKET }, clean);

    // Assess
    expect(blocked.verification).toMatchObject({ verified: true, basis: 'read-back' });
    expect(blocked.verification.evidence).toHaveLength(4);
    expect(drifted.verification.verified).toBe(false);
    expect(failed(drifted.verification)).toEqual([`bucket ${BUCKET} RestrictPublicBuckets`]);
    // The release's read-back has the same shape.
    expect(released.verification).toMatchObject({ verified: true, basis: 'read-back' });
  });
});

describe('the verification reaches the timeline and the notification', () => {
  const notVerified: Verification = {
    verified: false,
    basis: 'read-back',
    evidence: [
      { check: `access key ${ATTACKER_KEY} status`, expected: 'Inactive', actual: 'Active', ok: false },
    ],
  };

  it('keeps the verification on the timeline entry', async () => {
    // Prepare
    const timeline = new MemoryTimeline(executionFacts());

    // Act
    await timeline.append({
      action: 'contain-iam-user',
      target: USER,
      dryRun: false,
      outcome: 'succeeded',
      calls: [],
      verification: notVerified,
    });

    // Assess
    expect(timeline.entries[0]?.verification).toEqual(notVerified);
  });

  it('says NOT VERIFIED in the e-mail subject and body and in Slack, with what differs', () => {
    // Prepare
    const steps = {
      contain: {
        action: 'contain-iam-user',
        target: USER,
        dryRun: false,
        output: { verification: notVerified },
      },
      block: {
        action: 'block-bucket-public-access',
        target: BUCKET,
        dryRun: false,
        output: { verification: { ...notVerified, verified: true, evidence: [] } },
      },
    };

    // Act
    const message = buildNotification(
      { channel: 'all', subject: 'User contained', steps },
      executionFacts(),
      0,
    );
    const email = renderEmail(message);
    const slack = JSON.stringify(renderSlack(message));

    // Assess
    expect(message.actions.map((a) => a.verified)).toEqual([false, true]);
    expect(email.subject).toContain('[NOT VERIFIED]');
    expect(email.body).toContain(
      `contain (contain-iam-user) on ${USER}: succeeded (NOT VERIFIED: access key ${ATTACKER_KEY} status: expected Inactive, read Active)`,
    );
    expect(email.body).toContain(`block (block-bucket-public-access) on ${BUCKET}: succeeded (verified)`);
    expect(slack).toContain('*NOT VERIFIED*');
  });
});

describe('the runner puts an action output verification on its timeline entry', () => {
  it('appends verified and the evidence with the succeeded entry', async () => {
    // Prepare
    const facts = executionFacts();
    const timeline = new MemoryTimeline(facts);
    const world = new DriftingWorld();
    const action = defineAction({
      ...blockBucketPublicAccessAction,
      id: 'block-and-verify',
      family: 'enrich',
    });
    const store = { db: {} as never, tableName: 'riposte', now: () => 0 };

    // Act
    const response = await runAction(
      { action: action.id, input: { bucketName: BUCKET }, execution: facts },
      {
        actions: new Map([[action.id, action as ActionDefinition]]),
        family: 'all',
        store,
        baseMode: { kind: 'world', world },
        killSwitch: async () => false,
        rails: () => new PermissiveSafetyRails(),
        state: () => new MemoryContainmentState(),
        timeline: () => timeline,
        defaultRegion: 'eu-west-1',
      },
    );

    // Assess
    const entry = timeline.entries[0];
    expect(entry?.outcome).toBe('succeeded');
    expect(entry?.verification).toEqual((response.output as { verification: Verification }).verification);
    expect(entry?.verification).toMatchObject({ verified: true, basis: 'read-back' });
  });
});
