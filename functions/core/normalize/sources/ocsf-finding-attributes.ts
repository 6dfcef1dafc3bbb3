import { OcsfClass, type OcsfClassInfo } from '../../ocsf/constants.ts';

/**
 * The top-level attributes OCSF 1.6.0 defines for the finding classes Riposte handles, with the
 * profiles `base_event` includes (cloud, datetime, host, osint, security_control): read from the
 * official schema source (`events/base_event.json`, `events/findings/finding.json` and each class
 * file, with the `$include`d profiles). A finding that arrives already in OCSF (Security Hub
 * `Findings Imported V2`) keeps these; any other top-level member goes to `unmapped`, so an alert
 * never carries an attribute its class does not define.
 */
const COMMON = [
  'action',
  'action_id',
  'activity_id',
  'activity_name',
  'actor',
  'api',
  'assignee',
  'assignee_group',
  'attacks',
  'authorizations',
  'category_name',
  'category_uid',
  'class_name',
  'class_uid',
  'cloud',
  'comment',
  'confidence',
  'confidence_id',
  'confidence_score',
  'count',
  'device',
  'disposition',
  'disposition_id',
  'duration',
  'end_time',
  'enrichments',
  'finding_info',
  'firewall_rule',
  'impact',
  'impact_id',
  'impact_score',
  'is_alert',
  'is_suspected_breach',
  'malware',
  'malware_scan_info',
  'message',
  'metadata',
  'observables',
  'osint',
  'policy',
  'priority',
  'priority_id',
  'raw_data',
  'raw_data_hash',
  'raw_data_size',
  'resources',
  'risk_details',
  'risk_level',
  'risk_level_id',
  'risk_score',
  'severity',
  'severity_id',
  'src_url',
  'start_time',
  'status',
  'status_code',
  'status_detail',
  'status_id',
  'ticket',
  'tickets',
  'time',
  'timezone_offset',
  'type_name',
  'type_uid',
  'unmapped',
  'vendor_attributes',
  'verdict',
  'verdict_id',
];

/** Each class's own attributes besides {@link COMMON}. */
const CLASS_ONLY: ReadonlyMap<number, readonly string[]> = new Map([
  [OcsfClass.VulnerabilityFinding.uid, ['resource', 'vulnerabilities']],
  [OcsfClass.ComplianceFinding.uid, ['compliance', 'evidences', 'remediation', 'resource']],
  [OcsfClass.DetectionFinding.uid, ['anomaly_analyses', 'evidences', 'remediation', 'vulnerabilities']],
  [
    OcsfClass.DataSecurityFinding.uid,
    ['data_security', 'database', 'databucket', 'dst_endpoint', 'file', 'src_endpoint', 'table'],
  ],
]);

/** The finding classes an OCSF finding may arrive in, by `class_uid`. */
export const OCSF_FINDING_CLASSES: ReadonlyMap<number, OcsfClassInfo> = new Map(
  [
    OcsfClass.VulnerabilityFinding,
    OcsfClass.ComplianceFinding,
    OcsfClass.DetectionFinding,
    OcsfClass.DataSecurityFinding,
  ].map((cls) => [cls.uid, cls]),
);

/** The top-level attributes of each class in {@link OCSF_FINDING_CLASSES}. */
export const OCSF_FINDING_ATTRIBUTES: ReadonlyMap<number, ReadonlySet<string>> = new Map(
  [...CLASS_ONLY].map(([uid, own]) => [uid, new Set([...COMMON, ...own])]),
);
