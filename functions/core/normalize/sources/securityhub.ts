import type { NormalizeOutput } from '../../alert.ts';
import {
  COMPLIANCE_STATUS,
  type ComplianceStatusId,
  type FindingStatusId,
  OcsfClass,
  type OcsfClassInfo,
  type SeverityId,
} from '../../ocsf/constants.ts';
import type { OcsfCompliance, OcsfEvidence, OcsfResource, OcsfVulnerability } from '../../ocsf/schema.ts';
import {
  baseEvent,
  findingActivity,
  findingActivityName,
  findingStatus,
  firstString,
  makeAlert,
  SAMPLE_LABEL,
  severityFromLabel,
  severityFromNormalized,
} from '../common.ts';
import type { SourceEvent } from '../envelope.ts';
import { securityHubProduct } from '../product.ts';
import {
  compact,
  FieldError,
  isRecord,
  type JsonRecord,
  MappedPaths,
  omitPaths,
  optBoolean,
  optInt,
  optNumber,
  optRecord,
  optString,
  recordList,
  requireString,
  stringList,
} from '../read.ts';
import { canonicalResource } from '../resource-types.ts';
import { firstTimestamp } from '../time.ts';
import { asffSequence, sequenceSignals, setRelatedEvents, withPrimaryFirst } from './attack-sequence.ts';
import { guardDutyEvidences, isGuardDutySample } from './guardduty.ts';
import { arnParts, tagsFromMap } from './inspector.ts';
import { setSequenceAttacks } from './mitre.ts';
import type { SourceNormalizer } from './types.ts';
import { affectedCode, affectedPackages, buildVulnerability, cvssScores, isCveId } from './vulnerability.ts';

/**
 * AWS Security Hub (CSPM) findings in the AWS Security Finding Format (ASFF), as delivered by
 * `Security Hub Findings - Imported`, `- Custom Action` and the pre-2020 `Security Hub Findings`.
 *
 * One event holds a batch: each element of `detail.findings[]` gives one output, in order, and an
 * element that cannot be read is refused on its own while the others still become alerts.
 *
 * Class per finding (the split Amazon Security Lake uses): Inspector or `Vulnerabilities[]` →
 * Vulnerability Finding 2002; Security Hub controls, Config or any `Compliance` object →
 * Compliance Finding 2003; Macie sensitive-data findings → Data Security Finding 2006; every other
 * detector (GuardDuty, Macie policy findings, third parties) → Detection Finding 2004.
 *
 * Finding key: see {@link findingKeyOf} (namespaced by product: only an AWS product's finding can
 * share an alert with the same finding seen natively).
 */
export function normalizeSecurityHubFindings(event: SourceEvent): NormalizeOutput[] {
  const findings = event.detail.findings;
  if (findings === undefined || findings === null) {
    throw new FieldError('missing_field', 'detail.findings', 'is required');
  }
  if (!Array.isArray(findings)) {
    throw new FieldError('invalid_field', 'detail.findings', 'must be an array of ASFF findings');
  }
  if (findings.length === 0) {
    return [{ rejected: { reason: 'not_a_finding', message: 'detail.findings is empty' } }];
  }
  // Array.from, not map: a sparse array (an already-parsed input can have holes) still gives
  // one output per element, a hole being rejected like a null finding.
  return Array.from(findings, (finding: unknown, index): NormalizeOutput => {
    const path = `detail.findings[${index}]`;
    try {
      return normalizeAsffFinding(event, finding, path);
    } catch (error) {
      if (error instanceof FieldError) return { rejected: { reason: error.reason, message: error.message } };
      const message = error instanceof Error ? error.message : String(error);
      return { rejected: { reason: 'internal_error', message: `${path}: normalizer failed: ${message}` } };
    }
  });
}

function singleFinding(event: SourceEvent): boolean {
  const findings = event.detail.findings;
  return Array.isArray(findings) && findings.length === 1;
}

/** `Security Hub Insight Results` carry aggregate counts of an insight, never a finding. */
export function rejectInsightResults(_event: SourceEvent): NormalizeOutput[] {
  return [
    {
      rejected: {
        reason: 'not_a_finding',
        message: 'Security Hub Insight Results hold aggregate insight counts, not findings',
      },
    },
  ];
}

