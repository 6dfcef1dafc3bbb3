import type { ExecutionFacts } from '../types.ts';
import { verificationLine, verificationOf } from '../verify/check.ts';
import {
  type ActionSummary,
  CaughtErrorSchema,
  LambdaCauseSchema,
  type NotificationLink,
  type NotificationMessage,
  type NotifyRequest,
  OCSF_SEVERITY,
  REFUSAL_ERRORS,
  StepResultSchema,
} from './message.ts';
import { truncate } from './summary.ts';
import { isAwsConsoleUrl, plainText } from './text.ts';
import { caughtOutcome, operatorActionsOf } from './todo.ts';

/** The message model built from a step's input and the execution: what happened, why, links. */

/**
 * Builds the message model from the step's input and the execution facts.
 *
 * @example
 * const message = buildNotification({ subject: 'Instance isolated', steps: ctx.steps }, execution, Date.now());
 */
export function buildNotification(
  input: NotifyRequest,
  execution: ExecutionFacts,
  now: number,
  approval?: NotificationMessage['approval'],
): NotificationMessage {
  const { alert, incident } = input;
  const actions = actionSummaries(input);
  const refusal = actions.find((a) => a.outcome === 'refused');
  const notContained =
    input.reason !== undefined
      ? { error: refusal?.error ?? 'NotContained', reason: input.reason }
      : refusal !== undefined
        ? {
            step: refusal.step,
            error: refusal.error ?? 'Refused',
            reason: refusal.message ?? refusal.error ?? '',
          }
        : undefined;
  const operatorActions = operatorActionsOf(input.steps);
  const severityId = alert?.severityId ?? incident?.severityId;
  const account = nonEmpty(incident?.account) ?? nonEmpty(alert?.account) ?? execution.account;
  const region = nonEmpty(incident?.region) ?? nonEmpty(alert?.region) ?? execution.region;
  const message: NotificationMessage = {
    schema: 'riposte.notification/v1',
    subject: input.subject,
    severity:
      input.severity ?? (severityId === undefined ? 'unknown' : (OCSF_SEVERITY[severityId] ?? 'unknown')),
    ...(input.summary === undefined ? {} : { summary: input.summary }),
    incidentId: execution.incidentId,
    alertId: execution.alertId,
    mode: execution.mode,
    sample: execution.sample,
    playbook: {
      id: execution.playbookId,
      version: execution.playbookVersion,
      ...(execution.executionId === undefined ? {} : { executionId: execution.executionId }),
    },
    // Everything below comes from the finding: one line each, controls and newlines removed.
    alert: {
      title: nonEmpty(plainText(alert?.title ?? '')) ?? input.subject,
      ...optional('source', nonEmpty(plainText(alert?.source ?? ''))),
      ...optional('resource', nonEmpty(plainText(incident?.resourceUid ?? ''))),
      ...optional('resourceType', nonEmpty(plainText(incident?.resourceType ?? ''))),
      ...optional('account', nonEmpty(plainText(account ?? ''))),
      ...optional('region', nonEmpty(plainText(region ?? ''))),
    },
    actions,
    ...(notContained === undefined ? {} : { notContained }),
    ...(operatorActions.length === 0 ? {} : { operatorActions }),
    ...(approval === undefined ? {} : { approval }),
    links: consoleLinks(alert?.url, alert?.source, execution),
    sentAt: new Date(now).toISOString(),
  };
  return message;
}

export function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, string>>);
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The message of a caught Lambda error: `Cause` is the Lambda's JSON error, or plain text. */
export function causeMessage(cause: string | undefined, name: string): string {
  if (cause === undefined || cause === '') return name;
  try {
    const parsed = LambdaCauseSchema.safeParse(JSON.parse(cause));
    if (parsed.success) return truncate(parsed.data.errorMessage, 1_000);
  } catch {
    // plain text cause
  }
  return truncate(cause, 1_000);
}

export const FINDING_LABELS: Readonly<Record<string, string>> = {
  'aws.guardduty': 'GuardDuty finding',
  'aws.securityhub': 'Security Hub finding',
  'aws.inspector2': 'Inspector finding',
  'aws.macie': 'Macie finding',
  'aws.access-analyzer': 'Access Analyzer finding',
};

/**
 * The finding's own console link and the Step Functions execution's. The finding's URL is
 * finding-controlled (`SourceUrl` of an imported Security Hub finding): it is kept only when it
 * is an https link to an AWS console domain ({@link isAwsConsoleUrl}), otherwise dropped.
 */
export function consoleLinks(
  findingUrl: string | undefined,
  source: string | undefined,
  execution: ExecutionFacts,
): NotificationLink[] {
  const links: NotificationLink[] = [];
  if (findingUrl !== undefined && isAwsConsoleUrl(findingUrl)) {
    links.push({ label: FINDING_LABELS[source ?? ''] ?? 'Finding', url: findingUrl });
  }
  const executionUrl = executionConsoleUrl(execution.executionId, execution.region);
  if (executionUrl !== undefined) links.push({ label: 'Step Functions execution', url: executionUrl });
  return links;
}

/**
 * The console link of a Step Functions execution, from its ARN (`$$.Execution.Id`): the
 * region and partition come from the ARN; `fallbackRegion` is used when it is not an ARN.
 *
 * @example
 * executionConsoleUrl('arn:aws:states:eu-west-1:111122223333:execution:contain:run-1')
 * // https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:…
 */
export function executionConsoleUrl(
  executionId: string | undefined,
  fallbackRegion?: string,
): string | undefined {
  if (executionId === undefined || executionId === '') return undefined;
  const arn = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):\d{12}:execution:[^\s]+$/.exec(executionId);
  if (arn === null) return undefined;
  const partition = arn[1] ?? 'aws';
  const region = arn[2] ?? fallbackRegion ?? 'us-east-1';
  const host =
    partition === 'aws-cn'
      ? 'https://console.amazonaws.cn'
      : partition === 'aws-us-gov'
        ? 'https://console.amazonaws-us-gov.com'
        : `https://${region}.console.aws.amazon.com`;
  return `${host}/states/home?region=${region}#/v2/executions/details/${executionId}`;
}

/** What each step did: its result (with its read-back) or its caught error. */
function actionSummaries(input: NotifyRequest): ActionSummary[] {
  const actions: ActionSummary[] = [];
  for (const [step, value] of Object.entries(input.steps ?? {})) {
    const result = StepResultSchema.safeParse(value);
    if (!result.success) continue;
    const verification = verificationOf(result.data.output);
    actions.push({
      step,
      action: result.data.action,
      ...(result.data.target === undefined ? {} : { target: plainText(result.data.target) }),
      outcome: 'succeeded',
      ...(result.data.dryRun === undefined ? {} : { dryRun: result.data.dryRun }),
      ...(verification === undefined
        ? {}
        : { verified: verification.verified, verification: plainText(verificationLine(verification)) }),
    });
  }
  for (const [step, value] of Object.entries(input.errors ?? {})) {
    const caught = CaughtErrorSchema.safeParse(value);
    if (!caught.success) continue;
    actions.push({
      step,
      action: step,
      outcome: caughtOutcome(caught.data.Error, REFUSAL_ERRORS),
      error: plainText(caught.data.Error),
      message: plainText(causeMessage(caught.data.Cause, caught.data.Error)),
    });
  }
  return actions;
}
