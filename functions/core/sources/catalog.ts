/**
 * The catalog of alert sources Riposte subscribes to: for each {@link SourceId}, the EventBridge
 * event pattern of its rule on the default bus, with the configured minimum severity written
 * into the pattern itself wherever the source carries a severity field, so that filtered-out
 * events never reach the intake queue (and cost nothing).
 *
 * Pure data and functions, no CDK: the CDK app turns {@link buildRulePatterns} into
 * `AWS::Events::Rule`s, and the local runtime evaluates the very same patterns with its
 * EventBridge pattern matcher (`../events/pattern.ts`).
 *
 * Severity everywhere in Riposte is OCSF `severity_id`: 0 Unknown, 1 Informational, 2 Low,
 * 3 Medium, 4 High, 5 Critical. Each entry maps an OCSF floor back onto its source's own scale
 * with the same bands the normalizers use (`../normalize/common.ts`), so an event passes the rule
 * exactly when its normalized `severity_id` would be at or above the floor.
 *
 * Sources:
 * - GuardDuty finding format and severity bands: GuardDuty User Guide, "Severity levels for
 *   GuardDuty findings" (Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0).
 * - Malware Protection for S3 result events: GuardDuty User Guide, "Monitoring S3 object scans
 *   with Amazon EventBridge".
 * - Security Hub events: Security Hub User Guide, "EventBridge event formats for Security Hub" (ASFF)
 *   and "EventBridge event formats" of the new Security Hub (`Findings Imported V2`, OCSF).
 * - AWS Health events: AWS Health User Guide, "Reference: AWS Health events Amazon EventBridge
 *   schema" and "Monitoring AWS Health events with Amazon EventBridge".
 * - Inspector, Macie, IAM Access Analyzer, AWS Config and CloudTrail events: each service's
 *   "… with Amazon EventBridge" page; `$or` and `numeric` matching: EventBridge User Guide,
 *   "Content filtering in Amazon EventBridge event patterns".
 */
import {
  customSourceAccounts,
  InvalidConfigError,
  type RiposteConfig,
  SOURCE_IDS,
  type SourceId,
} from '../config/schema.ts';
import type { EventPattern, EventPatternValue } from '../events/pattern.ts';

/** A source's rule, as the CDK app and the local runtime consume it. */
export interface SourceRulePattern {
  readonly id: SourceId;
  readonly description: string;
  /** Plain EventBridge pattern JSON, keys exactly as in events (`source`, `detail-type`, `detail`, `$or`). */
  readonly eventPattern: Record<string, unknown>;
}

/** One source Riposte knows how to subscribe to. */
export interface SourceCatalogEntry {
  readonly id: SourceId;
  /** One line, used as the EventBridge rule's description. */
  readonly description: string;
  /** Whether the rule is deployed when `riposte.sources.<id>.enabled` is not set. */
  readonly defaultEnabled: boolean;
  /** OCSF `severity_id` floor used when `riposte.sources.<id>.minSeverity` is not set. */
  readonly defaultMinSeverity: number;
  /**
   * The event field the severity floor is written on, or `undefined` when the source has no
   * severity field: its `minSeverity` is then ignored and the rule matches every event of the
   * source (the normalizer rates them).
   */
  readonly severityField: string | undefined;
  /**
   * The rule's event pattern for an OCSF severity floor.
   *
   * @throws {@link InvalidConfigError} When `minSeverity` is not an integer from 0 to 5, or when
   * no event of the source can reach it (Macie has no Critical).
   */
  pattern(minSeverity: number): EventPattern;
}

/** The custom action id Riposte creates in Security Hub (`arn:…:securityhub:<region>:<account>:action/custom/<id>`). */
export const SECURITY_HUB_ACTION_ID = 'RiposteRespond';

/** Security Hub's detail-types for imported findings: ASFF, and the new Security Hub's OCSF. */
const ASFF_IMPORTED = 'Security Hub Findings - Imported';
const OCSF_IMPORTED = 'Findings Imported V2';

/** OCSF `severity_id` from Informational to Fatal, the values a floor can keep (99 Other is none of them). */
const OCSF_SEVERITY_IDS: readonly number[] = [1, 2, 3, 4, 5, 6];

/** A source's severity labels and the OCSF `severity_id` each one normalizes to. */
type LabelScale = readonly (readonly [label: string, severityId: number])[];

/** ASFF `Severity.Label` (Security Hub). */
const ASFF_LABELS: LabelScale = [
  ['INFORMATIONAL', 1],
  ['LOW', 2],
  ['MEDIUM', 3],
  ['HIGH', 4],
  ['CRITICAL', 5],
];

