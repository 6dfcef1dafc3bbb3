import type { NormalizeOutput } from '../../alert.ts';
import {
  COMPLIANCE_STATUS,
  type ComplianceStatusId,
  type FindingActivityId,
  type FindingStatusId,
  OcsfClass,
} from '../../ocsf/constants.ts';
import { baseEvent, findingActivityName, findingStatus, firstString, makeAlert } from '../common.ts';
import type { SourceEvent } from '../envelope.ts';
import {
  compact,
  encodeUriComponent,
  MappedPaths,
  omitPaths,
  optRecord,
  optString,
  requireRecord,
  requireString,
} from '../read.ts';
import { firstTimestamp } from '../time.ts';
import type { SourceNormalizer } from './types.ts';

const COMPLIANCE: Readonly<Record<string, { id: ComplianceStatusId; status: FindingStatusId }>> = {
  COMPLIANT: { id: 1, status: 4 },
  NON_COMPLIANT: { id: 3, status: 1 },
  NOT_APPLICABLE: { id: 99, status: 4 },
  INSUFFICIENT_DATA: { id: 0, status: 0 },
};

/**
 * AWS Config `Config Rules Compliance Change` → Compliance Finding 2003.
 *
 * Finding key: rule ARN, resource type and resource id. Each compliance change of one resource
 * against one rule is an update of the same finding (so the alert store keeps the newest by
 * `orderingTimestamp`): the first evaluation creates it, a return to COMPLIANT closes it.
 *
 * Config has no severity. Riposte rates a NON_COMPLIANT result Medium (Security Hub's default
 * for Config findings) and any other result Informational.
 */
export function normalizeConfigCompliance(event: SourceEvent): NormalizeOutput[] {
  const d = event.detail;
  const newResult = requireRecord(d, 'newEvaluationResult', 'detail');
  const qualifier =
    optRecord(optRecord(newResult.evaluationResultIdentifier)?.evaluationResultQualifier) ?? {};
  const ruleName = firstString(qualifier.configRuleName) ?? requireString(d, 'configRuleName', 'detail');
  const resourceType =
    firstString(d.resourceType, qualifier.resourceType) ?? requireString(d, 'resourceType', 'detail');
  const resourceId =
    firstString(d.resourceId, qualifier.resourceId) ?? requireString(d, 'resourceId', 'detail');
  const complianceType = requireString(newResult, 'complianceType', 'detail.newEvaluationResult');
  const account = firstString(d.awsAccountId, event.envelope.account);
  const region = firstString(d.awsRegion, event.envelope.region);
  const ruleArn =
    firstString(d.configRuleARN) ?? `config-rule:${account ?? 'unknown'}:${region ?? 'unknown'}:${ruleName}`;
  const findingKey = `${ruleArn}|${resourceType}|${resourceId}`;
  const mapped = (Object.hasOwn(COMPLIANCE, complianceType) ? COMPLIANCE[complianceType] : undefined) ?? {
    id: 99,
    status: 99,
  };
  const hadOld = optRecord(d.oldEvaluationResult) !== undefined;
  // Only a return to COMPLIANT closes the finding; NOT_APPLICABLE and unknown results update it.
  const activityId: FindingActivityId = !hadOld ? 1 : complianceType === 'COMPLIANT' ? 3 : 2;
  const orderedAt = firstTimestamp(optRecord(newResult.evaluationResultIdentifier)?.orderingTimestamp);
  const recordedAt = firstTimestamp(newResult.resultRecordedTime, d.notificationCreationTime);
  const annotation = optString(newResult.annotation);

  const ocsf = baseEvent(event, {
    cls: OcsfClass.ComplianceFinding,
    activityId,
    activityName: findingActivityName(activityId),
    severityId: mapped.id === 3 ? 3 : 1,
    time: recordedAt ?? orderedAt,
    account,
    region,
    product: { name: 'Config', vendor_name: 'AWS' },
    raw: event.raw,
    unmapped: omitPaths(d, CONFIG_MAPPED),
  });
  const title = `${ruleName}: ${resourceType} ${resourceId} is ${complianceType}`;
  ocsf.finding_info = compact({
    uid: findingKey,
    title,
    desc: annotation,
    types: [`Config:${ruleName}`],
    modified_time: orderedAt,
    last_seen_time: recordedAt,
    src_url:
      region === undefined
        ? undefined
        : `https://${region}.console.aws.amazon.com/config/home?region=${region}#/rules/details?configRuleName=${encodeUriComponent(ruleName)}`,
  });
  ocsf.compliance = compact({
    control: ruleName,
    status_id: mapped.id,
    status: mapped.id === 99 ? complianceType : COMPLIANCE_STATUS[mapped.id],
    status_detail: annotation,
  });
  if (mapped.status === 99) {
    ocsf.status_id = 99;
    ocsf.status = complianceType;
  } else {
    Object.assign(ocsf, findingStatus(mapped.status));
  }
  ocsf.resources = [compact({ type: resourceType, uid: resourceId, region })];
  ocsf.message = title;
  return [{ alert: makeAlert(findingKey, event, false, ocsf) }];
}

/** What {@link normalizeConfigCompliance} maps. */
const CONFIG_MAPPED = new MappedPaths([
  'configRuleName',
  'configRuleARN',
  'resourceType',
  'resourceId',
  'awsAccountId',
  'awsRegion',
  'newEvaluationResult.complianceType',
  'newEvaluationResult.annotation',
  'newEvaluationResult.resultRecordedTime',
  'newEvaluationResult.evaluationResultIdentifier',
]);

export const configNormalizers: readonly SourceNormalizer[] = [
  {
    source: 'aws.config',
    detailType: 'Config Rules Compliance Change',
    normalize: normalizeConfigCompliance,
  },
];
