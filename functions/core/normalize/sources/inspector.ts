import type { NormalizeOutput } from '../../alert.ts';
import type { FindingStatusId } from '../../ocsf/constants.ts';
import { OcsfClass } from '../../ocsf/constants.ts';
import type { OcsfResource, OcsfVulnerability } from '../../ocsf/schema.ts';
import {
  baseEvent,
  findingActivity,
  findingActivityName,
  findingStatus,
  firstString,
  makeAlert,
  severityFromLabel,
} from '../common.ts';
import type { SourceEvent } from '../envelope.ts';
import {
  compact,
  isRecord,
  type JsonRecord,
  MappedPaths,
  omitPaths,
  optRecord,
  optString,
  recordList,
  requireString,
  stringList,
} from '../read.ts';
import { canonicalResource } from '../resource-types.ts';
import { firstTimestamp } from '../time.ts';
import type { SourceNormalizer } from './types.ts';
import { affectedCode, affectedPackages, buildVulnerability, cvssScores, isCveId } from './vulnerability.ts';

/**
 * Amazon Inspector (v2) findings (`aws.inspector2` / `Inspector2 Finding`) → Vulnerability
 * Finding 2002.
 *
 * Finding key: `findingArn`, which is also the ASFF `Id` of the same finding in Security Hub.
 *
 * - `PACKAGE_VULNERABILITY`: the vulnerability is the CVE (or advisory) with its CVSS scores,
 *   EPSS score and vulnerable packages;
 * - `CODE_VULNERABILITY`: no CVE; the vulnerability is the finding's title with its first CWE and
 *   the affected code, the detector details stay in `unmapped`;
 * - `NETWORK_REACHABILITY`: no CVE nor CWE; the vulnerability is the finding's title, the open port
 *   range and network path stay in `unmapped`.
 *
 * Inspector publishes its timestamps in console style (`Dec 3, 2021, 6:02:30 PM`,
 * `Wed Sep 04 16:59:44.356 UTC 2024`); the envelope `time` is the fallback. `inspectorScore`
 * (Inspector's own, environment-adjusted score) and `inspectorScoreDetails` are kept in
 * `unmapped`, as is the source `severity` word.
 */
export function normalizeInspectorFinding(event: SourceEvent): NormalizeOutput[] {
  const d = event.detail;
  const path = 'detail';
  const findingArn = requireString(d, 'findingArn', path);
  const arn = arnParts(findingArn);
  const account = firstString(d.awsAccountId, arn.account, event.envelope.account);
  const region = firstString(arn.region, event.envelope.region);
  const status = optString(d.status)?.toUpperCase();
  const closed = status === 'CLOSED';
  const firstObserved = firstTimestamp(d.firstObservedAt);
  const lastObserved = firstTimestamp(d.lastObservedAt);
  const updatedAt = firstTimestamp(d.updatedAt);
  const activityId = findingActivity({ closed, createdAt: firstObserved, updatedAt });
  const type = optString(d.type);
  const title = optString(d.title);

  // Network reachability findings have no CVE, CWE or advisory: they are exposure detections.
  const exposure = type === 'NETWORK_REACHABILITY';
  const ocsf = baseEvent(event, {
    cls: exposure ? OcsfClass.DetectionFinding : OcsfClass.VulnerabilityFinding,
    activityId,
    activityName: findingActivityName(activityId),
    severityId: severityFromLabel(d.severity) ?? 0,
    time: updatedAt ?? lastObserved ?? firstObserved,
    account,
    region,
    partition: arn.partition,
    product: { name: 'Inspector', vendor_name: 'AWS' },
    raw: event.raw,
    unmapped: omitPaths(
      d,
      INSPECTOR_MAPPED.with(packageDetailsConsumed(optRecord(d.packageVulnerabilityDetails))),
    ),
  });
  ocsf.finding_info = compact({
    uid: findingArn,
    title,
    desc: optString(d.description),
    types: type === undefined ? undefined : [type],
    created_time: firstObserved,
    modified_time: updatedAt,
    first_seen_time: firstObserved,
    last_seen_time: lastObserved,
  });
  const statusId = inspectorStatusId(status);
  if (statusId !== undefined) Object.assign(ocsf, findingStatus(statusId));
  ocsf.resources = inspectorResources(d.resources);
  if (exposure) ocsf.is_alert = true;
  else
    ocsf.vulnerabilities = [inspectorVulnerability(d, { firstSeen: firstObserved, lastSeen: lastObserved })];
  ocsf.message = title ?? type ?? 'Inspector finding';
  return [{ alert: makeAlert(findingArn, event, false, ocsf) }];
}

/** What {@link normalizeInspectorFinding} maps besides the package details. */
const INSPECTOR_MAPPED = new MappedPaths([
  'findingArn',
  'awsAccountId',
  'title',
  'description',
  'type',
  'status',
  'firstObservedAt',
  'lastObservedAt',
  'updatedAt',
  'resources',
  'remediation.recommendation',
  'fixAvailable',
  'exploitAvailable',
  'exploitabilityDetails.lastKnownExploitAt',
]);
const CVE_PACKAGE_MAPPED: readonly string[] = ['packageVulnerabilityDetails', 'epss.score'];

/**
 * The `packageVulnerabilityDetails` paths the vulnerability maps. CVSS and EPSS only have a place
 * next to a CVE: for an advisory id (`GHSA-…`, `ALAS-…`, `KB…`) they stay in `unmapped`.
 */
