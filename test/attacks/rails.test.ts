import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../cli/local/store.ts';
import { scenario } from '../../cli/local/testkit.ts';
import { isolateInstanceAction } from '../../functions/core/actions/ec2/isolate-instance.ts';
import { BlastRadiusExceededError } from '../../functions/core/actions/errors.ts';
import { DynamoSafetyRails } from '../../functions/core/actions/safety.ts';
import { SafetyPolicySchema } from '../../functions/core/actions/types.ts';
import { LocalWorld } from '../../functions/core/actions/world/index.ts';
import ec2Playbook from '../../playbooks/ec2-instance-compromise.ts';
import iamPlaybook from '../../playbooks/iam-credential-compromise.ts';
import s3Playbook from '../../playbooks/s3-public-bucket.ts';
import { actionEnv } from '../support/action-env.ts';
import {
  accessAnalyzerPublicBucket,
  guardDutyAccessKeyFinding,
  guardDutyInstanceFinding,
} from '../support/events.ts';
import { createTableLike } from '../support/tables.ts';

let store: LocalStore;
beforeAll(async () => {
  store = await openLocalStore();
});
afterAll(async () => {
  await store.close();
});

/**
 * Attacks on the safety rails, replayed through the shipped playbooks on the example world:
 * each must end with no containment call, and its control case (the genuine finding on an
 * ordinary resource) must still be contained.
 */

const INSTANCE = 'i-0a1b2c3d4e5f60718';
const ROLE = 'payments-app-role';
const USER = 'payments-deployer';
const BUCKET = 'payments-exports';

const instanceFinding = () => guardDutyInstanceFinding({ instanceId: INSTANCE });

/** Scenario with the payments instance's tags replaced. */
function withInstanceTags(tags: Record<string, string>) {
  return scenario(ec2Playbook)
    .event(instanceFinding())
    .editWorld((world) => {
      const instance = world.ec2.instances.find((i) => i.instanceId === INSTANCE);
      if (instance === undefined) throw new Error('no payments instance in the example world');
      instance.tags = { Name: 'payments-api-1', ...tags };
    });
}

describe('production approval fails closed', () => {
  it.each([
    ['`Environment: Production ` (odd case and spacing)', { 'Environment ': 'Production ' }],
    ['`ENV: PROD`', { ENV: 'PROD' }],
    ['an environment nobody configured', { environment: 'payments-live' }],
    ['no environment tag at all', {}],
  ])('asks for an approval for %s, and contains nothing when denied', async (_label, tags) => {
    // Act
    const result = await withInstanceTags(tags).deny().run();

    // Assess
    expect(result.path).toContain('Approve isolation');
    expect(result.path).not.toContain('Isolate and snapshot');
    expect(result.mutations()).toEqual([]);
  });

  it('isolates after the approval (control)', async () => {
    // Act
    const result = await withInstanceTags({ 'Environment ': 'Production ' }).approve().run();

    // Assess
    expect(result.path).toContain('Approve isolation');
    expect(result.path).toContain('Notify: isolated');
    expect(result.mutations('isolate-instance').length).toBeGreaterThan(0);
  });

  it('isolates without asking an instance tagged with a configured non-production environment (control)', async () => {
    // Act
    const result = await withInstanceTags({ ' ENV ': ' Staging ' }).deny().run();

    // Assess
    expect(result.path).not.toContain('Approve isolation');
    expect(result.path).toContain('Notify: isolated');
  });

  it('honours the configured non-production names', async () => {
    // Act
    const result = await withInstanceTags({ environment: 'staging' })
      .configure({ safety: { environments: { nonProduction: ['lab'] } } })
      .deny()
      .run();

    // Assess
    expect(result.path).toContain('Approve isolation');
    expect(result.mutations()).toEqual([]);
  });
});

describe('the protected tag, configured, trimmed and in any case', () => {
  it('enrichment and isolation honour the configured protected tag', async () => {
    // Act
    const result = await withInstanceTags({ environment: 'dev', ' Do-Not-Touch': 'YES ' })
      .configure({ safety: { protectedTag: { key: 'do-not-touch', value: 'yes' } } })
      .run();

    // Assess
    expect(result.path).toContain('Notify: not contained');
    expect(result.mutations()).toEqual([]);
  });
});