/** Normalizes one ASFF finding; throws a {@link FieldError} when it cannot be read. */
export function normalizeAsffFinding(event: SourceEvent, value: unknown, path: string): NormalizeOutput {
  if (!isRecord(value)) throw new FieldError('invalid_field', path, 'an ASFF finding must be an object');
  const f = value;
  const id = requireString(f, 'Id', path);
  const productArn = requireString(f, 'ProductArn', path);
  const findingKey = findingKeyOf(productArn, id);
  const productFields = optRecord(f.ProductFields) ?? {};
  // The product decides the class and whether GuardDuty's ProductFields are read: only when proven AWS.
  const producer = securityHubProduct(productArn);
  const product = producer.aws ? producer.id.toLowerCase() : '';
  const cls = classFor(f, product);
  const guardDuty = product === 'aws/guardduty' ? guardDutyService(productFields, SERVICE_FACTS) : undefined;
  const sample = optBoolean(f.Sample) === true || (guardDuty !== undefined && isGuardDutySample(guardDuty));

  const createdAt = firstTimestamp(f.CreatedAt);
  const updatedAt = firstTimestamp(f.UpdatedAt);
  const firstSeen = firstTimestamp(f.FirstObservedAt);
  const lastSeen = firstTimestamp(f.LastObservedAt);
  const archived = optString(f.RecordState)?.toUpperCase() === 'ARCHIVED';
  const activityId = findingActivity({ closed: archived, createdAt, updatedAt });
  const title = optString(f.Title);
  const types = providerTypes(f);

  // What this finding's class maps besides ASFF_MAPPED.
  const consumed: string[] = [];

  const remediation = remediationOf(f.Remediation);
  const ocsf = baseEvent(event, {
    cls,
    activityId,
    activityName: findingActivityName(activityId),
    severityId: asffSeverity(f),
    time: updatedAt ?? createdAt,
    account: firstString(f.AwsAccountId, event.envelope.account),
    region: firstString(f.Region, event.envelope.region),
    partition: arnParts(productArn).partition,
    product: compact({
      name: firstString(f.ProductName, productFields['aws/securityhub/ProductName']),
      vendor_name: firstString(f.CompanyName, productFields['aws/securityhub/CompanyName']),
      uid: productArn,
    }),
    labels: sample ? [SAMPLE_LABEL] : [],
    // The event as received when it holds this finding alone; the finding itself from a batch.
    raw: singleFinding(event) ? event.raw : JSON.stringify(f),
  });
  ocsf.finding_info = compact({
    uid: id,
    title,
    desc: optString(f.Description),
    types: types.length > 0 ? types : undefined,
    src_url: optString(f.SourceUrl),
    created_time: createdAt,
    modified_time: updatedAt,
    first_seen_time: firstSeen,
    last_seen_time: lastSeen,
  });
  const statusId = workflowStatusId(f);
  if (statusId !== undefined) Object.assign(ocsf, findingStatus(statusId));
  const confidence = optInt(f.Confidence) ?? optInt(optRecord(f.FindingProviderFields)?.Confidence);
  if (confidence !== undefined && confidence >= 0 && confidence <= 100) ocsf.confidence_score = confidence;
  const resources = asffResources(f.Resources);
  if (resources.length > 0) ocsf.resources = resources;
  ocsf.message = title ?? types[0] ?? id;

  switch (cls.uid) {
    case 2002:
      ocsf.vulnerabilities = asffVulnerabilities(f, { firstSeen, lastSeen, remediation });
      // CVSS and EPSS of a non-CVE id (an advisory) have no place in OCSF: keep them in unmapped.
      if (recordList(f.Vulnerabilities).every((v) => isCveId(optString(v.Id) ?? '')))
        consumed.push('Vulnerabilities');
      if (remediation !== undefined) consumed.push('Remediation.Recommendation');
      break;
    case 2003:
      ocsf.compliance = asffCompliance(optRecord(f.Compliance) ?? {}, productFields);
      consumed.push(
        'Compliance.Status',
        'Compliance.StatusReasons',
        'Compliance.SecurityControlId',
        'Compliance.AssociatedStandards',
        'Compliance.RelatedRequirements',
      );
      if (remediation !== undefined) {
        ocsf.remediation = remediation;
        consumed.push('Remediation.Recommendation');
      }
      break;
    case 2006:
      ocsf.is_alert = !sample;
      ocsf.data_security = {
        detection_system_id: 4,
        detection_system: 'Data Discovery & Classification',
        data_lifecycle_state_id: 1,
        data_lifecycle_state: 'Data at-Rest',
        ...dataCategory(types),
      };
      break;
    default: {
      ocsf.is_alert = !sample;
      const evidences = asffEvidences(f.Action, () =>
        product === 'aws/guardduty' ? guardDutyService(productFields, SERVICE_ACTION) : undefined,
      );
      if (evidences.length > 0) ocsf.evidences = evidences;
      if (optRecord(f.Action) !== undefined && evidences.length > 0) consumed.push('Action');
      const count = optInt(guardDuty?.count);
      if (count !== undefined && count >= 0) ocsf.count = count;
      if (remediation !== undefined) {
        ocsf.remediation = remediation;
        consumed.push('Remediation.Recommendation');
      }
      // A GuardDuty attack sequence: the resource to contain first, the signals as related events.
      const sequence = product === 'aws/guardduty' ? asffSequence(f) : undefined;
      if (sequence !== undefined) {
        if (ocsf.resources !== undefined)
          ocsf.resources = withPrimaryFirst(
            types.find((t) => t.includes('AttackSequence:')),
            ocsf.resources,
          );
        setRelatedEvents(ocsf, sequenceSignals(sequence, 'asff'));
        setSequenceAttacks(ocsf, sequence, 'asff');
        consumed.push('Detection.Sequence.Signals');
      }
    }
  }
  const unmapped = omitPaths(f, ASFF_MAPPED.with(consumed));
  if (unmapped !== undefined) ocsf.unmapped = unmapped;
  return { alert: makeAlert(findingKey, event, sample, ocsf) };
}

