import { describe, expect, it } from 'vitest';
import { exampleWorld, scenario } from '../../cli/local/testkit.ts';
import type { Alert } from '../../functions/core/alert.ts';
import { normalize } from '../../functions/core/normalize/index.ts';
import { selectPlaybooks } from '../../functions/core/playbooks/precedence.ts';
import { RELEASE_PLAYBOOKS } from '../../functions/core/playbooks/releases.ts';
import { matchesTrigger } from '../../functions/core/playbooks/trigger.ts';
import iamCompromise from '../../playbooks/iam-credential-compromise.ts';
import playbook from '../../playbooks/root-credential-use.ts';
import { consoleSignIn, guardDutyAccessKeyFinding, guardDutyRootCredentialUsage } from '../support/events.ts';

/** A floor that lets GuardDuty's Low findings through (RootCredentialUsage is delivered at any floor). */
const LOW_GUARDDUTY = { sources: { guardduty: { minSeverity: 2 } } };

function alertOf(event: unknown): Alert {
  const out = normalize(event).find((o) => 'alert' in o);
  if (out === undefined || !('alert' in out)) throw new Error('no alert');
  return out.alert;
}

describe('root-credential-use', () => {
  it.each([
    ['GuardDuty Policy:IAMUser/RootCredentialUsage', true, guardDutyRootCredentialUsage()],
    ['a successful root console sign-in', true, consoleSignIn({ root: true })],
    ['a failed root console sign-in', false, consoleSignIn({ root: true, success: false })],
    ['an IAM user’s console sign-in', false, consoleSignIn({ root: false })],
    ['a GuardDuty IAMUser Tor finding', false, guardDutyAccessKeyFinding()],
  ])('its trigger, given %s, starts it: %s', (_label, expected, event) => {
    // Act
    const started = matchesTrigger(playbook.trigger, alertOf(event));

    // Assess
    expect(started).toBe(expected);
  });

  it('answers a root sign-in alone: iam-credential-compromise is superseded, one page goes out', () => {
    // Prepare
    const routes = [playbook, iamCompromise].map((p) => ({
      id: p.id,
      trigger: p.trigger,
      supersedes: [...(p.supersedes ?? [])],
    }));

    // Act
    const started = selectPlaybooks(routes, alertOf(consoleSignIn({ root: true }))).map((r) => r.id);

    // Assess
    expect(started).toEqual(['root-credential-use']);
  });

  it.each([
    ['a root console sign-in', consoleSignIn({ root: true })],
    ['a RootCredentialUsage finding', guardDutyRootCredentialUsage()],
  ])('pages with the runbook and changes nothing, for %s', async (_label, event) => {
    // Act
    const result = await scenario(playbook).event(event).configure(LOW_GUARDDUTY).run();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(expect.arrayContaining(['Root runbook', 'Page: manual runbook']));
    expect(result.actions.map((a) => a.action)).toEqual(['root-credential-runbook', 'notify']);
    expect(result.calls('root-credential-runbook')).toEqual([{ api: 'GetAccountSummary', params: {} }]);
    expect(result.mutations()).toEqual([]);
    expect(result.world).toEqual(exampleWorld());
  });

  it('only notifies for a sample finding', async () => {
    // Act
    const result = await scenario(playbook)
      .event(guardDutyRootCredentialUsage({ sample: true }))
      .configure(LOW_GUARDDUTY)
      .run();

    // Assess
    expect(result.path).toContain('Notify: sample');
    expect(result.actions.map((a) => a.action)).toEqual(['notify']);
  });

  it('is delivered by the GuardDuty rule at its default floor although GuardDuty rates it Low', async () => {
    // Act
    const result = await scenario(playbook).event(guardDutyRootCredentialUsage()).run();

    // Assess
    expect(result.actions.map((a) => a.action)).toEqual(['root-credential-runbook', 'notify']);
  });

  it('is not delivered when GuardDuty is switched off', async () => {
    // Act
    const run = scenario(playbook)
      .event(guardDutyRootCredentialUsage())
      .configure({ sources: { guardduty: { enabled: false } } })
      .run();

    // Assess
    await expect(run).rejects.toThrow(/matches no Riposte rule/);
  });

  it('has no release: nothing was changed', () => {
    // Assess
    expect(Object.values(RELEASE_PLAYBOOKS)).not.toContain(expect.stringMatching(/^root-/));
  });
});
