import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { exampleWorld, type ScenarioResult, scenario, triggersOn } from '../../../cli/local/testkit.ts';
import { isolateInstanceAction } from '../../../functions/core/actions/ec2/isolate-instance.ts';
import { containUserAction } from '../../../functions/core/actions/iam/contain-iam-user.ts';
import { revokeRoleSessionsAction } from '../../../functions/core/actions/iam/revoke-role-sessions.ts';
import { isMutating } from '../../../functions/core/actions/recorder.ts';
import { ACTIONS } from '../../../functions/core/actions/registry.ts';
import { blockBucketPublicAccessAction } from '../../../functions/core/actions/s3/block-bucket-public-access.ts';
import { LocalWorld } from '../../../functions/core/actions/world/index.ts';
import { loadPlaybooks } from '../../../functions/core/playbooks/registry.ts';
import { definePlaybook, type Playbook } from '../../../functions/core/playbooks/sdk.ts';
import {
  accessAnalyzerPublicBucket,
  guardDutyAccessKeyFinding,
  guardDutyInstanceFinding,
  securityHubControlFinding,
} from '../../support/events.ts';

/**
 * Safety properties: protected resources, sample findings and containments past the
 * blast-radius limit (with no approval) are never touched, whatever the playbook. Every shipped
 * playbook, and a "reckless" one that calls every containment action directly with no check of
 * its own, runs on the author kit against the example world: zero state-changing AWS calls, and
 * the world exactly as it was.
 */
export interface SafetyScale {
  /** Random picks (playbook, condition, which resource, tag spelling) on top of the full matrix. */
  readonly randomRuns: number;
  readonly seed?: number;
}

export const CONDITIONS = ['protected', 'sample', 'over-limit'] as const;
export type Condition = (typeof CONDITIONS)[number];

/** The resources each kind of target can be, in the example world. */
const INSTANCES = ['i-0badc0ffee0000001', 'i-0a1b2c3d4e5f60718', 'i-0a1b2c3d4e5f60719'] as const;
const USERS = ['break-glass-admin', 'payments-deployer'] as const;
const ROLES = ['payments-app-role'] as const;
const BUCKETS = ['riposte-protected-logs', 'payments-exports'] as const;

export interface Pick {
  readonly playbook: string;
  readonly condition: Condition;
  /** Which resource of the kind (index, modulo the choices). */
  readonly variant: number;
  /** How the protected tag's value is spelled (the rail compares case-insensitively). */
  readonly tagValue: string;
  /** For IAM: a user's key or an assumed role's. */
  readonly principal: 'user' | 'role';
  /** Outside production, an instance's isolation asks no first approval. */
  readonly staging: boolean;
}

const RECKLESS = 'reckless-containment';

/** GuardDuty EC2 finding types tried, in order, for a playbook the default instance finding does not start. */
const INSTANCE_THREATS = [
  'CryptoCurrency:EC2/BitcoinTool.B!DNS',
  'Trojan:EC2/DNSDataExfiltration',
  'UnauthorizedAccess:EC2/SSHBruteForce',
  'Recon:EC2/PortProbeUnprotectedPort',
];

/** Calls every containment action on fixed targets, each failure ignored: no check of its own. */
function recklessPlaybook(targets: {
  readonly instanceId: string;
  readonly userName: string;
  readonly roleName: string;
  readonly bucketName: string;
}): Playbook {
  return definePlaybook({
    id: RECKLESS,
    version: '1.0.0',
    title: 'Reckless containment',
    description: 'Calls every containment action directly, with no check (safety test).',
    owner: 'test',
    changelog: { '1.0.0': 'Everything, at once.' },
    trigger: { manual: true },
    steps: (flow) =>
      flow
        .run('isolate', isolateInstanceAction, () => ({ instanceId: targets.instanceId }), {
          catch: [{ errors: ['States.ALL'], recover: (f) => f }],
        })
        .run('user', containUserAction, () => ({ userName: targets.userName }), {
          catch: [{ errors: ['States.ALL'], recover: (f) => f }],
        })
        .run('role', revokeRoleSessionsAction, () => ({ roleName: targets.roleName }), {
          catch: [{ errors: ['States.ALL'], recover: (f) => f }],
        })
        .run('bucket', blockBucketPublicAccessAction, () => ({ bucketName: targets.bucketName }), {
          catch: [{ errors: ['States.ALL'], recover: (f) => f }],
        }),
  });
}

