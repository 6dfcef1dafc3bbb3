import { enrichSecurityGroupAction } from '#core/actions/ec2/enrich-security-group.ts';
import { revokeWorldOpenIngressAction } from '#core/actions/ec2/revoke-world-open-ingress.ts';
import { HIGH_RISK_PORTS } from '#core/actions/ec2/shared/world-open.ts';
import { containCaller } from '#core/playbooks/fragments/contain-caller.ts';
import { definePlaybook, type Flow } from '#core/playbooks/sdk.ts';

/**
 * The ports whose world-open rules this playbook revokes. Edit this list to choose (a list of
 * ports, or `'all'` for every rule open to 0.0.0.0/0 or ::/0). The default is the high-risk
 * port list of Security Hub control EC2.19: administration (SSH 22, RDP 3389, Telnet 23), file
 * transfer and mail (20, 21, 25, 110, 143), Windows networking (135, 445) and databases and
 * dashboards (1433, 1434, 3306, 5432, 5601, 9200, 9300…). A web server's 80 and 443 are left open.
 */
export const REVOKED_PORTS: number[] | 'all' = [...HIGH_RISK_PORTS];

/** Security Hub controls reporting a security group open to the internet. */
const WORLD_OPEN_CONTROLS = ['EC2.18', 'EC2.19', 'EC2.53', 'EC2.54'];

const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError', 'ApprovalRequiredError'];

/**
 * Security group open to the world: the inbound rules open to `0.0.0.0/0` or `::/0` on
 * sensitive ports are revoked by rule id (saved exactly for release), the group is read back,
 * and the owner is told.
 *
 * Started by a CloudTrail `AuthorizeSecurityGroupIngress` or `ModifySecurityGroupRules` that
 * opens a group to the internet (Riposte's `signal:world-open-ingress`), and by the Security
 * Hub controls EC2.18 (unrestricted incoming traffic on unauthorized ports), EC2.19 (high-risk
 * ports), EC2.53 and EC2.54 (remote administration ports from 0.0.0.0/0 and ::/0) on an
 * `AWS::EC2::SecurityGroup`. Sample findings and protected groups (or groups a protected
 * instance uses) are never changed; a group that is not named non-production, or that a
 * production (or untagged) instance uses, is changed only after a human approves. A revoke
 * that does not read back as revoked ends the execution failed (`ContainmentNotVerifiedError`)
 * after a `NOT VERIFIED` notification.
 *
 * The caller who opened the group, known only for the CloudTrail trigger (a Security Hub control
 * finding reports the group's state, not who changed it), is contained as in
 * kms-key-deletion-scheduled: `assess-actor` applies the rails on the principal (no AWS service
 * acting for someone, root, Riposte's own roles, service-linked or Identity Center roles, other
 * accounts, protected principals), then only once a person approves `contain-iam-user` (a user)
 * or `revoke-role-sessions` (an assumed role's sessions), as AWS's guidance for compromised
 * credentials describes (https://docs.aws.amazon.com/guardduty/latest/ug/compromised-creds.html);
 * past the hourly containment limit, after a second approval with purpose `blast-radius`. These
 * steps are the `containCaller` fragment (`functions/core/playbooks/fragments/contain-caller.ts`).
 * security-group-release re-authorizes the rules and releases that caller.
 *
 * AWS:
 * - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html (EC2.18, EC2.19, EC2.53, EC2.54)
 * - https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroupRules.html
 * - https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html
 * - https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
 */
