// Long: a playbook is one declarative chain of steps, read in the order they run (the key, its
// activity, its user), each with its fallbacks, including the over-limit ones, beside it.
import { summarizeKeyActivityAction } from '#core/actions/cloudtrail/summarize-key-activity.ts';
import { assessActorAction } from '#core/actions/iam/assess-actor.ts';
import { containUserAction } from '#core/actions/iam/contain-iam-user.ts';
import { deactivateAccessKeyAction } from '#core/actions/iam/deactivate-access-key.ts';
import { type BaseContext, type CaughtError, definePlaybook, type Flow } from '#core/playbooks/sdk.ts';

/**
 * AWS Health risk events that name an access key of the account: AWS found it exposed (in a
 * public repository, a paste site), suspects it was, found it compromised or suspects so, or
 * attached its quarantine policy to the key's user. GuardDuty's IAM findings stay with
 * `iam-credential-compromise`.
 */
const KEY_RISKS = [
  'AWS_RISK_CREDENTIALS_EXPOSED',
  'AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED',
  'AWS_RISK_CREDENTIALS_COMPROMISED',
  'AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED',
  'AWS_RISK_IAM_QUARANTINE',
];

const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError', 'ApprovalRequiredError'];
const NOT_FOUND = ['AccessKeyNotFoundError', 'InvalidInputError'];

/**
 * An access key AWS reported exposed or compromised (AWS Health `RISK` events, delivered by AWS
 * itself: no account can put an event with an `aws.` source on a bus, so the trigger's
 * `sources: ['aws.health']` admits only genuine ones, from the account itself or, in an
 * organization's Health view, naming the member account in `affectedAccount`; see
 * https://docs.aws.amazon.com/health/latest/ug/cloudwatch-events-health.html and
 * https://docs.aws.amazon.com/health/latest/ug/aggregate-events.html). The key is the incident's
 * resource (`affectedEntities[].entityValue`).
 *
 * 1. `deactivate-access-key`: ties the key to an IAM user of the event's account
 *    (`GetAccessKeyLastUsed`, `GetUser`, `ListAccessKeys`; otherwise nothing is changed, the
 *    timeline says why and the execution fails with `AccessKeyNotFoundError`), records its last
 *    use, applies the rails on the user (protected tag, accounts, Regions, blast radius) and sets
 *    exactly that key Inactive with `UpdateAccessKey`
 *    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html), never
 *    deleting it, as AWS asks (https://repost.aws/knowledge-center/potential-account-compromise).
 *    Read back with `ListAccessKeys`: a key that is not Inactive ends the execution failed after
 *    a `NOT VERIFIED` notification. No approval: a key the world can read must stop working now,
 *    except past the hourly containment limit, where a person decides (purpose `blast-radius`);
 *    on that path the execution stops once the key is read back, the user left to the team.
 * 2. AWS's quarantine policy (`AWSCompromisedKeyQuarantine`, `…V2`, `…V3`, AWS managed,
 *    https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCompromisedKeyQuarantineV3.html)
 *    on the user is reported and left in place.
 * 3. `summarize-key-activity`: what the key did, from CloudTrail `LookupEvents` on the key
 *    (24 hours before the report until now, at most 500 events), onto the timeline.
 * 4. The user: `assess-actor` applies the rails on the principal (Riposte's own, protected,
 *    another account's); a containable user is contained with `contain-iam-user` (its other keys
 *    deactivated, deny-all policy, console password removed) only after a person approves, as
 *    the GuardDuty guide to compromised credentials describes
 *    (https://docs.aws.amazon.com/guardduty/latest/ug/compromised-creds.html); past the hourly
 *    containment limit, after a second approval (purpose `blast-radius`).
 *
 * Release: none for the key. A key AWS found exposed stays inactive: it must be rotated and
 * deleted, never switched back on. What can be undone is the user's containment:
 * `exposed-access-key-release` releases it from the state saved in this incident, the exposed
 * key kept inactive.
 */
