import { describe, expect, it } from 'vitest';
import { enrichInstanceAction } from '../../../functions/core/actions/ec2/enrich-instance.ts';
import { isolateInstanceAction } from '../../../functions/core/actions/ec2/isolate-instance.ts';
import { containUserAction } from '../../../functions/core/actions/iam/contain-iam-user.ts';
import { revokeRoleSessionsAction } from '../../../functions/core/actions/iam/revoke-role-sessions.ts';
import type { AslState, AslStateMachine } from '../../../functions/core/playbooks/asl.ts';
import { compilePlaybook, familiesOf } from '../../../functions/core/playbooks/compile.ts';
import { loadPlaybooks } from '../../../functions/core/playbooks/registry.ts';
import {
  type BaseContext,
  definePlaybook,
  type Flow,
  type FlowLike,
  InvalidPlaybookError,
  type PlaybookDefinition,
  type RetryPolicy,
} from '../../../functions/core/playbooks/sdk.ts';

const META = {
  id: 'tiny',
  version: '1.0.0',
  title: 'Tiny',
  description: 'A playbook with one step of each kind.',
  owner: 'tests',
  changelog: { '1.0.0': 'First.' },
  trigger: { manual: true },
} as const satisfies Partial<PlaybookDefinition>;

/** A task with a ref input, a retry and a catch; a choice with otherwise; an approve; a wait; a parallel. */
const tiny = definePlaybook({
  ...META,
  timeoutSeconds: 600,
  steps: (flow) =>
    flow
      .run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), {
        name: 'Enrich',
        timeoutSeconds: 30,
        retry: [{ errors: ['Throttling'], maxAttempts: 5 }],
        catch: [
          {
            errors: ['ResourceNotFoundError'],
            recover: (f) =>
              f
                .notify('gone', { subject: 'Gone' }, { name: 'Notify: gone' })
                .succeed('stopGone', { name: 'Stop: gone' }),
          },
        ],
      })
      .choice(
        'prod',
        (c) => [
          c.when(c.eq('steps.instance.output.environment', 'production'), (f) =>
            f.approve('approval', { name: 'Approve', message: 'Isolate?', timeoutSeconds: 300 }),
          ),
        ],
        (f) => f.wait('pause', 5, { name: 'Pause' }),
        { name: 'Production?' },
      )
      .parallel(
        'both',
        [
          (f) => f.notify('left', { subject: 'Left' }, { name: 'Notify: left' }),
          (f) => f.wait('rightPause', 1, { name: 'Right pause' }),
        ],
        { name: 'Both' },
      ),
});

// The expected definition, written out by hand. Repeated blocks are literals, not imports.

/** The function ARN placeholders CDK fills with `definitionSubstitutions`, as the definition holds them. */
// biome-ignore-start lint/suspicious/noTemplateCurlyInString: placeholders, not templates
const FUNCTION = {
  context: '${ActionFunction_context}',
  enrich: '${ActionFunction_enrich}',
  notify: '${ActionFunction_notify}',
  approve: '${ActionFunction_approve}',
} as const;
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: placeholders, not templates
const RETRYABLE = [
  'TransientAwsError',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Unavailable',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServiceFailureException',
  'ResourceContention',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];
const TRANSIENT_RETRY = {
  ErrorEquals: RETRYABLE,
  IntervalSeconds: 2,
  MaxAttempts: 3,
  BackoffRate: 2,
  MaxDelaySeconds: 30,
  JitterStrategy: 'FULL',
};
const EXECUTION = {
  'incidentId.$': '$.incidentId',
  'alertId.$': '$.alertId',
  'mode.$': '$.mode',
  'sample.$': '$.alert.sample',
  'account.$': '$.incident.account',
  'region.$': '$.incident.region',
  playbookId: 'tiny',
  playbookVersion: '1.0.0',
  'executionId.$': '$$.Execution.Id',
};
const RESULT_SELECTOR = {
  'action.$': '$.Payload.action',
  'target.$': '$.Payload.target',
  'dryRun.$': '$.Payload.dryRun',
  'output.$': '$.Payload.output',
};
const CONTEXT_OF_NOTIFY = {
  'alert.$': '$.alert',
  'incident.$': '$.incident',
  'steps.$': '$.steps',
  'errors.$': '$.errors',
};

