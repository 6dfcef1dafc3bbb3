import { assessActorAction } from '../../actions/iam/assess-actor.ts';
import { containUserAction } from '../../actions/iam/contain-iam-user.ts';
import { revokeRoleSessionsAction } from '../../actions/iam/revoke-role-sessions.ts';
import { type BaseContext, Flow } from '../sdk.ts';

/** The safety rails' refusals: the caller is left alone and the team told why. */
const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError', 'ApprovalRequiredError'];

/** What a playbook says around the containment of its caller; the steps are the same in all. */
export interface ContainCallerOptions {
  /** What the approver reads: what the caller did, and what containing it does. */
  readonly approvalMessage: string;
  /** The summary of the notification sent when the rails leave the caller alone. */
  readonly notContainedSummary: string;
  /** The summary sent when a rail refuses the containment: what the playbook did before it. */
  readonly refusedSummary: string;
  /** The closing notification, once the caller is contained. */
  readonly contained: { readonly subject: string; readonly summary: string };
}

/**
 * Contains the principal who made the CloudTrail call an alert reports (`alert.actor`), after a
 * person approves: the sequence kms-key-deletion-scheduled, cloudtrail-logging-disabled and
 * security-group-open-to-world end with, as AWS's guide to compromised credentials describes
 * (https://docs.aws.amazon.com/guardduty/latest/ug/compromised-creds.html).
 *
 * 1. `assess-actor` (state `Assess caller`) applies the rails on the principal: never an AWS
 *    service acting for someone, root, another account's principal, Riposte's own roles,
 *    service-linked or Identity Center roles, a protected one. Not containable: notify and stop.
 * 2. `Approve containing the caller` (denied or timed out: notify and stop).
 * 3. An IAM user: `contain-iam-user` (keys deactivated, deny-all, console password removed); an
 *    assumed role: `revoke-role-sessions`
 *    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html).
 *    A rail refusing it: notify and stop. Past the hourly containment limit
 *    (`BlastRadiusExceededError`): an approval with purpose `blast-radius`, then the same action
 *    again (`… (approved)`); denied: notify and stop.
 * 4. Notify that the caller is contained.
 *
 * The step ids (`actor`, `actorApproval`, `containActorUser`, `revokeActorRole`, …) and state
 * names are the playbook's: a playbook using this fragment must not use them itself. The
 * fragment reads only `alert.actor` and its own steps.
 *
 * @example
 * flow
 *   .run('restore', restoreTrailLoggingAction, ($) => ({ ... }))
 *   .use(containCaller({
 *     approvalMessage: 'CloudTrail logging was stopped. Contain the principal who did it?',
 *     notContainedSummary: 'Riposte does not contain this caller: review its activity by hand.',
 *     refusedSummary: 'The reason is in the timeline.',
 *     contained: { subject: 'Logging restored and caller contained', summary: 'Review what it did.' },
 *   }))
 */
export function containCaller(options: ContainCallerOptions) {
  const steps = callerSteps(options).nodes;
  return <C extends BaseContext>(flow: Flow<C>): Flow<C> => new Flow<C>([...flow.nodes, ...steps]);
}

/** The fragment's steps, typed against the context every playbook starts with. */
function callerSteps(options: ContainCallerOptions) {
  return containByKind(assessAndApprove(options), options).notify('actorContained', options.contained, {
    name: 'Notify: caller contained',
  });
}

/** Steps 1 and 2: the rails on the caller, then a person's approval. */
function assessAndApprove(options: ContainCallerOptions) {
  return new Flow<BaseContext>()
    .run(
      'actor',
      assessActorAction,
      ($) => ({
        type: $('alert.actor.type'),
        name: $('alert.actor.name'),
        arn: $('alert.actor.arn'),
        account: $('alert.actor.account'),
        invokedBy: $('alert.actor.invokedBy'),
      }),
      { name: 'Assess caller' },
    )
    .choice(
      'actorContainable',
      (c) => [
        c.when(c.isFalse('steps.actor.output.containable'), (f) =>
          f
            .notify(
              'actorNotContained',
              { subject: 'Caller not contained', summary: options.notContainedSummary },
              { name: 'Notify: caller not contained' },
            )
            .succeed('stopActor', { name: 'Stop: caller not containable' }),
        ),
      ],
      undefined,
      { name: 'Caller containable?' },
    )
    .approve('actorApproval', {
      name: 'Approve containing the caller',
      message: options.approvalMessage,
      timeoutSeconds: 3600,
      onTimeout: 'deny',
    });
}

/** Step 3: a user's containment or a role's session revocation, past the limit once approved. */
function containByKind(flow: ReturnType<typeof assessAndApprove>, options: ContainCallerOptions) {
  return flow.choice(
    'actorKind',
    (c) => [
      c.when(c.eq('steps.actor.output.kind', 'user'), (f) =>
        f.run('containActorUser', containUserAction, ($) => ({ userName: $('steps.actor.output.name') }), {
          name: 'Contain the calling user',
          timeoutSeconds: 300,
          catch: [
            { errors: REFUSED, recover: refused('userRefused', 'user', options.refusedSummary) },
            {
              errors: ['BlastRadiusExceededError'],
              recover: (g) =>
                overLimit(g, 'user').run(
                  'containActorUserApproved',
                  containUserAction,
                  ($) => ({ userName: $('steps.actor.output.name') }),
                  { name: 'Contain the calling user (approved)', timeoutSeconds: 300 },
                ),
            },
          ],
        }),
      ),
      c.when(c.eq('steps.actor.output.kind', 'role'), (f) =>
        f.run(
          'revokeActorRole',
          revokeRoleSessionsAction,
          ($) => ({ roleName: $('steps.actor.output.name') }),
          {
            name: 'Revoke the calling role’s sessions',
            timeoutSeconds: 300,
            catch: [
              { errors: REFUSED, recover: refused('roleRefused', 'role', options.refusedSummary) },
              {
                errors: ['BlastRadiusExceededError'],
                recover: (g) =>
                  overLimit(g, 'role').run(
                    'revokeActorRoleApproved',
                    revokeRoleSessionsAction,
                    ($) => ({ roleName: $('steps.actor.output.name') }),
                    { name: 'Revoke the calling role’s sessions (approved)', timeoutSeconds: 300 },
                  ),
              },
            ],
          },
        ),
      ),
    ],
    undefined,
    { name: 'User or role?' },
  );
}

/** The approval that lets this execution's containment of the caller past the hourly limit. */
function overLimit<C>(f: Flow<C>, kind: 'user' | 'role') {
  return f.approve(`${kind}OverLimit`, {
    name: `Approve over the containment limit (calling ${kind})`,
    message: `The hourly containment limit is reached. Contain the calling ${kind} anyway?`,
    timeoutSeconds: 3600,
    onTimeout: 'deny',
    purpose: 'blast-radius',
  });
}

/** The fallback of a refused caller containment: say so and stop. */
function refused(id: string, kind: 'user' | 'role', summary: string) {
  return <C>(f: Flow<C>) =>
    f
      .notify(
        id,
        { subject: `Containment of the calling ${kind} refused by a safety rail`, summary },
        { name: `Notify: ${kind} refused` },
      )
      .succeed(`${id}Stop`, { name: `Stop: ${kind} refused` });
}
