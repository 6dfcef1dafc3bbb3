import { exampleWorld, triggersOn } from '../../../cli/local/testkit.ts';
import type { WorldData } from '../../../functions/core/actions/world/index.ts';
import type { Playbook } from '../../../functions/core/playbooks/sdk.ts';
import {
  accessAnalyzerPublicBucket,
  guardDutyAccessKeyFinding,
  guardDutyInstanceFinding,
  securityHubControlFinding,
} from '../../support/events.ts';
import { at, type ModelCase, type Pick } from './safety-model.ts';
import { MODELS } from './safety-models.ts';
import { RECKLESS, recklessPlaybook } from './safety-reckless.ts';

/**
 * The cases of the safety suite: a playbook of a target model (support/safety-*.ts), or one on
 * the example world's instances, users, roles and buckets (built here), with for a release the
 * containment that comes before it.
 */

/** The resources each kind of target can be, in the example world (other kinds: support/safety-*.ts). */
const INSTANCES = ['i-0badc0ffee0000001', 'i-0a1b2c3d4e5f60718', 'i-0a1b2c3d4e5f60719'] as const;
const USERS = ['break-glass-admin', 'payments-deployer'] as const;
const ROLES = ['payments-app-role'] as const;
const BUCKETS = ['riposte-protected-logs', 'payments-exports'] as const;

/** GuardDuty EC2 finding types tried, in order, for a playbook the default instance finding does not start. */
const INSTANCE_THREATS = [
  'CryptoCurrency:EC2/BitcoinTool.B!DNS',
  'Trojan:EC2/DNSDataExfiltration',
  'UnauthorizedAccess:EC2/SSHBruteForce',
  'Recon:EC2/PortProbeUnprotectedPort',
];

/**
 * The releases of instances, users, roles and buckets, with the containment each undoes: run
 * first on the unprotected target, so that a protected release proves its own rail.
 */
export const CLASSIC_CONTAINED_BY: Readonly<Record<string, string>> = {
  'ec2-instance-release': 'ec2-instance-compromise',
  'iam-credential-release': 'iam-credential-compromise',
  's3-public-bucket-release': 's3-public-bucket',
};

/** The containment a release undoes (through its target model or {@link CLASSIC_CONTAINED_BY}). */
export function containmentOf(id: string): string | undefined {
  return MODELS.get(id)?.playbooks[id]?.containedBy ?? CLASSIC_CONTAINED_BY[id];
}

/** One case: the world, event and settings, and for a release the containment before it. */
export interface Case {
  readonly world: WorldData;
  readonly event: unknown;
  readonly playbook: Playbook;
  readonly config: Readonly<Record<string, unknown>>;
  /** A release's containment, run first (approved unless over the limit) on the unprotected target. */
  readonly containment?: Playbook;
  /** Applied just before the playbook under test (after the containment, for a release). */
  readonly protect: (world: WorldData) => void;
  /** The target model's case, for a modelled playbook. */
  readonly model?: ModelCase;
}

/** The case of a modelled playbook; undefined when the condition cannot arise for its sources. */
export function modelCase(
  pick: Pick,
  shipped: ReadonlyMap<string, Playbook>,
  indirectOnly = false,
): Case | undefined {
  const target = MODELS.get(pick.playbook);
  const model = target?.build(pick);
  if (target === undefined || model === undefined) return undefined;
  const world = exampleWorld();
  model.prepare(world);
  const containedBy = target.playbooks[pick.playbook]?.containedBy;
  const protect = indirectOnly ? model.protectIndirect : model.protect;
  return {
    model,
    world,
    event: model.event,
    playbook: shipped.get(pick.playbook) as Playbook,
    config: target.config ?? {},
    ...(containedBy === undefined ? {} : { containment: shipped.get(containedBy) as Playbook }),
    protect: (w) => {
      if (pick.condition === 'protected') protect?.(w);
    },
  };
}

/** The case of a playbook on instances, users, roles and buckets (and the reckless one). */
export function classicCase(pick: Pick, shipped: ReadonlyMap<string, Playbook>): Case {
  const instanceId = at(INSTANCES, pick.variant);
  const userName = at(USERS, pick.variant);
  const roleName = at(ROLES, pick.variant);
  const bucketName = at(BUCKETS, pick.variant);
  const world = exampleWorld();
  const tag = (tags: Record<string, string> | undefined, key: string, value: string): void => {
    if (tags !== undefined) tags[key] = value;
  };
  const instanceTags = (w: WorldData) => w.ec2.instances.find((i) => i.instanceId === instanceId)?.tags;
  if (pick.staging) tag(instanceTags(world), 'environment', 'staging');
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
  const containedBy = CLASSIC_CONTAINED_BY[pick.playbook];
  const containment = containedBy === undefined ? undefined : (shipped.get(containedBy) as Playbook);
  const started = containment ?? playbook;
  // Any playbook in playbooks/ runs here: the event is the first of these its trigger answers.
  const candidates = [preferred, ...INSTANCE_THREATS.map(instance), iam, s3];
  const event =
    'manual' in started.trigger
      ? preferred
      : candidates.find((candidate) => triggersOn(started, candidate).triggers);
  if (event === undefined) {
    throw new Error(`the safety suite has no event that starts ${started.id}: add a model for it`);
  }
  const protect = (w: WorldData): void => {
    if (pick.condition !== 'protected') return;
    tag(instanceTags(w), 'riposte:protected', pick.tagValue);
    tag(w.iam.users[userName]?.tags, 'riposte:protected', pick.tagValue);
    tag(w.iam.roles[roleName]?.tags, 'riposte:protected', pick.tagValue);
    tag(w.s3.buckets[bucketName]?.tags, 'riposte:protected', pick.tagValue);
  };
  return {
    world,
    event,
    playbook,
    config: {},
    protect,
    ...(containment === undefined ? {} : { containment }),
  };
}
