import { enrichInstanceAction } from '#core/actions/ec2/enrich-instance.ts';
import { isolateInstanceAction } from '#core/actions/ec2/isolate-instance.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

/** GuardDuty finding types (native form) this playbook answers. */
const EC2_THREATS = [
  'Backdoor:EC2/*',
  'CryptoCurrency:EC2/*',
  'Trojan:EC2/*',
  'UnauthorizedAccess:EC2/*',
  'Impact:EC2/*',
  'Execution:EC2/*',
  'Persistence:EC2/*',
  'Runtime:EC2/*',
];

/**
 * EC2 instance compromise: a compromised instance is enriched, then isolated the way AWS's
 * incident-response guidance prescribes (capture, evidence preservation, out of its Auto Scaling
 * group and target groups, two-step security-group swap per ENI, Elastic IPs and instance
 * profile removed, role sessions revoked, every volume snapshotted, instance tagged), and the
 * team is told what was done. Protected instances and sample findings are never touched; an
 * instance the configuration does not name non-production (production, any other environment,
 * no environment tag) is isolated only after a human approves: the isolate action itself
 * refuses without that approval.
 */
export default definePlaybook({
  id: 'ec2-instance-compromise',
  version: '1.1.0',
  title: 'EC2 instance compromise',
  description:
    'Isolates and snapshots an EC2 instance reported compromised (command and control, crypto-mining, trojans, unauthorized access) at high severity.',
  owner: 'security-engineering',
  changelog: {
    '1.1.0':
      'Isolation waits for an approval unless the instance is tagged with an environment the configuration names non-production (tag keys and values compared trimmed and in any case): an untagged instance or `Environment: Production ` now asks. The approvals are scoped: the production one and the over-the-limit one each lift their own rail for this execution only. A protected instance role is reported and its sessions are not revoked.',
    '1.0.1':
      'A step whose AWS calls keep being throttled or failing on the AWS side past the SDK’s own retries is run again (up to three more times, waits growing to at most 30 s): an isolation left partly done by a throttled snapshot or network interface now completes. Access denied, safety refusals and lasting partial failures are still never retried.',
    '1.0.0':
      'Enrich; notify only for protected instances and sample findings; approval in production; isolate and snapshot; notify.',
  },
  trigger: {
    anyOf: [
      {
        sources: ['aws.guardduty'],
        findingTypes: EC2_THREATS,
        minSeverity: 4,
        resourceTypes: ['AWS::EC2::Instance'],
      },
      {
        // The same findings through Security Hub: `TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS`.
        sources: ['aws.securityhub'],
        findingTypes: EC2_THREATS.map((t) => `*${t.replace('/*', '')}*`),
        minSeverity: 4,
        resourceTypes: ['AWS::EC2::Instance'],
      },
    ],
  },
  timeoutSeconds: 6 * 3600,
  steps: (flow) =>
    flow
      .run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), {
        name: 'Enrich instance',
      })
      .choice(
        'containable',
        (c) => [
          c.when(c.or(c.isTrue('steps.instance.output.protected'), c.isTrue('incident.sample')), (f) =>
            f
              .notify(
                'notContained',
                {
                  subject: 'Instance not contained: protected instance or sample finding',
                  summary:
                    'The instance carries the protected tag, or the finding is a provider sample: Riposte never contains these. Investigate manually.',
                },
                { name: 'Notify: not contained' },
              )
              .succeed('stopNotContained', { name: 'Stop: not contained' }),
          ),
        ],
        undefined,
        { name: 'Protected or sample?' },
      )
      .choice(
        'production',
        (c) => [
          c.when(c.isTrue('steps.instance.output.approvalRequired'), (f) =>
            f.approve('approval', {
              name: 'Approve isolation',
              message:
                'An instance in production (or of unknown environment) is reported compromised. Isolate it (network, credentials, snapshots)?',
              timeoutSeconds: 3600,
              onTimeout: 'deny',
              purpose: 'production',
            }),
          ),
        ],
        undefined,
        { name: 'Production?' },
      )
      .run('isolate', isolateInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), {
        name: 'Isolate and snapshot',
        timeoutSeconds: 300,
        catch: [
          {
            errors: [
              'ProtectedResourceError',
              'SampleAlertError',
              'NotAllowedError',
              'ApprovalRequiredError',
            ],
            recover: (f) =>
              f
                .notify(
                  'refused',
                  {
                    subject: 'Isolation refused by a safety rail',
                    summary:
                      'Riposte refused to contain this instance; the reason is in the incident timeline.',
                  },
                  { name: 'Notify: refused' },
                )
                .succeed('stopRefused', { name: 'Stop: refused' }),
          },
          {
            errors: ['BlastRadiusExceededError'],
            recover: (f) =>
              f
                .approve('overLimitApproval', {
                  name: 'Approve over the containment limit',
                  message: 'The hourly containment limit is reached. Isolate this instance anyway?',
                  timeoutSeconds: 3600,
                  onTimeout: 'deny',
                  purpose: 'blast-radius',
                })
                .run(
                  'isolateApproved',
                  isolateInstanceAction,
                  ($) => ({ instanceId: $('incident.resourceUid') }),
                  {
                    name: 'Isolate and snapshot (approved)',
                    timeoutSeconds: 300,
                  },
                ),
          },
        ],
      })
      .notify(
        'contained',
        {
          subject: 'Instance isolated',
          summary:
            'The instance is isolated: out of its Auto Scaling group and target groups, network cut on every interface, credentials revoked, volumes snapshotted. Release it with the ec2-instance-release playbook.',
        },
        { name: 'Notify: isolated' },
      ),
});