/** Inspector `severity`; `UNTRIAGED` (no CVSS score yet) normalizes to Unknown. */
const INSPECTOR_LABELS: LabelScale = [['UNTRIAGED', 0], ...ASFF_LABELS];

/** Macie `severity.description`: Macie rates findings Low, Medium or High, never Critical. */
const MACIE_LABELS: LabelScale = [
  ['Low', 2],
  ['Medium', 3],
  ['High', 4],
];

/**
 * Lowest GuardDuty score of each band, by the OCSF severity the band normalizes to (Medium 4.0,
 * High 7.0, Critical 9.0). A floor of Low or below needs no filter: every finding is at least Low.
 */
const GUARDDUTY_BAND_FLOOR: Readonly<Record<number, number>> = { 3: 4, 4: 7, 5: 9 };

/** Malware Protection for S3 results carry no score; Riposte rates a found threat High. */
const MALWARE_SCAN_SEVERITY = 4;

function checkMinSeverity(id: SourceId, minSeverity: number): void {
  if (!Number.isInteger(minSeverity) || minSeverity < 0 || minSeverity > 5) {
    throw new InvalidConfigError(
      `riposte.sources.${id}.minSeverity: must be an OCSF severity_id from 0 (Unknown) to 5 (Critical), got ${minSeverity}`,
    );
  }
}

/**
 * The labels of `scale` at or above `minSeverity`, or `undefined` when every label qualifies (the
 * rule then needs no severity filter, and events without a label are not dropped).
 */
function labelsAtOrAbove(id: SourceId, scale: LabelScale, minSeverity: number): string[] | undefined {
  const kept = scale.filter(([, severityId]) => severityId >= minSeverity).map(([label]) => label);
  if (kept.length === scale.length) return undefined;
  if (kept.length === 0) {
    const highest = Math.max(...scale.map(([, severityId]) => severityId));
    throw new InvalidConfigError(
      `riposte.sources.${id}.minSeverity: ${minSeverity} is above the highest severity this source emits (${highest}), ` +
        'so its rule could never match; set enabled: false instead',
    );
  }
  return kept;
}

const atLeast = (value: number): EventPatternValue => ({ numeric: ['>=', value] });

/**
 * GuardDuty finding types delivered whatever the floor: GuardDuty rates root credential use Low
 * (`Policy:IAMUser/RootCredentialUsage`), yet any use of the root user is worth a page
 * (`root-credential-use` answers it).
 */
export const GUARDDUTY_ALWAYS_DELIVERED = ['Policy:IAMUser/RootCredentialUsage'];

/**
 * GuardDuty findings, at or above the floor on `detail.severity` (numeric, banded as above), root
 * credential use at any severity ({@link GUARDDUTY_ALWAYS_DELIVERED}), and Malware Protection for
 * S3 scan results that found a threat.
 *
 * @defaultValue enabled, minimum severity 3 (Medium): Low findings are mostly reconnaissance noise;
 * Medium ones include credentials used from Tor or known malicious addresses, which the credential
 * playbook answers. Each playbook's own trigger then decides what it acts on.
 */
const guardduty: SourceCatalogEntry = {
  id: 'guardduty',
  description:
    'Riposte: GuardDuty findings at or above the severity floor, and S3 malware scans that found a threat',
  defaultEnabled: true,
  defaultMinSeverity: 3,
  severityField: 'detail.severity',
  pattern(minSeverity) {
    checkMinSeverity('guardduty', minSeverity);
    const floor = GUARDDUTY_BAND_FLOOR[minSeverity];
    const findings: EventPattern =
      floor === undefined
        ? { 'detail-type': ['GuardDuty Finding'] }
        : { 'detail-type': ['GuardDuty Finding'], detail: { severity: [atLeast(floor)] } };
    const always: EventPattern[] =
      floor === undefined
        ? []
        : [{ 'detail-type': ['GuardDuty Finding'], detail: { type: GUARDDUTY_ALWAYS_DELIVERED } }];
    if (minSeverity > MALWARE_SCAN_SEVERITY) {
      return always.length === 0
        ? { source: ['aws.guardduty'], ...findings }
        : { source: ['aws.guardduty'], $or: [findings, ...always] };
    }
    return {
      source: ['aws.guardduty'],
      $or: [
        findings,
        ...always,
        {
          'detail-type': ['GuardDuty Malware Protection Object Scan Result'],
          // GuardDuty documents the result value as THREATS_FOUND; the published TypeScript
          // definitions (and some samples) spell it THREAT_FOUND. Both mean a threat was found.
          detail: { scanResultDetails: { scanResultStatus: ['THREATS_FOUND', 'THREAT_FOUND'] } },
        },
      ],
    };
  },
};