/** What {@link normalizeAsffFinding} maps whatever the finding's class. */
const ASFF_MAPPED = new MappedPaths([
  'Id',
  'ProductArn',
  'ProductName',
  'CompanyName',
  'AwsAccountId',
  'Region',
  'Title',
  'Description',
  'Types',
  'SourceUrl',
  'CreatedAt',
  'UpdatedAt',
  'FirstObservedAt',
  'LastObservedAt',
  'RecordState',
  'Workflow.Status',
  'WorkflowState',
  'Resources',
  'Confidence',
  'Sample',
]);

/**
 * The finding key of an ASFF finding, namespaced by the product that produced it. An AWS product's
 * finding keeps its `Id` when that is an ARN (GuardDuty and Inspector use their own finding ARN, so
 * one finding has one alert natively and through Security Hub), else `ProductArn|Id`. Any other
 * product's key starts with `product:` and its product ARN, which no AWS key does: a custom
 * integration that copies a GuardDuty finding ARN into its `Id` gets an alert of its own and never
 * touches the GuardDuty alert. Security Hub itself keys a finding by product and `Id` (a provider
 * "can't update findings that they didn't create", User Guide, "BatchImportFindings for finding
 * providers").
 */
export function findingKeyOf(productArn: string, id: string): string {
  if (!securityHubProduct(productArn).aws) return `product:${productArn}|${id}`;
  return id.startsWith('arn:') ? id : `${productArn}|${id}`;
}

function classFor(f: JsonRecord, product: string): OcsfClassInfo {
  const vulnerabilities = Array.isArray(f.Vulnerabilities) && f.Vulnerabilities.length > 0;
  // Inspector network-reachability findings carry no vulnerability (no CVE, CWE or advisory):
  // they are exposure detections.
  if (vulnerabilities) return OcsfClass.VulnerabilityFinding;
  if (product === 'aws/inspector') return OcsfClass.DetectionFinding;
  if (product === 'aws/securityhub' || product === 'aws/config' || isRecord(f.Compliance)) {
    return OcsfClass.ComplianceFinding;
  }
  if (product === 'aws/macie' && providerTypes(f).some(isSensitiveDataType))
    return OcsfClass.DataSecurityFinding;
  return OcsfClass.DetectionFinding;
}

/** Macie classification findings: `Sensitive Data Identifications/…` or `SensitiveData:…` types. */
function isSensitiveDataType(type: string): boolean {
  return type.startsWith('Sensitive Data Identifications') || type.includes('SensitiveData');
}

