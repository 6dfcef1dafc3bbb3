import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { scenario } from '../../../cli/local/testkit.ts';
import { LocalWorld, type WorldData } from '../../../functions/core/actions/world/index.ts';
import { loadPlaybooks } from '../../../functions/core/playbooks/registry.ts';
import type { Playbook } from '../../../functions/core/playbooks/sdk.ts';
import { mutations } from '../support/safety-calls.ts';
import { type Case, classicCase, containmentOf, modelCase } from '../support/safety-cases.ts';
import { CONDITIONS, type Pick } from '../support/safety-model.ts';
import { MODELS } from '../support/safety-models.ts';
import { RECKLESS } from '../support/safety-reckless.ts';

/**
 * Safety properties: protected resources, sample findings and containments past the
 * blast-radius limit (with no approval) are never touched, whatever the playbook. Every shipped
 * playbook, and a "reckless" one that calls every containment action directly with no check of
 * its own, runs on the author kit against the example world: zero state-changing AWS calls, and
 * the world exactly as it was. A release runs after its containment (approved, on the target as
 * it was), with the condition applied since: the target tagged protected in between.
 */
export interface SafetyScale {
  /** Random picks (playbook, condition, which resource, tag spelling) on top of the full matrix. */
  readonly randomRuns: number;
  readonly seed?: number;
}

export { CONDITIONS, type Condition, type Pick } from '../support/safety-model.ts';

/**
 * Runs a case: the playbook (after its containment, for a release) with the condition's
 * configuration and decisions. Returns the executions under test and the world just before them.
 */
async function run(c: Case, overLimit: boolean, decide: 'approve' | 'deny') {
  let before = new LocalWorld(structuredClone(c.world)).state;
  const snapshot = (w: WorldData): void => {
    c.protect(w);
    before = structuredClone(w);
  };
  const first = c.containment ?? c.playbook;
  let s = scenario(first).world(c.world).event(c.event);
  if (c.containment === undefined) s = s.editWorld(snapshot);
  else s = s.andThen(c.playbook, snapshot);
  s = s.configure(overLimit ? { ...c.config, safety: { blastRadiusPerHour: 0 } } : c.config);
  const result = await (decide === 'approve' ? s.approve() : s.deny()).run();
  const measured = c.containment === undefined ? result.executions : result.executions.slice(-1);
  return { result, measured, before: () => before };
}

/** Runs one pick and asserts the property; false when its condition cannot arise. */
async function runCase(pick: Pick, shipped: ReadonlyMap<string, Playbook>): Promise<boolean> {
  const c = MODELS.has(pick.playbook) ? modelCase(pick, shipped) : classicCase(pick, shipped);
  if (c === undefined) return false;
  // Over the limit, every approval is denied (none recorded as given).
  const overLimit = pick.condition === 'over-limit';

  const { result, measured, before } = await run(c, overLimit, overLimit ? 'deny' : 'approve');

  const calls = mutations(measured).map((m) => `${m.action}: ${m.api}`);
  expect({ pick, calls }).toEqual({ pick, calls: [] });
  expect(result.world).toEqual(before());
  expect(measured.length).toBeGreaterThan(0);
  return true;
}