function notifyTask(message: Record<string, string>, stepId: string, flow: { Next: string } | { End: true }) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: {
      FunctionName: FUNCTION.notify,
      Payload: { action: 'notify', input: { ...message, ...CONTEXT_OF_NOTIFY }, execution: EXECUTION },
    },
    TimeoutSeconds: 60,
    Retry: [TRANSIENT_RETRY],
    ResultSelector: RESULT_SELECTOR,
    ResultPath: `$.steps.${stepId}`,
    ...flow,
  };
}

const EXPECTED_BODY = {
  StartAt: 'Enrich',
  States: {
    Enrich: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: FUNCTION.enrich,
        Payload: {
          action: 'enrich-instance',
          input: { 'instanceId.$': '$.incident.resourceUid' },
          execution: EXECUTION,
        },
      },
      TimeoutSeconds: 30,
      Retry: [
        {
          ErrorEquals: ['Throttling'],
          MaxAttempts: 5,
          IntervalSeconds: 2,
          BackoffRate: 2,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        },
        TRANSIENT_RETRY,
      ],
      ResultSelector: RESULT_SELECTOR,
      ResultPath: '$.steps.instance',
      Catch: [
        { ErrorEquals: ['ResourceNotFoundError'], ResultPath: '$.errors.instance', Next: 'Notify: gone' },
      ],
      Next: 'Production?',
    },
    'Notify: gone': notifyTask({ subject: 'Gone' }, 'gone', { Next: 'Stop: gone' }),
    'Stop: gone': { Type: 'Succeed' },
    'Production?': {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.steps.instance.output.environment', IsPresent: true },
            { Variable: '$.steps.instance.output.environment', StringEquals: 'production' },
          ],
          Next: 'Approve',
        },
      ],
      Default: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: 5, Next: 'Both' },
    Approve: {
      Type: 'Choice',
      Choices: [{ Variable: '$.mode', StringEquals: 'dry-run', Next: 'Approve: dry-run' }],
      Default: 'Approve: request',
    },
    'Approve: dry-run': {
      Type: 'Pass',
      Result: {
        action: 'request-approval',
        target: 'approval',
        dryRun: true,
        output: { approved: true, approver: 'dry-run', decidedAt: '' },
      },
      ResultPath: '$.steps.approval',
      Next: 'Both',
    },
    'Approve: request': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: FUNCTION.approve,
        Payload: {
          action: 'request-approval',
          input: {
            'taskToken.$': '$$.Task.Token',
            message: 'Isolate?',
            timeoutSeconds: 300,
            purpose: 'containment',
            'alert.$': '$.alert',
            'incident.$': '$.incident',
            'steps.$': '$.steps',
          },
          execution: EXECUTION,
        },
      },
      ResultSelector: { action: 'request-approval', target: 'approval', dryRun: false, 'output.$': '$' },
      ResultPath: '$.steps.approval',
      TimeoutSeconds: 300,
      Catch: [
        { ErrorEquals: ['ApprovalDenied'], ResultPath: '$.errors.approval', Next: 'Approve: denied' },
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.errors.approval', Next: 'Approve: denied' },
      ],
      Next: 'Both',
    },
    'Approve: denied': notifyTask(
      { subject: 'Tiny: approval denied or expired, nothing contained', summary: 'Isolate?' },
      'approvalDenied',
      { Next: 'Approve: stop' },
    ),
    'Approve: stop': { Type: 'Succeed' },
    Both: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Notify: left',
          States: { 'Notify: left': notifyTask({ subject: 'Left' }, 'left', { End: true }) },
        },
        { StartAt: 'Right pause', States: { 'Right pause': { Type: 'Wait', Seconds: 1, End: true } } },
      ],
      ResultPath: null,
      End: true,
    },
  },
};

