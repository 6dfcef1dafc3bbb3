import { describe, expectTypeOf, it } from 'vitest';
import { enrichInstanceAction } from '../../../functions/core/actions/ec2/enrich-instance.ts';
import { isolateInstanceAction } from '../../../functions/core/actions/ec2/isolate-instance.ts';
import { containUserAction } from '../../../functions/core/actions/iam/contain-iam-user.ts';
import {
  type BaseContext,
  type CaughtError,
  type Condition,
  definePlaybook,
  Flow,
  type PathValue,
  type PlaybookDefinition,
  type Ref,
} from '../../../functions/core/playbooks/sdk.ts';

// Type tests: each `@ts-expect-error` line must fail to compile (an unused one fails the
// typecheck), and each `expectTypeOf` must hold. Nothing here runs.

const META = {
  id: 'typed',
  version: '1.0.0',
  title: 'Typed',
  description: 'Type tests.',
  owner: 'tests',
  changelog: { '1.0.0': 'First.' },
  trigger: { manual: true },
} as const satisfies Partial<PlaybookDefinition>;

/** The context type a flow has built so far. */
type ContextOf<F> = F extends Flow<infer C> ? C : never;

const enriched = new Flow<BaseContext>().run('instance', enrichInstanceAction, ($) => ({
  instanceId: $('incident.resourceUid'),
}));
type Enriched = ContextOf<typeof enriched>;

describe('step outputs', () => {
  it('are typed under steps.<id> after a run', () => {
    expectTypeOf<PathValue<Enriched, 'steps.instance.output.environment'>>().toEqualTypeOf<string | null>();
    expectTypeOf<PathValue<Enriched, 'steps.instance.output.protected'>>().toEqualTypeOf<boolean>();
    expectTypeOf<PathValue<Enriched, 'steps.instance.action'>>().toEqualTypeOf<string>();
    expectTypeOf<PathValue<Enriched, 'incident.severityId'>>().toEqualTypeOf<number>();
  });

  it('are refs of the output type', () => {
    enriched.run('isolate', isolateInstanceAction, ($) => {
      expectTypeOf($('steps.instance.output.environment')).toEqualTypeOf<Ref<string | null>>();
      expectTypeOf($('steps.instance.output.protected')).toEqualTypeOf<Ref<boolean>>();
      return { instanceId: $('steps.instance.output.instanceId') };
    });
  });

  it('do not exist before their step', () => {
    new Flow<BaseContext>().run('instance', enrichInstanceAction, ($) => {
      // @ts-expect-error steps.instance is only in the context after the step ran
      $('steps.instance.output.environment');
      return { instanceId: $('incident.resourceUid') };
    });
  });
});

describe('step inputs', () => {
  it('reject a ref to a path that does not exist', () => {
    enriched.run('isolate', isolateInstanceAction, ($) => ({
      // @ts-expect-error incident.instanceId is not a path of the context
      instanceId: $('incident.instanceId'),
    }));
  });

  it('reject a ref of the wrong type for a field', () => {
    enriched.run('isolate', isolateInstanceAction, ($) => ({
      // @ts-expect-error instanceId is a string, incident.severityId a number
      instanceId: $('incident.severityId'),
    }));
  });

  it('reject a literal of the wrong type and a missing required field', () => {
    // @ts-expect-error instanceId is required
    enriched.run('isolate', isolateInstanceAction, () => ({}));
    enriched.run('isolate', isolateInstanceAction, () => ({
      // @ts-expect-error instanceId is a string
      instanceId: 42,
    }));
  });

  it('accept literals and refs of the right type', () => {
    enriched.run('isolate', isolateInstanceAction, () => ({ instanceId: 'i-0a1b2c3d4e5f60718' }));
    enriched.run('user', containUserAction, ($) => ({ userName: $('incident.resourceName') }));
  });
});

describe('conditions', () => {
  it('reject a path that does not exist', () => {
    enriched.choice('check', (c) => {
      // @ts-expect-error steps.instance.output.nope is not a path of the context
      const rule = c.isTrue('steps.instance.output.nope');
      return [c.when(rule, (f) => f)];
    });
  });

  it('reject a comparison with a value of the wrong type', () => {
    enriched.choice('check', (c) => {
      // @ts-expect-error protected is a boolean, not a string
      const rule = c.eq('steps.instance.output.protected', 'yes');
      return [c.when(rule, (f) => f)];
    });
  });

  it('reject a numeric comparison on a string and a boolean test on a number', () => {
    enriched.choice('check', (c) => {
      // @ts-expect-error environment is a string
      const greater = c.gt('steps.instance.output.environment', 3);
      // @ts-expect-error severityId is a number
      const truthy = c.isTrue('incident.severityId');
      return [c.when(c.or(greater, truthy), (f) => f)];
    });
  });

  it('accept paths and values of the right type', () => {
    enriched.choice('check', (c) => {
      const rules = [
        c.eq('steps.instance.output.protected', true),
        c.eq('steps.instance.output.environment', 'production'),
        c.gte('incident.severityId', 4),
        c.matches('alert.source', 'aws.*'),
        c.isTrue('incident.sample'),
        c.isPresent('steps.instance.output'),
      ];
      expectTypeOf(rules).toEqualTypeOf<Condition[]>();
      return rules.map((rule) => c.when(rule, (f) => f));
    });
  });
});

describe('catch branches', () => {
  it('see errors.<id> of the failed step', () => {
    enriched.run('isolate', isolateInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), {
      catch: [
        {
          errors: ['NotAllowedError'],
          recover: (f) =>
            f.choice('why', (c) => {
              const rule = c.matches('errors.isolate.Error', 'NotAllowed*');
              return [c.when(rule, (g) => g.notify('refused', { subject: 'Refused' }))];
            }),
        },
        {
          errors: ['ProtectedResourceError'],
          recover: (f) =>
            f.run('again', isolateInstanceAction, ($) => {
              expectTypeOf($('errors.isolate')).toEqualTypeOf<Ref<CaughtError>>();
              expectTypeOf($('errors.isolate.Cause')).toEqualTypeOf<Ref<string>>();
              return { instanceId: $('incident.resourceUid') };
            }),
        },
      ],
    });
  });

  it('are the only place errors.<id> exists', () => {
    const isolated = enriched.run('isolate', isolateInstanceAction, ($) => ({
      instanceId: $('incident.resourceUid'),
    }));
    isolated.choice('after', (c) => {
      // @ts-expect-error errors.isolate exists in the catch branch only
      const rule = c.isPresent('errors.isolate');
      return [c.when(rule, (f) => f)];
    });
  });
});

describe('definePlaybook', () => {
  it('types the steps callback from the base context', () => {
    definePlaybook({
      ...META,
      steps: (flow) => {
        expectTypeOf(flow).toEqualTypeOf<Flow<BaseContext>>();
        return flow.notify('told', { subject: 'Hello' });
      },
    });
  });
});