const at = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;

/** The world, event and settings of one case. */
/**
 * Playbooks whose targets this suite's world does not model yet (Lambda functions, DB instances,
 * KMS keys, trails, instance metadata options, the root user). Their rails (protected tag in any
 * spelling, sample findings, approval) are tested in their own suites under test/playbooks and
 * in the IAM evaluation; they join this property once the suite builds their targets.
 */
const NOT_MODELLED = new Set([
  'lambda-function-compromise',
  'lambda-function-release',
  'rds-instance-exposure',
  'rds-instance-release',
  'kms-key-deletion-scheduled',
  'kms-key-deletion-release',
  'cloudtrail-logging-disabled',
  'instance-credential-exfiltration',
  'instance-credential-release',
  'root-credential-use',
  's3-malware-object',
  's3-malware-release',
]);

function setUp(pick: Pick, shipped: ReadonlyMap<string, Playbook>) {
  const instanceId = at(INSTANCES, pick.variant);
  const userName = at(USERS, pick.variant);
  const roleName = at(ROLES, pick.variant);
  const bucketName = at(BUCKETS, pick.variant);
  const world = exampleWorld();
  const protect = (tags: Record<string, string> | undefined): void => {
    if (tags !== undefined) tags['riposte:protected'] = pick.tagValue;
  };
  if (pick.staging) {
    const instance = world.ec2.instances.find((i) => i.instanceId === instanceId);
    if (instance !== undefined) instance.tags.environment = 'staging';
  }
  if (pick.condition === 'protected') {
    protect(world.ec2.instances.find((i) => i.instanceId === instanceId)?.tags);
    protect(world.iam.users[userName]?.tags);
    const role = world.iam.roles[roleName];
    if (role !== undefined) role.tags = { ...role.tags, 'riposte:protected': pick.tagValue };
    protect(world.s3.buckets[bucketName]?.tags);
  }
  const sample = pick.condition === 'sample';
  const iam = guardDutyAccessKeyFinding({
    ...(pick.principal === 'role' ? { userType: 'AssumedRole' as const, userName: roleName } : { userName }),
    sample,
  });
  const s3 = sample
    ? securityHubControlFinding({ bucket: bucketName, sample: true })
    : accessAnalyzerPublicBucket({ bucket: bucketName });
  const instance = (type?: string) =>
    guardDutyInstanceFinding({ instanceId, sample, ...(type === undefined ? {} : { type }) });
  const family = pick.playbook.split('-')[0];
  const preferred = family === 'iam' ? iam : family === 's3' ? s3 : instance();
  const playbook =
    pick.playbook === RECKLESS
      ? recklessPlaybook({ instanceId, userName, roleName, bucketName })
      : (shipped.get(pick.playbook) as Playbook);
  // Any playbook in playbooks/ runs here: the event is the first of these its trigger answers.
  const candidates = [preferred, ...INSTANCE_THREATS.map(instance), iam, s3];
  const event =
    'manual' in playbook.trigger
      ? preferred
      : candidates.find((candidate) => triggersOn(playbook, candidate).triggers);
  if (event === undefined) {
    throw new Error(`the safety suite has no event that starts ${playbook.id}: add one to its candidates`);
  }
  return { world, event, playbook };
}

const RESOURCE_FAMILIES = new Set(['enrich', 'contain', 'release']);
const FAMILY = new Map(ACTIONS.map((a) => [a.id, a.family]));

