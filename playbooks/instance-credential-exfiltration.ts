// Long: a playbook is one declarative chain of steps, read in the order they run (stolen
// credentials, the instance, its metadata options), each with its fallbacks beside it.
import { enrichInstanceAction } from '#core/actions/ec2/enrich-instance.ts';
import { requireImdsv2Action } from '#core/actions/ec2/require-imdsv2.ts';
import { revokeRoleSessionsAction } from '#core/actions/iam/revoke-role-sessions.ts';
import { definePlaybook, type Flow, type Ref } from '#core/playbooks/sdk.ts';

/** An instance role's credentials used from outside AWS, or from another AWS account. */
const EXFILTRATION = [
  'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
  'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
];
/** A process on the instance resolved a name that rebinds to the metadata service's address. */
const DNS_REBIND = 'UnauthorizedAccess:EC2/MetadataDNSRebind';

const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'];

const CONTAINED_SUMMARY =
  'The instance answers IMDSv2 only, with a hop limit of 1 (read back), and the role sessions issued before the containment are revoked (unless a rail refused it: see the timeline). Rotate any secret the role could read; release with instance-credential-release.';

/** A require-imdsv2 read-back that differs: notified, then the execution fails by name (and escalates). */
function notVerified<C>(f: Flow<C>, id: string, suffix: string): Flow<C> {
  return f
    .notify(
      `${id}Alert`,
      {
        subject: 'IMDSv2 requirement NOT VERIFIED: check the instance now',
        summary:
          'ModifyInstanceMetadataOptions was sent, but DescribeInstances does not read HttpTokens required with a hop limit of 1 (the verification is in the timeline): the instance may still answer IMDSv1.',
      },
      { name: `Notify: IMDS not verified${suffix}` },
    )
    .fail(
      `${id}Fail`,
      'ContainmentNotVerifiedError',
      'the instance metadata options did not read back as required',
      {
        name: `Fail: IMDS not verified${suffix}`,
      },
    );
}

/** A role-session revocation a rail refused: told, and the flow goes on with the instance. */
function roleRefused<C>(f: Flow<C>, id: string, suffix: string): Flow<C> {
  return f.notify(
    id,
    {
      subject: 'Role session revocation refused by a safety rail',
      summary:
        'The role is protected or cannot be revoked by Riposte: its sessions stay valid. Revoke them by hand if the finding is confirmed.',
    },
    { name: `Notify: role refused${suffix}` },
  );
}

/**
 * A role-session revocation past the hourly containment limit: a person decides (purpose
 * `blast-radius`); denied or timed out, the team is told and the execution stops.
 */
function overLimit<C, Id extends string>(f: Flow<C>, id: Id, role: string) {
  return f.approve(id, {
    name: `Approve over the containment limit (${role})`,
    message: `The hourly containment limit is reached. Revoke the ${role}’s sessions anyway?`,
    timeoutSeconds: 3600,
    onTimeout: 'deny',
    purpose: 'blast-radius',
  });
}

/**
 * Instance credential exfiltration: GuardDuty saw an instance role's temporary credentials used
 * outside AWS or from another AWS account (`InstanceCredentialExfiltration.OutsideAWS`,
 * `.InsideAWS`: the finding's resource is the session's access key, whose principal is
 * `<role id>:<instance id>`, so the incident is the role and `alert.instanceId` the instance), or
 * a process on an instance resolving a name that rebinds to the metadata service
 * (`MetadataDNSRebind`: the resource is the instance).
 *
 * The procedure follows GuardDuty's "Remediating potentially compromised AWS credentials" and
 * "Remediating a potentially compromised Amazon EC2 instance"
 * (https://docs.aws.amazon.com/guardduty/latest/ug/compromised-creds.html,
 * https://docs.aws.amazon.com/guardduty/latest/ug/compromised-ec2.html):
 * 1. stolen credentials: the role's sessions issued before now are revoked at once
 *    (revoke-role-sessions, the rails on the role: a protected role is reported, not revoked),
 *    as iam-credential-compromise did for these findings; past the hourly containment limit a
 *    person decides first (purpose `blast-radius`; denied: notify and stop);
 * 2. the instance is enriched; a protected instance (or a sample finding, first) stops here;
 * 3. an instance the configuration does not name non-production waits for a human approval;
 * 4. DNS rebinding: the instance role's sessions are revoked (the role read from the instance
 *    profile, under the same rails and the same over-limit approval);
 * 5. IMDSv2 is required with a hop limit of 1 (require-imdsv2: `ModifyInstanceMetadataOptions`,
 *    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataOptions.html),
 *    the previous options saved and read back (`pending` with the right values counts, see
 *    `verify/metadata-options.ts`); a read-back that differs fails the execution with
 *    `ContainmentNotVerifiedError` after a notification;
 * 6. the team is told; instance-credential-release undoes it.
 *
 * It supersedes iam-credential-compromise (whose `UnauthorizedAccess:IAMUser/*` admits the two
 * exfiltration types) and ec2-instance-compromise (whose `UnauthorizedAccess:EC2/*` admits the
 * DNS rebinding): for these findings the metadata path is what was attacked; closing it and
 * revoking the sessions contains the credentials without cutting the instance off the network.
 * The same findings through Security Hub stay with iam-credential-compromise.
 */
