import { revokeRoleSessionsAction } from '#core/actions/iam/revoke-role-sessions.ts';
import { enrichLambdaFunctionAction } from '#core/actions/lambda/enrich-lambda-function.ts';
import { throttleLambdaFunctionAction } from '#core/actions/lambda/throttle-lambda-function.ts';
import { definePlaybook } from '#core/playbooks/sdk.ts';

/** GuardDuty Lambda Protection finding types (resource type `Lambda`) this playbook answers. */
const LAMBDA_THREATS = [
  'Backdoor:Lambda/*',
  'CryptoCurrency:Lambda/*',
  'Trojan:Lambda/*',
  'UnauthorizedAccess:Lambda/*',
];

const REFUSED = ['ProtectedResourceError', 'SampleAlertError', 'NotAllowedError', 'ApprovalRequiredError'];

/**
 * Lambda function compromise, as GuardDuty's "Remediating a potentially compromised Lambda
 * function" describes it
 * (https://docs.aws.amazon.com/guardduty/latest/ug/remediate-lambda-protection-finding-types.html):
 * identify the function version and its code, stop its execution, and cut the credentials it
 * ran with.
 *
 * 1. Enrich: `GetFunction` (configuration, execution role, code location), `ListTags`,
 *    `GetFunctionConcurrency`. Protected functions and sample findings are only reported.
 * 2. A function the configuration does not name non-production waits for a human approval
 *    (as ec2-instance-compromise: production, another value or no environment tag all ask).
 * 3. `throttle-lambda-function`: the configuration and code location are saved (state and
 *    timeline), then reserved concurrency 0 (`PutFunctionConcurrency`,
 *    https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html), read back
 *    with `GetFunctionConcurrency`.
 * 4. `revoke-role-sessions` on the execution role: code that ran in the function could have
 *    taken its temporary credentials. The rails apply to the role itself: a protected role (or
 *    a service-linked one) is left alone and the notification says so.
 *
 * Release: lambda-function-release restores the previous concurrency and the role's sessions.
 */
export default definePlaybook({
  id: 'lambda-function-compromise',
  version: '1.0.0',
  title: 'Lambda function compromise',
  description:
    'Throttles a Lambda function GuardDuty reports compromised (command and control, crypto-mining, trojans, unauthorized access) to zero concurrency, keeping its configuration and code location as evidence, and revokes its execution role’s sessions.',
  owner: 'security-engineering',
  changelog: {
    '1.0.0':
      'Enrich; notify only for protected functions and sample findings; approval unless tagged non-production; capture configuration and code location, reserved concurrency 0 (verified); revoke the execution role’s sessions under the rails; notify.',
  },
  trigger: {
    sources: ['aws.guardduty'],
    findingTypes: LAMBDA_THREATS,
    minSeverity: 3,
    resourceTypes: ['AWS::Lambda::Function'],
  },
  timeoutSeconds: 6 * 3600,
  steps: (flow) =>
    flow
      .choice(
        'sampleFunction',
        (c) => [
          c.when(c.isTrue('incident.sample'), (f) =>
            f
              .notify(
                'sampleNote',
                { subject: 'Lambda function reported by a sample finding: nothing changed' },
                { name: 'Notify: sample' },
              )
              .succeed('stopSample', { name: 'Stop: sample' }),
          ),
        ],
        undefined,
        { name: 'Sample?' },
      )
      .run('function', enrichLambdaFunctionAction, ($) => ({ functionName: $('incident.resourceName') }), {
        name: 'Enrich function',
      })
      .choice(
        'protectedFunction',
        (c) => [
          c.when(c.isTrue('steps.function.output.protected'), (f) =>
            f
              .notify(
                'notContained',
                {
                  subject: 'Lambda function not contained: protected function',
                  summary:
                    'The function carries the protected tag: Riposte never contains it. Its configuration and code location are in the incident; investigate manually.',
                },
                { name: 'Notify: not contained' },
              )
              .succeed('stopProtected', { name: 'Stop: protected' }),
          ),
        ],
        undefined,
        { name: 'Protected?' },
      )
      .choice(
        'production',
        (c) => [
          c.when(c.isTrue('steps.function.output.approvalRequired'), (f) =>
            f.approve('approval', {
              name: 'Approve throttling',
              message:
                'A Lambda function in production (or of unknown environment) is reported compromised. Throttle it to zero concurrency and revoke its execution role’s sessions?',
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
        'throttle',
        throttleLambdaFunctionAction,
        ($) => ({ functionName: $('steps.function.output.functionName') }),
        {
          name: 'Throttle to zero',
          timeoutSeconds: 120,
          catch: [
            {
              errors: REFUSED,
              recover: (f) =>
                f
                  .notify(
                    'refused',
                    {
                      subject: 'Lambda throttling refused by a safety rail',
                      summary:
                        'Riposte refused to contain this function; the reason is in the incident timeline.',
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
                    message: 'The hourly containment limit is reached. Throttle this function anyway?',
                    timeoutSeconds: 3600,
                    onTimeout: 'deny',
                    purpose: 'blast-radius',
                  })
                  .run(
                    'throttleApproved',
                    throttleLambdaFunctionAction,
                    ($) => ({ functionName: $('steps.function.output.functionName') }),
                    {
                      name: 'Throttle to zero (approved)',
                      timeoutSeconds: 120,
                    },
                  ),
            },
          ],
        },
      )
      .run(
        'revokeRole',
        revokeRoleSessionsAction,
        ($) => ({ roleName: $('steps.function.output.roleName') }),
        {
          name: 'Revoke execution role sessions',
          timeoutSeconds: 120,
          catch: [
            {
              errors: [...REFUSED, 'BlastRadiusExceededError'],
              recover: (f) =>
                f
                  .notify(
                    'roleLeftAlone',
                    {
                      subject: 'Lambda function throttled; its execution role was left alone',
                      summary:
                        'No new invocation runs (reserved concurrency 0, read back). The execution role’s sessions were NOT revoked: a safety rail refused it (protected or service-linked role, or the containment limit); the reason is in the timeline. Credentials the function handed out stay valid until they expire: revoke them by hand if the role may be touched.',
                    },
                    { name: 'Notify: role left alone' },
                  )
                  .succeed('stopRoleLeftAlone', { name: 'Stop: role left alone' }),
            },
          ],
        },
      )
      .notify(
        'contained',
        {
          subject: 'Lambda function throttled and its execution role’s sessions revoked',
          summary:
            'Reserved concurrency is 0: no new invocation runs. The execution role’s sessions issued before now are denied. The configuration and code location are saved as evidence. Review the code and who last changed it, then release with lambda-function-release.',
        },
        { name: 'Notify: contained' },
      ),
});