function packageDetailsConsumed(pkg: JsonRecord | undefined): readonly string[] {
  if (pkg === undefined) return [];
  const id = optString(pkg.vulnerabilityId);
  if (id !== undefined && isCveId(id)) return CVE_PACKAGE_MAPPED;
  return Object.keys(pkg)
    .filter((key) => key !== 'cvss')
    .map((key) => `packageVulnerabilityDetails.${key}`);
}

/** Inspector `status` to finding `status_id`: ACTIVE New, SUPPRESSED Suppressed, CLOSED Resolved. */
export function inspectorStatusId(status: string | undefined): FindingStatusId | undefined {
  switch (status) {
    case 'ACTIVE':
      return 1;
    case 'SUPPRESSED':
      return 3;
    case 'CLOSED':
      return 4;
    default:
      return undefined;
  }
}

/** Partition, region and account of an ARN (`arn:aws:inspector2:us-east-2:111122223333:finding/…`). */
export function arnParts(arn: string): { partition?: string; region?: string; account?: string } {
  const parts = arn.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return {};
  return compact({
    partition: present(parts[1]),
    region: present(parts[3]),
    account: present(parts[4]),
  });
}

/** A value that means something: not empty and not Inspector's `N/A` placeholder. */
function present(value: unknown): string | undefined {
  const s = optString(value);
  return s === undefined || s.toUpperCase() === 'N/A' ? undefined : s;
}

/** OCSF `tags` for a `{ key: value }` map (Inspector `tags`, ASFF `Tags`). */
export function tagsFromMap(value: unknown): { name: string; value: string }[] | undefined {
  if (!isRecord(value)) return undefined;
  const tags: { name: string; value: string }[] = [];
  for (const [name, tagValue] of Object.entries(value)) {
    if (name === '') continue;
    tags.push({ name, value: optString(tagValue) ?? '' });
  }
  return tags.length > 0 ? tags : undefined;
}

function inspectorResources(value: unknown): OcsfResource[] {
  return recordList(value).map((resource) =>
    canonicalResourceOf({
      type: optString(resource.type),
      uid: optString(resource.id),
      region: present(resource.region),
      cloud_partition: present(resource.partition),
      tags: tagsFromMap(resource.tags),
      data: optRecord(resource.details),
    }),
  );
}

function canonicalResourceOf(resource: OcsfResource): OcsfResource {
  return canonicalResource(compact(resource));
}

function inspectorVulnerability(
  d: JsonRecord,
  seen: { readonly firstSeen: number | undefined; readonly lastSeen: number | undefined },
): OcsfVulnerability {
  const recommendation = optRecord(optRecord(d.remediation)?.recommendation);
  const common = {
    title: optString(d.title),
    desc: optString(d.description),
    fixAvailable: d.fixAvailable,
    exploitAvailable: d.exploitAvailable,
    lastKnownExploitAt: firstTimestamp(optRecord(d.exploitabilityDetails)?.lastKnownExploitAt),
    remediationText: optString(recommendation?.text),
    remediationUrl: firstString(recommendation?.Url, recommendation?.url),
    firstSeen: seen.firstSeen,
    lastSeen: seen.lastSeen,
  };
  const pkg = optRecord(d.packageVulnerabilityDetails);
  if (pkg !== undefined) {
    const adjusted = optRecord(optRecord(d.inspectorScoreDetails)?.adjustedCvss);
    const listed = recordList(pkg.cvss).map((c) => ({
      baseScore: c.baseScore,
      version: c.version,
      vector: c.scoringVector,
      source: c.source,
    }));
    const fallback =
      adjusted === undefined
        ? []
        : [
            {
              baseScore: adjusted.score,
              version: adjusted.version,
              vector: adjusted.scoringVector,
              source: adjusted.scoreSource,
            },
          ];
    return buildVulnerability({
      ...common,
      id: optString(pkg.vulnerabilityId),
      severity: optString(pkg.vendorSeverity),
      vendorName: optString(pkg.source),
      cvss: cvssScores(listed.length > 0 ? listed : fallback),
      epssScore: optRecord(d.epss)?.score,
      references: [...stringList(pkg.referenceUrls), ...stringList(pkg.sourceUrl)],
      relatedVulnerabilities: stringList(pkg.relatedVulnerabilities),
      publishedTime: firstTimestamp(pkg.vendorCreatedAt),
      vendorModifiedTime: firstTimestamp(pkg.vendorUpdatedAt),
      packages: affectedPackages(
        recordList(pkg.vulnerablePackages).map((p) => ({
          name: p.name,
          version: p.version,
          epoch: p.epoch,
          release: p.release,
          architecture: p.arch,
          packageManager: p.packageManager,
          fixedInVersion: p.fixedInVersion,
          remediation: p.remediation,
          filePath: p.filePath,
        })),
      ),
    });
  }
  const code = optRecord(d.codeVulnerabilityDetails);
  const file = optRecord(code?.filePath);
  return buildVulnerability({
    ...common,
    severity: optString(d.severity),
    vendorName: 'Amazon Inspector',
    cwes: stringList(code?.cwes),
    references: stringList(code?.referenceUrls),
    affectedCode:
      file === undefined
        ? []
        : affectedCode([
            {
              fileName: file.fileName,
              filePath: file.filePath,
              startLine: file.startLine,
              endLine: file.endLine,
            },
          ]),
  });
}

export const inspectorNormalizers: readonly SourceNormalizer[] = [
  { source: 'aws.inspector2', detailType: 'Inspector2 Finding', normalize: normalizeInspectorFinding },
];