const EXPECTED: unknown = {
  Comment: 'Riposte playbook tiny 1.0.0: Tiny',
  QueryLanguage: 'JSONPath',
  StartAt: 'Load context',
  TimeoutSeconds: 600,
  States: {
    'Load context': {
      Type: 'Task',
      Comment: 'Reads the alert and the incident this execution works on.',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: FUNCTION.context,
        Payload: {
          action: 'load-context',
          input: {},
          execution: {
            'incidentId.$': '$.incidentId',
            'alertId.$': '$.alertId',
            'mode.$': '$.mode',
            sample: false,
            playbookId: 'tiny',
            playbookVersion: '1.0.0',
            'executionId.$': '$$.Execution.Id',
          },
        },
      },
      ResultSelector: { 'alert.$': '$.Payload.output.alert', 'incident.$': '$.Payload.output.incident' },
      ResultPath: '$.loaded',
      TimeoutSeconds: 60,
      Retry: [TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Failed' }],
      Next: 'Prepare context',
    },
    'Prepare context': {
      Type: 'Pass',
      Parameters: {
        'incidentId.$': '$.incidentId',
        'alertId.$': '$.alertId',
        'mode.$': '$.mode',
        'alert.$': '$.loaded.alert',
        'incident.$': '$.loaded.incident',
        steps: {},
        errors: {},
      },
      Next: 'Playbook',
    },
    Playbook: {
      Type: 'Parallel',
      Comment: 'Tiny 1.0.0',
      Branches: [EXPECTED_BODY],
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Notify failure' }],
      Next: 'Record outcome',
    },
    'Record outcome': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: FUNCTION.context,
        Payload: { action: 'record-outcome', input: { outcome: 'completed' }, execution: EXECUTION },
      },
      TimeoutSeconds: 60,
      Retry: [TRANSIENT_RETRY],
      ResultPath: null,
      End: true,
    },
    'Notify failure': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: FUNCTION.notify,
        Payload: {
          action: 'notify',
          input: {
            subject: 'Playbook failed: Tiny',
            summary: 'A step failed after its retries; nothing further was done. See the incident timeline.',
            'failure.$': '$.failure',
            ...CONTEXT_OF_NOTIFY,
          },
          execution: EXECUTION,
        },
      },
      TimeoutSeconds: 60,
      Retry: [TRANSIENT_RETRY],
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'Record failure' }],
      Next: 'Record failure',
    },
    'Record failure': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: FUNCTION.context,
        Payload: {
          action: 'record-outcome',
          input: { outcome: 'failed', 'failure.$': '$.failure' },
          execution: EXECUTION,
        },
      },
      TimeoutSeconds: 60,
      Retry: [TRANSIENT_RETRY],
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'Failed' }],
      Next: 'Failed',
    },
    Failed: {
      Type: 'Fail',
      Error: 'PlaybookFailed',
      Cause: 'A playbook step failed; the failure was notified and recorded on the incident.',
    },
  },
};

/** Every state of a machine with its name, parallel branches included. */
function allStates(machine: AslStateMachine): [string, AslState][] {
  return Object.entries(machine.States).flatMap(([name, state]): [string, AslState][] => [
    [name, state],
    ...(state.Type === 'Parallel' ? state.Branches.flatMap(allStates) : []),
  ]);
}

/** Every transition target of a machine, parallel branches included. */
function targets(machine: AslStateMachine): string[] {
  return allStates(machine).flatMap(([, state]) => [
    ...('Next' in state && state.Next !== undefined ? [state.Next] : []),
    ...('Default' in state && state.Default !== undefined ? [state.Default] : []),
    ...('Choices' in state ? state.Choices.map((c) => c.Next) : []),
    ...('Catch' in state && state.Catch !== undefined ? state.Catch.map((c) => c.Next) : []),
  ]);
}

/** A one-step playbook body whose step has one retry. */
const retrying =
  (retry: RetryPolicy) =>
  (flow: Flow<BaseContext>): FlowLike =>
    flow.run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), {
      retry: [retry],
    });

/** A one-step playbook body. */
const enrich = (flow: Flow<BaseContext>) =>
  flow.run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }));

describe('compilePlaybook', () => {
  it('renders the exact ASL of a small playbook', () => {
    // Act
    const asl = compilePlaybook(tiny);

    // Assess
    expect(asl).toStrictEqual(EXPECTED);
  });

  it('gives every Task a timeout and the machine a top-level one (24 h by default)', async () => {
    // Prepare
    const playbooks = [tiny, ...(await loadPlaybooks()), definePlaybook({ ...META, steps: enrich })];

    // Act
    const machines = playbooks.map((p) => compilePlaybook(p));

    // Assess
    for (const machine of machines) {
      expect(machine.TimeoutSeconds).toBeGreaterThan(0);
      const tasks = allStates(machine).filter(([, state]) => state.Type === 'Task');
      expect(tasks.length).toBeGreaterThan(0);
      for (const [name, state] of tasks) {
        expect({ name, timeout: state.Type === 'Task' ? state.TimeoutSeconds : undefined }).toEqual({
          name,
          timeout: expect.any(Number),
        });
      }
    }
    expect(machines.at(-1)?.TimeoutSeconds).toBe(86_400);
  });

  it('names states uniquely and every transition goes to a state that exists', async () => {
    // Prepare
    const playbooks = [tiny, ...(await loadPlaybooks())];

    // Act
    const machines = playbooks.map((p) => compilePlaybook(p));

    // Assess
    for (const machine of machines) {
      const names = allStates(machine).map(([name]) => name);
      expect(new Set(names).size).toBe(names.length);
      for (const target of targets(machine)) expect(names).toContain(target);
    }
  });
});