/**
 * Findings imported into Security Hub (every integrated product), in both formats Security Hub
 * sends: `Security Hub Findings - Imported` (ASFF), at or above the floor on
 * `detail.findings.Severity.Label`, and `Findings Imported V2` (the new Security Hub's OCSF
 * findings, one per event), at or above the floor on `detail.findings.severity_id` (OCSF Unknown 0
 * and Other 99 pass only when there is no floor; Fatal 6 passes every floor). Nothing else is
 * excluded: workflow status and record state are the normalizer's business (an archived finding
 * closes its alert).
 *
 * @defaultValue enabled, minimum severity 3 (Medium).
 */
const securityhub: SourceCatalogEntry = {
  id: 'securityhub',
  description: 'Riposte: Security Hub findings (ASFF and OCSF) at or above the severity floor',
  defaultEnabled: true,
  defaultMinSeverity: 3,
  severityField: 'detail.findings.Severity.Label',
  pattern(minSeverity) {
    checkMinSeverity('securityhub', minSeverity);
    const labels = labelsAtOrAbove('securityhub', ASFF_LABELS, minSeverity);
    if (labels === undefined) {
      return { source: ['aws.securityhub'], 'detail-type': [ASFF_IMPORTED, OCSF_IMPORTED] };
    }
    return {
      source: ['aws.securityhub'],
      $or: [
        { 'detail-type': [ASFF_IMPORTED], detail: { findings: { Severity: { Label: labels } } } },
        {
          'detail-type': [OCSF_IMPORTED],
          detail: { findings: { severity_id: OCSF_SEVERITY_IDS.filter((id) => id >= minSeverity) } },
        },
      ],
    };
  },
};

/**
 * Findings an analyst sent to Riposte with the Security Hub custom action
 * ({@link SECURITY_HUB_ACTION_ID}). No severity filter: a person chose to send them. The CDK app
 * adds `resources: [<action target ARN>]` so that other custom actions do not reach Riposte.
 *
 * `minSeverity` is ignored.
 *
 * @defaultValue enabled.
 */
const securityhubCustomAction: SourceCatalogEntry = {
  id: 'securityhubCustomAction',
  description: 'Riposte: Security Hub findings sent with the Riposte custom action',
  defaultEnabled: true,
  defaultMinSeverity: 0,
  severityField: undefined,
  pattern(minSeverity) {
    checkMinSeverity('securityhubCustomAction', minSeverity);
    return { source: ['aws.securityhub'], 'detail-type': ['Security Hub Findings - Custom Action'] };
  },
};

/**
 * Amazon Inspector findings, at or above the floor on `detail.severity` (`UNTRIAGED` counts as
 * Unknown, so any floor above 0 leaves it out).
 *
 * @defaultValue enabled, minimum severity 4 (High): Inspector reports every known CVE of every
 * package; Medium and below belong to patch management, not incident response.
 */
const inspector: SourceCatalogEntry = {
  id: 'inspector',
  description: 'Riposte: Inspector findings at or above the severity floor',
  defaultEnabled: true,
  defaultMinSeverity: 4,
  severityField: 'detail.severity',
  pattern(minSeverity) {
    checkMinSeverity('inspector', minSeverity);
    const labels = labelsAtOrAbove('inspector', INSPECTOR_LABELS, minSeverity);
    const base = { source: ['aws.inspector2'], 'detail-type': ['Inspector2 Finding'] };
    return labels === undefined ? base : { ...base, detail: { severity: labels } };
  },
};

/**
 * Amazon Macie findings (sensitive data and bucket policy), at or above the floor on
 * `detail.severity.description`. A floor of 5 (Critical) is refused: Macie's highest is High.
 *
 * @defaultValue enabled, minimum severity 3 (Medium).
 */
const macie: SourceCatalogEntry = {
  id: 'macie',
  description: 'Riposte: Macie findings at or above the severity floor',
  defaultEnabled: true,
  defaultMinSeverity: 3,
  severityField: 'detail.severity.description',
  pattern(minSeverity) {
    checkMinSeverity('macie', minSeverity);
    const labels = labelsAtOrAbove('macie', MACIE_LABELS, minSeverity);
    const base = { source: ['aws.macie'], 'detail-type': ['Macie Finding'] };
    return labels === undefined ? base : { ...base, detail: { severity: { description: labels } } };
  },
};

