/**
 * What one incident costs in Step Functions: each shipped playbook's main path run locally with
 * the author kit (the compiled state machine CDK deploys, on the local engine), its state
 * transitions counted from the path, the Lambda invocations it makes, and the price per 1,000
 * incidents at list price.
 *
 * Billing (https://aws.amazon.com/step-functions/pricing/, Standard workflows): "Step Functions
 * counts a state transition each time a step of your workflow is executed ... including
 * retries", $0.025 per 1,000 state transitions in US East (N. Virginia). So every state entered
 * is one transition: a Parallel state counts one when entered, and every state entered inside
 * its branches counts one more (Riposte's frame wraps the playbook body in a one-branch
 * Parallel, which costs exactly one transition). Retries would add one each; main paths retry
 * nothing.
 *
 * Usage: npm run bench:playbooks [-- --json]
 */
import { scenario } from '../cli/local/testkit.ts';
import type { AslState, AslStateMachine } from '../functions/core/playbooks/asl.ts';
import { compilePlaybook, LAMBDA_INVOKE, LAMBDA_INVOKE_WAIT } from '../functions/core/playbooks/compile.ts';
import { loadPlaybooks } from '../functions/core/playbooks/registry.ts';
import type { Playbook } from '../functions/core/playbooks/sdk.ts';
import {
  accessAnalyzerPublicBucket,
  guardDutyAccessKeyFinding,
  guardDutyInstanceFinding,
} from '../test/support/events.ts';
import { type BenchResult, isMain, runAsScript } from './support.ts';

/** The list price used, and where it comes from. */
export const PLAYBOOKS_PRICING = {
  source: 'https://aws.amazon.com/step-functions/pricing/',
  workflow: 'Standard',
  region: 'us-east-1',
  usdPer1000StateTransitions: 0.025,
  rule: 'a state transition each time a step of the workflow is executed, including retries',
} as const;

/** USD per state transition, Standard workflows, us-east-1 (list price). */
export const PRICE_PER_TRANSITION = PLAYBOOKS_PRICING.usdPer1000StateTransitions / 1000;

export interface PlaybookCost {
  readonly playbook: string;
  readonly scenario: string;
  readonly status: string;
  readonly transitions: number;
  readonly parallelStates: number;
  readonly lambdaInvocations: number;
  readonly approvals: number;
  readonly usdPer1000Incidents: number;
  readonly path: readonly string[];
}

export interface PlaybookCostBench {
  readonly pricing: typeof PLAYBOOKS_PRICING;
  readonly playbooks: readonly PlaybookCost[];
  readonly withoutScenario: readonly string[];
}

/** Each shipped playbook's main path, as an author-kit scenario. */
const MAIN_PATHS: Readonly<
  Record<
    string,
    {
      readonly scenario: string;
      readonly run: (
        all: ReadonlyMap<string, Playbook>,
      ) => Promise<{ status: string; path: readonly string[] }>;
    }
  >
> = {
  'ec2-instance-compromise': {
    scenario: 'GuardDuty C&C finding on a production instance, approved',
    run: (all) =>
      scenario(need(all, 'ec2-instance-compromise')).event(guardDutyInstanceFinding()).approve().run(),
  },
  'ec2-instance-release': {
    scenario: 'release after the approved isolation above',
    run: (all) =>
      scenario(need(all, 'ec2-instance-compromise'))
        .event(guardDutyInstanceFinding())
        .approve()
        .andThen(need(all, 'ec2-instance-release'))
        .run(),
  },
  'iam-credential-compromise': {
    scenario: 'GuardDuty Tor caller on an IAM user access key',
    run: (all) => scenario(need(all, 'iam-credential-compromise')).event(guardDutyAccessKeyFinding()).run(),
  },
  'iam-credential-release': {
    scenario: 'release after the user containment above',
    run: (all) =>
      scenario(need(all, 'iam-credential-compromise'))
        .event(guardDutyAccessKeyFinding())
        .andThen(need(all, 'iam-credential-release'))
        .run(),
  },
  's3-public-bucket': {
    scenario: 'Access Analyzer: bucket public',
    run: (all) => scenario(need(all, 's3-public-bucket')).event(accessAnalyzerPublicBucket()).run(),
  },
};

