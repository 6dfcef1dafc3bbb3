import { type Trigger, type TriggerConditions, wildcardToRegExp } from '../playbooks/trigger.ts';
import {
  GUARDDUTY_FINDING_TYPES,
  GUARDDUTY_FINDING_TYPES_AS_OF,
  GUARDDUTY_FINDING_TYPES_SOURCES,
} from './guardduty-finding-types.ts';

/** What coverage needs of a playbook: its id and trigger. */
export interface CoveragePlaybook {
  readonly id: string;
  readonly trigger: Trigger;
}

/** How a finding type reaches a playbook: natively from GuardDuty, or through Security Hub. */
export type CoverageChannel = 'guardduty' | 'securityhub';

/** One GuardDuty finding type and the playbooks that answer it. */
export interface FindingTypeCoverage {
  readonly type: string;
  /** The playbooks whose trigger names the type (by source and finding-type pattern). */
  readonly playbooks: readonly string[];
  /** The channels on which a trigger answers it. */
  readonly channels: readonly CoverageChannel[];
  /** The lowest severity floor among the matching triggers (OCSF `severity_id`), if any sets one. */
  readonly minSeverity: number | undefined;
}

/** One Security Hub control or AWS Config rule named by a trigger. */
export interface ControlCoverage {
  /** The control id (`S3.8`) or Config rule pattern as the trigger names it. */
  readonly control: string;
  readonly kind: 'securityhub-control' | 'config-rule';
  readonly playbooks: readonly string[];
}

/** `riposte playbooks coverage`: what has an automated response. */
export interface Coverage {
  readonly guardDuty: {
    readonly asOf: string;
    readonly sources: readonly string[];
    readonly total: number;
    readonly covered: number;
    /** `covered / total`, between 0 and 1. */
    readonly fraction: number;
    readonly types: readonly FindingTypeCoverage[];
  };
  readonly controls: readonly ControlCoverage[];
}

const SECURITY_HUB_CONTROL_ID = /^[A-Za-z0-9]+\.\d+$/;

function conditionSets(trigger: Trigger): readonly TriggerConditions[] {
  if ('manual' in trigger) return [];
  if ('anyOf' in trigger) return trigger.anyOf;
  return [trigger];
}

function namesSource(conditions: TriggerConditions, source: string): boolean {
  return conditions.sources === undefined || conditions.sources.includes(source);
}

function namesType(conditions: TriggerConditions, type: string | undefined): boolean {
  if (conditions.findingTypes === undefined) return false; // a trigger naming no type answers no type in particular
  if (type === undefined) return false;
  return conditions.findingTypes.some((pattern) => wildcardToRegExp(pattern).test(type));
}

/**
 * The resource a GuardDuty finding type is about, as the normalizer types it, where the type's
 * name says so: `…!Snapshot`, `…!AMI` and `…!RecoveryPoint` are scans of backups, not of a
 * running instance; `IAMUser` findings name an access key; and so on. `undefined` where one type
 * covers several kinds of resource (Runtime Monitoring, containers, attack sequences), so that a
 * trigger's resource-type condition never rules such a type out.
 */
export function findingTypeResource(type: string): string | undefined {
  if (type.startsWith('AttackSequence:')) return undefined;
  if (type.endsWith('!Snapshot')) return 'AWS::EC2::Snapshot';
  if (type.endsWith('!AMI')) return 'AWS::EC2::Image';
  if (type.endsWith('!RecoveryPoint')) return 'AWS::Backup::RecoveryPoint';
  if (type.startsWith('Object:S3/')) return 'AWS::S3::Object';
  const family = /^[^:]+:([^/]+)\//.exec(type)?.[1];
  switch (family) {
    case 'EC2':
      return 'AWS::EC2::Instance';
    case 'IAMUser':
      return 'AWS::IAM::AccessKey';
    case 'S3':
      return 'AWS::S3::Bucket';
    case 'Lambda':
      return 'AWS::Lambda::Function';
    case 'RDS':
      return 'AWS::RDS::DBInstance';
    case 'Kubernetes':
      return 'AWS::EKS::Cluster';
    default:
      return undefined;
  }
}

function namesResource(conditions: TriggerConditions, resource: string | undefined): boolean {
  return (
    conditions.resourceTypes === undefined ||
    resource === undefined ||
    conditions.resourceTypes.includes(resource)
  );
}

function typeCoverage(
  playbooks: readonly CoveragePlaybook[],
  type: string,
  asff: string | undefined,
): FindingTypeCoverage {
  const ids = new Set<string>();
  const channels = new Set<CoverageChannel>();
  let minSeverity: number | undefined;
  const resource = findingTypeResource(type);
  for (const playbook of playbooks) {
    for (const conditions of conditionSets(playbook.trigger)) {
      if (!namesResource(conditions, resource)) continue;
      const native = namesSource(conditions, 'aws.guardduty') && namesType(conditions, type);
      const viaHub =
        conditions.sources?.includes('aws.securityhub') === true &&
        (namesType(conditions, asff) || namesType(conditions, type));
      if (!native && !viaHub) continue;
      ids.add(playbook.id);
      if (native) channels.add('guardduty');
      if (viaHub) channels.add('securityhub');
      const floor = conditions.minSeverity;
      if (floor !== undefined) minSeverity = minSeverity === undefined ? floor : Math.min(minSeverity, floor);
    }
  }
  return { type, playbooks: [...ids].sort(), channels: [...channels].sort(), minSeverity };
}

function controlCoverage(playbooks: readonly CoveragePlaybook[]): ControlCoverage[] {
  const byControl = new Map<string, Set<string>>();
  for (const playbook of playbooks) {
    for (const conditions of conditionSets(playbook.trigger)) {
      for (const control of conditions.controls ?? []) {
        const ids = byControl.get(control) ?? new Set<string>();
        ids.add(playbook.id);
        byControl.set(control, ids);
      }
    }
  }
  return [...byControl.entries()]
    .map(([control, ids]) => ({
      control,
      kind: SECURITY_HUB_CONTROL_ID.test(control)
        ? ('securityhub-control' as const)
        : ('config-rule' as const),
      playbooks: [...ids].sort(),
    }))
    .sort(
      (a, b) => a.kind.localeCompare(b.kind) || a.control.localeCompare(b.control, 'en', { numeric: true }),
    );
}

/**
 * Which GuardDuty finding types (from the dated list in `guardduty-finding-types.ts`) and which
 * Security Hub controls and Config rules the playbooks' triggers answer. A type counts as covered
 * when a trigger names it by source and finding-type pattern, natively or through Security Hub,
 * and its resource-type condition (if any) admits the resource the type is about
 * ({@link findingTypeResource}). A severity floor narrows a response without removing the type
 * from coverage: it is reported as `minSeverity`. Manual triggers (release playbooks) answer nothing.
 *
 * @example
 * const coverage = computeCoverage(await loadPlaybooks());
 * console.log(`${coverage.guardDuty.covered}/${coverage.guardDuty.total} GuardDuty finding types`);
 */
export function computeCoverage(playbooks: readonly CoveragePlaybook[]): Coverage {
  const types = GUARDDUTY_FINDING_TYPES.map(([type, asff]) => typeCoverage(playbooks, type, asff));
  const covered = types.filter((t) => t.playbooks.length > 0).length;
  return {
    guardDuty: {
      asOf: GUARDDUTY_FINDING_TYPES_AS_OF,
      sources: GUARDDUTY_FINDING_TYPES_SOURCES,
      total: types.length,
      covered,
      fraction: types.length === 0 ? 0 : covered / types.length,
      types,
    },
    controls: controlCoverage(playbooks),
  };
}