describe('indirect changes pass the rails', () => {
  it('isolates the instance but leaves a protected instance role alone, and says so', async () => {
    // Prepare
    const s = scenario(ec2Playbook)
      .event(instanceFinding())
      .editWorld((world) => {
        const role = world.iam.roles[ROLE];
        if (role === undefined) throw new Error('no payments role');
        role.tags = { ...role.tags, 'Riposte:Protected': 'True' };
      });

    // Act
    const result = await s.approve().run();

    // Assess
    const apis = result.mutations('isolate-instance').map((c) => c.api);
    expect(apis).toContain('ModifyNetworkInterfaceAttribute');
    expect(apis).not.toContain('PutRolePolicy');
    expect(Object.keys(result.world.iam.roles[ROLE]?.inlinePolicies ?? {})).not.toContain(
      'riposte-revoke-older-sessions',
    );
    expect(result.calls('isolate-instance').map((c) => c.api)).toContain('GetRole');
  });

  it('revokes the sessions of an ordinary instance role (control)', async () => {
    // Act
    const result = await scenario(ec2Playbook).event(instanceFinding()).approve().run();

    // Assess
    expect(result.mutations('isolate-instance').map((c) => c.api)).toContain('PutRolePolicy');
  });

  it('counts the instance role in the blast radius, before changing anything', async () => {
    // Prepare: one containment an hour; the instance takes it, its role would be a second
    const tableName = await createTableLike(store, `rails-blast-radius-${Date.now()}`);
    const world = LocalWorld.fromFile('examples/world.json');
    const instance = world.state.ec2.instances.find((i) => i.instanceId === INSTANCE);
    if (instance !== undefined) instance.tags.environment = 'staging'; // no approval needed
    const env = actionEnv({ mode: { kind: 'world', world } });
    const safety = new DynamoSafetyRails({
      db: store.db,
      tableName,
      policy: SafetyPolicySchema.parse({ blastRadiusPerHour: 1 }),
      execution: env.execution,
      now: env.now,
      dryRun: false,
    });

    // Act
    const run = isolateInstanceAction.run(
      { instanceId: INSTANCE, revokeRoleSessions: true },
      {
        ...env,
        safety: {
          assertContainable: (t) => safety.assertContainable(t),
          standing: (t) => safety.standing(t),
        },
      },
    );

    // Assess
    await expect(run).rejects.toBeInstanceOf(BlastRadiusExceededError);
    expect(env.recorder.mutations).toEqual([]);
    expect((await safety.activeLeases()).map((l) => l.resource)).toEqual([INSTANCE]);
  });
});

describe('account and region lists apply to global resources through the finding', () => {
  it('refuses an IAM user when the finding comes from a denied region', async () => {
    // Prepare
    const finding = guardDutyAccessKeyFinding({ userType: 'IAMUser', userName: USER, region: 'eu-west-1' });

    // Act
    const result = await scenario(iamPlaybook)
      .event(finding)
      .configure({ safety: { regions: { deny: ['eu-west-1'] } } })
      .run();

    // Assess
    expect(result.path).toContain('Notify: user refused');
    expect(result.mutations()).toEqual([]);
  });

  it('refuses an S3 bucket when the finding comes from a region outside the allow list', async () => {
    // Act
    const result = await scenario(s3Playbook)
      .event(accessAnalyzerPublicBucket({ bucket: BUCKET }))
      .configure({ safety: { regions: { allow: ['us-east-1'] } } })
      .run();

    // Assess
    expect(result.mutations()).toEqual([]);
  });

  it('still contains in an allowed region (control)', async () => {
    // Act
    const result = await scenario(s3Playbook)
      .event(accessAnalyzerPublicBucket({ bucket: BUCKET }))
      .configure({ safety: { regions: { allow: ['eu-west-1'] } } })
      .run();

    // Assess
    expect(result.mutations('block-bucket-public-access').length).toBe(1);
  });
});