/**
 * IAM Access Analyzer findings (external and public access). Access Analyzer has no severity
 * field: `minSeverity` is ignored, the normalizer rates public access High and external access
 * Medium.
 *
 * @defaultValue enabled.
 */
const accessAnalyzer: SourceCatalogEntry = {
  id: 'accessAnalyzer',
  description: 'Riposte: IAM Access Analyzer findings',
  defaultEnabled: true,
  defaultMinSeverity: 0,
  severityField: undefined,
  pattern(minSeverity) {
    checkMinSeverity('accessAnalyzer', minSeverity);
    return { source: ['aws.access-analyzer'], 'detail-type': ['Access Analyzer Finding'] };
  },
};

/**
 * AWS Config rule compliance changes, in both directions: NON_COMPLIANT opens a finding and a
 * return to COMPLIANT closes it. Config has no severity field: `minSeverity` is ignored.
 *
 * @defaultValue enabled.
 */
const config: SourceCatalogEntry = {
  id: 'config',
  description: 'Riposte: AWS Config rule compliance changes',
  defaultEnabled: true,
  defaultMinSeverity: 0,
  severityField: undefined,
  pattern(minSeverity) {
    checkMinSeverity('config', minSeverity);
    return { source: ['aws.config'], 'detail-type': ['Config Rules Compliance Change'] };
  },
};

/**
 * High-signal CloudTrail management events, as EventBridge delivers them. CloudTrail has no
 * severity field: `minSeverity` is ignored and the normalizer rates each event (see
 * `cloudTrailSignal`). The list, and why each entry is on it:
 *
 * - Console sign-in (`aws.signin`, `AWS Console Sign In via CloudTrail`) that failed
 *   (`responseElements.ConsoleLogin: Failure`, password guessing) or was made by the root user
 *   (which should almost never sign in).
 * - `cloudtrail.amazonaws.com` StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors: an
 *   intruder's first move is to blind the audit trail.
 * - `iam.amazonaws.com` CreateAccessKey: long-lived credentials minted for persistence.
 * - `ec2.amazonaws.com` AuthorizeSecurityGroupIngress and ModifySecurityGroupRules: the rule takes
 *   every change; whether it opens to 0.0.0.0/0 or ::/0 is rated by the normalizer.
 * - `kms.amazonaws.com` ScheduleKeyDeletion and DisableKey: a key made unusable takes every
 *   resource encrypted with it along (ransom, destruction).
 * - `ec2.amazonaws.com` ModifySnapshotAttribute and ModifyImageAttribute, `rds.amazonaws.com`
 *   ModifyDBSnapshotAttribute and ModifyDBClusterSnapshotAttribute: the calls that can share a
 *   snapshot or image with every AWS account (rated by the normalizer).
 * - `s3.amazonaws.com` PutBucketPolicy, PutBucketAcl, DeleteBucketPublicAccessBlock,
 *   PutBucketPublicAccessBlock: the changes that can make a bucket public.
 * - Any API call by the root user (`detail.userIdentity.type: Root`).
 *
 * IAM is a global service: its events (CreateAccessKey) reach EventBridge in us-east-1 only, so
 * a deployment elsewhere does not see them.
 *
 * @defaultValue enabled.
 */
const cloudtrail: SourceCatalogEntry = {
  id: 'cloudtrail',
  description: 'Riposte: high-signal CloudTrail events (trail tampering, root activity, exposure changes)',
  defaultEnabled: true,
  defaultMinSeverity: 0,
  severityField: undefined,
  pattern(minSeverity) {
    checkMinSeverity('cloudtrail', minSeverity);
    return {
      $or: [
        {
          source: ['aws.signin'],
          'detail-type': ['AWS Console Sign In via CloudTrail'],
          detail: {
            $or: [{ responseElements: { ConsoleLogin: ['Failure'] } }, { userIdentity: { type: ['Root'] } }],
          },
        },
        {
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: {
            $or: [
              {
                eventSource: ['cloudtrail.amazonaws.com'],
                eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
              },
              { eventSource: ['iam.amazonaws.com'], eventName: ['CreateAccessKey'] },
              {
                eventSource: ['ec2.amazonaws.com'],
                eventName: ['AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules'],
              },
              { eventSource: ['kms.amazonaws.com'], eventName: ['ScheduleKeyDeletion', 'DisableKey'] },
              {
                eventSource: ['ec2.amazonaws.com'],
                eventName: ['ModifySnapshotAttribute', 'ModifyImageAttribute'],
              },
              {
                eventSource: ['rds.amazonaws.com'],
                eventName: ['ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'],
              },
              {
                eventSource: ['s3.amazonaws.com'],
                eventName: [
                  'PutBucketPolicy',
                  'PutBucketAcl',
                  'DeleteBucketPublicAccessBlock',
                  'PutBucketPublicAccessBlock',
                ],
              },
              { userIdentity: { type: ['Root'] } },
            ],
          },
        },
      ],
    };
  },
};

