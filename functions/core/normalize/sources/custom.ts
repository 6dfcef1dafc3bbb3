import type { NormalizeOutput } from '../../alert.ts';
import { AWS_ACCOUNT_TYPE, OCSF_VERSION } from '../../ocsf/constants.ts';
import { type OcsfEvent, OcsfEventSchema } from '../../ocsf/schema.ts';
import * as z from '../../zod.ts';
import { alertIdFor } from '../common.ts';
import type { SourceEvent } from '../envelope.ts';
import { withoutSignals } from '../labels.ts';
import { FieldError, isRecord } from '../read.ts';
import type { SourceNormalizer } from './types.ts';

/** The EventBridge source third-party tools use to send alerts to Riposte. */
export const CUSTOM_SOURCE = 'riposte.custom';

const SUPPORTED_CLASSES = new Set([2002, 2003, 2004, 2006, 3002, 6003]);

/**
 * What a third-party tool puts in `detail`: an alert in the normalized shape. `id` and
 * `source`, if sent, are ignored: Riposte derives the id itself, namespaced by the sending
 * product, so an external tool can never collide with (or overwrite) an AWS finding's alert.
 */
export const CustomAlertDetailSchema = z.looseObject({
  sample: z._default(z.boolean(), false),
  ocsf: OcsfEventSchema,
});
export type CustomAlertDetail = z.infer<typeof CustomAlertDetailSchema>;

/**
 * `riposte.custom` events (any `detail-type`) carrying `{ sample?, ocsf }`.
 *
 * Finding key: `custom:<sending account>:<product uid or name>:<finding_info.uid or metadata.uid>`. The alert's
 * account is the sending account (the envelope's), never the one the detail claims.
 *
 * @example
 * // aws events put-events --entries '[{"Source":"riposte.custom","DetailType":"Alert",
 * //   "Detail":"{\"ocsf\":{\"class_uid\":2004,...}}"}]'
 */
export function normalizeCustomAlert(event: SourceEvent): NormalizeOutput[] {
  const parsed = CustomAlertDetailSchema.safeParse(event.detail);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = ['detail', ...(issue?.path ?? []).map(String)].join('.');
    const missing = issue?.code === 'invalid_type' && issue.message.includes('undefined');
    throw new FieldError(missing ? 'missing_field' : 'invalid_field', where, issue?.message ?? 'invalid');
  }
  const { ocsf, sample } = parsed.data;
  if (!SUPPORTED_CLASSES.has(ocsf.class_uid)) {
    throw new FieldError(
      'invalid_field',
      'detail.ocsf.class_uid',
      `class ${ocsf.class_uid} is not one Riposte handles (${[...SUPPORTED_CLASSES].join(', ')})`,
    );
  }
  if (!/^1\./.test(ocsf.metadata.version)) {
    throw new FieldError('invalid_field', 'detail.ocsf.metadata.version', 'must be an OCSF 1.x version');
  }
  const uid = ocsf.finding_info?.uid ?? ocsf.metadata.uid;
  if (uid === undefined) {
    throw new FieldError(
      'missing_field',
      'detail.ocsf.finding_info.uid',
      'a finding uid or metadata.uid is required',
    );
  }
  const product = ocsf.metadata.product.uid ?? ocsf.metadata.product.name ?? 'unknown';
  setSenderAccount(ocsf, event.envelope.account);
  const profiles = new Set(ocsf.metadata.profiles ?? []);
  profiles.add('cloud');
  ocsf.metadata = { ...ocsf.metadata, version: OCSF_VERSION, profiles: [...profiles] };
  const labels = withoutSignals(ocsf.metadata.labels);
  if (labels === undefined) delete ocsf.metadata.labels;
  else ocsf.metadata.labels = labels;
  if (sample) ocsf.metadata.labels = [...new Set([...(ocsf.metadata.labels ?? []), 'sample'])];
  if (ocsf.raw_data === undefined) ocsf.raw_data = event.raw;
  const key = `custom:${event.envelope.account ?? '-'}:${product}:${uid}`;
  return [{ alert: { id: alertIdFor(key), source: CUSTOM_SOURCE, sample, ocsf } }];
}

/**
 * The alert's account is the one that sent the event: EventBridge sets the envelope's `account`
 * to the account that called PutEvents, whereas the detail says whatever the sender wrote. A
 * different account in the detail is kept under `unmapped.claimed_account_uid`, never acted on.
 */
function setSenderAccount(ocsf: OcsfEvent, sender: string | undefined): void {
  const claimed = ocsf.cloud.account?.uid;
  if (claimed !== undefined && claimed !== sender) {
    ocsf.unmapped = { ...(isRecord(ocsf.unmapped) ? ocsf.unmapped : {}), claimed_account_uid: claimed };
  }
  const { account: _claimed, ...cloud } = ocsf.cloud;
  ocsf.cloud = sender === undefined ? cloud : { ...cloud, account: { uid: sender, ...AWS_ACCOUNT_TYPE } };
}

export const customNormalizers: readonly SourceNormalizer[] = [
  { source: CUSTOM_SOURCE, detailType: '*', normalize: normalizeCustomAlert },
];