export default definePlaybook({
  id: 'security-group-open-to-world',
  version: '1.2.0',
  title: 'Security group open to the world',
  description:
    'Revokes, by rule id, the inbound rules of a security group open to 0.0.0.0/0 or ::/0 on high-risk ports, after approval in production; saves them for release; contains the caller who opened it after an approval.',
  owner: 'security-engineering',
  changelog: {
    '1.2.0':
      'A containment of the caller past the hourly containment limit (BlastRadiusExceededError) asks for an over-limit approval (purpose blast-radius): approved, the caller is contained; denied, the execution stops after a notification. The caller’s steps come from the shared contain-caller fragment, their state names unchanged.',
    '1.0.0':
      'Enrich the group (rules by id, who uses it); notify only for samples, protected groups and groups with nothing to revoke; approval when the group or an instance using it is production or untagged; revoke the world-open rules on the EC2.19 ports by id and read the rules back; notify.',
    '1.1.0':
      'A revoke that does not read back fails after a NOT VERIFIED notification; the CloudTrail caller who opened the group (user or role) is contained after an approval, under the rails on the caller; a Security Hub finding names none.',
  },
  trigger: {
    anyOf: [
      {
        sources: ['aws.ec2'],
        apiCalls: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:ModifySecurityGroupRules'],
        labels: ['signal:world-open-ingress'],
        resourceTypes: ['AWS::EC2::SecurityGroup'],
      },
      {
        sources: ['aws.securityhub'],
        controls: WORLD_OPEN_CONTROLS,
        classUids: [2003],
        resourceTypes: ['AWS::EC2::SecurityGroup'],
      },
    ],
  },
  timeoutSeconds: 6 * 3600,
  steps: (flow) =>
    flow
      .run(
        'group',
        enrichSecurityGroupAction,
        ($) => ({ groupId: $('incident.resourceUid'), ports: REVOKED_PORTS }),
        { name: 'Enrich security group' },
      )
      .choice(
        'containable',
        (c) => [
          c.when(c.or(c.isTrue('steps.group.output.protected'), c.isTrue('incident.sample')), (f) =>
            f
              .notify(
                'notContained',
                {
                  subject: 'Security group not changed: protected group or sample finding',
                  summary:
                    'The group (or an instance using it) carries the protected tag, or the finding is a provider sample: Riposte changes nothing. Review the group by hand.',
                },
                { name: 'Notify: not changed' },
              )
              .succeed('stopNotContained', { name: 'Stop: not changed' }),
          ),
          c.when(c.isFalse('steps.group.output.exposed'), (f) =>
            f
              .notify(
                'nothingOpen',
                {
                  subject: 'No world-open rule on a high-risk port: nothing revoked',
                  summary:
                    'The group has no inbound rule open to 0.0.0.0/0 or ::/0 on the ports this playbook revokes (it may have been closed already). Its rules are in the incident.',
                },
                { name: 'Notify: nothing to revoke' },
              )
              .succeed('stopNothingOpen', { name: 'Stop: nothing to revoke' }),
          ),
        ],
        undefined,
        { name: 'Protected, sample or closed?' },
      )
      .choice(
        'production',
        (c) => [
          c.when(c.isTrue('steps.group.output.approvalRequired'), (f) =>
            f.approve('approval', {
              name: 'Approve revoking',
              message:
                'A security group in production (or of unknown environment, or used by a production instance) is open to the internet on high-risk ports. Revoke those rules?',
              timeoutSeconds: 3600,
              onTimeout: 'deny',
              purpose: 'production',
            }),
          ),
        ],
        undefined,
        { name: 'Production?' },
      )
      .run(
        'revoke',
        revokeWorldOpenIngressAction,
        ($) => ({ groupId: $('incident.resourceUid'), ports: REVOKED_PORTS }),
        {
          name: 'Revoke world-open rules',
          timeoutSeconds: 300,
          catch: [
            {
              errors: REFUSED,
              recover: (f) =>
                f
                  .notify(
                    'refused',
                    {
                      subject: 'Security group change refused by a safety rail',
                      summary: 'Riposte did not change the group; the reason is in the incident timeline.',
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
                    message: 'The hourly containment limit is reached. Revoke the world-open rules anyway?',
                    timeoutSeconds: 3600,
                    onTimeout: 'deny',
                    purpose: 'blast-radius',
                  })
                  .run(
                    'revokeApproved',
                    revokeWorldOpenIngressAction,
                    ($) => ({ groupId: $('incident.resourceUid'), ports: REVOKED_PORTS }),
                    { name: 'Revoke world-open rules (approved)', timeoutSeconds: 300 },
                  )
                  .choice(
                    'approvedVerified',
                    (c) => [
                      c.when(
                        c.and(
                          c.isFalse('steps.revokeApproved.output.verification.verified'),
                          c.eq('steps.revokeApproved.output.verification.basis', 'read-back'),
                        ),
                        notVerified('approvedNotVerified', ' (approved)'),
                      ),
                    ],
                    undefined,
                    { name: 'Rules verified? (approved)' },
                  ),
            },
          ],
        },
      )
      .choice(
        'verified',
        (c) => [
          c.when(
            c.and(
              c.isFalse('steps.revoke.output.verification.verified'),
              c.eq('steps.revoke.output.verification.basis', 'read-back'),
            ),
            notVerified('revokeNotVerified', ''),
          ),
        ],
        undefined,
        { name: 'Rules verified?' },
      )
      .notify(
        'revoked',
        {
          subject: 'World-open security group rules revoked',
          summary:
            'The inbound rules open to the internet on high-risk ports are revoked and saved; the rules were read back. Restore them with the security-group-release playbook. Next: the caller who opened them, when the alert names one.',
        },
        { name: 'Notify: revoked' },
      )
      .choice(
        'callerKnown',
        (c) => [
          // A Security Hub control finding names no caller: nothing more to do.
          c.when(c.eq('alert.actor.type', ''), (f) => f.succeed('stopNoCaller', { name: 'Stop: no caller' })),
        ],
        undefined,
        { name: 'Caller known?' },
      )
      .use(
        containCaller({
          approvalMessage:
            'A security group was opened to the internet on high-risk ports; its world-open rules are revoked. Contain the principal who opened it (user: keys deactivated, deny-all, console password removed; role: sessions revoked)?',
          notContainedSummary:
            'Riposte does not contain the caller who opened the group (the reason is in the timeline): review its activity by hand.',
          refusedSummary:
            'The world-open rules are revoked; the caller is not contained (the reason is in the timeline).',
          contained: {
            subject: 'Security group closed and caller contained',
            summary:
              'The caller who opened the group is contained. Review what else it changed in CloudTrail; security-group-release restores the rules and releases it once cleared.',
          },
        }),
      ),
});

/** The branch of a revoke that did not read back as revoked: say so, and fail the execution. */
function notVerified(id: string, suffix: string) {
  return <C>(f: Flow<C>) =>
    f
      .notify(
        id,
        {
          subject: 'Security group revoke NOT VERIFIED: check the group now',
          summary:
            'DescribeSecurityGroupRules still shows a world-open rule on a revoked port after the revoke (the verification is in the timeline).',
        },
        { name: `Notify: not verified${suffix}` },
      )
      .fail(
        `${id}Fail`,
        'ContainmentNotVerifiedError',
        'the security group rules did not read back as revoked',
        {
          name: `Fail: not verified${suffix}`,
        },
      );
}