/** The action errors retrying cannot fix, and the AWS codes behind access denied. */
const NOT_RETRIED = [
  'AwsAccessDeniedError',
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'PartialFailureError',
  'ProtectedResourceError',
  'ApprovalRequiredError',
  'SampleAlertError',
  'NotAllowedError',
  'BlastRadiusExceededError',
  'ResourceNotFoundError',
  'NothingToReleaseError',
  'MemberRoleMissingError',
  'InvalidInputError',
];
const NEVER_RETRY = {
  ErrorEquals: [
    'ProtectedResourceError',
    'ApprovalRequiredError',
    'SampleAlertError',
    'NotAllowedError',
    'BlastRadiusExceededError',
    'ResourceNotFoundError',
    'AwsAccessDeniedError',
    'PartialFailureError',
    'MemberRoleMissingError',
    'NothingToReleaseError',
    'InvalidApprovalTokenError',
    'InvalidInputError',
    'UnknownActionError',
  ],
  MaxAttempts: 0,
};

describe('retries of action tasks', () => {
  it('retries transient AWS and Lambda failures on every Lambda task, with a bounded full-jitter backoff', async () => {
    // Prepare
    const playbooks = [tiny, ...(await loadPlaybooks())];

    // Act
    const machines = playbooks.map((p) => compilePlaybook(p));

    // Assess
    for (const machine of machines) {
      const invokes = allStates(machine).filter(
        ([, state]) => state.Type === 'Task' && state.Resource === 'arn:aws:states:::lambda:invoke',
      );
      expect(invokes.length).toBeGreaterThan(4);
      for (const [name, state] of invokes) {
        const retry = state.Type === 'Task' ? state.Retry : undefined;
        expect({ name, retry: retry?.at(-1) }).toEqual({ name, retry: TRANSIENT_RETRY });
      }
    }
    expect(TRANSIENT_RETRY.ErrorEquals).toEqual(
      expect.arrayContaining([
        'TransientAwsError',
        'RequestLimitExceeded',
        'ThrottlingException',
        'Throttling',
        'SlowDown',
        'InternalError',
        'ServiceUnavailable',
        'Lambda.TooManyRequestsException',
      ]),
    );
  });

  it('never retries access denied, partial failures with a lasting cause, refusals or timeouts', async () => {
    // Prepare
    const playbooks = [tiny, ...(await loadPlaybooks())];

    // Act
    const retriers = playbooks
      .map((p) => compilePlaybook(p))
      .flatMap((machine) => allStates(machine))
      .flatMap(([, state]) => ('Retry' in state && state.Retry !== undefined ? state.Retry : []));

    // Assess
    expect(retriers.length).toBeGreaterThan(0);
    for (const retrier of retriers) {
      for (const error of [...NOT_RETRIED, 'States.ALL', 'States.TaskFailed', 'States.Timeout']) {
        expect(retrier.ErrorEquals).not.toContain(error);
      }
    }
  });

  it("puts the playbook's retries first, then the transient retry, then a zero-attempt retrier before its catch-all", () => {
    // Prepare
    const playbook = definePlaybook({
      ...META,
      steps: (flow) =>
        flow.run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), {
          retry: [
            { errors: ['States.ALL'], maxAttempts: 2 },
            { errors: ['States.Timeout'], maxAttempts: 1, intervalSeconds: 30, maxDelaySeconds: 120 },
          ],
        }),
    });

    // Act
    const body = compilePlaybook(playbook).States.Playbook;

    // Assess
    const task = body?.Type === 'Parallel' ? body.Branches[0]?.States.instance : undefined;
    expect(task?.Type === 'Task' ? task.Retry : undefined).toEqual([
      {
        ErrorEquals: ['States.Timeout'],
        MaxAttempts: 1,
        IntervalSeconds: 30,
        BackoffRate: 2,
        MaxDelaySeconds: 120,
        JitterStrategy: 'FULL',
      },
      TRANSIENT_RETRY,
      NEVER_RETRY,
      {
        ErrorEquals: ['States.ALL'],
        MaxAttempts: 2,
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxDelaySeconds: 60,
        JitterStrategy: 'FULL',
      },
    ]);
  });
});