export function safetySuite(scale: SafetyScale): void {
  const seed = scale.seed ?? Date.now() % 2_147_483_647;

  describe(`safety properties (seed ${seed})`, () => {
    let shipped: Map<string, Playbook>;
    let ids: string[];
    beforeAll(async () => {
      shipped = new Map((await loadPlaybooks()).map((p) => [p.id, p]));
      // Every shipped playbook: a new kind of target joins through a model in
      // support/safety-models.ts (one the suite has no event for fails it, naming the playbook).
      ids = [...shipped.keys()].concat(RECKLESS);
    });
    const base = { variant: 1, tagValue: 'true', principal: 'user', staging: false } as const;

    it('makes no state-changing call for any shipped playbook or a reckless one, on protected targets, sample findings and past the blast radius', async () => {
      // Prepare: every playbook × every condition × both kinds of principal, on the default resources
      const matrix = ids.flatMap((playbook) =>
        CONDITIONS.flatMap((condition) =>
          (['user', 'role'] as const).map((principal) => ({ ...base, playbook, condition, principal })),
        ),
      );

      // Act & Assess
      let ran = 0;
      for (const pick of matrix) if (await runCase(pick, shipped)) ran += 1;
      console.info(
        `safety matrix: ${ran} playbook × condition × principal cases run, ${matrix.length - ran} cannot arise`,
      );
      expect(ran).toBeGreaterThan(0);
    });

    it('sees the state-changing calls when no rail applies (the control: the checks are not vacuous)', async () => {
      // Prepare: the same set-up on unprotected resources of real findings, approved, under the limit
      const contained = ids.filter((id) => id !== 'root-credential-use' && !id.endsWith('-release'));
      const released = ids.filter((id) => containmentOf(id) !== undefined);
      const picks = [...contained, ...released].map((playbook) => ({
        ...base,
        playbook,
        condition: 'over-limit' as const,
      }));

      // Act
      const calls: Record<string, number> = {};
      const indirect: Record<string, number> = {};
      for (const pick of picks) {
        const c = MODELS.has(pick.playbook) ? modelCase(pick, shipped) : classicCase(pick, shipped);
        if (c === undefined) continue;
        const made = mutations((await run(c, false, 'approve')).measured);
        calls[pick.playbook] = made.length;
        const touches = c.model?.touchesIndirect;
        if (touches !== undefined) indirect[pick.playbook] = made.filter((m) => touches(m.params)).length;
      }
      const root = modelCase({ ...base, playbook: 'root-credential-use', condition: 'over-limit' }, shipped);
      const rootCalls = root === undefined ? [] : mutations((await run(root, false, 'approve')).measured);

      // Assess: every containment and release changes something, on the indirect resource too;
      // root-credential-use changes nothing even then.
      expect(Object.entries(calls).filter(([, n]) => n === 0)).toEqual([]);
      expect(Object.entries(indirect).filter(([, n]) => n === 0)).toEqual([]);
      expect(rootCalls).toEqual([]);
    });

    it('leaves a protected indirect resource (execution role, instance role, caller) alone while the target is contained', async () => {
      // Prepare: only the indirect resources tagged protected (in the spellings the rail accepts)
      const picks = [...MODELS.keys()].flatMap((playbook) =>
        (['user', 'role'] as const).map((principal, i) => ({
          ...base,
          playbook,
          principal,
          condition: 'protected' as const,
          tagValue: [' TRUE', 'True '][i] as string,
        })),
      );

      // Act & Assess
      for (const pick of picks) {
        const c = modelCase(pick, shipped, true);
        const touches = c?.model?.touchesIndirect;
        if (c === undefined || touches === undefined) continue;
        const { measured } = await run(c, false, 'approve');
        const onIndirect = mutations(measured).filter((m) => touches(m.params));
        expect({ pick, onIndirect }).toEqual({ pick, onIndirect: [] });
      }
    });

    it(`holds for ${scale.randomRuns} random picks of playbook, condition, resource and tag spelling`, async () => {
      // Prepare
      const picks = fc.record<Pick>({
        playbook: fc.constantFrom(...ids),
        condition: fc.constantFrom(...CONDITIONS),
        variant: fc.nat({ max: 5 }),
        tagValue: fc.constantFrom('true', 'TRUE', 'True', 'tRuE', ' true', 'TRUE  '),
        principal: fc.constantFrom('user' as const, 'role' as const),
        staging: fc.boolean(),
      });

      // Act & Assess
      await fc.assert(
        fc.asyncProperty(picks, async (pick) => {
          await runCase(pick, shipped);
        }),
        { numRuns: scale.randomRuns, seed, endOnFailure: true },
      );
    });
  });
}
