import { describe, expect, it } from 'vitest';
import type { ServiceName } from '../../../../functions/core/actions/clients.ts';
import { actorOf } from '../../../../functions/core/actions/context.ts';
import {
  MANUAL_RUNBOOK,
  type RootCredentialRunbookInput,
  rootCredentialRunbookAction,
} from '../../../../functions/core/actions/iam/root-credential-runbook.ts';
import { buildNotification } from '../../../../functions/core/actions/notify/build.ts';
import { renderEmail } from '../../../../functions/core/actions/notify/channels/email.ts';
import { runAction } from '../../../../functions/core/actions/runner.ts';
import { MemoryContainmentState, MemoryTimeline } from '../../../../functions/core/actions/state.ts';
import type { ActionDefinition } from '../../../../functions/core/actions/types.ts';
import { LocalWorld, WorldApiError } from '../../../../functions/core/actions/world/index.ts';
import type { Alert } from '../../../../functions/core/alert.ts';
import { normalize } from '../../../../functions/core/normalize/index.ts';
import { executionFacts, PermissiveSafetyRails } from '../../../support/action-env.ts';
import { DriftingWorld, worldEnv } from '../../../support/drifting-world.ts';
import { consoleSignIn, guardDutyRootCredentialUsage } from '../../../support/events.ts';

const SIGN_IN: RootCredentialRunbookInput = {
  source: 'aws.signin',
  findingTypes: [],
  region: 'us-east-1',
  sourceIp: '198.51.100.201',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  mfaUsed: 'no',
  time: '2026-11-02T06:02:15.000Z',
};

/** The example world, where IAM refuses GetAccountSummary. */
class NoSummaryWorld extends LocalWorld {
  public constructor() {
    super(LocalWorld.fromFile('examples/world.json').state);
  }

  public override async handle(service: ServiceName, api: string, params: Readonly<Record<string, unknown>>) {
    if (api === 'GetAccountSummary') throw new WorldApiError('AccessDenied', 'not authorized');
    return super.handle(service, api, params);
  }
}

function alertOf(event: unknown): Alert {
  const out = normalize(event).find((o) => 'alert' in o);
  if (out === undefined || !('alert' in out)) throw new Error('no alert');
  return out.alert;
}

describe('the alert actor', () => {
  it.each([
    [
      'a root console sign-in',
      consoleSignIn({ root: true }),
      { sourceIp: '198.51.100.201', mfaUsed: 'yes', time: '2026-11-02T06:02:15.000Z' },
      /^Mozilla\/5\.0/,
    ],
    [
      'a GuardDuty RootCredentialUsage finding',
      guardDutyRootCredentialUsage(),
      { sourceIp: '203.0.113.45', mfaUsed: 'unknown', time: '2026-11-04T03:15:47.000Z' },
      /^aws-cli\/2\.17\.20/,
    ],
  ])('names the source IP, user agent, MFA and time of %s', (_label, event, expected, agent) => {
    // Act
    const actor = actorOf(alertOf(event).ocsf);

    // Assess
    expect(actor).toMatchObject(expected);
    expect(actor.userAgent).toMatch(agent);
  });
});

describe('root-credential-runbook', () => {
  it('changes nothing, reads GetAccountSummary, and returns the runbook with the sign-in context first', async () => {
    // Prepare
    const env = worldEnv(new DriftingWorld());

    // Act
    const output = await rootCredentialRunbookAction.run(SIGN_IN, env);

    // Assess
    expect(env.recorder.calls.map((c) => `${c.service}:${c.api}`)).toEqual(['iam:GetAccountSummary']);
    expect(env.recorder.mutations).toEqual([]);
    expect(output.response).toBe(MANUAL_RUNBOOK);
    expect(output.rootAccount).toEqual({ mfaEnabled: true, accessKeysPresent: false });
    const [first] = output.operatorActions;
    for (const fact of [
      '198.51.100.201',
      'Firefox/128.0',
      'MFA used: no',
      '2026-11-02T06:02:15.000Z',
      'us-east-1',
    ])
      expect(first).toContain(fact);
    expect(output.operatorActions.join('\n')).toMatch(/change its password/);
  });

  it('says to delete the root access keys and add MFA when the account summary shows them missing', async () => {
    // Prepare
    const world = new DriftingWorld();
    world.state.account.rootAccessKeysPresent = true;
    world.state.account.rootMfaEnabled = false;

    // Act
    const output = await rootCredentialRunbookAction.run(SIGN_IN, worldEnv(world));

    // Assess
    expect(output.rootAccount).toEqual({ mfaEnabled: false, accessKeysPresent: true });
    expect(output.operatorActions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/HAS access keys: delete them/),
        expect.stringMatching(/NO MFA device/),
      ]),
    );
  });

  it('still returns the runbook when GetAccountSummary is denied, the facts unknown', async () => {
    // Act
    const output = await rootCredentialRunbookAction.run(SIGN_IN, worldEnv(new NoSummaryWorld()));

    // Assess
    expect(output.rootAccount).toEqual({ mfaEnabled: null, accessKeysPresent: null });
    expect(output.operatorActions.join('\n')).toMatch(/could not be read/);
    expect(output.timeline.after).toHaveProperty('accountSummaryError');
  });

  it('records "manual runbook required" on its timeline entry', async () => {
    // Prepare
    const facts = executionFacts();
    const timeline = new MemoryTimeline(facts);

    // Act
    await runAction(
      { action: rootCredentialRunbookAction.id, input: SIGN_IN, execution: facts },
      {
        actions: new Map([[rootCredentialRunbookAction.id, rootCredentialRunbookAction as ActionDefinition]]),
        family: 'all',
        store: { db: {} as never, tableName: 'riposte', now: () => 0 },
        baseMode: { kind: 'world', world: new DriftingWorld() },
        killSwitch: async () => false,
        rails: () => new PermissiveSafetyRails(),
        state: () => new MemoryContainmentState(),
        timeline: () => timeline,
        defaultRegion: 'eu-west-1',
      },
    );

    // Assess
    expect(timeline.entries).toHaveLength(1);
    expect(timeline.entries[0]).toMatchObject({
      action: 'root-credential-runbook',
      outcome: 'succeeded',
      after: { response: MANUAL_RUNBOOK, signIn: { sourceIp: '198.51.100.201', mfaUsed: 'no' } },
    });
  });

  it('puts the runbook, context first, in the page as what to do by hand', async () => {
    // Prepare
    const output = await rootCredentialRunbookAction.run(SIGN_IN, worldEnv(new DriftingWorld()));
    const steps = { runbook: { action: 'root-credential-runbook', target: 'root', dryRun: false, output } };

    // Act
    const message = buildNotification(
      { channel: 'all', subject: 'Root credentials used: manual runbook required', severity: 'high', steps },
      executionFacts(),
      0,
    );
    const email = renderEmail(message);

    // Assess
    expect(message.severity).toBe('high');
    expect(message.operatorActions).toEqual(output.operatorActions);
    expect(email.subject).toMatch(/^\[Riposte\]\[HIGH\]/);
    expect(email.body).toContain('198.51.100.201');
  });
});