const SENSITIVE_DATA_KIND = /SensitiveData[:/-]S3Object[/-](\w+)/i;

/** `data_classification.category_id` from a Macie type (`…SensitiveData:S3Object/Financial`). */
function dataCategory(types: readonly string[]): { category_id?: number; category?: string } {
  const kinds = new Set<string>();
  for (const type of types) {
    const match = SENSITIVE_DATA_KIND.exec(type);
    if (match?.[1] !== undefined) kinds.add(match[1].toLowerCase());
  }
  if (kinds.size !== 1) return {};
  switch ([...kinds][0]) {
    case 'personal':
      return { category_id: 1, category: 'Personal' };
    case 'financial':
      return { category_id: 3, category: 'Financial' };
    case 'credentials':
      return { category_id: 6, category: 'Security' };
    default:
      return {};
  }
}

/**
 * The finding's types as its provider set them: `FindingProviderFields.Types`, else the top-level
 * `Types`. Any principal of the account with `securityhub:BatchUpdateFindings` can rewrite the
 * top-level `Types` and `Severity` of every finding, AWS's own included, while the ProductArn
 * stays AWS's; `FindingProviderFields` is written only by the provider (`BatchImportFindings`).
 * Reading the provider's values first keeps an edited finding from selecting a containment
 * playbook (`FindingProviderFields`, Security Hub API Reference,
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_FindingProviderFields.html;
 * `BatchUpdateFindings`, https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html).
 *
 * @example
 * providerTypes({ Types: ['edited'], FindingProviderFields: { Types: ['TTPs/…'] } }); // ['TTPs/…']
 */
export function providerTypes(f: JsonRecord): string[] {
  const provided = stringList(optRecord(f.FindingProviderFields)?.Types);
  return provided.length > 0 ? provided : stringList(f.Types);
}

/**
 * The provider's severity first (`FindingProviderFields.Severity.Label`: see {@link providerTypes}
 * for why), then `Severity.Label`, then the `Normalized` band, then the legacy
 * `aws/securityhub/SeverityLabel`. The label is never recomputed from `Normalized`: GuardDuty's
 * product severity 2 is published as LOW with Normalized 40.
 */
export function asffSeverity(f: JsonRecord): SeverityId {
  const provider = optRecord(optRecord(f.FindingProviderFields)?.Severity);
  const fromProvider = severityFromLabel(provider?.Label);
  if (fromProvider !== undefined) return fromProvider;
  const severity = optRecord(f.Severity);
  const label = severityFromLabel(severity?.Label);
  if (label !== undefined) return label;
  if (optNumber(severity?.Normalized) !== undefined) return severityFromNormalized(severity?.Normalized);
  return severityFromLabel(optRecord(f.ProductFields)?.['aws/securityhub/SeverityLabel']) ?? 0;
}

/** `Workflow.Status`, else the legacy `WorkflowState`, as finding `status_id`. */
function workflowStatusId(f: JsonRecord): FindingStatusId | undefined {
  switch (optString(optRecord(f.Workflow)?.Status)?.toUpperCase()) {
    case 'NEW':
      return 1;
    case 'NOTIFIED':
      return 2;
    case 'SUPPRESSED':
      return 3;
    case 'RESOLVED':
      return 4;
    default:
      break;
  }
  switch (optString(f.WorkflowState)?.toUpperCase()) {
    case 'NEW':
      return 1;
    case 'ASSIGNED':
    case 'IN_PROGRESS':
      return 2;
    case 'DEFERRED':
      return 3;
    case 'RESOLVED':
      return 4;
    default:
      return undefined;
  }
}

function asffResources(value: unknown): OcsfResource[] {
  return recordList(value).map((resource) => {
    const details = optRecord(resource.Details);
    const accessKey = optRecord(details?.AwsIamAccessKey);
    return canonicalResource(
      compact({
        type: optString(resource.Type),
        uid: optString(resource.Id),
        // An access key's owner: incidents group keys by the principal they belong to.
        name: firstString(accessKey?.PrincipalName, accessKey?.UserName),
        region: optString(resource.Region),
        cloud_partition: optString(resource.Partition),
        tags: tagsFromMap(resource.Tags),
        data: details,
      }),
    );
  });
}