export default definePlaybook({
  id: 'exposed-access-key',
  version: '1.1.0',
  title: 'Access key exposed or compromised (AWS Health)',
  description:
    'Deactivates the access key AWS Health reports exposed or compromised, records its last use and recent CloudTrail activity, reports AWS’s quarantine policy, and contains its user after an approval.',
  owner: 'security-engineering',
  changelog: {
    '1.1.0':
      'Past the hourly containment limit (BlastRadiusExceededError), the key and the user each ask for an over-limit approval (purpose blast-radius) instead of failing: approved, the key is deactivated and read back, then the execution stops (the user is left to the team), or the user is contained and read back; denied, the execution stops after a notification.',
    '1.0.0':
      'Tie the key to a user of the event’s account (fail closed otherwise); deactivate exactly that key, verified with ListAccessKeys; report AWSCompromisedKeyQuarantine*; summarize the key’s CloudTrail activity; contain the user after an approval, under the rails on the user; notify.',
  },
  trigger: {
    sources: ['aws.health'],
    classUids: [2004],
    findingTypes: KEY_RISKS,
    resourceTypes: ['AWS::IAM::AccessKey'],
  },
  timeoutSeconds: 6 * 3600,
  steps: (flow) =>
    flow
      .run('key', deactivateAccessKeyAction, ($) => ({ accessKeyId: $('incident.resourceUid') }), {
        name: 'Deactivate the key',
        timeoutSeconds: 300,
        catch: [
          { errors: NOT_FOUND, recover: keyNotFound },
          {
            errors: REFUSED,
            recover: (f) =>
              f
                .notify(
                  'keyRefused',
                  {
                    subject: 'Exposed access key NOT deactivated: a safety rail refused',
                    summary: 'The reason is in the incident timeline. Deactivate or rotate the key by hand.',
                  },
                  { name: 'Notify: key refused' },
                )
                .succeed('stopKeyRefused', { name: 'Stop: key refused' }),
          },
          { errors: ['BlastRadiusExceededError'], recover: keyOverLimit },
        ],
      })
      .choice(
        'keyVerified',
        (c) => [
          c.when(
            c.and(
              c.isFalse('steps.key.output.verification.verified'),
              c.eq('steps.key.output.verification.basis', 'read-back'),
            ),
            notVerified('keyNotVerified', 'the access key did not read back as Inactive', 'key'),
          ),
        ],
        undefined,
        { name: 'Key verified?' },
      )
      .choice(
        'quarantine',
        (c) => [
          c.when(c.isTrue('steps.key.output.awsQuarantined'), (f) =>
            f.notify(
              'awsQuarantine',
              {
                subject: 'AWS attached its quarantine policy to the key’s user',
                summary:
                  'AWSCompromisedKeyQuarantine* is attached to the user: Riposte leaves it in place. Follow the AWS Support case AWS opened about this key.',
              },
              { name: 'Notify: AWS quarantine' },
            ),
          ),
        ],
        undefined,
        { name: 'AWS quarantine policy?' },
      )
      .run(
        'activity',
        summarizeKeyActivityAction,
        ($) => ({ accessKeyId: $('incident.resourceUid'), since: $('alert.time'), lookbackHours: 24 }),
        {
          name: 'Summarize the key’s activity',
          catch: [
            {
              errors: ['States.ALL'],
              recover: (f) =>
                f.notify(
                  'activityUnread',
                  {
                    subject: 'The exposed key’s CloudTrail activity could not be read',
                    summary: 'The key is deactivated. Search CloudTrail for the key id by hand.',
                  },
                  { name: 'Notify: activity not read' },
                ),
            },
          ],
        },
      )
      .run(
        'owner',
        assessActorAction,
        ($) => ({
          type: 'IAMUser',
          name: $('steps.key.output.userName'),
          arn: $('steps.key.output.userArn'),
          account: $('steps.key.output.account'),
          invokedBy: '',
        }),
        { name: 'Assess the key’s user' },
      )
      .choice(
        'ownerContainable',
        (c) => [
          c.when(c.isFalse('steps.owner.output.containable'), (f) =>
            f
              .notify(
                'ownerNotContained',
                {
                  subject: 'Exposed access key deactivated; its user not contained',
                  summary:
                    'The key is inactive. Riposte does not contain this user (the reason is in the timeline): review its other credentials by hand.',
                },
                { name: 'Notify: user not containable' },
              )
              .succeed('stopOwner', { name: 'Stop: user not containable' }),
          ),
        ],
        undefined,
        { name: 'User containable?' },
      )
      .approve('userApproval', {
        name: 'Approve containing the user',
        message:
          'AWS reported an access key exposed or compromised; the key is deactivated. Contain its user too (other keys deactivated, deny-all policy, console password removed)? The key’s recent activity is in the timeline.',
        timeoutSeconds: 3600,
        onTimeout: 'deny',
      })
      .run('containUser', containUserAction, ($) => ({ userName: $('steps.key.output.userName') }), {
        name: 'Contain the user',
        timeoutSeconds: 300,
        catch: [
          {
            errors: REFUSED,
            recover: (f) =>
              f
                .notify(
                  'userRefused',
                  {
                    subject: 'Containment of the key’s user refused by a safety rail',
                    summary:
                      'The exposed key is inactive; the user is not contained (the reason is in the timeline).',
                  },
                  { name: 'Notify: user refused' },
                )
                .succeed('stopUserRefused', { name: 'Stop: user refused' }),
          },
          {
            errors: ['BlastRadiusExceededError'],
            recover: (f) =>
              overLimit(f, 'userOverLimit', 'user', 'Contain the key’s user anyway?')
                .run(
                  'containUserApproved',
                  containUserAction,
                  ($) => ({ userName: $('steps.key.output.userName') }),
                  {
                    name: 'Contain the user (approved)',
                    timeoutSeconds: 300,
                  },
                )
                .choice(
                  'userApprovedVerified',
                  (c) => [
                    c.when(
                      c.and(
                        c.isFalse('steps.containUserApproved.output.verification.verified'),
                        c.eq('steps.containUserApproved.output.verification.basis', 'read-back'),
                      ),
                      notVerified(
                        'userApprovedNotVerified',
                        'the user did not read back as contained',
                        'user (approved)',
                      ),
                    ),
                  ],
                  undefined,
                  { name: 'User verified? (approved)' },
                ),
          },
        ],
      })
      .choice(
        'userVerified',
        (c) => [
          c.when(
            c.and(
              c.isFalse('steps.containUser.output.verification.verified'),
              c.eq('steps.containUser.output.verification.basis', 'read-back'),
            ),
            notVerified('userNotVerified', 'the user did not read back as contained', 'user'),
          ),
        ],
        undefined,
        { name: 'User verified?' },
      )
      .notify(
        'contained',
        {
          subject: 'Exposed access key deactivated and its user contained',
          summary:
            'The key is inactive (rotate it, then delete it); the user’s other keys are inactive, deny-all is attached and the console password removed. Review the key’s activity in the timeline. The key is never reactivated; release the user with exposed-access-key-release once cleared.',
        },
        { name: 'Notify: contained' },
      ),
});