/**
 * AWS Health security events: access keys AWS found exposed or compromised and its quarantine
 * policy (service `RISK`), and abuse reports about the account's resources (`ABUSE`). Health has
 * no severity field: the normalizer rates them (`../normalize/sources/health.ts`).
 *
 * AWS Health publishes these account-level events in us-east-1. Where Riposte runs in another
 * region, forward them from a us-east-1 rule with this pattern to the default bus of Riposte's
 * region (README, "Deploying").
 *
 * `minSeverity` is ignored.
 *
 * @defaultValue enabled: every RISK and ABUSE event is a security finding.
 */
const health: SourceCatalogEntry = {
  id: 'health',
  description: 'Riposte: AWS Health security risk events (exposed or compromised keys) and abuse reports',
  defaultEnabled: true,
  defaultMinSeverity: 0,
  severityField: undefined,
  pattern(minSeverity) {
    checkMinSeverity('health', minSeverity);
    return {
      source: ['aws.health'],
      'detail-type': ['AWS Health Event', 'AWS Health Abuse Event'],
      detail: { service: ['RISK', 'ABUSE'] },
    };
  },
};

/**
 * Alerts from third-party tools: `source: riposte.custom`, any `detail-type`, an OCSF event in
 * `detail.ocsf`. Its severity field is `detail.ocsf.severity_id` (already OCSF), filtered only
 * when the floor is above 0, so that by default a malformed alert still reaches the normalizer
 * and is recorded as rejected instead of vanishing.
 *
 * Anyone who may call PutEvents on the bus can send this source, so it is opt-in and restricted
 * to the accounts in `sources.custom.accounts`: {@link buildRulePatterns} adds them as the rule's
 * `account` filter (EventBridge sets an event's `account` to the sender's), and ingest checks them
 * again.
 *
 * @defaultValue disabled; when enabled, minimum severity 0 (everything a tool chose to send).
 */
const custom: SourceCatalogEntry = {
  id: 'custom',
  description:
    'Riposte: alerts sent by third-party tools (source riposte.custom) from the configured accounts',
  defaultEnabled: false,
  defaultMinSeverity: 0,
  severityField: 'detail.ocsf.severity_id',
  pattern(minSeverity) {
    checkMinSeverity('custom', minSeverity);
    const base = { source: ['riposte.custom'] };
    return minSeverity === 0 ? base : { ...base, detail: { ocsf: { severity_id: [atLeast(minSeverity)] } } };
  },
};

/** Every source Riposte can subscribe to, by id. */
export const SOURCE_CATALOG: Readonly<Record<SourceId, SourceCatalogEntry>> = {
  guardduty,
  securityhub,
  securityhubCustomAction,
  inspector,
  macie,
  accessAnalyzer,
  config,
  cloudtrail,
  health,
  custom,
};

/**
 * The EventBridge rule patterns to deploy for `config`: one per enabled source, in
 * {@link SOURCE_IDS} order, each with the source's configured (or default) severity floor.
 *
 * @throws {@link InvalidConfigError} When a configured floor cannot be expressed for its source.
 *
 * @example
 * ```ts
 * buildRulePatterns(parseConfig({ sources: { inspector: { enabled: false }, guardduty: { minSeverity: 5 } } }));
 * // [{ id: 'guardduty', description: '…', eventPattern: { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'],
 * //    detail: { severity: [{ numeric: ['>=', 9] }] } } }, { id: 'securityhub', … }, …]
 * ```
 */
export function buildRulePatterns(config: RiposteConfig): SourceRulePattern[] {
  const rules: SourceRulePattern[] = [];
  for (const id of SOURCE_IDS) {
    const entry = SOURCE_CATALOG[id];
    const settings = config.sources[id];
    if (!(settings?.enabled ?? entry.defaultEnabled)) continue;
    let eventPattern: Record<string, unknown> = entry.pattern(
      settings?.minSeverity ?? entry.defaultMinSeverity,
    );
    if (id === 'custom') {
      const accounts = customSourceAccounts(config);
      if (accounts.length === 0) {
        throw new InvalidConfigError(
          'riposte.sources.custom.accounts: the custom source needs the accounts allowed to send it',
        );
      }
      eventPattern = { ...eventPattern, account: [...accounts] };
    }
    rules.push({ id, description: entry.description, eventPattern });
  }
  return rules;
}