/** OCSF `remediation` from ASFF `Remediation.Recommendation` (`desc` is required). */
function remediationOf(value: unknown): { desc: string; references?: string[] } | undefined {
  const recommendation = optRecord(optRecord(value)?.Recommendation);
  const text = optString(recommendation?.Text);
  const url = optString(recommendation?.Url);
  if (text === undefined && url === undefined) return undefined;
  return compact({ desc: text ?? url ?? '', references: url === undefined ? undefined : [url] });
}

const COMPLIANCE_STATUS_IDS: Readonly<Record<string, ComplianceStatusId>> = {
  PASSED: 1,
  WARNING: 2,
  FAILED: 3,
  NOT_AVAILABLE: 0,
};

/**
 * OCSF `compliance` from ASFF `Compliance`: the control is the consolidated `SecurityControlId`,
 * else the standard-specific `ControlId` / CIS `RuleId`, else the Config rule name; the standards
 * come from `AssociatedStandards`, else `StandardsArn` / `StandardsGuideArn`.
 */
function asffCompliance(c: JsonRecord, productFields: JsonRecord): OcsfCompliance {
  const statusWord = optString(c.Status)?.toUpperCase();
  const statusId = statusWord === undefined ? 0 : (COMPLIANCE_STATUS_IDS[statusWord] ?? 99);
  const associated = recordList(c.AssociatedStandards)
    .map((s) => optString(s.StandardsId))
    .filter((s): s is string => s !== undefined);
  const standardsFallback = firstString(productFields.StandardsArn, productFields.StandardsGuideArn);
  const standards =
    associated.length > 0 ? associated : standardsFallback === undefined ? [] : [standardsFallback];
  const requirements = stringList(c.RelatedRequirements);
  const reasons = recordList(c.StatusReasons);
  const details = reasons.map((r) => optString(r.Description)).filter((s): s is string => s !== undefined);
  return compact({
    control: firstString(
      c.SecurityControlId,
      productFields.ControlId,
      productFields.RuleId,
      productFields['aws/config/ConfigRuleName'],
    ),
    standards: standards.length > 0 ? standards : undefined,
    requirements: requirements.length > 0 ? requirements : undefined,
    status_id: statusId,
    status: COMPLIANCE_STATUS[statusId],
    status_code: firstString(...reasons.map((r) => r.ReasonCode)),
    status_detail: details.length > 0 ? details.join('; ') : undefined,
    status_details: details.length > 0 ? details : undefined,
  });
}

/**
 * OCSF `vulnerabilities` from ASFF `Vulnerabilities[]`. A finding of a vulnerability product
 * without that array (Inspector network reachability) gets one vulnerability described by the
 * finding's title.
 */
function asffVulnerabilities(
  f: JsonRecord,
  context: {
    readonly firstSeen: number | undefined;
    readonly lastSeen: number | undefined;
    readonly remediation: { desc: string; references?: string[] } | undefined;
  },
): OcsfVulnerability[] {
  const list = recordList(f.Vulnerabilities);
  const title = optString(f.Title);
  const common = {
    desc: optString(f.Description),
    remediationText: context.remediation?.desc,
    remediationUrl: context.remediation?.references?.[0],
    firstSeen: context.firstSeen,
    lastSeen: context.lastSeen,
  };
  if (list.length === 0) {
    return [
      buildVulnerability({
        ...common,
        title,
        severity: optString(optRecord(f.Severity)?.Label),
        vendorName: firstString(f.CompanyName, optRecord(f.ProductFields)?.['aws/securityhub/CompanyName']),
      }),
    ];
  }
  return list.map((v) => {
    const vendor = optRecord(v.Vendor) ?? {};
    const code = recordList(v.CodeVulnerabilities);
    return buildVulnerability({
      ...common,
      id: optString(v.Id),
      title: list.length === 1 ? (title ?? optString(v.Id)) : optString(v.Id),
      severity: optString(vendor.VendorSeverity),
      vendorName: optString(vendor.Name),
      cvss: cvssScores(
        recordList(v.Cvss).map((c) => ({
          baseScore: c.BaseScore,
          version: c.Version,
          vector: c.BaseVector,
          source: c.Source,
        })),
      ),
      epssScore: v.EpssScore,
      references: [...stringList(v.ReferenceUrls), ...stringList(vendor.Url)],
      relatedVulnerabilities: stringList(v.RelatedVulnerabilities),
      publishedTime: firstTimestamp(vendor.VendorCreatedAt),
      vendorModifiedTime: firstTimestamp(vendor.VendorUpdatedAt),
      fixAvailable: v.FixAvailable,
      exploitAvailable: v.ExploitAvailable,
      lastKnownExploitAt: firstTimestamp(v.LastKnownExploitAt),
      cwes: code.flatMap((c) => stringList(c.Cwes)),
      affectedCode: affectedCode(
        code.map((c) => {
          const file = optRecord(c.FilePath) ?? {};
          return {
            fileName: file.FileName,
            filePath: file.FilePath,
            startLine: file.StartLine,
            endLine: file.EndLine,
          };
        }),
      ),
      packages: affectedPackages(
        recordList(v.VulnerablePackages).map((p) => ({
          name: p.Name,
          version: p.Version,
          epoch: p.Epoch,
          release: p.Release,
          architecture: p.Architecture,
          packageManager: p.PackageManager,
          fixedInVersion: p.FixedInVersion,
          remediation: p.Remediation,
          filePath: p.FilePath,
        })),
      ),
    });
  });
}

