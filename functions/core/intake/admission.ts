import type { Alert, Rejection } from '../alert.ts';

/** The source third-party tools send alerts with (see `../normalize/sources/custom.ts`). */
const CUSTOM_SOURCE = 'riposte.custom';

/**
 * Why ingest refuses an alert that normalized fine, or undefined when it admits it: a
 * `riposte.custom` alert must come from one of `customSourceAccounts` (its account is the
 * sender's, taken from the envelope by the normalizer). The deployed rule already filters on the
 * sending account; this check holds the same line for events that reach the queue another way.
 *
 * @example
 * admissionRefusal(customAlert, ['111122223333'])
 * // { reason: 'untrusted_sender', message: 'riposte.custom events from account 444455556666 are not accepted …' }
 */
export function admissionRefusal(
  alert: Alert,
  customSourceAccounts: readonly string[],
): Rejection | undefined {
  if (alert.source !== CUSTOM_SOURCE) return undefined;
  const sender = alert.ocsf.cloud.account?.uid;
  if (sender !== undefined && customSourceAccounts.includes(sender)) return undefined;
  return {
    reason: 'untrusted_sender',
    message:
      customSourceAccounts.length === 0
        ? 'riposte.custom events are not accepted: the custom source is disabled (sources.custom in cdk.json)'
        : `riposte.custom events from account ${sender ?? '(none)'} are not accepted (sources.custom.accounts: ${customSourceAccounts.join(', ')})`,
  };
}
