import type { NormalizeOutput } from '../../alert.ts';
import {
  AWS_ACCOUNT_TYPE,
  FINDING_ACTIVITY,
  type FindingActivityId,
  OCSF_VERSION,
  SEVERITY_CAPTIONS,
  type SeverityId,
} from '../../ocsf/constants.ts';
import { OcsfEventSchema, ResourceSchema, SeverityIdSchema, TimestampSchema } from '../../ocsf/schema.ts';
import * as z from '../../zod.ts';
import { makeAlert } from '../common.ts';
import type { SourceEvent } from '../envelope.ts';
import { withoutSignals } from '../labels.ts';
import { securityHubProduct } from '../product.ts';
import { FieldError, isRecord, type JsonRecord } from '../read.ts';
import { canonicalResource } from '../resource-types.ts';
import { parseTimestamp } from '../time.ts';
import { withPrimaryFirst } from './attack-sequence.ts';
import { OCSF_FINDING_ATTRIBUTES, OCSF_FINDING_CLASSES } from './ocsf-finding-attributes.ts';
import { findingKeyOf } from './securityhub.ts';
import type { SourceNormalizer } from './types.ts';

/** The detail-type of findings the new Security Hub sends, already in OCSF (1.6). */
export const FINDINGS_IMPORTED_V2 = 'Findings Imported V2';

/** A non-blank string (the Security Hub API's `.*\S.*`). */
const Identifier = z.string().check(z.regex(/\S/, 'must be a non-blank string'));
const optionalString = z.optional(z.string());
const optionalTimestamp = z.optional(TimestampSchema);

/**
 * What Riposte requires of an OCSF finding from Security Hub before keeping it: the identity
 * Security Hub itself uses (`OcsfFindingIdentifier`: `metadata.product.uid`, `finding_info.uid`,
 * `cloud.account.uid`), a class, and well-typed severity, times and resources. Everything else is
 * kept as it came (loose objects).
 */
export const OcsfFindingV2Schema = /* @__PURE__ */ (() =>
  z.looseObject({
    class_uid: z.number().check(z.int()),
    activity_id: z.optional(z.number().check(z.int())),
    severity_id: z.optional(SeverityIdSchema),
    severity: optionalString,
    time: optionalTimestamp,
    message: optionalString,
    is_alert: z.optional(z.boolean()),
    metadata: z.looseObject({
      product: z.looseObject({ uid: Identifier, name: optionalString, vendor_name: optionalString }),
      profiles: z.optional(z.array(z.string())),
      uid: optionalString,
      labels: z.optional(z.array(z.string())),
    }),
    finding_info: z.looseObject({
      uid: Identifier,
      title: optionalString,
      types: z.optional(z.array(z.string())),
      created_time: optionalTimestamp,
      modified_time: optionalTimestamp,
    }),
    cloud: z.optional(
      z.looseObject({
        region: optionalString,
        account: z.optional(z.looseObject({ uid: optionalString })),
      }),
    ),
    resources: z.optional(z.array(ResourceSchema)),
    unmapped: z.optional(z.unknown()),
  }))();
export type OcsfFindingV2 = z.infer<typeof OcsfFindingV2Schema>;

/**
 * Security Hub `Findings Imported V2` (Security Hub User Guide, "EventBridge event formats"):
 * `detail.findings[]` holds one finding, already in OCSF. Each element is validated
 * ({@link OcsfFindingV2Schema}) and kept with Riposte's conventions: `metadata.version` 1.6.0 and
 * the `cloud` profile, `metadata.uid` the EventBridge event id, `cloud.account` typed as an AWS
 * account (the finding's own, else the envelope's), resources in Riposte's vocabulary, the
 * severity caption matching `severity_id`, the finding as received in `raw_data`, and top-level
 * members the class does not define moved to `unmapped`. A malformed finding is refused with the
 * path and reason, and stored as rejected.
 *
 * Provenance fails closed. The product is read only from `metadata.product.uid`, which Security
 * Hub's finding identity (`OcsfFindingIdentifier.MetadataProductUid`) names "a unique identifier
 * for the product", as `ProductArn` is in ASFF: the producer is AWS only when it is an AWS product
 * ARN (`arn:<partition>:securityhub:<region>::product/aws/<name>`, see `../product.ts`). The
 * product's `name` and `vendor_name` prove nothing (a partner can write "GuardDuty" and "AWS"),
 * and any other value (a partner's or custom product, a bare name, an unknown form) makes a
 * non-AWS alert keyed `product:<uid>|<finding uid>`, which no AWS-producer trigger matches.
 *
 * Finding key: {@link findingKeyOf} of `metadata.product.uid` and `finding_info.uid`, as for ASFF
 * (`ProductArn`, `Id`): an AWS finding whose `finding_info.uid` is an ARN is keyed by it, so when
 * GuardDuty's `finding_info.uid` is its finding ARN (its ASFF `Id`) the OCSF, ASFF and native
 * copies share one alert. The Security Hub documentation Riposte was written from does not state
 * what `finding_info.uid` holds for each AWS service; where it is not the service's finding ARN,
 * the OCSF copy gets an alert of its own (keyed by product and uid), never a wrong merge.
 *
 * Not read: a sample marker (none is documented for OCSF findings, so `sample` is false).
 *
 * @example
 * normalize({ source: 'aws.securityhub', 'detail-type': 'Findings Imported V2', detail: { findings: [finding] } })
 * // [{ alert: { id, source: 'aws.securityhub', sample: false, ocsf: { class_uid: 2004, … } } }]
 */
