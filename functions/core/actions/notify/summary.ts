import type { ActionSummary, NotificationMessage } from './message.ts';

/** Lines the e-mail and Slack renderings share: actions, unverified steps, short text. */

/** The steps whose read-back did not show their effect (changes applied, the effect not read). */
export function unverifiedSteps(message: NotificationMessage): ActionSummary[] {
  return message.actions.filter((a) => a.verification?.startsWith('NOT VERIFIED') === true);
}

export function unverifiedText(steps: readonly ActionSummary[]): string {
  return `the read-back of ${steps.map((a) => a.step).join(', ')} does not show the change in effect (see the actions)`;
}

export function actionLine(action: ActionSummary): string {
  const what = action.action === action.step ? action.step : `${action.step} (${action.action})`;
  const on = action.target === undefined || action.target === '' ? '' : ` on ${action.target}`;
  const dry = action.dryRun === true ? ' [dry-run]' : '';
  const why = action.message === undefined ? '' : `: ${action.message}`;
  const verified = action.verification === undefined ? '' : ` (${action.verification})`;
  return `${what}${on}: ${action.outcome}${dry}${why}${verified}`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