/** The key cannot be tied to a user of the event's account: say so, change nothing, fail. */
function keyNotFound<C>(f: Flow<C>) {
  return f
    .notify(
      'keyNotFound',
      {
        subject: 'Exposed access key not found in the account: nothing changed',
        summary:
          'IAM does not tie the reported key to a user of the account the event is about (the reason is in the timeline). Check the key by hand.',
      },
      { name: 'Notify: key not found' },
    )
    .fail(
      'keyNotFoundFail',
      'AccessKeyNotFoundError',
      'the reported access key is not a key of a user of the account',
      {
        name: 'Fail: key not found',
      },
    );
}

/** A change that did not read back as expected: say so, and fail the execution. */
function notVerified(id: string, cause: string, what: string) {
  return <C>(f: Flow<C>) =>
    f
      .notify(
        id,
        {
          subject: 'Exposed access key containment NOT VERIFIED: check now',
          summary: `The read-back after the change does not match: ${cause}.`,
        },
        { name: `Notify: ${what} not verified` },
      )
      .fail(`${id}Fail`, 'ContainmentNotVerifiedError', cause, { name: `Fail: ${what} not verified` });
}

/** The approval that lets this execution contain past the hourly containment limit. */
function overLimit<C, Id extends string>(f: Flow<C>, id: Id, what: string, message: string) {
  return f.approve(id, {
    name: `Approve over the containment limit (${what})`,
    message: `The hourly containment limit is reached. ${message}`,
    timeoutSeconds: 3600,
    onTimeout: 'deny',
    purpose: 'blast-radius',
  });
}

/**
 * The key past the hourly containment limit: once a person approves, deactivated and read back;
 * then the execution stops. The steps after the key read its user from `steps.key`, which this
 * path does not fill: the user is left to the team, and the notification says so.
 */
function keyOverLimit(f: Flow<BaseContext & { readonly errors: { readonly key: CaughtError } }>) {
  return overLimit(f, 'keyOverLimit', 'key', 'Deactivate the exposed access key anyway?')
    .run('keyApproved', deactivateAccessKeyAction, ($) => ({ accessKeyId: $('incident.resourceUid') }), {
      name: 'Deactivate the key (approved)',
      timeoutSeconds: 300,
    })
    .choice(
      'keyApprovedVerified',
      (c) => [
        c.when(
          c.and(
            c.isFalse('steps.keyApproved.output.verification.verified'),
            c.eq('steps.keyApproved.output.verification.basis', 'read-back'),
          ),
          notVerified(
            'keyApprovedNotVerified',
            'the access key did not read back as Inactive',
            'key (approved)',
          ),
        ),
      ],
      undefined,
      { name: 'Key verified? (approved)' },
    )
    .notify(
      'keyDeactivatedOverLimit',
      {
        subject: 'Exposed access key deactivated past the containment limit; its user not reviewed',
        summary:
          'The key is inactive (rotate it, then delete it). Past the hourly containment limit Riposte stops here: search CloudTrail for the key’s activity, check the user for AWS’s quarantine policy, and contain the user by hand if needed.',
      },
      { name: 'Notify: key deactivated (approved)' },
    )
    .succeed('doneKeyOverLimit', { name: 'Done: key deactivated (approved)' });
}