export function normalizeFindingsImportedV2(event: SourceEvent): NormalizeOutput[] {
  const findings = event.detail.findings;
  if (findings === undefined || findings === null) {
    throw new FieldError('missing_field', 'detail.findings', 'is required');
  }
  if (!Array.isArray(findings)) {
    throw new FieldError('invalid_field', 'detail.findings', 'must be an array of OCSF findings');
  }
  if (findings.length === 0) {
    return [{ rejected: { reason: 'not_a_finding', message: 'detail.findings is empty' } }];
  }
  return Array.from(findings, (finding: unknown, index): NormalizeOutput => {
    const path = `detail.findings[${index}]`;
    try {
      return normalizeOcsfFinding(event, finding, path, findings.length === 1);
    } catch (error) {
      if (error instanceof FieldError) return { rejected: { reason: error.reason, message: error.message } };
      const message = error instanceof Error ? error.message : String(error);
      return { rejected: { reason: 'internal_error', message: `${path}: normalizer failed: ${message}` } };
    }
  });
}

/** Normalizes one OCSF finding; throws a {@link FieldError} when it cannot be kept. */
export function normalizeOcsfFinding(
  event: SourceEvent,
  value: unknown,
  path: string,
  alone: boolean,
): NormalizeOutput {
  if (!isRecord(value)) throw new FieldError('invalid_field', path, 'an OCSF finding must be an object');
  const parsed = OcsfFindingV2Schema.safeParse(value);
  if (!parsed.success) throw issueError(parsed.error.issues[0], path);
  const f = parsed.data;
  const cls = OCSF_FINDING_CLASSES.get(f.class_uid);
  const attributes = OCSF_FINDING_ATTRIBUTES.get(f.class_uid);
  if (cls === undefined || attributes === undefined) {
    const handled = [...OCSF_FINDING_CLASSES.keys()].join(', ');
    throw new FieldError(
      'invalid_field',
      `${path}.class_uid`,
      `${f.class_uid} is not a finding class Riposte takes (${handled})`,
    );
  }
  const activityId = f.activity_id ?? 1;
  if (!isFindingActivity(activityId)) {
    throw new FieldError(
      'invalid_field',
      `${path}.activity_id`,
      `${activityId} is not a finding activity (1 Create, 2 Update, 3 Close)`,
    );
  }
  const { envelope } = event;
  const envelopeTime = parseTimestamp(envelope.time);
  const time = f.time ?? f.finding_info.modified_time ?? f.finding_info.created_time ?? envelopeTime;
  if (time === undefined)
    throw new FieldError('missing_field', `${path}.time`, 'the finding carries no usable timestamp');

  const productUid = f.metadata.product.uid;
  const producer = securityHubProduct(productUid);
  const profiles = new Set(['cloud', ...(f.metadata.profiles ?? [])]);
  const { kept, extra } = splitAttributes(value, attributes, profiles.has('datetime'));
  const severityId = SEVERITY_BY_ID.get(f.severity_id ?? -1) ?? severityFromCaption(f.severity) ?? 0;
  const account = f.cloud?.account?.uid ?? envelope.account;
  const types = f.finding_info.types ?? [];
  const resources = (f.resources ?? []).map((resource) => canonicalResource(resource));
  const metadata: Record<string, unknown> = { ...f.metadata, version: OCSF_VERSION, profiles: [...profiles] };
  const labels = withoutSignals(f.metadata.labels);
  if (labels === undefined) delete metadata.labels;
  else metadata.labels = labels;
  if (envelope.id !== undefined) {
    metadata.uid = envelope.id;
    if (f.metadata.uid !== undefined) extra['metadata.uid'] = f.metadata.uid;
  }
  if (envelopeTime !== undefined) metadata.logged_time = envelopeTime;
  // The finding's own `unmapped` is kept: merged when an object, else under its name.
  if (f.unmapped !== undefined && !isRecord(f.unmapped)) extra.unmapped = f.unmapped;
  const unmapped = { ...(isRecord(f.unmapped) ? f.unmapped : {}), ...extra };

  const candidate: Record<string, unknown> = {
    ...kept,
    class_uid: cls.uid,
    class_name: cls.name,
    category_uid: cls.category_uid,
    category_name: cls.category_name,
    activity_id: activityId,
    activity_name: FINDING_ACTIVITY[activityId],
    type_uid: cls.uid * 100 + activityId,
    type_name: `${cls.name}: ${FINDING_ACTIVITY[activityId]}`,
    severity_id: severityId,
    severity: SEVERITY_CAPTIONS[severityId],
    time,
    message: f.message ?? f.finding_info.title ?? types[0] ?? f.finding_info.uid,
    metadata,
    cloud: {
      ...f.cloud,
      provider: 'AWS',
      region: f.cloud?.region ?? envelope.region,
      ...(account === undefined
        ? {}
        : { account: { ...f.cloud?.account, uid: account, ...AWS_ACCOUNT_TYPE } }),
    },
    raw_data: alone ? event.raw : JSON.stringify(value),
  };
  if (resources.length > 0) {
    const sequence = types.find((type) => type.includes('AttackSequence:'));
    candidate.resources =
      producer.id === 'aws/guardduty' && producer.aws ? withPrimaryFirst(sequence, resources) : resources;
  }
  if (f.is_alert === undefined && (cls.uid === 2004 || cls.uid === 2006)) candidate.is_alert = true;
  if (Object.keys(unmapped).length > 0) candidate.unmapped = unmapped;
  else delete candidate.unmapped;

  const ocsf = OcsfEventSchema.safeParse(candidate);
  if (!ocsf.success) throw issueError(ocsf.error.issues[0], path);
  return { alert: makeAlert(findingKeyOf(productUid, f.finding_info.uid), event, false, ocsf.data) };
}