export default definePlaybook({
  id: 'instance-credential-exfiltration',
  version: '1.1.0',
  title: 'Instance credential exfiltration',
  description:
    "Revokes an instance role's sessions and requires IMDSv2 (hop limit 1) on the instance, when GuardDuty sees instance credentials used elsewhere or a DNS rebinding of the metadata service.",
  owner: 'security-engineering',
  changelog: {
    '1.1.0':
      'A revocation of the leaked role’s or the instance role’s sessions past the hourly containment limit (BlastRadiusExceededError) asks for an over-limit approval (purpose blast-radius) instead of failing: approved, the sessions are revoked; denied, the execution stops after a notification.',
    '1.0.0':
      "Revoke the leaked role's sessions (rails on the role); enrich the instance; protected and sample stop; approval in production; revoke the instance role's sessions for a DNS rebinding; require IMDSv2 with hop limit 1, previous options saved, read back (not verified: notify and fail); notify.",
  },
  trigger: {
    anyOf: [
      {
        sources: ['aws.guardduty'],
        findingTypes: EXFILTRATION,
        minSeverity: 3,
        resourceTypes: ['AWS::IAM::AccessKey'],
      },
      {
        sources: ['aws.guardduty'],
        findingTypes: [DNS_REBIND],
        minSeverity: 3,
        resourceTypes: ['AWS::EC2::Instance'],
      },
    ],
  },
  supersedes: ['iam-credential-compromise', 'ec2-instance-compromise'],
  timeoutSeconds: 6 * 3600,
  steps: (flow) =>
    flow
      .choice(
        'sampleFinding',
        (c) => [
          c.when(c.isTrue('incident.sample'), (f) =>
            f
              .notify(
                'sampleNotContained',
                {
                  subject: 'Instance credential alert from a sample finding: nothing contained',
                  summary: 'The finding is a provider sample; Riposte never contains sample findings.',
                },
                { name: 'Notify: sample' },
              )
              .succeed('stopSample', { name: 'Stop: sample' }),
          ),
        ],
        undefined,
        { name: 'Sample?' },
      )
      .choice(
        'stolenCredentials',
        (c) => [
          c.when(c.eq('incident.resourceType', 'AWS::IAM::Role'), (f) =>
            f.run(
              'revokeLeaked',
              revokeRoleSessionsAction,
              ($) => ({ roleName: $('incident.resourceName') }),
              {
                name: 'Revoke the leaked role sessions',
                timeoutSeconds: 300,
                catch: [
                  { errors: REFUSED, recover: (r) => roleRefused(r, 'leakedRoleRefused', '') },
                  {
                    errors: ['BlastRadiusExceededError'],
                    recover: (r) =>
                      overLimit(r, 'leakedOverLimit', 'leaked role').run(
                        'revokeLeakedApproved',
                        revokeRoleSessionsAction,
                        ($) => ({ roleName: $('incident.resourceName') }),
                        { name: 'Revoke the leaked role sessions (approved)', timeoutSeconds: 300 },
                      ),
                  },
                ],
              },
            ),
          ),
        ],
        undefined,
        { name: 'Stolen credentials?' },
      )
      .choice(
        'instanceNamed',
        (c) => [
          c.when(c.eq('alert.instanceId', ''), (f) =>
            f
              .notify(
                'noInstance',
                {
                  subject: 'Instance credentials: no instance named',
                  summary:
                    "The finding names no EC2 instance (the session is not an instance profile's): no instance was changed. Find where the credentials came from and require IMDSv2 there.",
                },
                { name: 'Notify: no instance' },
              )
              .succeed('stopNoInstance', { name: 'Stop: no instance' }),
          ),
        ],
        undefined,
        { name: 'Instance named?' },
      )
      .run('instance', enrichInstanceAction, ($) => ({ instanceId: $('alert.instanceId') }), {
        name: 'Enrich instance',
      })
      .choice(
        'protectedInstance',
        (c) => [
          c.when(c.isTrue('steps.instance.output.protected'), (f) =>
            f
              .notify(
                'instanceProtected',
                {
                  subject: 'Instance not changed: protected instance',
                  summary:
                    'The instance carries the protected tag: Riposte does not change its metadata options. Require IMDSv2 on it by hand.',
                },
                { name: 'Notify: protected instance' },
              )
              .succeed('stopProtected', { name: 'Stop: protected instance' }),
          ),
        ],
        undefined,
        { name: 'Protected instance?' },
      )
      .choice(
        'production',
        (c) => [
          c.when(c.isTrue('steps.instance.output.approvalRequired'), (f) =>
            f.approve('approval', {
              name: 'Approve IMDSv2 requirement',
              message:
                'An instance in production (or of unknown environment) had its role credentials stolen or its metadata service targeted. Require IMDSv2 with a hop limit of 1? Software still using IMDSv1, and containers reaching IMDS through a bridge network, will stop getting credentials.',
              timeoutSeconds: 3600,
              onTimeout: 'deny',
              purpose: 'production',
            }),
          ),
        ],
        undefined,
        { name: 'Production?' },
      )
      .choice(
        'rebindRole',
        (c) => [
          c.when(
            c.and(
              c.eq('incident.resourceType', 'AWS::EC2::Instance'),
              c.isPresent('steps.instance.output.instanceProfile.roleName'),
            ),
            (f) =>
              f.choice(
                'rebindRoleNamed',
                (n) => [
                  n.when(n.matches('steps.instance.output.instanceProfile.roleName', '*'), (g) =>
                    g.run(
                      'revokeInstanceRole',
                      revokeRoleSessionsAction,
                      // The choice above matched a string: the role name is not null here.
                      ($) => ({
                        roleName: $('steps.instance.output.instanceProfile.roleName') as Ref<string>,
                      }),
                      {
                        name: 'Revoke the instance role sessions',
                        timeoutSeconds: 300,
                        catch: [
                          {
                            errors: REFUSED,
                            recover: (r) => roleRefused(r, 'instanceRoleRefused', ' (instance role)'),
                          },
                          {
                            errors: ['BlastRadiusExceededError'],
                            recover: (r) =>
                              overLimit(r, 'instanceRoleOverLimit', 'instance role').run(
                                'revokeInstanceRoleApproved',
                                revokeRoleSessionsAction,
                                ($) => ({
                                  roleName: $(
                                    'steps.instance.output.instanceProfile.roleName',
                                  ) as Ref<string>,
                                }),
                                { name: 'Revoke the instance role sessions (approved)', timeoutSeconds: 300 },
                              ),
                          },
                        ],
                      },
                    ),
                  ),
                ],
                undefined,
                { name: 'Instance role named?' },
              ),
          ),
        ],
        undefined,
        { name: 'DNS rebinding with an instance role?' },
      )
      .run('requireImdsv2', requireImdsv2Action, ($) => ({ instanceId: $('alert.instanceId') }), {
        name: 'Require IMDSv2',
        timeoutSeconds: 300,
        catch: [
          {
            errors: [...REFUSED, 'ApprovalRequiredError'],
            recover: (f) =>
              f
                .notify(
                  'imdsRefused',
                  {
                    subject: 'IMDSv2 requirement refused by a safety rail',
                    summary: 'Riposte did not change the instance; the reason is in the incident timeline.',
                  },
                  { name: 'Notify: IMDS refused' },
                )
                .succeed('stopImdsRefused', { name: 'Stop: IMDS refused' }),
          },
          {
            errors: ['BlastRadiusExceededError'],
            recover: (f) =>
              f
                .approve('overLimitApproval', {
                  name: 'Approve over the containment limit',
                  message: 'The hourly containment limit is reached. Require IMDSv2 on this instance anyway?',
                  timeoutSeconds: 3600,
                  onTimeout: 'deny',
                  purpose: 'blast-radius',
                })
                .run(
                  'requireImdsv2Approved',
                  requireImdsv2Action,
                  ($) => ({ instanceId: $('alert.instanceId') }),
                  {
                    name: 'Require IMDSv2 (approved)',
                    timeoutSeconds: 300,
                  },
                )
                .choice(
                  'imdsApprovedVerified',
                  (c) => [
                    c.when(
                      c.and(
                        c.isFalse('steps.requireImdsv2Approved.output.verification.verified'),
                        c.eq('steps.requireImdsv2Approved.output.verification.basis', 'read-back'),
                      ),
                      (n) => notVerified(n, 'imdsApprovedNotVerified', ' (approved)'),
                    ),
                  ],
                  undefined,
                  { name: 'IMDS verified? (approved)' },
                )
                .notify(
                  'containedApproved',
                  { subject: 'Instance credentials contained', summary: CONTAINED_SUMMARY },
                  {
                    name: 'Notify: contained (approved)',
                  },
                )
                .succeed('doneApproved', { name: 'Done (approved)' }),
          },
        ],
      })
      .choice(
        'imdsVerified',
        (c) => [
          c.when(
            c.and(
              c.isFalse('steps.requireImdsv2.output.verification.verified'),
              c.eq('steps.requireImdsv2.output.verification.basis', 'read-back'),
            ),
            (n) => notVerified(n, 'imdsNotVerified', ''),
          ),
        ],
        undefined,
        { name: 'IMDS verified?' },
      )
      .notify(
        'contained',
        { subject: 'Instance credentials contained', summary: CONTAINED_SUMMARY },
        {
          name: 'Notify: contained',
        },
      ),
});
