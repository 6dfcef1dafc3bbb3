import { describe, expect, it } from 'vitest';
import {
  type RestoreTrailLoggingInput,
  restoreTrailLoggingAction,
} from '../../../../functions/core/actions/cloudtrail/restore-trail-logging.ts';
import { ResourceNotFoundError } from '../../../../functions/core/actions/errors.ts';
import { LocalWorld, type WorldData } from '../../../../functions/core/actions/world/index.ts';
import { actionEnv } from '../../../support/action-env.ts';
import { DriftingWorld, failed, worldEnv } from '../../../support/drifting-world.ts';

const input = (
  trail: string,
  change: string,
  extra: Partial<RestoreTrailLoggingInput> = {},
): RestoreTrailLoggingInput => ({
  resources: [{ type: 'AWS::CloudTrail::Trail', uid: trail, region: 'eu-west-1' }],
  change,
  changedAt: '2026-11-12T05:14:52Z',
  ...extra,
});

function world(edit?: (data: WorldData) => void): LocalWorld {
  const w = LocalWorld.fromFile('examples/world.json');
  edit?.(w.state);
  return w;
}

describe('restore-trail-logging', () => {
  it('puts back the selectors of the previous PutEventSelectors and reads them back', async () => {
    // Prepare
    const env = worldEnv(world());

    // Act
    const output = await restoreTrailLoggingAction.run(
      input('main-trail', 'cloudtrail:PutEventSelectors'),
      env,
    );

    // Assess
    expect(output.verification?.evidence.filter((c) => !c.ok)).toEqual([]);
    expect(output).toMatchObject({ outcome: 'restored', startedLogging: false, wasLogging: true });
    expect(output.basis).toMatch(/^PutEventSelectors at 2026-10-02T09:00:00.000Z/);
    expect(output.selectorsFound?.EventSelectors?.[0]?.ReadWriteType).toBe('ReadOnly');
    expect(env.recorder.mutations.map((c) => c.api)).toEqual(['PutEventSelectors']);
  });

  it('starts a stopped trail, once: a second run changes nothing', async () => {
    // Prepare
    const w = world();
    const env = worldEnv(w);
    const stopped = input(
      'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit-trail',
      'cloudtrail:StopLogging',
    );
    const inUsEast = { ...env, execution: { ...env.execution, region: 'us-east-1' } };

    // Act
    const first = await restoreTrailLoggingAction.run(stopped, inUsEast);
    const again = { ...worldEnv(w), execution: inUsEast.execution, state: env.state };
    const second = await restoreTrailLoggingAction.run(stopped, again);

    // Assess
    expect(first).toMatchObject({
      outcome: 'restored',
      wasLogging: false,
      startedLogging: true,
      verification: { verified: true },
    });
    expect(env.recorder.mutations.map((c) => c.api)).toEqual(['StartLogging']);
    expect(second).toMatchObject({
      wasLogging: false,
      startedLogging: false,
      verification: { verified: true },
    });
    expect(again.recorder.mutations).toEqual([]);
  });

  it('is not verified when the trail is stopped again right after', async () => {
    // Prepare
    const w = new DriftingWorld('StartLogging', (data) => {
      const trail = data.cloudtrail.trails['org-audit-trail'];
      if (trail !== undefined) trail.isLogging = false;
    });
    const env = worldEnv(w);

    // Act
    const output = await restoreTrailLoggingAction.run(input('org-audit-trail', 'cloudtrail:StopLogging'), {
      ...env,
      execution: { ...env.execution, region: 'us-east-1' },
    });

    // Assess
    expect(output.verification?.verified).toBe(false);
    expect(failed(output.verification as never)).toEqual([
      'trail arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit-trail IsLogging',
    ]);
  });

  it('restores the default selectors of a trail created in the window and never given any', async () => {
    // Prepare
    const env = worldEnv(
      world((data) => {
        data.cloudtrail.events = data.cloudtrail.events.filter((e) => e.eventName !== 'PutEventSelectors');
      }),
    );

    // Act
    const output = await restoreTrailLoggingAction.run(
      input('main-trail', 'cloudtrail:PutEventSelectors'),
      env,
    );

    // Assess
    expect(output.basis).toMatch(/^the default of a new trail: CreateTrail at 2026-10-01/);
    expect(output.selectorsRestored?.EventSelectors).toEqual([
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: true,
        DataResources: [],
        ExcludeManagementEventSources: [],
      },
    ]);
    expect(output.verification?.verified).toBe(true);
  });

  it('skips a PutEventSelectors that failed, and one on another trail', async () => {
    // Prepare
    const env = worldEnv(
      world((data) => {
        const previous = data.cloudtrail.events.find((e) => e.eventName === 'PutEventSelectors');
        if (previous === undefined) throw new Error('no PutEventSelectors in the example world');
        data.cloudtrail.events.push(
          {
            ...previous,
            eventId: 'failed',
            eventTime: '2026-11-01T00:00:00Z',
            errorCode: 'AccessDeniedException',
          },
          {
            ...previous,
            eventId: 'other',
            eventTime: '2026-11-02T00:00:00Z',
            requestParameters: { trailName: 'other' },
          },
        );
      }),
    );

    // Act
    const output = await restoreTrailLoggingAction.run(
      input('main-trail', 'cloudtrail:PutEventSelectors'),
      env,
    );

    // Assess
    expect(output.basis).toMatch(/^PutEventSelectors at 2026-10-02T09:00:00.000Z/);
  });

  it('reports a deleted trail with its last known configuration', async () => {
    // Prepare
    const env = worldEnv(world());

    // Act
    const output = await restoreTrailLoggingAction.run(input('legacy-trail', 'cloudtrail:DeleteTrail'), env);

    // Assess
    expect(output).toMatchObject({
      outcome: 'deleted',
      lastKnownConfiguration: {
        name: 'legacy-trail',
        s3BucketName: 'legacy-logs-111122223333',
        isMultiRegionTrail: false,
        enableLogFileValidation: true,
      },
    });
    expect(output.operatorActions[0]).toMatch(
      /^recreate the trail legacy-trail with its last known configuration/,
    );
    expect(output.verification).toBeUndefined();
    expect(env.recorder.mutations).toEqual([]);
  });

  it.each([
    [
      'an organization trail owned by the management account',
      'management-org-trail',
      'not-owned',
      /management account 999988887777/,
    ],
    ['a trail of another home Region', 'org-audit-trail', 'other-region', /home Region us-east-1/],
  ])('reports %s and changes nothing', async (_label, trail, outcome, todo) => {
    // Prepare
    const env = worldEnv(world());

    // Act
    const output = await restoreTrailLoggingAction.run(input(trail, 'cloudtrail:StopLogging'), env);

    // Assess
    expect(output.outcome).toBe(outcome);
    expect(output.operatorActions.join(' ')).toMatch(todo);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('asks for a review of what UpdateTrail changed', async () => {
    // Act
    const output = await restoreTrailLoggingAction.run(
      input('main-trail', 'cloudtrail:UpdateTrail'),
      worldEnv(world()),
    );

    // Assess
    expect(output.operatorActions).toEqual([
      expect.stringMatching(/^review the settings of .*main-trail changed by UpdateTrail/),
    ]);
  });

  it('refuses a protected trail before any change', async () => {
    // Prepare
    const env = actionEnv({
      mode: {
        kind: 'world',
        world: world((data) => {
          const trail = data.cloudtrail.trails['main-trail'];
          if (trail !== undefined) trail.tags = { 'riposte:protected': 'true' };
        }),
      },
    });

    // Act & Assess
    await expect(
      restoreTrailLoggingAction.run(input('main-trail', 'cloudtrail:PutEventSelectors'), env),
    ).rejects.toThrow(/protected/);
    expect(env.recorder.mutations).toEqual([]);
  });

  it('needs a trail among the alert resources', async () => {
    // Act & Assess
    await expect(
      restoreTrailLoggingAction.run({ ...input('x', ''), resources: [] }, worldEnv(world())),
    ).rejects.toThrow(ResourceNotFoundError);
  });
});