/**
 * Evidences of a detection: the typed ASFF `Action` when present (its keys are GuardDuty's own in
 * PascalCase), else the GuardDuty `service.action` rebuilt from `ProductFields` (only then).
 */
function asffEvidences(action: unknown, guardDuty: () => JsonRecord | undefined): OcsfEvidence[] {
  const typed = optRecord(action);
  if (typed !== undefined) {
    const camel = camelKeys(typed);
    const evidences = isRecord(camel) ? guardDutyEvidences(camel) : [];
    if (evidences.length > 0) return evidences;
  }
  return guardDutyEvidences(optRecord(guardDuty()?.action));
}

/** The value with every object key's first letter lower-cased (`RemoteIpDetails` → `remoteIpDetails`). */
function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key.charAt(0).toLowerCase() + key.slice(1)] = camelKeys(inner);
  }
  return out;
}

const GUARDDUTY_PREFIX = 'aws/guardduty/service/';
/** The members of GuardDuty's `service` a Security Hub finding reads for its facts. */
const SERVICE_FACTS: readonly string[] = ['additionalInfo', 'count'];
/** The member of GuardDuty's `service` its evidences come from. */
const SERVICE_ACTION: readonly string[] = ['action'];
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * GuardDuty's `service` object rebuilt from the flattened, string-valued ASFF `ProductFields`
 * (`aws/guardduty/service/action/awsApiCallAction/api` → `{ action: { awsApiCallAction: { api } } }`).
 * 2019-era findings carry the same keys without the `aws/guardduty/service/` prefix. Index
 * segments (`portProbeDetails/0/…` or `portProbeDetails:0/…`) become arrays.
 *
 * @param members when given, only these members of `service` are rebuilt (each member is built
 *   from its own keys alone, so it comes out the same as in the whole object)
 */
export function guardDutyService(
  productFields: JsonRecord,
  members?: readonly string[],
): JsonRecord | undefined {
  const keys = Object.keys(productFields).map((key) => ({ key, path: servicePath(key) }));
  const current = keys.some(({ path }) => path.kind === 'current');
  const tree = new Branch();
  let found = false;
  for (const { key, path } of keys) {
    if (path.kind !== (current ? 'current' : 'legacy') || path.segments === undefined) continue;
    if (members !== undefined && !members.includes(path.segments[0] ?? '')) continue;
    insert(tree, path.segments, productFields[key]);
    found = true;
  }
  if (!found) return undefined;
  const service = withArrays(tree);
  return isRecord(service) ? service : undefined;
}

/** What a `ProductFields` key says about GuardDuty's `service`. */
interface ServicePath {
  /**
   * `current`: under `aws/guardduty/service/`; `legacy`: a 2019-era key without that prefix;
   * `other`: another `aws/` key (Security Hub's own).
   */
  readonly kind: 'current' | 'legacy' | 'other';
  /** The path in `service`; undefined when it cannot be one (see {@link pathSegments}). */
  readonly segments: readonly string[] | undefined;
}

