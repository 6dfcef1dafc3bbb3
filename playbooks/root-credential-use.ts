import { rootCredentialRunbookAction } from '#core/actions/iam/root-credential-runbook.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

/**
 * Root credential use: GuardDuty `Policy:IAMUser/RootCredentialUsage`
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#policy-iam-rootcredentialusage)
 * and successful root console sign-ins (CloudTrail `ConsoleLogin` by the root user, which
 * Riposte labels `signal:root-sign-in` and rates High).
 *
 * **Not contained, on purpose.** Automation cannot contain the root user safely: IAM policies do
 * not apply to root, so nothing Riposte attaches (deny-all, session revocation) reaches it; its
 * password, MFA and keys can only be changed by signing in as root; and the levers that do act
 * on it (a service control policy from the management account, centralized root access
 * deleting its password) act on the whole account and on its recovery path, cannot be released
 * like Riposte's other containments, and would let anyone who can provoke a root finding disable
 * an account. So this playbook changes nothing: it pages with high priority, with the sign-in
 * context (source IP, user agent, MFA used, time, Region), and the root runbook as the
 * notification's "to do by hand" list, and records `manual runbook required` on the incident's
 * timeline (see `root-credential-runbook` for the AWS guidance it follows). There is no release.
 *
 * It supersedes `iam-credential-compromise` for root sign-ins, so one page goes out, not two.
 * GuardDuty rates RootCredentialUsage Low; the GuardDuty rule delivers that type whatever its
 * severity floor (`GUARDDUTY_ALWAYS_DELIVERED` in `functions/core/sources/catalog.ts`).
 */
export default definePlaybook({
  id: 'root-credential-use',
  version: '1.0.0',
  title: 'Root credential use',
  description:
    'Pages with high priority on root credential use or a root console sign-in, with the sign-in context and the root runbook; records "manual runbook required". Contains nothing: root cannot be contained safely by automation.',
  owner: 'security-engineering',
  changelog: {
    '1.0.0':
      'Read whether root has MFA and access keys; page (high) with the sign-in context and the runbook; record "manual runbook required" on the timeline. No containment, no release.',
  },
  supersedes: ['iam-credential-compromise'],
  trigger: {
    anyOf: [
      { sources: ['aws.guardduty'], findingTypes: ['Policy:IAMUser/RootCredentialUsage'] },
      // A successful root console sign-in (a failed one is rated Low and not paged).
      { sources: ['aws.signin'], classUids: [3002], labels: ['signal:root-sign-in'], minSeverity: 4 },
    ],
  },
  timeoutSeconds: 900,
  steps: (flow) =>
    flow
      .choice(
        'sampleRoot',
        (c) => [
          c.when(c.isTrue('incident.sample'), (f) =>
            f
              .notify(
                'sampleNote',
                { subject: 'Root credential use reported by a sample finding: nothing to do' },
                { name: 'Notify: sample' },
              )
              .succeed('stopSample', { name: 'Stop: sample' }),
          ),
        ],
        undefined,
        { name: 'Sample?' },
      )
      .run(
        'runbook',
        rootCredentialRunbookAction,
        ($) => ({
          source: $('alert.source'),
          findingTypes: $('alert.types'),
          region: $('alert.region'),
          sourceIp: $('alert.sourceIp'),
          userAgent: $('alert.userAgent'),
          mfaUsed: $('alert.mfaUsed'),
          time: $('alert.time'),
        }),
        { name: 'Root runbook', timeoutSeconds: 60 },
      )
      .notify(
        'page',
        {
          subject: 'Root credentials used: manual runbook required',
          severity: 'high',
          summary:
            'The root user signed in or called AWS. Riposte does not contain root (IAM policies do not apply to it; the levers that do would act on the whole account and its recovery path). Confirm the sign-in below with its owner now; if it was not theirs, follow the runbook in the to-do list.',
        },
        { name: 'Page: manual runbook' },
      ),
});
