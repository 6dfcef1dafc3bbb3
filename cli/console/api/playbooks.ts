import { compilePlaybook } from '#core/playbooks/compile.ts';
import type { Trigger, TriggerConditions } from '#core/playbooks/trigger.ts';
import { SEVERITY_NAMES } from '../../output.ts';
import { stateGraph } from '../graph.ts';
import type { ConsoleContext } from './context.ts';

/** `GET /api/playbooks`: each playbook with its version, changelog, trigger in words and graph. */

function list(values: readonly (string | number)[]): string {
  const items = values.map(String);
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function conditionsInWords(c: TriggerConditions): string {
  const parts: string[] = [];
  if (c.sources !== undefined) parts.push(`from ${list(c.sources)}`);
  if (c.findingTypes !== undefined) parts.push(`of type ${list(c.findingTypes)}`);
  if (c.minSeverity !== undefined)
    parts.push(`of severity ${SEVERITY_NAMES[c.minSeverity] ?? c.minSeverity} or higher`);
  if (c.resourceTypes !== undefined) parts.push(`on ${list(c.resourceTypes)}`);
  if (c.classUids !== undefined) parts.push(`of OCSF class ${list(c.classUids)}`);
  if (c.controls !== undefined) parts.push(`failing control ${list(c.controls)}`);
  if (c.apiCalls !== undefined) parts.push(`recording the call ${list(c.apiCalls)}`);
  if (c.labels !== undefined) parts.push(`rated ${list(c.labels)}`);
  if (c.accounts?.allow !== undefined) parts.push(`in account ${list(c.accounts.allow)}`);
  if (c.accounts?.deny !== undefined) parts.push(`not in account ${list(c.accounts.deny)}`);
  if (c.regions?.allow !== undefined) parts.push(`in ${list(c.regions.allow)}`);
  if (c.regions?.deny !== undefined) parts.push(`not in ${list(c.regions.deny)}`);
  return parts.length === 0 ? 'any alert' : `alerts ${parts.join(', ')}`;
}

/** A trigger as a sentence: "Runs on alerts from aws.guardduty, of type Backdoor:EC2/*, on AWS::EC2::Instance." */
export function triggerInWords(trigger: Trigger): string {
  if ('manual' in trigger) return 'Started by an operator only (never by an alert).';
  if ('anyOf' in trigger) return `Runs on ${trigger.anyOf.map(conditionsInWords).join('; or on ')}.`;
  return `Runs on ${conditionsInWords(trigger)}.`;
}

export function playbooksData(ctx: ConsoleContext) {
  return ctx.playbooks.map((p) => ({
    id: p.id,
    version: p.version,
    title: p.title,
    description: p.description,
    owner: p.owner,
    changelog: Object.entries(p.changelog).map(([version, text]) => ({ version, text })),
    trigger: p.trigger,
    triggerText: triggerInWords(p.trigger),
    deployedVersion: ctx.deployment === undefined ? undefined : deployedVersion(ctx, p.id),
    graph: stateGraph(compilePlaybook(p)),
  }));
}

function deployedVersion(ctx: ConsoleContext, id: string): string | undefined {
  return ctx.deployment?.playbooks?.[id]?.version;
}