// GuardDuty's ProductFields keys are a fixed vocabulary: each is read once. Bounded, since
// any event can bring new keys.
const servicePaths = new Map<string, ServicePath>();
const MAX_SERVICE_PATHS = 10_000;

function servicePath(key: string): ServicePath {
  let path = servicePaths.get(key);
  if (path === undefined) {
    path = readServicePath(key);
    if (servicePaths.size < MAX_SERVICE_PATHS) servicePaths.set(key, path);
  }
  return path;
}

function readServicePath(key: string): ServicePath {
  if (key.startsWith(GUARDDUTY_PREFIX)) {
    return { kind: 'current', segments: pathSegments(key, GUARDDUTY_PREFIX.length) };
  }
  if (key.startsWith('aws/')) return { kind: 'other', segments: undefined };
  return { kind: 'legacy', segments: pathSegments(key, 0) };
}

const SLASH = 0x2f;
const COLON = 0x3a;

/**
 * The segments of the path in `key` from `start`, split on `/` and `:`; undefined when one is
 * empty or a prototype member name (such a key is skipped).
 */
function pathSegments(key: string, start: number): string[] | undefined {
  const segments: string[] = [];
  let from = start;
  for (let i = start; i <= key.length; i += 1) {
    const code = key.charCodeAt(i);
    if (code !== SLASH && code !== COLON && i < key.length) continue;
    const segment = key.slice(from, i);
    if (segment === '' || UNSAFE_KEYS.has(segment)) return undefined;
    segments.push(segment);
    from = i + 1;
  }
  return segments;
}

/**
 * A branch of the `service` tree being rebuilt, which becomes an object or an array in
 * {@link withArrays}. Only branches are ever written to: an object met in `ProductFields` is
 * copied into a branch first, so the event itself is never modified.
 */
class Branch {
  public readonly members = new Map<string, unknown>();

  /** A branch holding a copy of the members of a record from the event. */
  public static of(record: Tree): Branch {
    const branch = new Branch();
    for (const key of Object.keys(record)) branch.members.set(key, record[key]);
    return branch;
  }
}

function insert(tree: Branch, segments: readonly string[], value: unknown): void {
  let node = tree;
  for (let i = 0; i < segments.length - 1; i += 1) {
    const segment = segments[i] ?? '';
    const next = node.members.get(segment);
    const branch = next instanceof Branch ? next : isTree(next) ? Branch.of(next) : new Branch();
    if (branch !== next) node.members.set(segment, branch);
    node = branch;
  }
  const leaf = segments[segments.length - 1] ?? '';
  const existing = node.members.get(leaf);
  if (!(existing instanceof Branch) && !isTree(existing)) node.members.set(leaf, value);
}

/** The tree as plain values: branches whose keys are all indexes become arrays, in index order. */
function withArrays(value: unknown): unknown {
  if (value instanceof Branch) return fromBranch(value.members);
  if (!isTree(value)) return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every(isIndexSegment)) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((index) => withArrays(value[String(index)]));
  }
  const out: Tree = {};
  for (const key of keys) out[key] = withArrays(value[key]);
  return out;
}

function fromBranch(members: ReadonlyMap<string, unknown>): unknown {
  const keys = [...members.keys()];
  if (keys.length > 0 && keys.every(isIndexSegment)) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((index) => withArrays(members.get(String(index))));
  }
  const out: Tree = {};
  for (const [key, member] of members) out[key] = withArrays(member);
  return out;
}

/** Whether a path segment is an array index: ASCII digits only. */
function isIndexSegment(segment: string): boolean {
  if (segment.length === 0) return false;
  for (let i = 0; i < segment.length; i += 1) {
    const code = segment.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

export const securityHubNormalizers: readonly SourceNormalizer[] = [
  {
    source: 'aws.securityhub',
    detailType: 'Security Hub Findings - Imported',
    normalize: normalizeSecurityHubFindings,
  },
  {
    source: 'aws.securityhub',
    detailType: 'Security Hub Findings - Custom Action',
    normalize: normalizeSecurityHubFindings,
  },
  { source: 'aws.securityhub', detailType: 'Security Hub Findings', normalize: normalizeSecurityHubFindings },
  { source: 'aws.securityhub', detailType: 'Security Hub Insight Results', normalize: rejectInsightResults },
];