function isFindingActivity(id: number): id is FindingActivityId {
  return Object.hasOwn(FINDING_ACTIVITY, id);
}

/** The finding's top-level members its class defines, and the others (for `unmapped`). */
function splitAttributes(
  finding: JsonRecord,
  attributes: ReadonlySet<string>,
  datetime: boolean,
): { kept: Record<string, unknown>; extra: Record<string, unknown> } {
  const kept: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const key of Object.keys(finding)) {
    if (attributes.has(key) || (datetime && key.endsWith('_dt'))) kept[key] = finding[key];
    else extra[key] = finding[key];
  }
  return { kept, extra };
}

const SEVERITY_IDS: readonly SeverityId[] = [0, 1, 2, 3, 4, 5, 6, 99];
const SEVERITY_BY_ID: ReadonlyMap<number, SeverityId> = new Map(SEVERITY_IDS.map((id) => [id, id]));
const SEVERITY_BY_CAPTION: ReadonlyMap<string, SeverityId> = new Map(
  SEVERITY_IDS.map((id) => [SEVERITY_CAPTIONS[id].toLowerCase(), id]),
);

/** `severity_id` of an OCSF severity caption (`Critical`), any case; undefined when unknown. */
function severityFromCaption(caption: string | undefined): SeverityId | undefined {
  return caption === undefined ? undefined : SEVERITY_BY_CAPTION.get(caption.trim().toLowerCase());
}

/** A one-line {@link FieldError} from the first zod issue: its path under `path`, its message. */
function issueError(issue: z.core.$ZodIssue | undefined, path: string): FieldError {
  if (issue === undefined) return new FieldError('invalid_field', path, 'is not a valid OCSF finding');
  const at = issue.path.length === 0 ? path : `${path}.${issue.path.map(String).join('.')}`;
  const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
  return new FieldError(missing ? 'missing_field' : 'invalid_field', at, issue.message.replace(/\s+/g, ' '));
}

export const securityHubV2Normalizers: readonly SourceNormalizer[] = [
  { source: 'aws.securityhub', detailType: FINDINGS_IMPORTED_V2, normalize: normalizeFindingsImportedV2 },
];