/** State-changing AWS calls of every execution of the scenario. */
export function mutatingCalls(result: ScenarioResult): string[] {
  return result.executions.flatMap((execution) =>
    execution.actions
      .filter((a) => RESOURCE_FAMILIES.has(FAMILY.get(a.action) ?? 'contain'))
      .flatMap((a) => a.calls.filter((c) => isMutating(c.api)).map((c) => `${a.action}: ${c.api}`)),
  );
}

async function runCase(pick: Pick, shipped: ReadonlyMap<string, Playbook>): Promise<void> {
  const { world, event, playbook } = setUp(pick, shipped);
  const before = new LocalWorld(structuredClone(world)).state;
  let s = scenario(playbook).world(world).event(event);
  if (pick.condition === 'over-limit') {
    // The limit is reached before the first containment; every approval is denied (none recorded as given).
    s = s.configure({ safety: { blastRadiusPerHour: 0 } }).deny();
  } else {
    s = s.approve();
  }

  const result = await s.run();

  expect({ pick, calls: mutatingCalls(result) }).toEqual({ pick, calls: [] });
  expect(result.world).toEqual(before);
  expect(result.executions.length).toBeGreaterThan(0);
}

export function safetySuite(scale: SafetyScale): void {
  const seed = scale.seed ?? Date.now() % 2_147_483_647;

  describe(`safety properties (seed ${seed})`, () => {
    let shipped: Map<string, Playbook>;
    let ids: string[];
    beforeAll(async () => {
      shipped = new Map((await loadPlaybooks()).map((p) => [p.id, p]));
      ids = [...shipped.keys()].filter((id) => !NOT_MODELLED.has(id)).concat(RECKLESS);
    });

    it('makes no state-changing call for any shipped playbook or a reckless one, on protected targets, sample findings and past the blast radius', async () => {
      // Prepare: every playbook × every condition, on the default resources
      const matrix = ids.flatMap((playbook) =>
        CONDITIONS.map((condition) => ({
          playbook,
          condition,
          // The payments instance, deployer user, app role and export bucket: not protected
          // unless the condition tags them.
          variant: 1,
          tagValue: 'true',
          principal: 'user' as const,
          staging: false,
        })),
      );

      // Act & Assess
      for (const pick of matrix) await runCase(pick, shipped);
    });

    it('sees the containment calls when no rail applies (the control: the check above is not vacuous)', async () => {
      // Prepare: the same set-up on unprotected resources of real findings, approved, under the limit
      const contained = [
        'ec2-instance-compromise',
        'iam-credential-compromise',
        's3-public-bucket',
        RECKLESS,
      ].map((playbook) => ({
        playbook,
        condition: 'over-limit' as const,
        variant: 1,
        tagValue: 'true',
        principal: 'user' as const,
        staging: false,
      }));

      // Act
      const calls = [];
      for (const pick of contained) {
        const { world, event, playbook } = setUp(pick, shipped);
        calls.push(mutatingCalls(await scenario(playbook).world(world).event(event).approve().run()).length);
      }

      // Assess
      expect(calls.every((n) => n > 0)).toBe(true);
    });

    it(`holds for ${scale.randomRuns} random picks of playbook, condition, resource and tag spelling`, async () => {
      // Prepare
      const picks = fc.record<Pick>({
        playbook: fc.constantFrom(...ids),
        condition: fc.constantFrom(...CONDITIONS),
        variant: fc.nat({ max: 5 }),
        tagValue: fc.constantFrom('true', 'TRUE', 'True', 'tRuE'),
        principal: fc.constantFrom('user' as const, 'role' as const),
        staging: fc.boolean(),
      });

      // Act & Assess
      await fc.assert(
        fc.asyncProperty(picks, async (pick) => {
          await runCase(pick, shipped);
        }),
        { numRuns: scale.randomRuns, seed, endOnFailure: true },
      );
    });
  });
}