describe('familiesOf', () => {
  it('lists the action families a playbook calls, always with context and notify, sorted', () => {
    // Prepare
    const containing = definePlaybook({
      ...META,
      steps: (flow) =>
        flow.run('user', containUserAction, ($) => ({ userName: $('incident.resourceName') }), {
          catch: [
            {
              errors: ['ProtectedResourceError'],
              recover: (f) => f.approve('ask', { message: 'Contain anyway?' }),
            },
          ],
        }),
    });
    const inChoiceAndParallel = definePlaybook({
      ...META,
      steps: (flow) =>
        flow
          .choice('kind', (c) => [
            c.when(c.isTrue('incident.sample'), (f) =>
              f.run('role', revokeRoleSessionsAction, ($) => ({ roleName: $('incident.resourceName') })),
            ),
          ])
          .parallel('both', [
            (f) =>
              f.run('isolate', isolateInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') })),
          ]),
    });

    // Act
    const families = [familiesOf(tiny), familiesOf(containing), familiesOf(inChoiceAndParallel)];

    // Assess
    expect(families).toEqual([
      ['approve', 'context', 'enrich', 'notify'],
      ['approve', 'contain', 'context', 'notify'],
      ['contain', 'context', 'notify'],
    ]);
  });
});

describe('invalid playbooks', () => {
  it.each<[string, PlaybookDefinition, RegExp]>([
    [
      'an id that is not lower-case words',
      { ...META, id: 'Bad_Id', steps: enrich },
      /playbook id "Bad_Id" must be lower-case words/,
    ],
    [
      'a version that is not semantic',
      { ...META, version: '1.0', changelog: { '1.0': 'x' }, steps: enrich },
      /version "1\.0" must be semantic/,
    ],
    [
      'no changelog entry for the version',
      { ...META, version: '1.1.0', steps: enrich },
      /changelog has no entry for version 1\.1\.0/,
    ],
    [
      'a step id used twice',
      { ...META, steps: (flow) => enrich(flow).notify('instance', { subject: 'again' }) },
      /step id "instance" is used twice/,
    ],
    [
      'a step id unusable in a path',
      { ...META, steps: (flow) => flow.notify('tell-team', { subject: 'x' }) },
      /step id "tell-team" must be letters and digits/,
    ],
    [
      'two steps with the same state name',
      {
        ...META,
        steps: (flow) =>
          flow
            .notify('first', { subject: 'a' }, { name: 'Tell' })
            .notify('second', { subject: 'b' }, { name: 'Tell' }),
      },
      /state name "Tell" is used twice/,
    ],
    ['no steps', { ...META, steps: (flow) => flow }, /it has no steps/],
    [
      'a retry of an error retrying cannot fix',
      { ...META, steps: retrying({ errors: ['Throttling', 'AwsAccessDeniedError', 'PartialFailureError'] }) },
      /step "instance": invalid retry: errors: retrying cannot fix AwsAccessDeniedError, PartialFailureError/,
    ],
    [
      'a retry of States.ALL with other errors',
      { ...META, steps: retrying({ errors: ['States.ALL', 'Throttling'] }) },
      /States\.ALL must be the only error of its retry/,
    ],
    [
      'a retry of more than 10 attempts',
      { ...META, steps: retrying({ errors: ['States.Timeout'], maxAttempts: 50 }) },
      /invalid retry: maxAttempts: /,
    ],
    [
      'a retry waiting a fraction of a second',
      { ...META, steps: retrying({ errors: ['States.Timeout'], intervalSeconds: 0.5 }) },
      /invalid retry: intervalSeconds: /,
    ],
  ])('rejects %s when defined', (_label, definition, message) => {
    // Act
    const define = () => definePlaybook(definition);

    // Assess
    expect(define).toThrow(InvalidPlaybookError);
    expect(define).toThrow(message);
  });

  it('rejects a state name the compiler reserves for its frame, when compiled', () => {
    // Prepare
    const playbook = definePlaybook({
      ...META,
      steps: (flow) => flow.notify('done', { subject: 'Done' }, { name: 'Record outcome' }),
    });

    // Act
    const compile = () => compilePlaybook(playbook);

    // Assess
    expect(compile).toThrow(InvalidPlaybookError);
    expect(compile).toThrow('playbook tiny: state name "Record outcome" is reserved');
  });
});
