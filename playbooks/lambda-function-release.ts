import { releaseRoleSessionsAction } from '#core/actions/iam/release-role-sessions.ts';
import { releaseLambdaFunctionAction } from '#core/actions/lambda/release-lambda-function.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

const NOTHING_TO_RELEASE = 'NothingToReleaseError';
const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError'];

/**
 * Release of a function throttled by lambda-function-compromise, started by an operator
 * (`riposte release <incident>`): its reserved concurrency goes back to what the containment
 * found (`PutFunctionConcurrency`, or `DeleteFunctionConcurrency` when it had none,
 * https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunctionConcurrency.html) and is read
 * back, then the execution role's session revocation is removed (release-role-sessions). The
 * function's code and configuration were never changed. A function that now carries the
 * protected tag is left alone.
 */
export default definePlaybook({
  id: 'lambda-function-release',
  version: '1.0.0',
  title: 'Release a Lambda function throttled by lambda-function-compromise',
  description:
    'Undoes lambda-function-compromise: restores the function’s reserved concurrency from the saved state (verified), then the execution role’s sessions.',
  owner: 'security-engineering',
  changelog: {
    '1.0.0':
      'Restore the reserved concurrency (or remove it) and read it back; remove the execution role’s session revocation; nothing to release and protected functions told apart; notify.',
  },
  trigger: { manual: true },
  timeoutSeconds: 3600,
  steps: (flow) =>
    flow
      .run('release', releaseLambdaFunctionAction, ($) => ({ functionName: $('incident.resourceName') }), {
        name: 'Restore concurrency',
        timeoutSeconds: 120,
        catch: [
          {
            errors: [NOTHING_TO_RELEASE],
            recover: (f) =>
              f
                .notify(
                  'nothingToRelease',
                  {
                    subject: 'Nothing to release: the function was never throttled',
                    summary:
                      'This incident saved no throttling of the function: nothing was contained, nothing was changed.',
                  },
                  { name: 'Notify: nothing to release' },
                )
                .succeed('stopNothing', { name: 'Stop: nothing to release' }),
          },
          {
            errors: REFUSED,
            recover: (f) =>
              f
                .notify(
                  'releaseRefused',
                  {
                    subject: 'Lambda release refused by a safety rail',
                    summary:
                      'The function now carries the protected tag: Riposte changes nothing on it. Restore its reserved concurrency and its role by hand if needed.',
                  },
                  { name: 'Notify: refused' },
                )
                .succeed('stopRefused', { name: 'Stop: refused' }),
          },
        ],
      })
      .run(
        'releaseRole',
        releaseRoleSessionsAction,
        ($) => ({ roleName: $('steps.release.output.roleName') }),
        {
          name: 'Restore execution role sessions',
          timeoutSeconds: 120,
          catch: [
            {
              errors: [NOTHING_TO_RELEASE],
              recover: (f) =>
                f
                  .notify(
                    'roleNothingToRelease',
                    {
                      subject: 'Lambda function released; its execution role had nothing to release',
                      summary:
                        'The reserved concurrency is back as before containment (read back). The execution role’s sessions were never revoked by this incident.',
                    },
                    { name: 'Notify: released (role untouched)' },
                  )
                  .succeed('stopRoleNothing', { name: 'Stop: role untouched' }),
            },
          ],
        },
      )
      .notify(
        'released',
        {
          subject: 'Lambda function released',
          summary:
            'The reserved concurrency is back as before containment (read back) and the execution role’s session revocation is removed: the function runs again with its role.',
        },
        { name: 'Notify: released' },
      ),
});
