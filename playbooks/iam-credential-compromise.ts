import { containUserAction } from '#core/actions/iam/contain-iam-user.ts';
import { enrichPrincipalAction } from '#core/actions/iam/enrich-principal.ts';
import { revokeRoleSessionsAction } from '#core/actions/iam/revoke-role-sessions.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

/** GuardDuty finding types (native form) that mean an IAM principal's credentials are in the wrong hands. */
const CREDENTIAL_THREATS = [
  'UnauthorizedAccess:IAMUser/*',
  'CredentialAccess:IAMUser/*',
  'Recon:IAMUser/TorIPCaller',
  'Recon:IAMUser/MaliciousIPCaller*',
  'Discovery:IAMUser/AnomalousBehavior',
  'Exfiltration:IAMUser/AnomalousBehavior',
  'Impact:IAMUser/AnomalousBehavior',
  'Persistence:IAMUser/AnomalousBehavior',
  'PrivilegeEscalation:IAMUser/AnomalousBehavior',
  'DefenseEvasion:IAMUser/AnomalousBehavior',
];

const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'];

/**
 * IAM credential compromise: for a user, its access keys are deactivated (never deleted), a
 * deny-all inline policy cuts the temporary credentials minted from them, and the console
 * password is removed; for a role, its sessions issued before now are revoked. Root sign-ins
 * cannot be contained through IAM: the team is alerted to follow the root runbook.
 */
export default definePlaybook({
  id: 'iam-credential-compromise',
  version: '1.0.1',
  title: 'IAM credential compromise',
  description:
    'Deactivates the keys and console access of a compromised IAM user, or revokes the sessions of a compromised role (credential exfiltration, Tor and malicious IP callers, anomalous behavior), and alerts on root sign-ins.',
  owner: 'security-engineering',
  changelog: {
    '1.0.1':
      'Steps are run again when AWS keeps throttling or failing on its side past the SDK’s own retries (up to three more times, waits growing to at most 30 s; more AWS error codes recognized); access denied and safety refusals are still never retried.',
    '1.0.0':
      'Enrich the principal; contain a user (keys, deny-all, console) or revoke a role’s sessions; notify. Root: notify only.',
  },
  trigger: {
    anyOf: [
      {
        sources: ['aws.guardduty'],
        findingTypes: CREDENTIAL_THREATS,
        minSeverity: 3,
        resourceTypes: ['AWS::IAM::AccessKey'],
      },
      {
        sources: ['aws.securityhub'],
        findingTypes: CREDENTIAL_THREATS.map((t) => `*${t.replace('/', '-').replace(/\*$/, '')}*`),
        minSeverity: 3,
        resourceTypes: ['AWS::IAM::AccessKey'],
      },
      // A successful root sign-in (Riposte rates it High).
      { sources: ['aws.signin'], classUids: [3002], minSeverity: 4 },
    ],
  },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
      .choice(
        'sampleCredential',
        (c) => [
          c.when(c.isTrue('incident.sample'), (f) =>
            f
              .notify(
                'sampleNotContained',
                {
                  subject: 'Credential alert from a sample finding: nothing contained',
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
        'principalKind',
        (c) => [
          c.when(c.eq('incident.resourceType', 'AWS::IAM::User'), (f) =>
            f
              .run('user', enrichPrincipalAction, ($) => ({ userName: $('incident.resourceName') }), {
                name: 'Enrich user',
              })
              .run('containUser', containUserAction, ($) => ({ userName: $('incident.resourceName') }), {
                name: 'Deactivate keys and console access',
                timeoutSeconds: 300,
                catch: [
                  {
                    errors: REFUSED,
                    recover: (r) =>
                      r
                        .notify(
                          'userRefused',
                          { subject: 'User containment refused by a safety rail' },
                          { name: 'Notify: user refused' },
                        )
                        .succeed('stopUserRefused', { name: 'Stop: user refused' }),
                  },
                ],
              })
              .notify(
                'userContained',
                {
                  subject: 'IAM user contained',
                  summary:
                    'Access keys deactivated, deny-all policy attached, console password removed. Hunt for what the keys did in CloudTrail; release with iam-credential-release.',
                },
                { name: 'Notify: user contained' },
              )
              .succeed('doneUser', { name: 'Done: user' }),
          ),
          c.when(c.eq('incident.resourceType', 'AWS::IAM::Role'), (f) =>
            f
              .run('role', enrichPrincipalAction, ($) => ({ roleName: $('incident.resourceName') }), {
                name: 'Enrich role',
              })
              .run(
                'revokeSessions',
                revokeRoleSessionsAction,
                ($) => ({ roleName: $('incident.resourceName') }),
                {
                  name: 'Revoke role sessions',
                  timeoutSeconds: 300,
                  catch: [
                    {
                      errors: REFUSED,
                      recover: (r) =>
                        r
                          .notify(
                            'roleRefused',
                            { subject: 'Role session revocation refused' },
                            { name: 'Notify: role refused' },
                          )
                          .succeed('stopRoleRefused', { name: 'Stop: role refused' }),
                    },
                  ],
                },
              )
              .notify(
                'roleContained',
                {
                  subject: 'IAM role sessions revoked',
                  summary:
                    'Every session of the role issued before now is denied. The role can still be assumed again: review its trust policy.',
                },
                { name: 'Notify: role contained' },
              )
              .succeed('doneRole', { name: 'Done: role' }),
          ),
        ],
        (f) =>
          f.notify(
            'rootOrUnknown',
            {
              subject: 'Credential alert Riposte cannot contain automatically',
              summary:
                'Root credentials (or an unknown principal type) cannot be contained through IAM. Follow the root-compromise runbook: rotate the root password, check MFA, review CloudTrail.',
            },
            { name: 'Notify: manual response' },
          ),
        { name: 'User or role?' },
      ),
});
