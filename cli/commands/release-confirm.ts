import { createInterface } from 'node:readline/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { listTimeline } from '#core/actions/state.ts';
import type { IncidentItem } from '#core/store/table.ts';
import { type CommandIo, InputError, write } from '../command.ts';
import { describeUndo, undoSteps } from '../release-plan.ts';

/**
 * The confirmation `riposte release` asks before undoing a containment: on a terminal it lists
 * what will be undone and waits for a yes; without a terminal it refuses unless `--yes` was
 * given, so a script never releases by accident.
 */

/** How the command asks a person; injected by tests (no real terminal is spawned). */
export interface ReleasePrompt {
  /** Whether a person can answer: stdin is a terminal. */
  readonly interactive: () => boolean;
  /** Shows `question` and returns the answer typed. */
  readonly ask: (question: string) => Promise<string>;
}

/**
 * The prompt on the command's own streams: interactive when stdin is a TTY, asking on stderr
 * (stdout stays for the output, `--json` included).
 *
 * @example
 * const prompt = terminalPrompt(io);
 * if (prompt.interactive()) await prompt.ask('Release? [y/N] ');
 */
export function terminalPrompt(io: CommandIo): ReleasePrompt {
  return {
    interactive: () => io.stdin.isTTY === true,
    async ask(question) {
      const rl = createInterface({ input: io.stdin, output: io.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

/** Refused: no terminal to confirm on and no `--yes` (exit status 2, one line). */
export class ConfirmationRequiredError extends InputError {
  public constructor(incident: string) {
    super(`releasing ${incident} needs a confirmation and there is no terminal to ask on: pass --yes`);
    this.name = 'ConfirmationRequiredError';
  }
}

/**
 * Fails fast, before anything is read, when no one can confirm and `--yes` was not given.
 *
 * @example
 * assertCanConfirm('inc-0123', values.yes, prompt); // throws ConfirmationRequiredError in a pipeline
 */
export function assertCanConfirm(incident: string, yes: boolean, prompt: ReleasePrompt): void {
  if (!yes && !prompt.interactive()) throw new ConfirmationRequiredError(incident);
}

/**
 * Lists on stderr what releasing `incident` undoes (its containment steps, from the timeline) and
 * asks; true when the answer is yes. Always true with `--yes`, without asking.
 *
 * @example
 * if (!(await confirmRelease({ db, tableName, incident, playbook: 'iam-credential-release', yes: false, prompt, io }))) return 1;
 */
export async function confirmRelease(options: {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly incident: IncidentItem;
  readonly playbook: string;
  readonly releasePlaybooks: ReadonlySet<string>;
  /** The contain actions the release playbook undoes; every changing step when unknown. */
  readonly undone?: ReadonlySet<string> | undefined;
  readonly yes: boolean;
  readonly prompt: ReleasePrompt;
  readonly io: CommandIo;
}): Promise<boolean> {
  const { incident, io } = options;
  if (options.yes) return true;
  const steps = undoSteps(
    await listTimeline(options.db, options.tableName, incident.id),
    options.releasePlaybooks,
    options.undone,
  );
  const resource = `${incident.resourceType} ${incident.resourceName ?? incident.resourceUid}`;
  const lines =
    steps.length === 0
      ? ['  (no containment recorded: the release will find nothing to release)']
      : describeUndo(steps).map((line) => `  - ${line}`);
  write(io.stderr, [`${options.playbook} will undo on ${incident.id} (${resource}):`, ...lines].join('\n'));
  const answer = await options.prompt.ask('Release? [y/N] ');
  const confirmed = /^y(es)?$/i.test(answer.trim());
  if (!confirmed) write(io.stderr, `riposte release: not confirmed: ${incident.id} was not released`);
  return confirmed;
}
