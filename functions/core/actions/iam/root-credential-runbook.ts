import { GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { iamService } from '../services/iam.ts';
import { TimelineFactsSchema } from '../timeline-facts.ts';
import { type ActionEnv, defineAction } from '../types.ts';

/**
 * The response to root credential use: a person follows a runbook; Riposte gathers what the
 * runbook needs and records the decision.
 *
 * **Why no containment.** No automated change can contain the root user safely. IAM policies do
 * not apply to root, so no deny policy or session revocation reaches it; its password, MFA and
 * access keys are changed by signing in as root. The levers that do reach it act on the whole
 * account: a service control policy from the organization's management account, or
 * centralized root access (`sts:AssumeRoot`) deleting the root password. Pulled by automation on
 * a finding, they would lock the owner out of the account recovery path too, could not be
 * undone by a release playbook, and would hand anyone able to forge or provoke a root finding a
 * way to disable an account. So the response is a page and a runbook, and the timeline records
 * it as such.
 *
 * The runbook follows AWS's guidance: "Root user best practices for your AWS account"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html), "What do I
 * do if I notice unauthorized activity in my AWS account?"
 * (https://repost.aws/knowledge-center/potential-account-compromise) and GuardDuty's
 * "Remediating potentially compromised AWS credentials"
 * (https://docs.aws.amazon.com/guardduty/latest/ug/compromised-creds.html).
 */

export const MANUAL_RUNBOOK = 'manual runbook required';

export const RootCredentialRunbookInputSchema = z.object({
  /** The alert's source (`aws.signin`, `aws.guardduty`), its finding types and region. */
  source: z.string(),
  findingTypes: z.array(z.string()).readonly(),
  region: z.string(),
  sourceIp: z.string(),
  userAgent: z.string(),
  mfaUsed: z.enum(['yes', 'no', 'unknown']),
  time: z.string(),
});
export type RootCredentialRunbookInput = z.infer<typeof RootCredentialRunbookInputSchema>;

const RootAccountSchema = z.object({
  /** `AccountMFAEnabled`; null: GetAccountSummary could not be read. */
  mfaEnabled: z.boolean().nullable(),
  /** `AccountAccessKeysPresent`; null: unknown. */
  accessKeysPresent: z.boolean().nullable(),
});

export const RootCredentialRunbookOutputSchema = z.object({
  response: z.literal(MANUAL_RUNBOOK),
  why: z.string(),
  signIn: RootCredentialRunbookInputSchema,
  rootAccount: RootAccountSchema,
  /** The runbook, one step per line: the notification lists them as "to do by hand". */
  operatorActions: z.array(z.string()),
  timeline: TimelineFactsSchema,
});
export type RootCredentialRunbookOutput = z.infer<typeof RootCredentialRunbookOutputSchema>;

/** `GetAccountSummary`: the root user's MFA and access keys; unknown (null) when it cannot be read. */
async function readRootAccount(
  env: ActionEnv,
): Promise<{ facts: z.infer<typeof RootAccountSchema>; note?: string }> {
  try {
    const out = await env.clients.iam.send(new GetAccountSummaryCommand({}));
    const map = out.SummaryMap ?? {};
    const flag = (value: number | undefined): boolean | null => (value === undefined ? null : value > 0);
    return {
      facts: {
        mfaEnabled: flag(map.AccountMFAEnabled),
        accessKeysPresent: flag(map.AccountAccessKeysPresent),
      },
    };
  } catch (error) {
    // The page matters more than this read: it goes out whatever IAM answers.
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { facts: { mfaEnabled: null, accessKeysPresent: null }, note: reason };
  }
}

function or(value: string, unknown: string): string {
  return value === '' ? unknown : value;
}

/** The runbook's steps, the first one carrying the sign-in context. */
function runbookSteps(input: RootCredentialRunbookInput, root: z.infer<typeof RootAccountSchema>): string[] {
  const what =
    input.source === 'aws.signin'
      ? 'root console sign-in'
      : `root credential use (${input.findingTypes.join(', ')})`;
  return [
    `Confirm with the root credential owner whether the ${what} at ${or(input.time, 'an unknown time')} from ${or(input.sourceIp, 'an unknown IP address')} (user agent ${or(input.userAgent, 'unknown')}; MFA used: ${input.mfaUsed}; Region ${or(input.region, 'unknown')}) was theirs. If it was not, treat the account as compromised and continue.`,
    'Sign in as the root user and change its password; if you cannot sign in, use "Forgot password" and contact AWS Support at once.',
    root.mfaEnabled === false
      ? 'The root user has NO MFA device: register one now (IAM console, Security credentials, as root).'
      : "Review the root user's MFA devices: remove any you do not recognise and register a new one.",
    root.accessKeysPresent === true
      ? 'The root user HAS access keys: delete them (IAM console, Security credentials, as root); AWS recommends none.'
      : root.accessKeysPresent === null
        ? 'Check whether the root user has access keys (GetAccountSummary could not be read) and delete any.'
        : 'Confirm the root user still has no access keys (an attacker may create some).',
    "Check the account's root e-mail address, contact and alternate contacts are yours, and secure that mailbox (it resets the root password).",
    `Review CloudTrail for every event with userIdentity.type Root since ${or(input.time, 'the alert')}: undo IAM users, roles, access keys, policies and resources the attacker created or changed, and rotate credentials they could have read.`,
    'Check billing and the Regions you do not use for unexpected resources, then write up the incident; open an AWS Support case if anything is unexplained.',
  ];
}

/**
 * Gathers the root runbook: the sign-in context from the alert, and `GetAccountSummary` (the only
 * call: read-only, IAM, in the incident's account) for whether the root user has MFA and access
 * keys; returns the runbook steps as `operatorActions` (the notification's "to do by hand") and
 * records `manual runbook required` on the timeline entry (`after`). Changes nothing.
 *
 * @example
 * const { output } = await runAction(rootCredentialRunbookAction, { source: 'aws.signin', findingTypes: [], region: 'us-east-1', sourceIp: '198.51.100.201', userAgent: 'Mozilla/5.0', mfaUsed: 'no', time: '2026-11-02T06:02:15.000Z' }, env);
 * output.response; // 'manual runbook required'
 */
export const rootCredentialRunbookAction = defineAction({
  id: 'root-credential-runbook',
  family: 'enrich',
  services: iamService,
  description:
    'Root credential use: reads whether root has MFA and access keys (GetAccountSummary) and returns the manual runbook, with the sign-in context; changes nothing.',
  input: RootCredentialRunbookInputSchema,
  output: RootCredentialRunbookOutputSchema,
  iamActions: ['iam:GetAccountSummary'],
  target: () => 'root',
  async run(input, env): Promise<RootCredentialRunbookOutput> {
    const { facts, note } = await readRootAccount(env);
    const why =
      'root cannot be contained safely by automation: IAM policies do not apply to it, and the levers that do (SCPs, centralized root access) act on the whole account and its recovery path';
    const operatorActions = runbookSteps(input, facts);
    return {
      response: MANUAL_RUNBOOK,
      why,
      signIn: input,
      rootAccount: facts,
      operatorActions,
      timeline: {
        after: {
          response: MANUAL_RUNBOOK,
          why,
          signIn: input,
          rootAccount: facts,
          ...(note === undefined ? {} : { accountSummaryError: note }),
        },
      },
    };
  },
});
