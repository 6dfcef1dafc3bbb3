import type { NotificationMessage } from '../message.ts';
import { actionLine, capitalize, unverifiedSteps, unverifiedText } from '../summary.ts';

/** SNS subjects: printable ASCII, no line breaks, under 100 characters. */
export const MAX_EMAIL_SUBJECT = 99;

/**
 * The e-mail (SNS) rendering: a subject under 100 printable-ASCII characters and a short
 * plain-text body.
 *
 * @example
 * const { subject, body } = renderEmail(message);
 */
export function renderEmail(message: NotificationMessage): { subject: string; body: string } {
  const dry = message.mode === 'dry-run' ? '[DRY-RUN]' : '';
  const unverified = unverifiedSteps(message);
  const flag = unverified.length > 0 ? '[NOT VERIFIED]' : '';
  const subject = snsSubject(`[Riposte][${message.severity.toUpperCase()}]${flag}${dry} ${message.subject}`);
  const lines: string[] = [message.subject];
  if (message.summary !== undefined) lines.push('', message.summary);
  if (unverified.length > 0) lines.push('', `NOT VERIFIED: ${unverifiedText(unverified)}`);
  if (message.mode === 'dry-run') {
    lines.push('', `DRY-RUN${message.sample ? ' (sample alert)' : ''}: nothing was changed.`);
  }
  const { alert } = message;
  lines.push(
    '',
    `Incident:  ${message.incidentId}`,
    `Alert:     ${alert.title}`,
    `Severity:  ${capitalize(message.severity)}`,
  );
  if (alert.source !== undefined) lines.push(`Source:    ${alert.source}`);
  if (alert.resource !== undefined) {
    lines.push(
      `Resource:  ${alert.resourceType === undefined ? '' : `${alert.resourceType} `}${alert.resource}`,
    );
  }
  if (alert.account !== undefined || alert.region !== undefined) {
    lines.push(`Account:   ${[alert.account, alert.region].filter((v) => v !== undefined).join(' / ')}`);
  }
  lines.push('', 'Actions taken:');
  if (message.actions.length === 0) lines.push('  (none)');
  for (const action of message.actions) lines.push(`  - ${actionLine(action)}`);
  if (message.notContained !== undefined) {
    lines.push('', `NOT CONTAINED (${message.notContained.error}): ${message.notContained.reason}`);
  }
  if (message.operatorActions !== undefined) {
    lines.push('', 'TO DO BY HAND:', ...message.operatorActions.map((line) => `  - ${line}`));
  }
  if (message.approval !== undefined) {
    lines.push(
      '',
      `APPROVAL NEEDED (until ${message.approval.expiresAt}): ${message.approval.message}`,
      `  Approve: ${message.approval.approveUrl}`,
      `  Deny:    ${message.approval.denyUrl}`,
    );
  }
  if (message.links.length > 0) {
    lines.push('', 'Links:');
    for (const link of message.links) lines.push(`  ${link.label}: ${link.url}`);
  }
  lines.push(
    '',
    '--',
    `Riposte playbook ${message.playbook.id} v${message.playbook.version}, ${message.sentAt}`,
  );
  return { subject, body: lines.join('\n') };
}

export function snsSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return ascii.length <= MAX_EMAIL_SUBJECT ? ascii : `${ascii.slice(0, MAX_EMAIL_SUBJECT - 3).trimEnd()}...`;
}