function need(all: ReadonlyMap<string, Playbook>, id: string): Playbook {
  const playbook = all.get(id);
  if (playbook === undefined) throw new Error(`playbook ${id} is not shipped`);
  return playbook;
}

/** Every state of a definition by name, branches included (names are unique machine-wide). */
export function statesByName(machine: AslStateMachine): Map<string, AslState> {
  const out = new Map<string, AslState>();
  const visit = (m: AslStateMachine): void => {
    for (const [name, state] of Object.entries(m.States)) {
      out.set(name, state);
      if (state.Type === 'Parallel') for (const branch of state.Branches) visit(branch);
    }
  };
  visit(machine);
  return out;
}

/** Transitions, Parallel states and Lambda invocations of a path through `playbook`. */
export function costOf(
  playbook: Playbook,
  path: readonly string[],
): { transitions: number; parallelStates: number; lambdaInvocations: number; approvals: number } {
  const states = statesByName(compilePlaybook(playbook));
  let parallelStates = 0;
  let lambdaInvocations = 0;
  let approvals = 0;
  for (const name of path) {
    const state = states.get(name);
    if (state === undefined)
      throw new Error(`${playbook.id}: the path enters "${name}", not in the definition`);
    if (state.Type === 'Parallel') parallelStates += 1;
    if (
      state.Type === 'Task' &&
      (state.Resource === LAMBDA_INVOKE || state.Resource === LAMBDA_INVOKE_WAIT)
    ) {
      lambdaInvocations += 1;
      if (state.Resource === LAMBDA_INVOKE_WAIT) approvals += 1;
    }
  }
  return { transitions: path.length, parallelStates, lambdaInvocations, approvals };
}

export async function run(): Promise<BenchResult<PlaybookCostBench>> {
  const shipped = await loadPlaybooks();
  const all = new Map(shipped.map((p) => [p.id, p]));
  const playbooks: PlaybookCost[] = [];
  const withoutScenario: string[] = [];
  for (const playbook of shipped) {
    const main = MAIN_PATHS[playbook.id];
    if (main === undefined) {
      withoutScenario.push(playbook.id);
      continue;
    }
    const result = await main.run(all);
    const cost = costOf(playbook, result.path);
    playbooks.push({
      playbook: playbook.id,
      scenario: main.scenario,
      status: result.status,
      ...cost,
      usdPer1000Incidents: Number((cost.transitions * PRICE_PER_TRANSITION * 1000).toFixed(4)),
      path: result.path,
    });
  }
  return {
    name: 'playbookCost',
    title:
      'playbook cost: main path on the local engine; 1 transition per state entered (Parallel: 1 + its branch states), ' +
      '$0.025 per 1,000 transitions (us-east-1, aws.amazon.com/step-functions/pricing); ' +
      'Lambda = lambda:invoke tasks (+ the approval page, GET and POST, per approval)',
    rows: [
      ...playbooks.map((p) => ({
        what: `${p.playbook} (${p.status.toLowerCase()})`,
        figure:
          `${p.transitions} transitions (${p.parallelStates} Parallel), ${p.lambdaInvocations} Lambda` +
          `${p.approvals > 0 ? ` (${p.approvals} approval)` : ''}, $${p.usdPer1000Incidents.toFixed(3)} / 1,000 incidents`,
      })),
      ...withoutScenario.map((id) => ({
        what: id,
        figure: 'no main-path scenario in bench/playbook-cost.ts',
      })),
    ],
    data: { pricing: PLAYBOOKS_PRICING, playbooks, withoutScenario },
  };
}

if (isMain(import.meta.url)) await runAsScript(run);
